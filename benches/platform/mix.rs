//! The mixed workload: what each simulated person does, and how often. Every person loops
//! over an exponentially distributed think time (mean 1 s, so 1,000 people make about 1,000
//! requests per second in all, arriving as independent people's do) and one operation drawn
//! by weight — 85 % reads, 15 % writes, in the proportions of `OPS` — on their own keep-alive
//! connection with their own session. Popular content is read more: topics and use cases are
//! picked with a Zipf skew over the ids learned at setup, the hot topics (those the sockets
//! follow) first. Writers note the live events their writes should cause (`events.rs`).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::future::join_all;
use p2p_sandbox::domain::use_case::CATEGORY_LIST;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::{Client, multipart};
use serde_json::json;

use crate::api::{topic_body, url, use_case_body};
use crate::common::{
    call, call_json,
    dataset::{PER_ORG, email},
    login,
};
use crate::events::{Expect, Kind};

/// Mean think time between two operations of one person.
const MEAN_THINK: Duration = Duration::from_secs(1);
/// Reply ids kept for likes (learned from reply pages and the bench's own replies).
const REPLY_POOL: usize = 10_000;
/// Error bodies kept per operation for the report.
const KEEP_ERRORS: usize = 3;
/// Two-word searches and search-as-you-type prefixes (`|`-separated), in both languages, from
/// the data set's vocabulary of industrial terms.
const SEARCHES: &str = "pump maintenance|valve leak|compressor vibration|bearing temperature|motor inverter|\
    boiler efficiency|conveyor downtime|مضخة الصيانة|صمام تسرب|ضاغط اهتزاز";
const PREFIXES: &str = "pu|val|comp|main|vibr|bear|مض|صما|الصي|ضغ";
/// Industries of the use-case list's filter (`|`-separated).
const INDUSTRIES: &str = "Metal Processing|Food & Beverage|Chemical Processing";

/// What a person can do. `TopicFirst` and `TopicRepeat` are one draw (`GET` a topic page),
/// reported apart: the first view by a person is also a write (it counts the view).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Dashboard,
    TopicList,
    TopicFirst,
    TopicRepeat,
    Replies,
    UseCaseList,
    UseCase,
    Search,
    Suggest,
    People,
    Notifications,
    Unread,
    Conversations,
    Messages,
    Health,
    PostReply,
    LikeReply,
    LikeUseCase,
    SendMessage,
    MarkRead,
    PostTopic,
    PostUseCase,
    Avatar,
    LoginLogout,
}

/// Which target an operation is held to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// p99 < 50 ms.
    Read,
    /// p99 < 100 ms.
    Write,
    /// A sign-in (argon2): the seed's bar, < 1 s.
    SignIn,
}

/// Every operation: its name in the report, its weight in the draw (per cent of all
/// operations; `TopicRepeat` is drawn as `TopicFirst`) and its class.
pub const OPS: [(Op, &str, f64, Class); 24] = [
    (Op::Dashboard, "GET /dashboard/stats", 9.0, Class::Read),
    (Op::TopicList, "GET /forum/topics", 10.0, Class::Read),
    (Op::TopicFirst, "GET /forum/topics/{id} first view", 12.0, Class::Read),
    (Op::TopicRepeat, "GET /forum/topics/{id} again", 0.0, Class::Read),
    (Op::Replies, "GET /forum/topics/{id}/replies", 8.0, Class::Read),
    (Op::UseCaseList, "GET /use-cases", 7.0, Class::Read),
    (Op::UseCase, "GET /use-cases/{id}", 7.0, Class::Read),
    (Op::Search, "GET /search (two words)", 6.0, Class::Read),
    (Op::Suggest, "GET /search/suggest", 5.0, Class::Read),
    (Op::People, "GET /users", 4.0, Class::Read),
    (Op::Notifications, "GET /notifications", 5.0, Class::Read),
    (Op::Unread, "GET /notifications/unread", 4.0, Class::Read),
    (Op::Conversations, "GET /conversations", 4.0, Class::Read),
    (Op::Messages, "GET /conversations/{id}/messages", 3.0, Class::Read),
    (Op::Health, "GET /health", 1.0, Class::Read),
    (Op::PostReply, "POST /forum/topics/{id}/replies", 4.0, Class::Write),
    (Op::LikeReply, "PUT/DELETE /forum/replies/{id}/like", 3.0, Class::Write),
    (Op::LikeUseCase, "PUT/DELETE /use-cases/{id}/like", 1.0, Class::Write),
    (Op::SendMessage, "POST /messages", 3.0, Class::Write),
    (Op::MarkRead, "POST /notifications/read", 1.0, Class::Write),
    (Op::PostTopic, "POST /forum/topics", 1.0, Class::Write),
    (Op::PostUseCase, "POST /use-cases", 1.5, Class::Write),
    (Op::Avatar, "PUT /users/me/avatar (PNG)", 0.3, Class::Write),
    (Op::LoginLogout, "POST /auth/login + /auth/logout", 0.2, Class::SignIn),
];

