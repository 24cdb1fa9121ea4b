//! The demo data set (`p2p-sandbox seed --demo`): bilingual organizations, people, use cases
//! with generated cover images, forum threads with replies, likes and best answers, and a few
//! private conversations in both languages. It is embedded in the binary, loaded through the
//! same services as the API (so every counter is right), and loaded once: a second run adds
//! nothing.

use rust_embed::RustEmbed;
use serde::Deserialize;

use super::{forum, messages, sessions::AuthContext, use_cases};
use crate::{
    domain::{
        ids::{OrgId, SessionId, UserId},
        media::MediaContext,
        now_ms,
        org::Organization,
        use_case::UseCaseInput,
        user::{Language, OrgRole, User, UserStatus},
    },
    error::{AppError, AppResult},
    state::AppState,
    store::{orgs, put_raw, tables::META, users},
};

#[derive(RustEmbed)]
#[folder = "data/demo/"]
struct DemoFiles;

const MARKER: &[u8] = b"demo_seeded";

#[derive(Deserialize)]
struct DemoSet {
    password: String,
    organizations: Vec<DemoOrg>,
    users: Vec<DemoUser>,
    use_cases: Vec<DemoUseCase>,
    threads: Vec<(String, String, String, Vec<String>)>,
    /// (first sender's email, the other's email, the messages, alternating from the first).
    #[serde(default)]
    conversations: Vec<(String, String, Vec<String>)>,
}

#[derive(Deserialize)]
struct DemoOrg {
    name: String,
    domain: String,
    industry: String,
    size: String,
    city: String,
}

#[derive(Deserialize)]
struct DemoUser {
    email: String,
    first_name: String,
    last_name: String,
    title: String,
    language: String,
    org: String,
    admin: bool,
    expertise: Vec<String>,
}

#[derive(Deserialize)]
struct DemoUseCase {
    #[serde(flatten)]
    raw: UseCaseInput,
    author: String,
    featured: bool,
}

/// What a run loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    pub already: bool,
    pub organizations: usize,
    pub users: usize,
    pub use_cases: usize,
    pub topics: usize,
    pub replies: usize,
    pub conversations: usize,
    pub messages: usize,
}

fn ctx(user: UserId) -> AuthContext {
    AuthContext { user_id: user, session_id: SessionId::new() }
}

