//! `App`: builds every subsystem from the configuration, binds the listener (port 0 is
//! fine; `port()` tells which was chosen), and runs until a shutdown signal, then drains
//! in-flight requests and lets the job worker finish its current job.

use std::{future::Future, net::SocketAddr, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};
use tokio::sync::watch;

use crate::{
    api::{self, metrics::HttpMetrics},
    auth::password::PasswordHasher,
    config::Config,
    jobs,
    mail::Mailer,
    media::MediaStore,
    service,
    state::AppState,
    store::Store,
};

/// A built, bound, not yet running server.
pub struct App {
    state: AppState,
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    mailer: Arc<Mailer>,
    metrics: Arc<HttpMetrics>,
}

impl App {
    /// Opens the store (running migrations), prepares hashing, mail and tokens, and binds.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
        let state = open_state(config).await?;
        let mailer = Arc::new(Mailer::from_config(&state.config)?);
        let acceptor = TcpListener::bind(state.config.bind.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {}", state.config.bind))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("listener has no socket address")?;
        tracing::info!(
            %addr,
            data_dir = %state.config.data_dir.display(),
            docs = %format!("http://{addr}/docs"),
            "listening; Swagger UI at /docs"
        );
        let metrics = Arc::new(HttpMetrics::new()?);
        Ok(Self { state, acceptor, addr, mailer, metrics })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The shared state (for tools and tests that need the subsystems).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The request metrics this server records (what `/metrics` shows).
    pub fn metrics(&self) -> &Arc<HttpMetrics> {
        &self.metrics
    }

    /// Serves until `shutdown` resolves, then stops accepting, waits for in-flight requests
    /// (bounded by `http.shutdown_grace_secs`), and stops the job worker after its current job.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self { state, acceptor, mailer, metrics, .. } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stop_rx_indexer = stop_rx.clone();
        let stop_rx_backups = stop_rx.clone();
        #[cfg(unix)]
        let socket = tokio::spawn(service::backup::control::listen(state.clone(), stop_rx.clone()));
        let worker = tokio::spawn(jobs::run_worker(
            state.store.clone(),
            state.config.jobs.clone(),
            state.jobs.clone(),
            service::jobs::handler(state.clone(), mailer),
            stop_rx,
        ));
        let indexer = tokio::spawn(service::search::indexer::run(state.clone(), stop_rx_indexer));
        // A backup in progress at shutdown is abandoned: its folder has no manifest yet, and
        // the next one removes it.
        let backups = tokio::spawn(service::backup::schedule(state.clone(), stop_rx_backups));
        let grace = Duration::from_secs(state.config.http.shutdown_grace_secs);
        let app = api::routes(state.clone(), metrics);
        // Sockets close with 1001 as soon as shutdown starts, so draining does not wait on them.
        let hub = state.hub.clone();
        let shutdown = async move {
            shutdown.await;
            hub.shutdown();
        };
        let served = Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, shutdown, Some(grace)).await;
        tracing::info!("http server stopped; stopping background work");
        let _ = stop_tx.send(true);
        worker.await.context("job worker panicked")?;
        indexer.await.context("search indexer panicked")?;
        backups.abort();
        #[cfg(unix)]
        socket.await.context("backup socket panicked")?;
        served.context("http server failed")
    }
}

/// Opens the store and builds the state without binding (CLI commands use this too).
pub async fn open_state(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let secret = jwt_secret(&config)?;
    let db_path = config.db_path();
    let cache_bytes = usize::try_from(config.store.cache_mib << 20).unwrap_or(usize::MAX);
    let reserve = config.store.min_free_mib << 20;
    let store = tokio::task::spawn_blocking(move || Store::open_with(&db_path, cache_bytes, reserve))
        .await?
        .context("cannot open the database")?;
    let a = config.auth.clone();
    let hasher = tokio::task::spawn_blocking(move || {
        PasswordHasher::new(a.argon2_memory_kib, a.argon2_iterations, a.argon2_parallelism, a.hash_concurrency)
    })
    .await??;
    let media = MediaStore::from_config(&config).context("cannot open the media store")?;
    let index_dir = config.index_dir();
    // A new index is filled from the store by the indexer, while the server already serves
    // (readiness says so until it is done), or by the command that needs it.
    let search = tokio::task::spawn_blocking(move || crate::search::SearchIndex::open(&index_dir))
        .await?
        .context("cannot open the search index")?;
    Ok(AppState::new(config, store, Arc::new(search), hasher, media, &secret))
}

/// The configured JWT secret, or the one kept in the data dir (generated on first start).
fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if !config.auth.jwt_secret.is_empty() {
        anyhow::ensure!(
            config.auth.jwt_secret.len() >= 32,
            "bad value for `auth.jwt_secret`: use at least 32 characters"
        );
        return Ok(config.auth.jwt_secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("jwt.secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let s = existing.trim();
        anyhow::ensure!(s.len() >= 32, "{} is too short; delete it to generate a new one", path.display());
        return Ok(s.as_bytes().to_vec());
    }
    let secret = crate::auth::secrets::random_token(48);
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a new JWT secret");
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}
