//! Topics: create, read (a view counted once per user), list with filters and sorts, edit,
//! delete (replies go with it), pin and lock.

use crate::store::Tx;

use super::{topic_added, topic_removed, topic_view};
use crate::error::ErrorCode;
use crate::{
    domain::{
        activity::ActivityKind,
        engagement::{Counter, Target},
        forum::{self, Category, Sort, Topic, TopicDraft, TopicView},
        ids::{DraftId, TopicId, UserId},
        notifications::Subject,
        trending::Engagement,
    },
    dto::events::{Event, TopicRemoved},
    error::{AppError, AppResult, OptionExt},
    realtime::Channel,
    service::{
        Page, activity, caller, encode_cursor, engagement, events::publish, notifications, now, sessions::AuthContext,
    },
    state::AppState,
    store::{Reader, StoreResult, engagement as engagement_store, forum as store, notifications as notes, trending},
};

/// What a topic is made of (also its edit: `None` keeps a field).
#[derive(Debug, Default)]
pub struct TopicForm {
    pub title: Option<String>,
    pub body: Option<String>,
    pub category: Option<String>,
    pub tags: Option<Vec<String>>,
    /// People mentioned in a new topic (notified); edits leave mentions alone.
    pub mentions: Vec<UserId>,
}

/// Listing filters.
#[derive(Debug, Default)]
pub struct TopicFilter {
    pub category: Option<String>,
    pub tag: Option<String>,
    pub author: Option<UserId>,
    pub unanswered: bool,
}

/// Categories with their topic counts (kept counters).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn categories(state: &AppState) -> AppResult<Vec<(Category, u64)>> {
    let cats = state.config.forum.categories.clone();
    Ok(state
        .store
        .read(move |tx| {
            cats.into_iter()
                .map(|c| {
                    let n = engagement_store::counter(tx, &Counter::TopicsInCategory(c.id.clone()))?;
                    Ok((c, n))
                })
                .collect::<StoreResult<Vec<_>>>()
        })
        .await?)
}

fn validated(state: &AppState, f: &TopicForm, base: Option<&Topic>) -> AppResult<forum::TopicContent> {
    let pick = |v: &Option<String>, b: Option<&String>| v.clone().or_else(|| b.cloned()).unwrap_or_default();
    let title = pick(&f.title, base.map(|t| &t.title));
    let body = pick(&f.body, base.map(|t| &t.body));
    let category = pick(&f.category, base.map(|t| &t.category));
    let tags = f.tags.clone().or_else(|| base.map(|t| t.tags.clone())).unwrap_or_default();
    forum::topic_content(&title, &body, &category, &tags, &state.config.forum.categories).map_err(AppError::validation)
}

/// Starts a topic.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn create(state: &AppState, ctx: AuthContext, form: TopicForm) -> AppResult<TopicView> {
    create_with(state, ctx, form, |_| Ok(())).await
}

/// Creates a topic and runs `also` in the same transaction (a draft published as the topic
/// is removed there, so two publishes of one draft cannot both succeed).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn create_with(
    state: &AppState,
    ctx: AuthContext,
    form: TopicForm,
    also: impl FnOnce(&Tx) -> AppResult<()> + Send + 'static,
) -> AppResult<TopicView> {
    let user = caller(state, ctx).await?;
    let c = validated(state, &form, None)?;
    let t = now();
    let topic = Topic {
        id: TopicId::new(),
        author: user.id,
        org: user.org_id,
        category: c.category,
        title: c.title,
        body: c.body,
        tags: c.tags,
        created_at: t,
        edited_at: None,
        last_activity_at: t,
        pinned: false,
        locked: false,
        reply_count: 0,
        like_count: 0,
        view_count: 0,
        best_reply: None,
        attachments: Vec::new(),
    };
    let viewer = user.id;
    let mentions = form.mentions;
    let published = state.clone();
    let (view, _) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                notifications::check_mentions(tx, &mentions)?;
                also(tx)?;
                store::insert_topic(tx, &topic)?;
                topic_added(tx, &topic)?;
                notes::auto_watch(tx, topic.id, topic.author)?;
                trending::engaged(tx, Target::Topic(topic.id), Engagement::Started, topic.created_at)?;
                let asked = ActivityKind::Asked;
                activity::record(tx, topic.author, topic.org, asked, Some(Target::Topic(topic.id)), Some(topic.id))?;
                let subject = Subject::Topic(topic.id);
                let told = notifications::mentioned(tx, &mentions, subject, Some(topic.id), topic.author, &[])?;
                Ok((topic_view(tx, topic, viewer)?, told))
            },
            move |(view, told): &(TopicView, Vec<notifications::Change>)| {
                super::events::topic(&published, Event::TopicCreated, view);
                notifications::publish(&published, told);
            },
        )
        .await?;
    Ok(view)
}

