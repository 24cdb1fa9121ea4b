//! The `p2p-sandbox` command line: `serve` (default), `openapi`, `create-admin`,
//! `healthcheck`, `reindex`, `seed`, `bench-data`, `backup`, `restore`.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::{Parser, Subcommand};
use p2p_sandbox::{App, Config, api, app, service, telemetry};

/// mimalloc rather than glibc's malloc: under the platform bench glibc spent about a fifth of
/// the server's CPU in `malloc`/`free` (consolidating and splitting chunks across per-thread
/// arenas) and held on to freed memory. mimalloc's v2 line (see Cargo.toml) gives freed pages
/// back sooner than v3; docs/performance.md has the figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "p2p-sandbox", version, about = "P2P Sandbox server: one binary with embedded storage")]
struct Cli {
    /// TOML configuration file (settings not in it keep their defaults).
    #[arg(long, env = "P2P_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Print the OpenAPI document.
    Openapi,
    /// Create a platform admin, or promote an existing account. Run while the server is stopped.
    /// The password comes from P2P_ADMIN_PASSWORD, or is generated and printed once.
    CreateAdmin {
        /// Email address of the admin.
        #[arg(long)]
        email: String,
    },
    /// Exit 0 when the local server answers GET /health (for container health checks).
    Healthcheck,
    /// Rebuild the search index from the store. Run while the server is stopped.
    Reindex,
    /// Take a backup of the store, the local media and the generated token secret, and check
    /// it: through the server running on the data dir (an online snapshot), else from the
    /// store itself.
    Backup {
        /// A directory or s3://bucket/prefix; by default `backup.target`.
        #[arg(long)]
        to: Option<String>,
    },
    /// Restore a backup into the data dir. Run while the server is stopped.
    Restore {
        /// A backup folder, or the store.redb file in one.
        from: PathBuf,
        /// Replace an existing store (it is moved aside, not deleted).
        #[arg(long)]
        force: bool,
    },
    /// Load a data set. Run while the server is stopped.
    Seed {
        /// The embedded bilingual demo set (organizations, people, use cases, forum threads).
        /// Loaded once; running it again adds nothing.
        #[arg(long)]
        demo: bool,
    },
    /// Write a generated data set for benchmarks and trials at scale into a fresh data dir:
    /// people, organizations, topics and replies, use cases, conversations, notifications,
    /// and the full search index. Every account shares one password (in the manifest).
    BenchData {
        /// `small`: 1,000 people (seconds); `medium`: SPEC §13's set of 20,000 people,
        /// 100,000 topics, 500,000 replies, 10,000 use cases, 200,000 messages (minutes).
        #[arg(long, value_enum, default_value = "medium")]
        size: BenchSize,
        /// The data dir to write (absent or empty); serve it with P2P_DATA_DIR.
        #[arg(long)]
        out: PathBuf,
        /// Every account's password.
        #[arg(long, default_value = service::bench_data::DEFAULT_PASSWORD)]
        password: String,
    },
}