/// Ranks drawn with probability proportional to 1 / (rank + 1): a few popular items, a long
/// tail (the cumulative weights, searched by bisection).
pub struct Zipf(Vec<f64>);

impl Zipf {
    pub fn new(n: usize) -> Self {
        let weights = (0..n.max(1)).map(|k| 1.0 / (k + 1) as f64);
        Self(
            weights
                .scan(0.0, |acc, w| {
                    *acc += w;
                    Some(*acc)
                })
                .collect(),
        )
    }

    pub fn sample(&self, rng: &mut StdRng) -> usize {
        let x = rng.gen_range(0.0..self.0[self.0.len() - 1]);
        self.0.partition_point(|&c| c <= x).min(self.0.len() - 1)
    }
}

/// What every person shares: the server, the ids learned at setup, who follows which hot
/// topic, and the avatar to upload.
pub struct World {
    pub base: String,
    pub password: String,
    /// Topic ids, the `hot` ones (followed by the sockets) first.
    pub topics: Vec<String>,
    pub hot: usize,
    pub use_cases: Vec<String>,
    pub categories: Vec<String>,
    /// Bench index → data-set user index (for emails and organizations), and user ids.
    pub user_index: Vec<usize>,
    pub user_ids: Vec<String>,
    pub bench_index: HashMap<String, usize>,
    pub by_user_index: HashMap<usize, usize>,
    /// Subscribed sockets (bench indexes) of each hot topic.
    pub subscribers: Vec<Vec<usize>>,
    pub replies: Mutex<Vec<String>>,
    pub avatar: Vec<u8>,
    pub topic_rank: Zipf,
    pub use_case_rank: Zipf,
}

/// One simulated person: bench index, connection, session, and conversations (id, peer id).
pub struct Person {
    pub idx: usize,
    pub client: Client,
    pub token: String,
    pub conversations: Vec<(String, String)>,
}

/// What one person did after the warm-up.
#[derive(Default)]
struct Done {
    ok: Vec<(Op, Duration)>,
    errors: Vec<(Op, String)>,
    expects: Vec<Expect>,
}

/// One operation's figures: sorted latencies of its successes, its errors.
#[derive(Default)]
pub struct OpStats {
    pub lat: Vec<Duration>,
    pub errors: usize,
    pub first_errors: Vec<String>,
}

/// The measured part of the mix.
#[derive(Default)]
pub struct Mixed {
    /// By position in `OPS`.
    pub ops: Vec<OpStats>,
    pub expects: Vec<Expect>,
    pub secs: f64,
}

/// Draws an operation by weight.
fn draw(rng: &mut StdRng) -> Op {
    let total: f64 = OPS.iter().map(|o| o.2).sum();
    let mut x = rng.gen_range(0.0..total);
    for (op, _, weight, _) in OPS {
        if x < weight {
            return op;
        }
        x -= weight;
    }
    Op::Health
}

/// A think time, exponentially distributed with mean `MEAN_THINK`.
fn think(rng: &mut StdRng) -> Duration {
    MEAN_THINK.mul_f64(-(1.0 - rng.gen_range(0.0..1.0f64)).ln())
}