/// Reads a topic; the first read by each user counts as a view.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn get(state: &AppState, ctx: AuthContext, id: TopicId) -> AppResult<TopicView> {
    engagement::read_counting_view::<Topic>(state, ctx.user_id, id).await
}

/// Publishes one of the caller's drafts as a topic (422 naming every invalid field); the
/// draft is removed in the topic's transaction.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn publish_draft(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<TopicView> {
    let d = engagement::draft::<TopicDraft>(state, ctx, id).await?.fields;
    let form = TopicForm {
        title: Some(d.title),
        body: Some(d.body),
        category: Some(d.category),
        tags: Some(d.tags),
        mentions: Vec::new(),
    };
    create_with(state, ctx, form, engagement::discard_draft::<TopicDraft>(id, ctx.user_id)).await
}

/// Lists topics newest, most active or most liked first, pinned topics heading the first
/// page of the newest listing.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    filter: TopicFilter,
    sort: Sort,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<TopicView>> {
    let index = match (sort, &filter) {
        (Sort::Active, _) => store::TopicIndex::Active,
        (Sort::Top, _) => store::TopicIndex::Top,
        (Sort::Newest, TopicFilter { category: Some(c), .. }) => store::TopicIndex::Category(c.clone()),
        (Sort::Newest, TopicFilter { tag: Some(t), .. }) => store::TopicIndex::Tag(t.clone()),
        (Sort::Newest, TopicFilter { author: Some(a), .. }) => store::TopicIndex::Author(*a),
        (Sort::Newest, _) => store::TopicIndex::All,
    };
    let before = crate::service::decode_key_cursor(cursor, &index.prefix())?;
    let viewer = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let matches = |t: &Topic| {
                filter.category.as_deref().is_none_or(|c| t.category == c)
                    && filter.tag.as_deref().is_none_or(|g| t.tags.iter().any(|x| x.to_lowercase() == g.to_lowercase()))
                    && filter.author.is_none_or(|a| t.author == a)
                    && (!filter.unanswered || t.reply_count == 0)
            };
            let total = match total(tx, &filter)? {
                Some(n) => n,
                None => count_matching(tx, &filter, &matches)?,
            };
            let mut items = Vec::new();
            let pin_first = sort == Sort::Newest && before.is_none();
            if pin_first {
                for id in store::pinned(tx)? {
                    if let Some(t) = store::topic(tx, id)?.filter(|t| matches(t)) {
                        items.push(topic_view(tx, t, viewer)?);
                    }
                }
            }
            let mut cursor_key = before;
            // When the index alone decides (no extra filter), one page worth of entries is enough.
            let narrow = !filter.unanswered
                && filter.tag.is_none()
                && filter.author.is_none()
                && (filter.category.is_none() || matches!(index, store::TopicIndex::Category(_)));
            let batch_size = if narrow { limit + 1 } else { 256 };
            loop {
                let batch = store::scan_topics(tx, &index, cursor_key.as_deref(), batch_size)?;
                let exhausted = batch.len() < batch_size;
                for (key, id) in batch {
                    cursor_key = Some(key.clone());
                    let Some(t) = store::topic(tx, id)? else { continue };
                    if !matches(&t) || (sort == Sort::Newest && t.pinned) {
                        continue;
                    }
                    items.push(topic_view(tx, t, viewer)?);
                    if items.len() >= limit {
                        return Ok(Page { items, next_cursor: Some(encode_cursor(&key)), total });
                    }
                }
                if exhausted {
                    return Ok(Page { items, next_cursor: None, total });
                }
            }
        })
        .await
}

/// How many topics match combined filters (which have no kept count): the entries of the
/// most selective filter's index, each topic checked.
fn count_matching(r: &impl Reader, filter: &TopicFilter, matches: &impl Fn(&Topic) -> bool) -> StoreResult<u64> {
    let index = match filter {
        TopicFilter { author: Some(a), .. } => store::TopicIndex::Author(*a),
        TopicFilter { tag: Some(t), .. } => store::TopicIndex::Tag(t.clone()),
        TopicFilter { category: Some(c), .. } => store::TopicIndex::Category(c.clone()),
        _ => store::TopicIndex::All,
    };
    let (mut total, mut after) = (0, None::<Vec<u8>>);
    loop {
        let batch = store::scan_topics(r, &index, after.as_deref(), 512)?;
        let exhausted = batch.len() < 512;
        for (key, id) in batch {
            after = Some(key);
            if store::topic(r, id)?.is_some_and(|t| matches(&t)) {
                total += 1;
            }
        }
        if exhausted {
            return Ok(total);
        }
    }
}

