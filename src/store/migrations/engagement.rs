//! Migration 008: one set of engagement tables for every kind of content.
//!
//! Before it, topics and use cases kept likes, views, bookmarks and drafts in tables of their
//! own (likes of all three kinds shared one table keyed by a bare id), and counters were
//! free-form names in the forum's table. This moves every entry into the tables keyed by
//! `Target` and `Counter` (see `store::engagement`), then drops the old tables.

use crate::store::Tx;
use serde::Deserialize;

use super::{each_entry, for_each};
use crate::{
    domain::{
        engagement::{Counter, Draft, DraftFields, Target},
        forum::TopicDraft,
        ids::{DraftId, ReplyId, TopicId, UseCaseId, UserId},
        use_case::{UseCaseContent, UseCaseDraft, UseCaseInput},
    },
    store::{
        Reader, StoreResult, engagement, put_raw,
        tables::{self, Table},
    },
};

/// A topic draft as stored before: its fields at the top level.
#[derive(Deserialize)]
struct TopicDraftV1 {
    id: DraftId,
    author: UserId,
    #[serde(flatten)]
    fields: TopicDraft,
    created_at: i64,
    updated_at: i64,
}

/// A use-case draft as stored before: coordinates beside zeroed ones in `content`.
#[derive(Deserialize)]
struct UseCaseDraftV1 {
    id: DraftId,
    author: UserId,
    content: UseCaseContent,
    latitude: Option<f64>,
    longitude: Option<f64>,
    created_at: i64,
    updated_at: i64,
}

/// The counter a name of the old free-form counter table stands for.
fn legacy_counter(name: &str) -> Option<Counter> {
    Some(match name {
        "topics" => Counter::Topics,
        "replies" => Counter::Replies,
        "contributors" => Counter::Contributors,
        "answered" => Counter::AnsweredTopics,
        "uc_total" => Counter::UseCases,
        "uc_orgs" => Counter::OrgsWithUseCases,
        "uc_featured" => Counter::FeaturedUseCases,
        _ => {
            if let Some(c) = name.strip_prefix("category:") {
                Counter::TopicsInCategory(c.to_owned())
            } else if let Some(c) = name.strip_prefix("uc_category:") {
                Counter::UseCasesInCategory(c.to_owned())
            } else {
                Counter::UseCasesOfOrg(name.strip_prefix("uc_org:")?.parse().ok()?)
            }
        }
    })
}

/// The target a bare 16-byte id names, found by the record it belongs to (likes of
/// deleted content are dropped).
fn target_of(tx: &Tx, id: &[u8]) -> StoreResult<Option<Target>> {
    let candidates = [
        (tables::TOPICS, TopicId::from_key(id).map(Target::Topic)),
        (tables::REPLIES, ReplyId::from_key(id).map(Target::Reply)),
        (tables::USE_CASES, UseCaseId::from_key(id).map(Target::UseCase)),
    ];
    for (table, target) in candidates {
        if tx.get_with(table, id, |_| Ok(()))?.is_some() {
            return Ok(target);
        }
    }
    Ok(None)
}

/// Reads the target a retired table's 16-byte id names (its kind is the table's).
type TargetOf = fn(&[u8]) -> Option<Target>;

fn split(k: &[u8]) -> Option<(&[u8], UserId)> {
    Some((k.get(..16)?, UserId::from_key(k.get(16..32)?)?))
}

fn move_drafts<F: DraftFields, Old: serde::de::DeserializeOwned>(
    tx: &Tx,
    table: Table,
    convert: impl Fn(Old) -> Draft<F>,
) -> StoreResult<()> {
    for_each(tx, table, |_, old: Old| engagement::put_draft(tx, &convert(old)))
}

