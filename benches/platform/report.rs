//! What the bench prints: each phase's figures as the phase ends (so a long run shows its
//! progress and a failed one what it got), and the closing table, with every target of
//! issue 16 and SPEC §13 and every bar of the seed side by side with ✓ or ✗. Tables are
//! Markdown, to paste into `docs/performance.md` as they are.

use std::time::Duration;

use crate::{
    Alone, Figures,
    common::{dataset::Manifest, pct},
    mix::{Class, OPS, Op, position},
};

/// SPEC's targets are in MB; /proc counts KiB.
const MIB_TO_MB: f64 = 1.048_576;
/// Targets (ms, MB) and the seed's bars.
const READY_MS: f64 = 2_000.0;
const IDLE_MB: f64 = 100.0;
const RSS_MB: f64 = 500.0;
const READ_P99_MS: f64 = 50.0;
const WRITE_P99_MS: f64 = 100.0;
const DELIVERY_P99_MS: f64 = 100.0;
const SPEC_DASHBOARD_MS: f64 = 50.0;
const SEED_LOGIN_MS: f64 = 1_000.0;
const SEED_SOCKETS: usize = 1_000;
const SEED_DASHBOARD_MS: f64 = 500.0;
const SEED_SUCCESS: f64 = 0.95;
const SEED_HEALTH_MS: f64 = 100.0;
const SEED_SEARCH_MS: f64 = 1_000.0;
/// Error answers printed per phase.
const SHOW_ERRORS: usize = 3;

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// p50 / p99 / max of sorted latencies, in ms.
fn spread(lat: &[Duration]) -> String {
    format!("{:.1} / {:.1} / {:.1}", pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1.0))
}

fn show_errors(what: &str, errors: &[String]) {
    errors.iter().take(SHOW_ERRORS).for_each(|e| println!("  {what} failed: {e}"));
}

/// The p99 an operation of `class` is held to, in ms.
pub fn target_ms(class: Class) -> f64 {
    match class {
        Class::Read => READ_P99_MS,
        Class::Write => WRITE_P99_MS,
        Class::SignIn => SEED_LOGIN_MS,
    }
}

/// Mean and maximum of samples.
fn mean_max(v: &[f64]) -> (f64, f64) {
    (v.iter().sum::<f64>() / v.len().max(1) as f64, v.iter().copied().fold(f64::NAN, f64::max))
}

pub fn data(m: &Manifest, generated: Option<Duration>) {
    let (c, s) = (&m.counts, &m.seconds);
    let took = generated.map_or_else(|| "reused".to_owned(), |d| format!("generated in {:.1} s", secs(d)));
    println!("A. data ({}, {took}): {c}; store {:.0} MiB, index {:.0} MiB", m.size, m.store_mib, m.index_mib);
    println!(
        "   generator steps (s): people {}, forum {}, use cases {}, messages {}, check {}, index {}, compaction {}, \
         total {}; accounts: {} / {}",
        s.people, s.forum, s.use_cases, s.messages, s.check, s.index, s.compact, s.total, m.email, m.password
    );
}

pub fn startup(f: &Figures) {
    println!(
        "B. start-up: ready in {:.0} ms; VmRSS {:.1} MiB at ready, {:.1} MiB after 5 s idle (anon {:.1}, file {:.1})",
        secs(f.ready) * 1000.0,
        f.rss_ready,
        f.rss_idle,
        f.rss_idle_split.0,
        f.rss_idle_split.1
    );
}

pub fn restart(f: &Figures) {
    println!(
        "I. restart after SIGTERM: ready in {:.0} ms; VmRSS {:.1} MiB after 5 s idle",
        secs(f.restart) * 1000.0,
        f.rss_restart
    );
}

pub fn logins(f: &Figures) {
    println!(
        "C. logins: {} in {:.1} s, p50 / p99 / max {} ms, {} failed",
        f.logins.len(),
        secs(f.login_wall),
        spread(&f.logins),
        f.login_errors.len()
    );
    show_errors("login", &f.login_errors);
}

pub fn sockets(f: &Figures) {
    println!(
        "D. sockets: {} open in {:.1} s (connect p50 / p99 / max {} ms), {} subscriptions, {} errors; \
         server VmRSS {:.1} → {:.1} MiB",
        f.sockets,
        secs(f.connect_wall),
        spread(&f.connect),
        f.subscriptions,
        f.socket_errors.len(),
        f.rss_sockets.0,
        f.rss_sockets.1
    );
    show_errors("socket", &f.socket_errors);
}

fn burst_success(f: &Figures) -> f64 {
    f.burst_ok as f64 / f.burst.len().max(1) as f64
}

pub fn burst(f: &Figures) {
    println!(
        "E. dashboard burst: {} requests, p50 / p99 / max {} ms, {:.1} % answered 200",
        f.burst.len(),
        spread(&f.burst),
        burst_success(f) * 100.0
    );
    show_errors("dashboard", &f.burst_errors);
}