/// How many topics match `filter`, from kept counts: every single filter has one (no filter,
/// a category, a tag, an author, unanswered); combined filters have none.
fn total(r: &impl Reader, filter: &TopicFilter) -> StoreResult<Option<u64>> {
    let count = |c: Counter| engagement_store::counter(r, &c);
    Ok(match filter {
        TopicFilter { category: None, tag: None, author: None, unanswered: false } => Some(count(Counter::Topics)?),
        TopicFilter { category: Some(c), tag: None, author: None, unanswered: false } => {
            Some(count(Counter::TopicsInCategory(c.clone()))?)
        }
        TopicFilter { category: None, tag: Some(t), author: None, unanswered: false } => {
            Some(count(Counter::TopicsWithTag(t.to_lowercase()))?)
        }
        TopicFilter { category: None, tag: None, author: Some(a), unanswered: false } => {
            Some(crate::store::stats::stats(r, *a)?.topics)
        }
        TopicFilter { category: None, tag: None, author: None, unanswered: true } => {
            Some(count(Counter::Topics)?.saturating_sub(count(Counter::AnsweredTopics)?))
        }
        _ => None,
    })
}

/// Edits a topic (its author); sets `edited_at`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn edit(state: &AppState, ctx: AuthContext, id: TopicId, form: TopicForm) -> AppResult<TopicView> {
    let user = caller(state, ctx).await?;
    let current = state.store.read(move |tx| store::topic(tx, id)).await?.or_not_found("Topic")?;
    if !forum::may_edit(&user, current.author) {
        return Err(AppError::forbidden(ErrorCode::NotAuthor, "Only the author may edit this topic"));
    }
    let c = validated(state, &form, Some(&current))?;
    let view = state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = store::topic(tx, id)?.or_not_found("Topic")?;
            let mut topic = old.clone();
            if old.category != c.category {
                engagement_store::add(tx, &Counter::TopicsInCategory(old.category.clone()), -1)?;
                engagement_store::add(tx, &Counter::TopicsInCategory(c.category.clone()), 1)?;
            }
            if old.tags != c.tags {
                super::count_tags(tx, &old.tags, -1)?;
                super::count_tags(tx, &c.tags, 1)?;
            }
            (topic.title, topic.body, topic.category, topic.tags) = (c.title, c.body, c.category, c.tags);
            topic.edited_at = Some(now());
            store::update_topic(tx, &old, &topic)?;
            Ok(topic_view(tx, topic, user.id)?)
        })
        .await?;
    super::events::topic(state, Event::TopicUpdated, &view);
    Ok(view)
}

/// Deletes a topic and its replies (the author or a moderator).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn delete(state: &AppState, ctx: AuthContext, id: TopicId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let (topic, media) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let topic = store::topic(tx, id)?.or_not_found("Topic")?;
            if !forum::may_delete(&user, topic.author) {
                return Err(AppError::forbidden(
                    ErrorCode::NotAuthor,
                    "Only the author or a moderator may delete this topic",
                ));
            }
            let mut media = super::attachments::drop_records(tx, &topic.attachments)?;
            let mut after = None;
            loop {
                let batch = store::replies(tx, id, after, 500)?;
                let Some(last) = batch.last() else { break };
                after = Some(last.id);
                for r in &batch {
                    super::reply_removed(tx, r, topic.best_reply == Some(r.id))?;
                    media.extend(super::attachments::drop_records(tx, &r.attachments)?);
                    store::remove_reply(tx, r)?;
                }
            }
            topic_removed(tx, &topic)?;
            store::remove_topic(tx, &topic)?;
            Ok((topic, media))
        })
        .await?;
    for m in &media {
        crate::service::media::remove_objects(state, m).await;
    }
    let channels = [Channel::Topic(topic.id), Channel::Category(topic.category)];
    publish(state, &channels, &Event::TopicDeleted(TopicRemoved { id: id.to_string() }));
    Ok(())
}

/// Pins or locks a topic (moderators).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn moderate(
    state: &AppState,
    ctx: AuthContext,
    id: TopicId,
    pinned: Option<bool>,
    locked: Option<bool>,
) -> AppResult<TopicView> {
    let user = caller(state, ctx).await?;
    if !forum::is_moderator(&user) {
        return Err(AppError::forbidden(ErrorCode::NotModerator, "Only moderators may pin or lock topics"));
    }
    let view = state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = store::topic(tx, id)?.or_not_found("Topic")?;
            let mut topic = old.clone();
            topic.pinned = pinned.unwrap_or(old.pinned);
            topic.locked = locked.unwrap_or(old.locked);
            store::update_topic(tx, &old, &topic)?;
            Ok(topic_view(tx, topic, user.id)?)
        })
        .await?;
    super::events::topic(state, Event::TopicUpdated, &view);
    Ok(view)
}
