//! The generated data sets of `p2p-sandbox bench-data` (SPEC §13's small and medium sets),
//! as a benchmark uses them: written into a data dir by the server binary, described by the
//! `bench-data.json` manifest (counts, step times, sizes, the accounts' sign-in pattern and
//! password), which is read here.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use serde::Deserialize;

/// As the generator has them: the manifest's name in the data dir, user `u`'s sign-in
/// address, and the members of each organization (user `u` is in organization
/// `u / PER_ORG`, its admin when the remainder is 0).
#[allow(unused_imports)] // Benches without a generated data set use none of them.
pub use p2p_sandbox::service::bench_data::{PER_ORG, dir::MANIFEST, email};

/// The manifest's layout read here.
const FORMAT: u32 = 1;

/// What `bench-data.json` says.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `small` or `medium`.
    pub size: String,
    /// Every account's password.
    pub password: String,
    /// How user `u` signs in (`email`).
    pub email: String,
    pub counts: Counts,
    pub seconds: Seconds,
    /// Size of the store file and of the index, in MiB.
    pub store_mib: f64,
    pub index_mib: f64,
}

/// Records of each kind.
#[derive(Debug, Deserialize)]
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

/// Wall time of each step of the generator.
#[derive(Debug, Deserialize)]
pub struct Seconds {
    pub people: f64,
    pub forum: f64,
    pub use_cases: f64,
    pub messages: f64,
    pub check: f64,
    pub index: f64,
    pub total: f64,
}

/// Writes a data set of `size` into `out` (absent or empty) with `bin bench-data --size
/// <size> --out <out>`: the store, the full search index and the manifest. The generator's
/// progress and summary are shown. Returns how long it took.
pub fn generate(bin: &Path, size: &str, out: &Path) -> Duration {
    let t = Instant::now();
    let status = super::bare_command(bin)
        .args(["bench-data", "--size", size, "--out"])
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run bench-data: {e}"));
    assert!(status.success(), "{} bench-data --size {size}: {status}", bin.display());
    t.elapsed()
}

/// The data set in `dir`: used as it is when it has a manifest, else generated there first
/// (with how long that took).
pub fn open(bin: &Path, size: &str, dir: &Path) -> (Manifest, Option<Duration>) {
    let took = (!dir.join(MANIFEST).exists()).then(|| generate(bin, size, dir));
    let text = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_else(|e| panic!("{MANIFEST}: {e}"));
    let m: Manifest = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{MANIFEST}: {e}"));
    assert_eq!(m.format, FORMAT, "{MANIFEST}: a layout this bench does not know");
    (m, took)
}
