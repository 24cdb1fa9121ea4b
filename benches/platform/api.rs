//! The platform's API as the bench's people use it around the mix: signing in (phase C), what
//! they learn before the load, through the API as a client would (topic and use-case ids
//! from the listings' pages, the forum's categories, reply ids of the hot topics, each
//! person's conversations and partners; not timed), and the bodies of what they create and
//! upload, valid as `src/api` and `src/domain` check them.

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use p2p_sandbox::domain::use_case::CATEGORY_LIST;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::Client;
use serde_json::{Value, json};

use crate::common::{call_json, dataset::email, login, new_client};

/// Pages of `PAGE` topics and use cases learned.
const TOPIC_PAGES: usize = 10;
const USE_CASE_PAGES: usize = 5;
const PAGE: &str = "100";
/// Setup requests in flight at once.
const SETUP_CONCURRENCY: usize = 32;
/// Side of the generated avatar, in pixels (noise, so the PNG is a few KiB).
const AVATAR_SIDE: u32 = 48;
/// Cities of the plants of the created use cases, with coordinates.
const CITIES: [(&str, f64, f64); 4] =
    [("Riyadh", 24.71, 46.68), ("Jeddah", 21.49, 39.19), ("Dammam", 26.42, 50.09), ("Jubail", 27.00, 49.65)];

/// A signed-in person: user index in the data set, own client (one keep-alive connection),
/// access token, user id.
pub struct Signed {
    pub u: usize,
    pub client: Client,
    pub token: String,
    pub id: String,
}

/// What the people know when the load starts.
pub struct Known {
    /// Topic ids, newest first: the first `hot` are the hot ones.
    pub topics: Vec<String>,
    pub hot: usize,
    pub use_cases: Vec<String>,
    pub categories: Vec<String>,
    /// Reply ids of the hot topics (first pages).
    pub replies: Vec<String>,
    /// Each person's conversations: id, and the other person's user id.
    pub conversations: Vec<Vec<(String, String)>>,
}

/// `base` + `path` with the query `params`, encoded.
pub fn url(base: &str, path: &str, params: &[(&str, &str)]) -> reqwest::Url {
    reqwest::Url::parse_with_params(&format!("{base}{path}"), params).expect("URL")
}

/// Users `0..n` of the data set sign in, `concurrency` at a time, each on a client of their
/// own: who signed in, every sign-in's time (sorted, failures included), the failures.
pub async fn sign_in(
    base: &str,
    password: &str,
    n: usize,
    concurrency: usize,
) -> (Vec<Signed>, Vec<Duration>, Vec<String>) {
    let answers: Vec<_> = stream::iter(0..n)
        .map(|u| async move {
            let (client, t) = (new_client(), Instant::now());
            let r = login(&client, base, &email(u), password).await;
            (u, client, r, t.elapsed())
        })
        .buffered(concurrency)
        .collect()
        .await;
    let (mut people, mut times, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (u, client, r, took) in answers {
        times.push(took);
        match r {
            Ok((token, id)) => people.push(Signed { u, client, token, id }),
            Err(e) => errors.push(e),
        }
    }
    times.sort();
    (people, times, errors)
}

/// Ids of the items of the first `pages` pages of the listing `url`.
async fn ids(client: &Client, token: &str, url: &str, pages: usize) -> Vec<String> {
    let (mut out, mut cursor) = (Vec::new(), None::<String>);
    for _ in 0..pages {
        let mut params = vec![("limit", PAGE)];
        params.extend(cursor.as_deref().map(|c| ("cursor", c)));
        let v = call_json(client.get(self::url(url, "", &params)).bearer_auth(token))
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        out.extend(v["items"].as_array().into_iter().flatten().filter_map(|i| i["id"].as_str().map(str::to_owned)));
        cursor = v["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    out
}

/// What the people learn before the load (the first person's listings, each person's own
/// conversations); the `hot` newest topics are the hot ones.
pub async fn learn(base: &str, people: &[Signed], hot: usize) -> Known {
    let (client, token) = (&people[0].client, people[0].token.as_str());
    let topics = ids(client, token, &format!("{base}/api/v1/forum/topics"), TOPIC_PAGES).await;
    let use_cases = ids(client, token, &format!("{base}/api/v1/use-cases"), USE_CASE_PAGES).await;
    let categories = call_json(client.get(format!("{base}/api/v1/forum/categories")).bearer_auth(token)).await;
    let categories: Vec<String> = (categories.expect("forum categories")["items"].as_array().into_iter().flatten())
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let hot = hot.min(topics.len());
    assert!(hot > 0 && !use_cases.is_empty() && !categories.is_empty(), "no topics, use cases or categories");
    let replies: Vec<Vec<String>> = stream::iter(&topics[..hot])
        .map(|id| async move { ids(client, token, &format!("{base}/api/v1/forum/topics/{id}/replies"), 1).await })
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let conversations: Vec<Vec<(String, String)>> = stream::iter(people)
        .map(|p| async move {
            let req = p.client.get(url(base, "/api/v1/conversations", &[("limit", PAGE)])).bearer_auth(&p.token);
            let v = call_json(req).await.unwrap_or_else(|e| panic!("conversations: {e}"));
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let pair = |c: &Value| Some((c["id"].as_str()?.to_owned(), c["peer"]["id"].as_str()?.to_owned()));
            items.iter().filter_map(pair).collect()
        })
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let replies: Vec<String> = replies.into_iter().flatten().collect();
    let talks: usize = conversations.iter().map(Vec::len).sum();
    println!(
        "   setup: {} topics ({hot} hot), {} use cases, {} categories, {} reply ids, {talks} conversations of the {} \
         people",
        topics.len(),
        use_cases.len(),
        categories.len(),
        replies.len(),
        people.len()
    );
    Known { topics, hot, use_cases, categories, replies, conversations }
}

/// A small PNG of noise (a few KiB), as an avatar upload.
pub fn avatar_png() -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(u64::from(AVATAR_SIDE));
    let img = image::RgbImage::from_fn(AVATAR_SIDE, AVATAR_SIDE, |_, _| image::Rgb(rng.r#gen::<[u8; 3]>()));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("PNG");
    out.into_inner()
}

/// A new topic (title 8–150, body 20–10,000, a configured category, tags 2–30 characters).
pub fn topic_body(categories: &[String], w: usize, n: usize) -> Value {
    json!({
        "title": format!("Question {n} from team {w} about PLC retrofits"),
        "body": "Which PLC family did you move to when the old controllers went out of support, and why?",
        "category": categories[(w + n) % categories.len()],
        "tags": ["plc"],
    })
}

/// A new use case: the simplified form's seven fields (title 10–100, body 50–5,000, a
/// category id of `CATEGORY_LIST`, factory 2–80, city 2–50, coordinates) and tags.
pub fn use_case_body(w: usize, n: usize) -> Value {
    let (city, lat, lon) = CITIES[(w + n) % CITIES.len()];
    json!({
        "title": format!("Line {n} energy monitoring, team {w}"),
        "body": "Meters on every press and a weekly review cut the plant's idle consumption by a fifth within one quarter.",
        "category": CATEGORY_LIST[(w + n) % CATEGORY_LIST.len()].id,
        "factory_name": format!("Plant {w}"),
        "city": city,
        "latitude": lat + (n % 100) as f64 / 1000.0,
        "longitude": lon,
        "tags": ["energy", "iot"],
    })
}