/// Does `op` as `p`; what it really was (a topic view is first or repeat), and on success
/// the event it should cause.
async fn perform(
    w: &World,
    p: &mut Person,
    op: Op,
    rng: &mut StdRng,
    seen: &mut HashSet<usize>,
) -> (Op, Result<Option<Expect>, String>) {
    let (c, b, t) = (&p.client, w.base.as_str(), p.token.as_str());
    let get = |path: String| c.get(format!("{b}/api/v1{path}")).bearer_auth(t);
    let query = |path: &str, q: &[(&str, &str)]| c.get(url(b, &format!("/api/v1{path}"), q)).bearer_auth(t);
    let post = |path: &str| c.post(format!("{b}/api/v1{path}")).bearer_auth(t);
    let topic = w.topic_rank.sample(rng);
    let use_case = &w.use_cases[w.use_case_rank.sample(rng)];
    let pick = |r: &mut StdRng, list: &'static str| {
        let words: Vec<&'static str> = list.split('|').collect();
        words[r.gen_range(0..words.len())]
    };
    let done = |r: Result<bytes::Bytes, String>| r.map(|_| None);
    let op = match op {
        Op::TopicFirst if !seen.insert(topic) => Op::TopicRepeat,
        op => op,
    };
    let outcome = match op {
        Op::Dashboard => done(call(get("/dashboard/stats".into())).await),
        Op::TopicList if rng.gen_bool(0.25) => {
            let category = &w.categories[rng.gen_range(0..w.categories.len())];
            done(call(query("/forum/topics", &[("limit", "20"), ("category", category)])).await)
        }
        Op::TopicList => done(call(get("/forum/topics?limit=20".into())).await),
        Op::TopicFirst | Op::TopicRepeat => done(call(get(format!("/forum/topics/{}", w.topics[topic]))).await),
        Op::Replies => call_json(get(format!("/forum/topics/{}/replies", w.topics[topic]))).await.map(|v| {
            let ids = v["items"].as_array().into_iter().flatten().filter_map(|r| r["id"].as_str());
            ids.for_each(|id| remember(w, rng, id));
            None
        }),
        Op::UseCaseList => {
            let category = [("category", CATEGORY_LIST[rng.gen_range(0..CATEGORY_LIST.len())].id)];
            let industry = [("industry", pick(rng, INDUSTRIES))];
            let filter: &[(&str, &str)] = match rng.gen_range(0..3) {
                0 => &category,
                1 => &industry,
                _ => &[],
            };
            done(call(query("/use-cases", filter)).await)
        }
        Op::UseCase => done(call(get(format!("/use-cases/{use_case}"))).await),
        Op::Search => done(call(query("/search", &[("q", pick(rng, SEARCHES))])).await),
        Op::Suggest => done(call(query("/search/suggest", &[("q", pick(rng, PREFIXES))])).await),
        Op::People => done(call(get("/users".into())).await),
        Op::Notifications => done(call(get("/notifications".into())).await),
        Op::Unread => done(call(get("/notifications/unread".into())).await),
        Op::Conversations => done(call(get("/conversations".into())).await),
        Op::Messages => match p.conversations.get(rng.gen_range(0..p.conversations.len().max(1))) {
            Some((id, _)) => done(call(get(format!("/conversations/{id}/messages"))).await),
            None => done(call(get("/conversations".into())).await),
        },
        Op::Health => done(call(c.get(format!("{b}/health"))).await),
        Op::PostReply => {
            let text = format!("Reply from person {} in this run: we checked the bearing and the seal.", p.idx);
            let sent = Instant::now();
            let url = format!("/forum/topics/{}/replies", w.topics[topic]);
            call_json(post(&url).json(&json!({ "body": text }))).await.and_then(|v| {
                let id = v["id"].as_str().ok_or_else(|| format!("201 without id: {v}"))?.to_owned();
                remember(w, rng, &id);
                let to = w.subscribers.get(topic).cloned().unwrap_or_default();
                Ok((topic < w.hot).then_some(Expect { kind: Kind::Reply, id, sent, to }))
            })
        }
        Op::LikeReply => {
            let id = {
                let pool = w.replies.lock().unwrap();
                (!pool.is_empty()).then(|| pool[rng.gen_range(0..pool.len())].clone())
            };
            let Some(id) = id else { return (op, Err("no reply id known yet".into())) };
            let url = format!("{b}/api/v1/forum/replies/{id}/like");
            let req = if rng.gen_bool(0.5) { c.put(url) } else { c.delete(url) };
            done(call(req.bearer_auth(t)).await)
        }
        Op::LikeUseCase => {
            let url = format!("{b}/api/v1/use-cases/{use_case}/like");
            let req = if rng.gen_bool(0.5) { c.put(url) } else { c.delete(url) };
            done(call(req.bearer_auth(t)).await)
        }
        Op::SendMessage => send_message(w, p, rng).await,
        Op::MarkRead => done(call(post("/notifications/read").json(&json!({}))).await),
        Op::PostTopic => {
            done(call(post("/forum/topics").json(&topic_body(&w.categories, p.idx, rng.gen_range(0..1000)))).await)
        }
        Op::PostUseCase => done(call(post("/use-cases").json(&use_case_body(p.idx, rng.gen_range(0..1000)))).await),
        Op::Avatar => {
            let part = multipart::Part::bytes(w.avatar.clone()).file_name("avatar.png").mime_str("image/png");
            let form = multipart::Form::new().part("file", part.expect("MIME type"));
            done(call(c.put(format!("{b}/api/v1/users/me/avatar")).bearer_auth(t).multipart(form)).await)
        }
        Op::LoginLogout => {
            let email = email(w.user_index[p.idx]);
            match login(c, b, &email, &w.password).await {
                Ok((token, _)) => done(call(c.post(format!("{b}/api/v1/auth/logout")).bearer_auth(token)).await),
                Err(e) => Err(e),
            }
        }
    };
    (op, outcome)
}