pub fn mix(f: &Figures) {
    println!("| operation | count | per s | p50 ms | p99 ms | max ms | errors | p99 target | |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for ((_, name, _, class), s) in OPS.iter().zip(&f.mix.ops) {
        let (p99, target) = (pct(&s.lat, 0.99), target_ms(*class));
        let ok = if s.lat.is_empty() && s.errors == 0 { "–" } else { mark(s.errors == 0 && p99 < target) };
        println!(
            "| {name} | {} | {:.1} | {:.1} | {p99:.1} | {:.1} | {} | < {target:.0} ms | {ok} |",
            s.lat.len(),
            s.lat.len() as f64 / f.mix.secs,
            pct(&s.lat, 0.5),
            pct(&s.lat, 1.0),
            s.errors
        );
    }
    for ((_, name, _, _), s) in OPS.iter().zip(&f.mix.ops) {
        show_errors(name, &s.first_errors);
    }
    let u = &f.usage;
    let ((s_mean, s_max), (b_mean, b_max), (r_mean, r_max)) =
        (mean_max(&u.server), mean_max(&u.bench), mean_max(&u.rss));
    println!(
        "   cores, server {s_mean:.2} mean / {s_max:.2} max, bench {b_mean:.2} / {b_max:.2}; server VmRSS \
         {r_mean:.1} / {r_max:.1} MiB ({} samples)",
        u.server.len()
    );
}

/// Every delivery's delay, all kinds together (sorted), and the frames missing.
fn deliveries(f: &Figures) -> (Vec<Duration>, usize) {
    let mut all: Vec<Duration> = f.delivery.iter().flat_map(|(_, d)| d.lat.iter().copied()).collect();
    all.sort();
    (all, f.delivery.iter().map(|(_, d)| d.missing).sum())
}

pub fn events(f: &Figures) {
    for (kind, d) in &f.delivery {
        println!(
            "G. {}: {} events, {} of {} deliveries arrived, p50 / p99 / max {} ms, {} missing",
            kind.name(),
            d.events,
            d.lat.len(),
            d.expected,
            spread(&d.lat),
            d.missing
        );
    }
    println!("   sockets closed by the server: {}", f.closed.len());
    show_errors("socket", &f.closed);
}

pub fn alone(a: &Alone) {
    println!(
        "H. {} at {} connections: {:.0} /s, p50 / p99 / max {} ms, {} failed, server {:.2} cores",
        a.name,
        a.connections,
        a.rate,
        spread(&a.lat),
        a.failed,
        a.cores
    );
}

/// The worst p99 of the operations of `class` in the mix (ms, name), and whether every one
/// of them met its target without errors.
fn worst(f: &Figures, class: Class) -> (f64, &'static str, bool) {
    let rows = OPS.iter().zip(&f.mix.ops).filter(|((_, _, _, c), _)| *c == class);
    let mut out = (0.0, "–", true);
    for ((_, name, _, _), s) in rows {
        let p99 = if s.lat.is_empty() { 0.0 } else { pct(&s.lat, 0.99) };
        out.2 &= s.errors == 0 && p99 < target_ms(class);
        if p99 > out.0 {
            (out.0, out.1) = (p99, name);
        }
    }
    out
}

/// The p99 of one operation of the mix, in ms.
fn op_p99(f: &Figures, op: Op) -> f64 {
    f.mix.ops.get(position(op)).map_or(f64::NAN, |s| pct(&s.lat, 0.99))
}

