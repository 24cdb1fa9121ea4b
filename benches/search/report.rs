//! The closing table of the search bench: one line per figure, with its target and whether
//! it was met.

use crate::{CLIENTS, FRESH_RUN, Figures, POSTERS, Phase, QUERIES, RUN, SAMPLES, Sizes, WRITE_RATE, common::pct};

fn ok(b: bool) -> &'static str {
    if b { "ok" } else { "MISSED" }
}

/// Min / median / max of the counts, and how many queries found nothing or failed.
fn spread(counts: &[Option<u64>]) -> (u64, u64, u64, usize, usize) {
    let mut found: Vec<u64> = counts.iter().flatten().copied().collect();
    found.sort_unstable();
    let at = |i: usize| found.get(i).copied().unwrap_or(0);
    let empty = found.iter().filter(|&&n| n == 0).count();
    (at(0), at(found.len() / 2), at(found.len().saturating_sub(1)), empty, counts.len() - found.len())
}

fn phase(p: &Phase, docs: f64) {
    let (min, median, max, empty, failed) = spread(&p.counts);
    let (l, a) = (&p.load, &p.alone);
    let (p50, p99) = (pct(&l.lat, 0.5), pct(&l.lat, 0.99));
    let unit = p.unit;
    let share = if unit == "matches" {
        format!(" ({:.2} % of the documents)", median as f64 / docs * 100.0)
    } else {
        String::new()
    };
    println!(
        "{:<36} {unit} per query min / median / max {min} / {median} / {max}{share}; {empty} found nothing, {failed} failed\n\
         {:<36} alone: p50 / p99 {:.2} / {:.2} ms, {:.0} req/s on one connection\n\
         {:<36} {CLIENTS} clients: {:>7.0} req/s, p50 / p99 {p50:.1} / {p99:.1} ms, {} failed   target p99 < {} ms  {}\n\
         {:<36} cores server / bench {:.2} / {:.2}",
        p.name,
        "",
        pct(&a.lat, 0.5),
        pct(&a.lat, 0.99),
        a.rate,
        "",
        l.rate,
        l.failed,
        p.target_ms,
        ok(l.failed == 0 && p99 < p.target_ms),
        "",
        p.cores.0,
        p.cores.1,
    );
    l.errors.iter().chain(&a.errors).for_each(|e| println!("{:<36} failed: {e}", ""));
}

pub fn print(sizes: &Sizes, f: &Figures) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\n== p2p-sandbox search benchmark ==\n\
         data (scale {}): {} orgs, {} users, {} topics, {} replies, {} use cases; {:.0} MiB redb file\n\
         {cores} cores shared by the server and the bench; {QUERIES} queries of each kind, {} s per phase\n\
         preload through the library          {:>8.1} s\n\
         reindex, preload's records queued    {:>8.1} s   (the rebuild takes the queue it covers off)\n\
         reindex, queue empty                 {:>8.1} s   (the full rebuild)\n\
         index size on disk after reindex     {:>8.1} MiB\n\
         server start-up / VmRSS              {:>8.0} ms / {:.1} MiB\n\
         documents in the index               {:>8.0}\n\
         login {CLIENTS} users                      {:>8.1} s",
        sizes.scale,
        sizes.orgs,
        sizes.users,
        sizes.topics,
        sizes.replies,
        sizes.use_cases,
        f.redb_mib,
        RUN.as_secs(),
        f.preload.as_secs_f64(),
        f.reindex_queued.as_secs_f64(),
        f.reindex.as_secs_f64(),
        f.index_mib,
        f.startup.as_secs_f64() * 1000.0,
        f.rss_start,
        f.docs,
        f.login.as_secs_f64(),
    );
    for p in &f.phases {
        phase(p, f.docs);
    }
    let fr = &f.fresh;
    let (v50, v99, vmax) = (pct(&fr.visible, 0.5), pct(&fr.visible, 0.99), pct(&fr.visible, 1.0));
    println!(
        "server VmHWM / VmRSS after queries   {:.1} / {:.1} MiB (anonymous {:.1}, mapped files {:.1})\n\
         freshness: writes ({POSTERS} + 1 clients)    {:>7.0} /s   asked {WRITE_RATE:.0}/s for {} s; p50 / p99 {:.1} / {:.1} ms, \
         {} failed\n\
         freshness: acked → searchable        p50 {v50:.0} / p99 {v99:.0} / max {vmax:.0} ms over {} of {SAMPLES} samples, \
         {} never found   target p99 < 1000 ms  {}\n\
         freshness: searches while polling    {} at p50 / p99 {:.1} / {:.1} ms\n\
         freshness: peak index queue / lag    {:.0} records / {:.0} ms; peak job queue {:.0}\n\
         freshness: cores server / bench      {:.2} / {:.2}\n\
         index size on disk at the end        {:.1} MiB\n\
         server VmHWM / VmRSS at the end      {:.1} / {:.1} MiB\n\
         checks: {}",
        f.rss_queries.0,
        f.rss_queries.1,
        f.rss_split.0,
        f.rss_split.1,
        fr.write_rate(),
        FRESH_RUN.as_secs(),
        pct(&fr.posted, 0.5),
        pct(&fr.posted, 0.99),
        fr.failed,
        fr.visible.len(),
        fr.missing,
        ok(fr.missing == 0 && fr.visible.len() >= SAMPLES * 9 / 10 && v99 < 1000.0),
        fr.polls.len(),
        pct(&fr.polls, 0.5),
        pct(&fr.polls, 0.99),
        fr.max_queued,
        fr.max_lag_ms,
        fr.max_jobs,
        f.fresh_cores.0,
        f.fresh_cores.1,
        f.index_mib_end,
        f.rss_end.0,
        f.rss_end.1,
        f.checks.join("; "),
    );
    fr.errors.iter().for_each(|e| println!("reply failed: {e}"));
}