/// Keeps a reply id for likes; once the pool is full, in place of a random one.
fn remember(w: &World, rng: &mut StdRng, id: &str) {
    let mut pool = w.replies.lock().unwrap();
    if pool.len() < REPLY_POOL {
        pool.push(id.to_owned());
    } else {
        pool[rng.gen_range(0..REPLY_POOL)] = id.to_owned();
    }
}

/// A message to one of the person's partners, or (half the time, and when they have none)
/// to another member of their organization among the bench's people (else the next
/// person); expected on the sockets of both (the event goes to both people's channel).
async fn send_message(w: &World, p: &mut Person, rng: &mut StdRng) -> Result<Option<Expect>, String> {
    let me = w.user_index[p.idx];
    let colleague = (me / PER_ORG) * PER_ORG + (me % PER_ORG + rng.gen_range(1..PER_ORG)) % PER_ORG;
    let next = (p.idx + 1) % w.user_ids.len();
    let recipient = match w.by_user_index.get(&colleague) {
        Some(&i) if p.conversations.is_empty() || rng.gen_bool(0.5) => w.user_ids[i].clone(),
        _ if !p.conversations.is_empty() => p.conversations[rng.gen_range(0..p.conversations.len())].1.clone(),
        _ if next != p.idx => w.user_ids[next].clone(),
        _ => return Err("no one to write to".into()),
    };
    let text = format!("Hello from person {me}: can we talk about the compressor tomorrow?");
    let body = json!({ "recipient_id": recipient, "text": text });
    let sent = Instant::now();
    let v = call_json(p.client.post(format!("{}/api/v1/messages", w.base)).bearer_auth(&p.token).json(&body)).await?;
    let id = v["id"].as_str().ok_or_else(|| format!("201 without id: {v}"))?.to_owned();
    if let Some(cid) = v["conversation_id"].as_str()
        && !p.conversations.iter().any(|(c, _)| c == cid)
    {
        p.conversations.push((cid.to_owned(), recipient.clone()));
    }
    let to = [Some(p.idx), w.bench_index.get(&recipient).copied()].into_iter().flatten().collect();
    Ok(Some(Expect { kind: Kind::Message, id, sent, to }))
}

/// One person's loop until `end`; what they did after `warm_end` is kept.
async fn person(w: Arc<World>, mut p: Person, warm_end: Instant, end: Instant) -> Done {
    let mut rng = StdRng::seed_from_u64(p.idx as u64);
    let (mut seen, mut out) = (HashSet::new(), Done::default());
    loop {
        let pause = think(&mut rng);
        if Instant::now() + pause >= end {
            return out;
        }
        tokio::time::sleep(pause).await;
        let drawn = draw(&mut rng);
        let t = Instant::now();
        let (op, r) = perform(&w, &mut p, drawn, &mut rng, &mut seen).await;
        if t < warm_end {
            continue;
        }
        match r {
            Ok(expect) => {
                out.ok.push((op, t.elapsed()));
                out.expects.extend(expect);
            }
            Err(e) => out.errors.push((op, e)),
        }
    }
}

/// Runs every person for `warmup` then `run`; the measured part's figures.
pub async fn run(world: Arc<World>, people: Vec<Person>, warmup: Duration, run: Duration) -> Mixed {
    let warm_end = Instant::now() + warmup;
    let end = warm_end + run;
    let tasks: Vec<_> = people.into_iter().map(|p| tokio::spawn(person(world.clone(), p, warm_end, end))).collect();
    let mut m = Mixed { ops: OPS.iter().map(|_| OpStats::default()).collect(), ..Mixed::default() };
    for done in join_all(tasks).await {
        let done = done.expect("person task");
        for (op, lat) in done.ok {
            m.ops[position(op)].lat.push(lat);
        }
        for (op, e) in done.errors {
            let s = &mut m.ops[position(op)];
            s.errors += 1;
            if s.first_errors.len() < KEEP_ERRORS {
                s.first_errors.push(e);
            }
        }
        m.expects.extend(done.expects);
    }
    m.secs = run.as_secs_f64();
    m.ops.iter_mut().for_each(|s| s.lat.sort());
    m
}

/// `op`'s row in `OPS`.
pub fn position(op: Op) -> usize {
    OPS.iter().position(|o| o.0 == op).unwrap_or(0)
}
