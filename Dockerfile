# Multi-stage build: compile in the Rust image, run in a small Debian image as a non-root user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
COPY assets ./assets
COPY templates ./templates
COPY data/demo ./data/demo
COPY benches ./benches
RUN cargo build --release --bin p2p-sandbox

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin p2p \
    && mkdir -p /data && chown p2p:p2p /data
COPY --from=build /src/target/release/p2p-sandbox /usr/local/bin/p2p-sandbox
USER p2p
WORKDIR /data
ENV P2P_DATA_DIR=/data \
    P2P_BIND=0.0.0.0:8000 \
    P2P_LOG_FORMAT=json
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["p2p-sandbox", "healthcheck"]
ENTRYPOINT ["p2p-sandbox"]
CMD ["serve"]