/// Moves likes, views, bookmarks, drafts and counters into the engagement tables.
pub(super) fn migration_008_engagement(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    for table in [LIKES, VIEWS, BOOKMARKS, COUNTERS, DRAFTS, USER_DRAFTS] {
        tx.create(table)?;
    }
    each_entry(tx, retired::LIKES, |k, _| {
        if let Some((id, user)) = split(k)
            && let Some(target) = target_of(tx, id)?
        {
            engagement::set_like(tx, target, user, true)?;
        }
        Ok(())
    })?;
    let kinds: [(Table, TargetOf); 2] = [
        (retired::TOPIC_VIEWERS, |id| TopicId::from_key(id).map(Target::Topic)),
        (retired::USE_CASE_VIEWERS, |id| UseCaseId::from_key(id).map(Target::UseCase)),
    ];
    for (table, target) in kinds {
        each_entry(tx, table, |k, _| match split(k).and_then(|(id, user)| Some((target(id)?, user))) {
            Some((t, user)) => engagement::mark_viewed(tx, t, user).map(drop),
            None => Ok(()),
        })?;
    }
    let kinds: [(Table, TargetOf); 2] = [
        (retired::BOOKMARKS, |id| TopicId::from_key(id).map(Target::Topic)),
        (retired::USE_CASE_BOOKMARKS, |id| UseCaseId::from_key(id).map(Target::UseCase)),
    ];
    for (table, target) in kinds {
        each_entry(tx, table, |k, v| {
            let user = k.get(..16).and_then(UserId::from_key);
            let at = v.try_into().map(i64::from_be_bytes).unwrap_or(0);
            match (user, k.get(16..).and_then(target)) {
                (Some(user), Some(t)) => engagement::set_bookmark(tx, user, t, true, at).map(drop),
                _ => Ok(()),
            }
        })?;
    }
    each_entry(tx, retired::FORUM_COUNTERS, |k, v| match std::str::from_utf8(k).ok().and_then(legacy_counter) {
        Some(c) => put_raw(tx, COUNTERS, c.key().as_bytes(), v),
        None => {
            tracing::warn!(counter = %String::from_utf8_lossy(k), "unknown counter dropped");
            Ok(())
        }
    })?;
    move_drafts(tx, retired::DRAFTS, |d: TopicDraftV1| Draft {
        id: d.id,
        author: d.author,
        fields: d.fields,
        created_at: d.created_at,
        updated_at: d.updated_at,
    })?;
    move_drafts(tx, retired::USE_CASE_DRAFTS, |d: UseCaseDraftV1| Draft::<UseCaseDraft> {
        id: d.id,
        author: d.author,
        fields: UseCaseDraft {
            content: UseCaseInput {
                latitude: d.latitude,
                longitude: d.longitude,
                ..d.content.map_coordinates(|_| None)
            },
            ..UseCaseDraft::default()
        },
        created_at: d.created_at,
        updated_at: d.updated_at,
    })?;
    for table in [
        retired::LIKES,
        retired::TOPIC_VIEWERS,
        retired::USE_CASE_VIEWERS,
        retired::BOOKMARKS,
        retired::USE_CASE_BOOKMARKS,
        retired::FORUM_COUNTERS,
        retired::DRAFTS,
        retired::USER_DRAFTS,
        retired::USE_CASE_DRAFTS,
        retired::USER_USE_CASE_DRAFTS,
    ] {
        let moved = tx.delete_table(table)?;
        tracing::info!(table = table.name, entries = moved, "engagement table moved and dropped");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::OrgId;

    #[test]
    fn every_legacy_counter_name_maps_to_its_typed_counter() {
        let org = OrgId::new();
        for (old, new) in [
            ("topics", Counter::Topics),
            ("answered", Counter::AnsweredTopics),
            ("category:automation", Counter::TopicsInCategory("automation".into())),
            ("uc_total", Counter::UseCases),
            ("uc_category:Quality", Counter::UseCasesInCategory("Quality".into())),
            (&format!("uc_org:{org}"), Counter::UseCasesOfOrg(org)),
        ] {
            assert_eq!(legacy_counter(old), Some(new));
        }
        assert_eq!(legacy_counter("uc_org:not-an-id"), None);
    }
}
