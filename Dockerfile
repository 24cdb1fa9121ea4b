# Multi-stage build: compile in the Rust image, run in a small Debian image as a non-root user.
# Build: docker build -t p2p-sandbox .      Run: docker run -p 8000:8000 -v p2p-data:/data p2p-sandbox

# ---------------------------------------------------------------------------------------------
# Build stage.
FROM rust:1.95-bookworm AS build
WORKDIR /src
# Strip the release binary's symbols (set here so Cargo.toml's release profile stays as it is,
# and before the dependency layer so both builds use the same profile and share the cache).
ENV CARGO_PROFILE_RELEASE_STRIP=symbols

# 1. Dependencies only, in their own layer: rebuilt when Cargo.toml or Cargo.lock change, not
#    when our sources do. Every target the manifest names must exist for cargo to read it, so
#    the library, the binary and each [[bench]] get an empty stub. `--locked`: the build uses
#    Cargo.lock as committed and fails if it is out of date.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && for bench in core messages notifications people realtime search use_cases writes; do \
           echo 'fn main() {}' > "benches/$bench.rs"; \
       done \
    && cargo build --release --locked --bin p2p-sandbox \
    && rm -rf src \
              target/release/.fingerprint/p2p-sandbox-* \
              target/release/deps/p2p_sandbox-* \
              target/release/deps/libp2p_sandbox-* \
              target/release/p2p-sandbox* \
              target/release/libp2p_sandbox.*

# 2. Our crate. The binary embeds config/default.toml and assets/common-passwords.txt
#    (include_str!), templates/mail/ and data/demo/ (rust-embed). The benches keep their stubs:
#    building the binary does not compile them, so editing a bench does not rebuild it.
COPY src ./src
COPY config ./config
COPY assets ./assets
COPY templates ./templates
COPY data/demo ./data/demo
RUN cargo build --release --locked --bin p2p-sandbox

# ---------------------------------------------------------------------------------------------
# Runtime stage: Debian slim, CA certificates (SMTP over TLS, S3 over HTTPS), the binary.
FROM debian:bookworm-slim

# The repository's address is not written in the checkout: pass it when building, e.g.
# `docker build --build-arg SOURCE_URL=https://example.org/p2p-sandbox.git .`
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="p2p-sandbox" \
      org.opencontainers.image.description="P2P Sandbox: peer collaboration platform for industrial SMEs, one binary with embedded storage" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT"

# Not version-pinned: bookworm's archive keeps only the current version of a package, so a
# pinned ca-certificates stops installing at its next security update; the base image tag
# fixes the release and `apt-get update` brings that release's current, patched package.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 p2p \
    && useradd --system --no-log-init --uid 10001 --gid p2p --home-dir /data --shell /usr/sbin/nologin p2p \
    && mkdir -p /data && chown p2p:p2p /data
COPY --from=build /src/target/release/p2p-sandbox /usr/local/bin/p2p-sandbox
# Numeric, so a runtime can tell it is not root without reading /etc/passwd (Kubernetes'
# runAsNonRoot); it is the p2p user created above.
USER 10001:10001
WORKDIR /data
ENV P2P_DATA_DIR=/data \
    P2P_BIND=0.0.0.0:8000 \
    P2P_LOG_FORMAT=json
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["p2p-sandbox", "healthcheck"]
ENTRYPOINT ["p2p-sandbox"]
CMD ["serve"]
