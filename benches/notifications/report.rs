//! The closing table of the bench: one line per figure, with its target and whether it
//! was met.

use crate::{Figures, Loaded, NOTIFICATION_CLIENTS, RUN, Sizes, common::pct, load, preload};

pub fn print(sizes: &Sizes, l: &Loaded, f: &Figures) {
    let ok = |b: bool| if b { "ok" } else { "MISSED" };
    let drained = |d: &load::Drain| match d.left {
        Some(0) => format!("{:.2} s", d.took.as_secs_f64()),
        Some(left) => format!("{left} left after {:.0} s", d.took.as_secs_f64()),
        None => "? (no p2p_job_queue_depth)".to_owned(),
    };
    for (label, r) in [("dashboard", &f.dashboard), ("notifications", &f.list), ("unread", &f.unread)] {
        r.errors.iter().for_each(|e| println!("{label} failed: {e}"));
    }
    f.posted.errors.iter().for_each(|e| println!("reply failed: {e}"));
    let (d, n, u, p) = (&f.dashboard, &f.list, &f.unread, &f.posted);
    let (d50, d99) = (pct(&d.lat, 0.5), pct(&d.lat, 0.99));
    let (n50, n99) = (pct(&n.lat, 0.5), pct(&n.lat, 0.99));
    let (u50, u99) = (pct(&u.lat, 0.5), pct(&u.lat, 0.99));
    let rate = p.lat.len() as f64 / p.wall.as_secs_f64();
    let (p50, p99, pmax) = (pct(&p.lat, 0.5), pct(&p.lat, 0.99), pct(&p.lat, 1.0));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let readers = NOTIFICATION_CLIENTS.min(f.clients);
    let fo = &l.forum;
    // The writer's work during the run includes the fan-out jobs' own transactions.
    let (w, wall) = (&f.writer, p.wall.as_secs_f64());
    println!(
        "\n== p2p-sandbox notifications benchmark ==\n\
         data (scale {}): {} orgs, {} users, {} topics, {} replies, {} watches, {} notifications ({} unread), \
         {} use cases; {:.0} MiB redb file\n\
         {cores} cores shared by the server and the bench\n\n\
         figure                                  value          target            result\n\
         preload through the library       {:>10.1} s        {} transactions\n\
         search index build (reindex)      {:>10.1} s\n\
         server start-up on that data      {:>10.0} ms\n\
         server VmRSS after start-up       {:>10.1} MiB\n\
         login {} users (argon2)          {:>10.1} s\n\
         GET /dashboard/stats alone p50/p99 {:>5.2} / {:.2} ms    {:.0} req/s, one connection\n\
         GET /dashboard/stats              {:>10.0} req/s  {} connections\n\
         GET /dashboard/stats p50 / p99    {d50:>5.1} / {d99:.1} ms     p99 < 50 ms, 0 errors  {}\n\
         GET /dashboard/stats failed       {:>10}      {} connections never answered\n\
         GET /dashboard/stats: cores s / b {:>5.2} / {:.2}\n\
         server VmRSS / VmHWM after it     {:>5.1} / {:.1} MiB\n\
         GET /notifications alone p50/p99   {:>5.2} / {:.2} ms    {:.0} req/s, one connection\n\
         GET /notifications                {:>10.0} req/s  {readers} connections\n\
         GET /notifications p50 / p99      {n50:>5.1} / {n99:.1} ms     p99 < 20 ms        {}\n\
         GET /notifications failed         {:>10}\n\
         GET /notifications: cores s / b   {:>5.2} / {:.2}\n\
         GET …/unread alone p50/p99         {:>5.2} / {:.2} ms    {:.0} req/s, one connection\n\
         GET /notifications/unread         {:>10.0} req/s  {readers} connections\n\
         GET …/unread p50 / p99            {u50:>5.1} / {u99:.1} ms     p99 < 20 ms        {}\n\
         GET …/unread failed               {:>10}\n\
         GET …/unread: cores s / b         {:>5.2} / {:.2}\n\
         replies: throughput               {rate:>10.0} /s       >= 2,000/s         {}\n\
         replies: p50 / p99 / max      {p50:>6.1} / {p99:.1} / {pmax:.1} ms  p99 < 50 ms   {}\n\
         replies: 201 / failed             {:>6} / {}     ({} warm-up failures)\n\
         replies: cores server / bench     {:>5.2} / {:.2}\n\
         replies: store writer             {:>10.0} closures/s in {:.0} commits/s ({:.1} per commit, {:.1} ms each)\n\
         replies: writer thread busy       {:>10.2} running closures, {:.2} committing (share of the run)\n\
         replies: entries written per reply{:>10.1}\n\
         server VmRSS / VmHWM after them   {:>5.1} / {:.1} MiB\n\
         job queue when the replies stop   {:>10}      jobs\n\
         job queue emptied after           {:>10}      {:.0} jobs/s, {:.0} notifications/s\n\
         warm-up's job queue emptied after {:>10}\n\
         dead jobs at the end              {:>10}\n\
         server VmRSS / VmHWM at the end   {:>5.1} / {:.1} MiB\n\
         checks: {}\n\
         phases: {} s each after warm-up; a read phase keeps its connections' requests in flight,\n\
         so its mean latency is connections / rate (50 ms at {} connections needs {:.0} req/s)",
        sizes.scale,
        sizes.orgs,
        sizes.users,
        sizes.topics,
        fo.replies,
        fo.watches,
        fo.notifications,
        fo.unread.iter().sum::<u64>(),
        sizes.use_cases,
        l.size_mib,
        l.took.as_secs_f64(),
        l.transactions,
        f.reindex.as_secs_f64(),
        f.startup.as_secs_f64() * 1000.0,
        f.rss_start,
        f.clients,
        f.login.as_secs_f64(),
        pct(&f.dashboard_alone.lat, 0.5),
        pct(&f.dashboard_alone.lat, 0.99),
        f.dashboard_alone.rate,
        d.rate,
        f.clients,
        ok(d.failed == 0 && d99 < 50.0),
        d.failed,
        d.silent,
        f.dashboard_cores.0,
        f.dashboard_cores.1,
        f.rss_dashboard.1,
        f.rss_dashboard.0,
        pct(&f.list_alone.lat, 0.5),
        pct(&f.list_alone.lat, 0.99),
        f.list_alone.rate,
        n.rate,
        ok(n.failed == 0 && n99 < 20.0),
        n.failed,
        f.list_cores.0,
        f.list_cores.1,
        pct(&f.unread_alone.lat, 0.5),
        pct(&f.unread_alone.lat, 0.99),
        f.unread_alone.rate,
        u.rate,
        ok(u.failed == 0 && u99 < 20.0),
        u.failed,
        f.unread_cores.0,
        f.unread_cores.1,
        ok(rate >= 2000.0),
        ok(p.failed == 0 && p99 < 50.0),
        p.lat.len(),
        p.failed,
        f.warm_failed,
        f.post_cores.0,
        f.post_cores.1,
        w.closures / wall,
        w.batches / wall,
        w.closures / w.batches,
        w.committing / w.batches * 1000.0,
        w.running / wall,
        w.committing / wall,
        w.entries / p.lat.len().max(1) as f64,
        f.rss_replies.1,
        f.rss_replies.0,
        f.drain.backlog.map_or_else(|| "?".to_owned(), |b| b.to_string()),
        drained(&f.drain),
        f.drain.rate(),
        // Each job tells the topic's watchers but its author (told inline).
        f.drain.rate() * (preload::WATCHERS - 1) as f64,
        drained(&f.warm_drain),
        f.dead_jobs.map_or_else(|| "?".to_owned(), |b| b.to_string()),
        f.rss_end.1,
        f.rss_end.0,
        f.checks.join("; "),
        RUN.as_secs(),
        f.clients,
        f.clients as f64 / 0.05,
    );
}
