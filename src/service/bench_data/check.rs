//! Proof that a generated store holds what `generate` says it wrote: the records per table,
//! and the counters the pages read (totals, each bell, each unread-messages badge) against
//! the records they count.

use super::{Generated, PER_ORG, WATCHERS};
use crate::{
    domain::engagement::Counter,
    store::{
        Reader, StoreResult, Table, engagement,
        notifications::unread_ids,
        tables::{
            ACTIVITY, CONVERSATIONS, MESSAGES, NOTIFICATIONS, ORGS, REPLIES, TOPICS, USE_CASES, USERS,
            WATCHERS as WATCHING,
        },
    },
};

/// Tables and the entries `g` implies for each.
fn expected(g: &Generated) -> Vec<(Table, u64)> {
    let users = g.people.ids.len() as u64;
    let topics = g.forum.topics.len() as u64;
    let replies = g.forum.replies as u64;
    let notifications = (g.forum.notifications + g.conversations.notifications) as u64;
    vec![
        (ORGS, users / PER_ORG as u64),
        (USERS, users),
        (TOPICS, topics),
        (REPLIES, replies),
        (WATCHING, topics * WATCHERS as u64),
        (USE_CASES, g.use_cases as u64),
        (ACTIVITY, topics + replies + g.use_cases as u64),
        (CONVERSATIONS, g.conversations.conversations as u64),
        (MESSAGES, g.conversations.messages as u64),
        (NOTIFICATIONS, notifications),
    ]
}

/// The mismatches between the entries per table in `r` and what `g` wrote, and between the
/// counters and what they count: nothing when the store is whole.
pub fn mismatches(r: &impl Reader, g: &Generated) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for (table, want) in expected(g) {
        let got = r.len_raw(table)?;
        if got != want {
            out.push(format!("table {}: {got} entries, {want} expected", table.name));
        }
    }
    let totals = [
        (Counter::Topics, g.forum.topics.len()),
        (Counter::Replies, g.forum.replies),
        (Counter::UseCases, g.use_cases),
    ];
    for (counter, want) in totals {
        let got = engagement::counter(r, &counter)?;
        if got != want as u64 {
            out.push(format!("counter {counter:?}: {got}, {want} expected"));
        }
    }
    for (u, &user) in g.people.ids.iter().enumerate() {
        let bell = engagement::counter(r, &Counter::UnreadNotifications(user))?;
        let unread = unread_ids(r, user, usize::MAX)?.len() as u64;
        let badge = engagement::counter(r, &Counter::UnreadMessages(user))?;
        let want = g.conversations.per_user.get(u).map_or(0, |p| p.1);
        if bell != unread || badge != want {
            out.push(format!("user {u}: bell {bell} for {unread} unread, badge {badge} for {want} unread messages"));
        }
        if out.len() > 20 {
            break;
        }
    }
    Ok(out)
}
