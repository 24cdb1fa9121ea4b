//! The dashboard (SPEC §7): one response with the caller's figures, their organization's,
//! the latest activity and the trending topics,
//! every figure read from a counter or record kept up to date by the writes themselves
//! (never a scan of content), all in one read transaction.

use crate::{
    domain::{
        activity::ActivityView,
        engagement::{Counter, TargetKind},
        forum::{Topic, TopicDraft},
        ids::OrgId,
        use_case::UseCaseDraft,
    },
    error::AppResult,
    service::{activity, sessions::AuthContext},
    state::AppState,
    store::{engagement, forum, org_stats, org_stats::OrgStats, orgs, stats, trending, users},
};

/// Entries of the activity feed, and trending topics, on the dashboard.
const RECENT: usize = 10;

/// The caller's own figures.
#[derive(Clone, Debug, Default)]
pub struct UserFigures {
    pub questions_asked: u64,
    pub answers_given: u64,
    pub best_answers: u64,
    pub likes_received: u64,
    pub reputation: u64,
    pub use_cases_published: u64,
    pub bookmarks: u64,
    pub drafts: u64,
    pub unread_notifications: u64,
    pub unread_messages: u64,
}

impl UserFigures {
    /// 0.0–10.0, one decimal: the reputation on a log scale (10 at 1,023 points and more),
    /// so a first contribution shows and a long-standing contributor does not run off the end.
    pub fn activity_level(&self) -> f64 {
        let level = ((self.reputation + 1) as f64).log2().min(10.0);
        (level * 10.0).round() / 10.0
    }
}

/// The caller's organization's figures.
#[derive(Clone, Debug)]
pub struct OrgFigures {
    pub id: OrgId,
    pub name: String,
    pub members: u64,
    pub stats: OrgStats,
    /// 1 for the organization whose people earned the most reputation.
    pub rank: u64,
}

/// What the dashboard shows.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub figures: UserFigures,
    /// `None` for someone in no organization.
    pub organization: Option<OrgFigures>,
    pub recent: Vec<ActivityView>,
    /// The topics with the most engagement lately (see `domain::trending`), best first.
    pub trending: Vec<Topic>,
}

/// The caller's figures, the community's latest activity and the trending topics.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn stats(state: &AppState, ctx: AuthContext) -> AppResult<Dashboard> {
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let s = stats::stats(tx, user)?;
            let counter = |c: Counter| engagement::counter(tx, &c);
            let bookmarks = counter(Counter::BookmarksOf(user, TargetKind::Topic))?
                + counter(Counter::BookmarksOf(user, TargetKind::UseCase))?;
            let drafts =
                engagement::drafts::<TopicDraft>(tx, user)?.len() + engagement::drafts::<UseCaseDraft>(tx, user)?.len();
            let mut trending = Vec::with_capacity(RECENT);
            for id in trending::top(tx, RECENT)? {
                trending.extend(forum::topic(tx, id)?);
            }
            let figures = UserFigures {
                questions_asked: s.topics,
                answers_given: s.replies,
                best_answers: s.best_answers,
                likes_received: s.likes_received,
                reputation: s.reputation,
                use_cases_published: s.use_cases,
                bookmarks,
                drafts: drafts as u64,
                unread_notifications: counter(Counter::UnreadNotifications(user))?,
                unread_messages: counter(Counter::UnreadMessages(user))?,
            };
            let organization = match users::author_card(tx, user)?.and_then(|c| c.org) {
                Some(id) => orgs::get(tx, id)?.map(|o| -> AppResult<_> {
                    let (stats, rank) = (org_stats::stats(tx, id)?, org_stats::rank(tx, id)?);
                    Ok(OrgFigures { id, name: o.name, members: o.member_count, stats, rank })
                }),
                None => None,
            }
            .transpose()?;
            let recent = activity::page(tx, None, None, RECENT)?.items;
            Ok(Dashboard { figures, organization, recent, trending })
        })
        .await
}