/// A small gradient PNG, different for each use case.
fn cover(seed: usize) -> Vec<u8> {
    let (r, g) = ((seed * 53 % 200) as u8 + 40, (seed * 97 % 200) as u8 + 40);
    let img = image::RgbImage::from_fn(320, 180, |x, y| {
        image::Rgb([r.wrapping_add((x / 4) as u8), g.wrapping_add((y / 3) as u8), 150])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// Loads the demo data set unless it was loaded before.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(state: &AppState, progress: &dyn super::progress::Progress) -> AppResult<Loaded> {
    if state.store.read(|tx| crate::store::Reader::get_raw(tx, META, MARKER)).await?.is_some() {
        return Ok(Loaded { already: true, ..Loaded::default() });
    }
    let file = DemoFiles::get("demo.json").ok_or_else(|| AppError::internal(anyhow::anyhow!("demo data missing")))?;
    let set: DemoSet = serde_json::from_slice(&file.data).map_err(AppError::internal)?;
    let hash = state.hasher.hash(set.password.clone()).await?;
    let t = now_ms();
    let mut loaded = Loaded::default();
    // People and organizations are written directly (no signup emails), counters included.
    let mut by_email = std::collections::HashMap::new();
    let mut org_ids = std::collections::HashMap::new();
    for o in &set.organizations {
        org_ids.insert(o.domain.clone(), OrgId::new());
    }
    let mut records: Vec<User> = Vec::new();
    for u in &set.users {
        let id = UserId::new();
        by_email.insert(u.email.clone(), id);
        records.push(User {
            id,
            email: u.email.clone(),
            password_hash: hash.clone(),
            email_verified: true,
            status: UserStatus::Active,
            platform_admin: false,
            org_id: org_ids.get(&u.org).copied(),
            org_role: Some(if u.admin { OrgRole::Admin } else { OrgRole::Member }),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            title: u.title.clone(),
            location: String::new(),
            bio: String::new(),
            expertise_tags: u.expertise.clone(),
            language: if u.language == "ar" { Language::Ar } else { Language::En },
            created_at: t,
            updated_at: t,
            last_login_at: None,
            avatar: None,
        });
    }
    let orgs_set: Vec<Organization> = set
        .organizations
        .iter()
        .map(|o| {
            let id = org_ids[&o.domain];
            let members: Vec<&User> = records.iter().filter(|u| u.org_id == Some(id)).collect();
            Organization {
                id,
                name: o.name.clone(),
                domain: o.domain.clone(),
                industry: o.industry.clone(),
                size: o.size.clone(),
                city: o.city.clone(),
                country: "Saudi Arabia".into(),
                description: String::new(),
                website: String::new(),
                verified: true,
                member_count: members.len() as u64,
                admin_count: members.iter().filter(|u| u.org_role == Some(OrgRole::Admin)).count() as u64,
                created_at: t,
                updated_at: t,
                logo: None,
            }
        })
        .collect();
    let (orgs_n, users_n) = (orgs_set.len(), records.len());
    progress.stage("organizations and people", (orgs_n + users_n) as u64);
    state
        .store
        .write(move |tx| -> AppResult<_> {
            for o in &orgs_set {
                orgs::put(tx, o)?;
            }
            for u in &records {
                users::insert(tx, u)?;
                if let Some(o) = u.org_id {
                    orgs::add_member(tx, o, u.id)?;
                }
            }
            Ok(())
        })
        .await?;
    (loaded.organizations, loaded.users) = (orgs_n, users_n);
    progress.advance((orgs_n + users_n) as u64);
    // Content goes through the services, so counters and reputation are exact.
    let admin = super::accounts::create_admin(state, "admin@p2p-sandbox.local", set.password.clone()).await?.0;
    progress.stage("use cases with their covers", set.use_cases.len() as u64);
    for (i, uc) in set.use_cases.into_iter().enumerate() {
        let Some(&author) = by_email.get(&uc.author) else {
            progress.advance(1);
            continue;
        };
        let view = use_cases::create(state, ctx(author), uc.raw).await?;
        let id = view.use_case.id;
        let file = super::media::IncomingFile {
            filename: Some("cover.png".into()),
            declared_type: None,
            body: std::io::Cursor::new(cover(i)),
            permit: None,
        };
        let stored = use_cases::media::store_one(state, ctx(author), MediaContext::UseCase(id), &[], file).await?;
        use_cases::media::attach(state, ctx(author), id, vec![stored]).await?;
        if uc.featured {
            use_cases::set_flags(state, ctx(admin), id, Some(true), Some(true)).await?;
        }
        loaded.use_cases += 1;
        progress.advance(1);
    }
    let people: Vec<UserId> = set.users.iter().filter_map(|u| by_email.get(&u.email).copied()).collect();
    progress.stage("forum threads", set.threads.len() as u64);
    for (i, (title, category, body, replies)) in set.threads.into_iter().enumerate() {
        let asker = people[i % people.len()];
        let form = forum::topics::TopicForm {
            title: Some(title),
            body: Some(body),
            category: Some(category),
            tags: None,
            mentions: Vec::new(),
        };
        let topic = forum::topics::create(state, ctx(asker), form).await?.topic.id;
        let mut first = None;
        for (j, text) in replies.iter().enumerate() {
            let who = people[(i + j + 3) % people.len()];
            // The second reply brings in a colleague by @mention (the bell shows each kind).
            let mentioned = people[(i + 1) % people.len()];
            let mentions = if j == 1 && mentioned != who { vec![mentioned] } else { Vec::new() };
            let r = forum::replies::create(state, ctx(who), topic, text, None, mentions).await?;
            first.get_or_insert(r.reply.id);
            loaded.replies += 1;
        }
        for k in 0..4 {
            forum::reactions::like_topic(state, ctx(people[(i + k + 7) % people.len()]), topic, true).await?;
        }
        if let Some(best) = first {
            forum::reactions::best_answer(state, ctx(asker), topic, Some(best)).await?;
        }
        loaded.topics += 1;
        progress.advance(1);
    }
    progress.stage("conversations", set.conversations.len() as u64);
    for (first, second, texts) in set.conversations {
        let (Some(&a), Some(&b)) = (by_email.get(&first), by_email.get(&second)) else { continue };
        let mut conversation = None;
        for (k, text) in texts.iter().enumerate() {
            let (from, to) = if k % 2 == 0 { (a, b) } else { (b, a) };
            conversation = Some(messages::send(state, ctx(from), to, text, Vec::new()).await?.message.conversation);
            loaded.messages += 1;
        }
        // Both have read everything: the away emails the messages queued then send nothing
        // (demo addresses must never receive mail).
        if let Some(c) = conversation {
            for reader in [a, b] {
                messages::conversations::read(state, ctx(reader), c, None).await?;
            }
            loaded.conversations += 1;
        }
        progress.advance(1);
    }
    // Nor do the notification emails the threads queued: the demo people's pending emails
    // are emptied, so their jobs find nothing to send.
    let everyone = people.clone();
    state
        .store
        .write(move |tx| -> AppResult<()> {
            for p in &everyone {
                crate::store::notifications::put_email_state(tx, *p, &Default::default())?;
            }
            Ok(put_raw(tx, META, MARKER, &now_ms().to_be_bytes())?)
        })
        .await?;
    Ok(loaded)
}
