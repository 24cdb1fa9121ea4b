//! `p2p-sandbox bench-data`: a data set in a fresh data dir, ready to serve. The store is
//! generated, checked against what was written, indexed in full, and described by a
//! manifest, `bench-data.json`, that the benchmarks read (sizes, the sign-in pattern and
//! password, timings). The accounts share a password anyone can read in the manifest: a
//! data dir made this way is for trying the platform at scale, never for real people.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{Generated, Sizes, check, generate};
use crate::{
    config::Config,
    service::{progress::Progress, search::indexer},
    state::AppState,
    store,
};

/// The manifest's name in the data dir.
pub const MANIFEST: &str = "bench-data.json";
/// Version of the manifest's layout.
pub const FORMAT: u32 = 1;
/// redb's page cache while generating: the writes touch far more than a server's default.
const GENERATE_CACHE_MIB: u64 = 512;

/// What `bench-data.json` says (the benchmarks read it back).
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `small` or `medium`.
    pub size: String,
    /// Every account's password.
    pub password: String,
    /// How user `u` signs in.
    pub email: String,
    pub counts: Counts,
    pub seconds: Seconds,
    /// Size of the store file and of the index, in MiB.
    pub store_mib: f64,
    pub index_mib: f64,
}

/// Records of each kind.
#[derive(Debug, Serialize, Deserialize)]
pub struct Counts {
    pub orgs: usize,
    pub users: usize,
    pub topics: usize,
    pub replies: usize,
    pub use_cases: usize,
    pub conversations: usize,
    pub messages: usize,
    pub notifications: usize,
    pub activity: usize,
}

impl std::fmt::Display for Counts {
    /// `2000 organizations, 20000 people, 100000 topics with 500000 replies, …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} organizations, {} people, {} topics with {} replies, {} use cases, {} conversations with {} messages, \
             {} notifications, {} activity entries",
            self.orgs,
            self.users,
            self.topics,
            self.replies,
            self.use_cases,
            self.conversations,
            self.messages,
            self.notifications,
            self.activity
        )
    }
}

/// Wall time of each step.
#[derive(Debug, Serialize, Deserialize)]
pub struct Seconds {
    pub people: f64,
    pub forum: f64,
    pub use_cases: f64,
    pub messages: f64,
    pub check: f64,
    pub index: f64,
    pub compact: f64,
    pub total: f64,
}

/// Readies `config` for `write`: its data dir must be absent or empty (the counters are
/// added to, so a second set would not add up), and the store's cache is raised for the load.
pub fn prepare(config: &mut Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    let occupied = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    anyhow::ensure!(!occupied, "{} is not empty: bench-data writes a fresh data dir", dir.display());
    config.store.cache_mib = config.store.cache_mib.max(GENERATE_CACHE_MIB);
    Ok(())
}

/// Writes the data set `sizes` (called `size`) into the data dir of `state`, opened on a
/// config `prepare` readied; every account's password is `password`, hashed once with the
/// configured cost. The state is closed before the store is compacted.
pub async fn write(
    state: AppState,
    size: &str,
    sizes: Sizes,
    password: String,
    progress: Arc<dyn Progress>,
) -> anyhow::Result<Manifest> {
    let started = Instant::now();
    let dir = state.config.data_dir.clone();
    let hash = state.hasher.hash(password.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let categories: Vec<String> = state.config.forum.categories.iter().map(|c| c.id.clone()).collect();
    let store = state.store.clone();
    let job = progress.clone();
    let generated: Generated =
        tokio::task::spawn_blocking(move || generate(&store, &sizes, &categories, &hash, job.as_ref())).await??;
    let t = Instant::now();
    let g = Arc::new(generated);
    let wrote = g.clone();
    let wrong = state.store.read(move |r| check::mismatches(r, &wrote)).await.context("cannot check the store")?;
    anyhow::ensure!(wrong.is_empty(), "the generated store does not add up: {}", wrong.join("; "));
    let checked = t.elapsed();
    let t = Instant::now();
    progress.stage("search index", 0);
    indexer::rebuild(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let indexed = t.elapsed();
    // The search queue the load filled was taken off by the rebuild: compacting gives its
    // pages back (the store would otherwise stay that much larger for good).
    let t = Instant::now();
    let (db_path, index_dir) = (state.config.db_path(), state.config.index_dir());
    drop(state);
    let path = db_path.clone();
    tokio::task::spawn_blocking(move || store::backup::compact(&path)).await??;
    let compacted = t.elapsed();
    let (f, c) = (&g.forum, &g.conversations);
    let counts = Counts {
        orgs: sizes.orgs,
        users: g.people.ids.len(),
        topics: f.topics.len(),
        replies: f.replies,
        use_cases: g.use_cases,
        conversations: c.conversations,
        messages: c.messages,
        notifications: f.notifications + c.notifications,
        activity: f.topics.len() + f.replies + g.use_cases,
    };
    let secs = |d: Duration| (d.as_secs_f64() * 10.0).round() / 10.0;
    let seconds = Seconds {
        people: secs(g.took[0]),
        forum: secs(g.took[1]),
        use_cases: secs(g.took[2]),
        messages: secs(g.took[3]),
        check: secs(checked),
        index: secs(indexed),
        compact: secs(compacted),
        total: secs(started.elapsed()),
    };
    let mib = |bytes: u64| (bytes as f64 / f64::from(1 << 20)).round();
    let manifest = Manifest {
        format: FORMAT,
        size: size.to_owned(),
        password,
        email: "n{u}@org{o}.example.com, o = u / 10".to_owned(),
        counts,
        seconds,
        store_mib: mib(std::fs::metadata(&db_path).map_or(0, |m| m.len())),
        index_mib: mib(bytes_under(&index_dir)),
    };
    let json = serde_json::to_vec_pretty(&manifest)?;
    std::fs::write(dir.join(MANIFEST), json).with_context(|| format!("cannot write {MANIFEST}"))?;
    Ok(manifest)
}

/// Bytes of the files under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => bytes_under(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
