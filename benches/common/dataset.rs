//! The generated data sets of `p2p-sandbox bench-data` (SPEC §13's small and medium sets),
//! as a benchmark uses them: written into a data dir by the server binary, described by the
//! `bench-data.json` manifest (counts, step times, sizes, the accounts' sign-in pattern and
//! password), which is read here.

use std::{
    path::Path,
    time::{Duration, Instant},
};

/// As the generator has them: the manifest's name in the data dir, user `u`'s sign-in
/// address, and the members of each organization (user `u` is in organization
/// `u / PER_ORG`, its admin when the remainder is 0).
#[allow(unused_imports)] // Benches without a generated data set use none of them.
pub use p2p_sandbox::service::bench_data::{
    PER_ORG,
    dir::{FORMAT, MANIFEST, Manifest},
    email,
};

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