pub fn table(fds: &str, m: &Manifest, f: &Figures) {
    let row = |figure: &str, value: String, target: &str, ok: &str, seed: &str, seed_ok: &str| {
        println!("| {figure} | {value} | {target} | {ok} | {seed} | {seed_ok} |");
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\n== p2p-sandbox platform benchmark ==\n{} data set: {} users, {} topics, {} replies, {} use cases, {} \
         messages; {} people simulated; {cores} cores shared by the server and the bench; {fds}\n",
        m.size, m.counts.users, m.counts.topics, m.counts.replies, m.counts.use_cases, m.counts.messages, f.people
    );
    println!("| figure | value | target | | seed's bar | |");
    println!("|---|---|---|---|---|---|");
    let took = f.generated.map_or_else(|| "reused".to_owned(), |d| format!("{:.0} s", secs(d)));
    row("A. data set generated", took, "minutes", "", "", "");
    let ready = secs(f.ready) * 1000.0;
    row("B. start-up to ready", format!("{ready:.0} ms"), "< 2 s", mark(ready < READY_MS), "", "");
    let idle = f.rss_idle * MIB_TO_MB;
    let split = format!("{idle:.0} MB (anon {:.0}, file {:.0} MiB)", f.rss_idle_split.0, f.rss_idle_split.1);
    row("B. idle RSS", split, "< 100 MB", mark(idle < IDLE_MB), "", "");
    let login = pct(&f.logins, 0.99);
    let logins = format!("{login:.0} ms ({} failed)", f.login_errors.len());
    row("C. login p99, 8 at a time", logins, "", "", "< 1 s", mark(login < SEED_LOGIN_MS && f.login_errors.is_empty()));
    let sockets = format!("{} of {}", f.sockets, f.people);
    row("D. sockets open", sockets, "", "", "1,000+", mark(f.sockets >= SEED_SOCKETS));
    let (b99, ok) = (pct(&f.burst, 0.99), burst_success(f));
    let b = mark(b99 < SPEC_DASHBOARD_MS && f.burst_errors.is_empty());
    row(
        "E. dashboard p99, all at once",
        format!("{b99:.0} ms"),
        "< 50 ms, no errors",
        b,
        "< 500 ms",
        mark(b99 < SEED_DASHBOARD_MS),
    );
    let success = format!("{:.1} %", ok * 100.0);
    row("E. dashboard answered 200", success, "", "", "> 95 %", mark(ok > SEED_SUCCESS));
    let errors: usize = f.mix.ops.iter().map(|s| s.errors).sum();
    let done: usize = f.mix.ops.iter().map(|s| s.lat.len()).sum::<usize>() + errors;
    row("F. mix errors", format!("{errors} of {done}"), "0", mark(errors == 0), "", "");
    for (class, label, target) in [(Class::Read, "reads", "each < 50 ms"), (Class::Write, "writes", "each < 100 ms")] {
        let (p99, name, ok) = worst(f, class);
        row(&format!("F. {label}: worst p99"), format!("{p99:.1} ms ({name})"), target, mark(ok), "", "");
    }
    let health = op_p99(f, Op::Health);
    row("F. GET /health p99", format!("{health:.1} ms"), "", "", "< 100 ms", mark(health < SEED_HEALTH_MS));
    let search = op_p99(f, Op::Search);
    row("F. search p99", format!("{search:.1} ms"), "", "", "< 1 s", mark(search < SEED_SEARCH_MS));
    let again = op_p99(f, Op::LoginLogout);
    row("F. login + logout p99", format!("{again:.0} ms"), "", "", "< 1 s", mark(again < SEED_LOGIN_MS));
    let (s_mean, s_max) = mean_max(&f.usage.server);
    let (b_mean, b_max) = mean_max(&f.usage.bench);
    let cpu = format!("server {s_mean:.2} / {s_max:.2}, bench {b_mean:.2} / {b_max:.2}");
    row("F. cores, mean / max", cpu, "", "", "", "");
    let (lat, missing) = deliveries(f);
    let d99 = pct(&lat, 0.99);
    let delivered = format!("{d99:.1} ms ({} delivered, {missing} missing)", lat.len());
    row(
        "G. event delivery p99",
        delivered,
        "< 100 ms, none missing",
        mark(d99 < DELIVERY_P99_MS && missing == 0),
        "",
        "",
    );
    for (kind, d) in &f.delivery {
        let each = format!("{:.1} / {:.1} ms", pct(&d.lat, 0.5), pct(&d.lat, 0.99));
        row(&format!("G. {} p50 / p99", kind.name()), each, "", "", "", "");
    }
    let closed = f.closed.len();
    row("G. sockets closed by the server", closed.to_string(), "0", mark(closed == 0), "", "");
    // The target holds under the mix; the peak counts the phases alone too.
    let (mean, max) = mean_max(&f.usage.rss);
    let mix = max * MIB_TO_MB;
    row(
        "F. server RSS under the mix, max",
        format!("{mix:.0} MB (mean {:.0})", mean * MIB_TO_MB),
        "< 500 MB",
        mark(mix < RSS_MB),
        "",
        "",
    );
    row("server peak RSS, every phase (VmHWM)", format!("{:.0} MB", f.rss_end.0 * MIB_TO_MB), "", "", "", "");
    for a in &f.alone {
        let p99 = pct(&a.lat, 0.99);
        let value = format!("{:.0} /s, p99 {p99:.1} ms", a.rate);
        let target = match a.target_p99 {
            Some(t) => format!(">= {:.0} /s, p99 < {t:.0} ms", a.target_rate),
            None => format!(">= {:.0} /s", a.target_rate),
        };
        let ok = a.rate >= a.target_rate && a.failed == 0 && a.target_p99.is_none_or(|t| p99 < t);
        row(&format!("H. {} alone, {} conn.", a.name, a.connections), value, &target, mark(ok), "", "");
    }
    let ready = secs(f.restart) * 1000.0;
    row("I. restart after the run, to ready", format!("{ready:.0} ms"), "< 2 s", mark(ready < READY_MS), "", "");
    let idle = f.rss_restart * MIB_TO_MB;
    row("I. idle RSS after the restart", format!("{idle:.0} MB"), "< 100 MB", mark(idle < IDLE_MB), "", "");
}
