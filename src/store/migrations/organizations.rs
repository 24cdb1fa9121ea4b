//! Migration 017: notification settings (messaging's one setting, `message_emails`, moves
//! into them) and emails, and the organizations' figures, counted once from what is stored
//! (each person's stats to their organization, each use case's views to its organization)
//! and kept by the writes from then on.

use std::collections::HashMap;

use super::for_each;
use crate::{
    domain::{
        ids::{OrgId, UserId},
        notifications::{Channels, NotificationKind},
        use_case::UseCase,
    },
    store::{
        StoreResult, Tx, notifications, org_stats,
        stats::UserStats,
        tables::{self, *},
        users,
    },
};

/// Messaging's settings as migration 015 stored them.
#[derive(serde::Deserialize)]
struct OldPreferences {
    #[serde(default = "yes")]
    message_emails: bool,
}

fn yes() -> bool {
    true
}

/// Creates the tables and fills `ORG_STATS` and `ORG_RANK`.
pub(super) fn migration_017_organization_stats(tx: &Tx) -> StoreResult<()> {
    for table in [NOTIFICATION_SETTINGS, NOTIFICATION_EMAILS, ORG_STATS, ORG_RANK] {
        tx.create(table)?;
    }
    for_each(tx, retired::PREFERENCES, |key, p: OldPreferences| {
        let Some(user) = key.get(..16).and_then(UserId::from_key) else { return Ok(()) };
        if !p.message_emails {
            let mut settings = notifications::settings(tx, user)?;
            settings.set(NotificationKind::Message, Channels { in_app: true, email: false });
            notifications::put_settings(tx, user, &settings)?;
        }
        Ok(())
    })?;
    let mut figures: HashMap<OrgId, org_stats::Delta> = HashMap::new();
    for_each(tx, tables::USER_STATS, |key, s: UserStats| {
        let Some(user) = key.get(..16).and_then(UserId::from_key) else { return Ok(()) };
        if let Some(org) = users::author_card(tx, user)?.and_then(|c| c.org) {
            let d = figures.entry(org).or_default();
            d.topics += s.topics as i64;
            d.replies += s.replies as i64;
            d.use_cases += s.use_cases as i64;
            d.likes_received += s.likes_received as i64;
            d.reputation += s.reputation as i64;
        }
        Ok(())
    })?;
    for_each(tx, tables::USE_CASES, |_, u: UseCase| {
        figures.entry(u.org).or_default().use_case_views += u.view_count as i64;
        Ok(())
    })?;
    for (org, d) in figures {
        org_stats::adjust(tx, org, d)?;
    }
    Ok(())
}