/// The data sets of `bench-data`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum BenchSize {
    Small,
    Medium,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        println!("{}", api::spec_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Some(Command::Healthcheck) => healthcheck(&config),
        command => {
            // Store reads and file I/O run on blocking threads; past a few dozen they only add
            // context switches and per-thread allocator heaps on a small machine.
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.enable_all().max_blocking_threads(64);
            builder.build().map_err(Into::into).and_then(|rt| {
                rt.block_on(async move {
                    match command {
                        Some(Command::CreateAdmin { email }) => create_admin(config, &email).await,
                        Some(Command::Seed { demo }) => seed(config, demo).await,
                        Some(Command::BenchData { size, out, password }) => {
                            bench_data(config, size, out, password).await
                        }
                        Some(Command::Reindex) => reindex(config).await,
                        Some(Command::Backup { to }) => backup(config, to).await,
                        Some(Command::Restore { from, force }) => restore(config, &from, force).await,
                        _ => serve(config).await,
                    }
                })
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init(&config);
    survive_file_size_limit();
    let app = App::build(config).await?;
    app.run_until_stopped(shutdown_signal()).await
}

async fn create_admin(config: Config, email: &str) -> anyhow::Result<()> {
    telemetry::init(&config);
    let (password, generated) = match std::env::var("P2P_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (format!("{}-7a", p2p_sandbox::auth::secrets::random_token(15)), true),
    };
    let state = app::open_state(config).await?;
    let email = email.trim().to_lowercase();
    let (id, created) =
        service::accounts::create_admin(&state, &email, password.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if created {
        println!("created platform admin {email} (id {id})");
        if generated {
            println!("password: {password}");
        }
    } else {
        println!("promoted existing account {email} (id {id}) to platform admin; its password is unchanged");
    }
    Ok(())
}

async fn seed(config: Config, demo: bool) -> anyhow::Result<()> {
    anyhow::ensure!(demo, "choose a data set: --demo");
    telemetry::init(&config);
    let state = app::open_state(config).await?;
    let progress = p2p_sandbox::console::ConsoleProgress::new();
    let loaded = service::demo::load(&state, &progress).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Searchable at once, not at the server's next start.
    let indexed = match state.search.unbuilt() {
        true => service::search::indexer::rebuild(&state).await,
        false => service::search::indexer::drain(&state).await,
    };
    indexed.map_err(|e| anyhow::anyhow!("{e}"))?;
    if loaded.already {
        println!("the demo data set is already loaded; nothing added");
    } else {
        println!(
            "loaded {} organizations, {} people, {} use cases, {} forum topics with {} replies, {} conversations with {} messages",
            loaded.organizations,
            loaded.users,
            loaded.use_cases,
            loaded.topics,
            loaded.replies,
            loaded.conversations,
            loaded.messages
        );
    }
    Ok(())
}

async fn bench_data(mut config: Config, size: BenchSize, out: PathBuf, password: String) -> anyhow::Result<()> {
    use service::bench_data::{Sizes, dir};
    telemetry::init(&config);
    let (name, sizes) = match size {
        BenchSize::Small => ("small", Sizes::small()),
        BenchSize::Medium => ("medium", Sizes::medium()),
    };
    config.data_dir = out;
    dir::prepare(&mut config)?;
    let state = app::open_state(config).await?;
    let progress = std::sync::Arc::new(p2p_sandbox::console::ConsoleProgress::new());
    let m = dir::write(state, name, sizes, password, progress).await?;
    println!(
        "wrote {} in {:.1} s (index {:.1} s); store {} MiB, index {} MiB; see {}",
        m.counts,
        m.seconds.total,
        m.seconds.index,
        m.store_mib,
        m.index_mib,
        dir::MANIFEST
    );
    Ok(())
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    telemetry::init(&config);
    let state = app::open_state(config).await?;
    service::search::indexer::rebuild(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("search index rebuilt: {} documents", state.search.num_docs());
    Ok(())
}

async fn backup(config: Config, to: Option<String>) -> anyhow::Result<()> {
    telemetry::init(&config);
    // A directory is the caller's: the server's working directory may be another.
    let to = match to {
        Some(to) if !to.starts_with("s3://") && !to.is_empty() => std::path::absolute(&to)?.display().to_string(),
        other => other.unwrap_or_default(),
    };
    #[cfg(unix)]
    if let Some(asked) = service::backup::control::ask(&config.data_dir, &to).await {
        let m = asked?;
        println!(
            "the running server took backup {} ({} records, {} media objects) in {} ms",
            m.name,
            m.entries(),
            m.media_objects,
            m.duration_ms
        );
        return Ok(());
    }
    let target = if to.is_empty() { config.backup.target.clone() } else { to };
    let state = app::open_state(config).await?;
    let target = service::backup::target::Target::open(&state.config, &target)?;
    let m = service::backup::take(&state, &target).await?;
    println!(
        "backup {} written to {} and checked: {} records in {} tables ({} bytes), {} media objects ({} bytes), in {} ms",
        m.name,
        target.describe,
        m.entries(),
        m.tables.len(),
        m.store_bytes,
        m.media_objects,
        m.media_bytes,
        m.duration_ms
    );
    Ok(())
}

async fn restore(config: Config, from: &std::path::Path, force: bool) -> anyhow::Result<()> {
    telemetry::init(&config);
    let r = service::backup::restore::restore(&config, from, force).await?;
    println!(
        "restored {} records and {} media objects into {}; the search index is rebuilt at the next start",
        r.entries,
        r.media_objects,
        config.data_dir.display()
    );
    if let Some(aside) = r.moved_aside {
        println!("the store that was there is kept at {}", aside.display());
    }
    Ok(())
}

fn healthcheck(config: &Config) -> anyhow::Result<()> {
    let port = config.bind.rsplit_once(':').map(|(_, p)| p).unwrap_or("8000");
    let mut stream = TcpStream::connect_timeout(&format!("127.0.0.1:{port}").parse()?, Duration::from_secs(3))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    anyhow::ensure!(answer.starts_with("HTTP/1.1 200"), "unhealthy: {}", answer.lines().next().unwrap_or("no answer"));
    Ok(())
}

/// A file-size limit (`ulimit -f`) reached must fail the write that reached it (EFBIG, which
/// the store and the media answer as storage full), not kill the server: SIGXFSZ gets a
/// handler, so its default action — terminate — no longer applies.
fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // SIGXFSZ is 25 on Linux and the BSDs.
        match signal(SignalKind::from_raw(25)) {
            Ok(mut s) => {
                tokio::spawn(async move {
                    while s.recv().await.is_some() {
                        tracing::warn!("a file reached the process's file-size limit; that write failed");
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "cannot handle SIGXFSZ"),
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}
