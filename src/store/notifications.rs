//! Typed access to a person's notifications: the records (newest last), the index of unread
//! ones with the bell's counter, the group of a grouped notification (likes of one item, the
//! messages of one conversation), the person's settings and where their coalesced email stands.

use super::{Reader, StoreResult, codec, delete_raw, engagement, key2, prefix_end, put_raw, tables::*};
use crate::domain::{
    engagement::{Counter, Target},
    ids::{NotificationId, TopicId, UserId},
    notifications::{Notification, NotificationSettings, PendingEmail, Subject},
};
use crate::store::Tx;

fn key(user: UserId, id: NotificationId) -> Vec<u8> {
    key2(&user.key(), &id.key())
}

/// `user`'s notification `id`.
pub fn get(r: &impl Reader, user: UserId, id: NotificationId) -> StoreResult<Option<Notification>> {
    codec::get(r, NOTIFICATIONS, &key(user, id))
}

fn target_key(n: &Notification) -> Vec<u8> {
    key2(&key2(&n.target.key(), &n.user.key()), &n.id.key())
}

/// Writes a notification (`old` as stored, `None` when new), keeping the unread index, the
/// bell's count and the index by content in step.
pub fn put(tx: &Tx, old: Option<&Notification>, n: &Notification) -> StoreResult<()> {
    if old.is_none() {
        put_raw(tx, TARGET_NOTIFICATIONS, &target_key(n), &[])?;
    }
    let (was_unread, is_unread) = (old.is_some_and(|o| !o.read), !n.read);
    if was_unread != is_unread {
        let k = key(n.user, n.id);
        if n.read {
            delete_raw(tx, UNREAD_NOTIFICATIONS, &k)?;
        } else {
            put_raw(tx, UNREAD_NOTIFICATIONS, &k, &[])?;
        }
        engagement::add(tx, &Counter::UnreadNotifications(n.user), if n.read { -1 } else { 1 })?;
    }
    codec::put(tx, NOTIFICATIONS, &key(n.user, n.id), n)
}

/// Deletes a notification with its index entries.
pub fn remove(tx: &Tx, n: &Notification) -> StoreResult<()> {
    let k = key(n.user, n.id);
    if !n.read {
        delete_raw(tx, UNREAD_NOTIFICATIONS, &k)?;
        engagement::add(tx, &Counter::UnreadNotifications(n.user), -1)?;
    }
    delete_raw(tx, NOTIFICATION_GROUPS, &key2(&n.user.key(), &n.target.key()))?;
    delete_raw(tx, TARGET_NOTIFICATIONS, &target_key(n))?;
    delete_raw(tx, NOTIFICATIONS, &k)?;
    Ok(())
}

/// Removes every notification about `target` (it was deleted), unread ones from the bells,
/// and a topic's watchers.
pub fn forget(tx: &Tx, target: Target) -> StoreResult<()> {
    if let Target::Topic(topic) = target {
        for (k, _) in super::scan_prefix(tx, WATCHERS, &topic.key(), usize::MAX)? {
            delete_raw(tx, WATCHERS, &k)?;
        }
    }
    for (k, _) in super::scan_prefix(tx, TARGET_NOTIFICATIONS, &Subject::from(target).key(), usize::MAX)? {
        let (Some(user), Some(id)) =
            (k.get(17..33).and_then(UserId::from_key), k.get(33..49).and_then(NotificationId::from_key))
        else {
            continue;
        };
        match get(tx, user, id)? {
            Some(n) => remove(tx, &n)?,
            None => {
                delete_raw(tx, TARGET_NOTIFICATIONS, &k)?;
            }
        }
    }
    Ok(())
}

/// The grouped notification of `user` about `subject`, if any.
pub fn group(r: &impl Reader, user: UserId, subject: Subject) -> StoreResult<Option<Notification>> {
    match codec::get_id(r, NOTIFICATION_GROUPS, &key2(&user.key(), &subject.key()))? {
        Some(id) => get(r, user, NotificationId(uuid::Uuid::from_bytes(id))),
        None => Ok(None),
    }
}

/// Makes `n` the grouped notification of its person about its target.
pub fn set_group(tx: &Tx, n: &Notification) -> StoreResult<()> {
    put_raw(tx, NOTIFICATION_GROUPS, &key2(&n.user.key(), &n.target.key()), &n.id.key())
}

/// `user`'s notifications (only the unread ones with `unread_only`), newest first, strictly
/// before `before`; at most `limit`.
pub fn page(
    r: &impl Reader,
    user: UserId,
    unread_only: bool,
    before: Option<NotificationId>,
    limit: usize,
) -> StoreResult<Vec<Notification>> {
    let prefix = user.key();
    let end = match before {
        Some(b) => key(user, b),
        None => prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 16]),
    };
    if unread_only {
        let mut out = Vec::new();
        for (k, _) in r.range_rev_raw(UNREAD_NOTIFICATIONS, &prefix, &end, limit)? {
            if let Some(n) = codec::get(r, NOTIFICATIONS, &k)? {
                out.push(n);
            }
        }
        return Ok(out);
    }
    r.range_rev_raw(NOTIFICATIONS, &prefix, &end, limit)?
        .iter()
        .map(|(k, v)| codec::decode(NOTIFICATIONS, k, v))
        .collect()
}

/// Ids of `user`'s unread notifications (at most `limit`), newest first.
pub fn unread_ids(r: &impl Reader, user: UserId, limit: usize) -> StoreResult<Vec<NotificationId>> {
    let prefix = user.key();
    let end = prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 16]);
    Ok(r.range_rev_raw(UNREAD_NOTIFICATIONS, &prefix, &end, limit)?
        .iter()
        .filter_map(|(k, _)| NotificationId::from_key(k.get(16..32)?))
        .collect())
}

/// Watches (`on`) or unwatches `topic` for `user`, on purpose.
pub fn set_watch(tx: &Tx, topic: TopicId, user: UserId, on: bool) -> StoreResult<()> {
    put_raw(tx, WATCHERS, &key2(&topic.key(), &user.key()), &[u8::from(on)])
}

/// Watches `topic` for `user` who wrote in it, unless they unwatched it on purpose.
pub fn auto_watch(tx: &Tx, topic: TopicId, user: UserId) -> StoreResult<()> {
    let k = key2(&topic.key(), &user.key());
    if tx.get_raw(WATCHERS, &k)?.is_none() {
        put_raw(tx, WATCHERS, &k, &[1])?;
    }
    Ok(())
}

/// Whether `user` watches `topic`.
pub fn watching(r: &impl Reader, topic: TopicId, user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(WATCHERS, &key2(&topic.key(), &user.key()))?.is_some_and(|v| v.first() == Some(&1)))
}

/// The people watching `topic` among the next `limit` entries after `after`, in id order,
/// with the last entry read (where the next batch starts; `None` at the end).
pub fn watchers(
    r: &impl Reader,
    topic: TopicId,
    after: Option<UserId>,
    limit: usize,
) -> StoreResult<(Vec<UserId>, Option<UserId>)> {
    let start = match after {
        Some(u) => key2(&key2(&topic.key(), &u.key()), &[0]),
        None => topic.key().to_vec(),
    };
    let end = prefix_end(&topic.key()).unwrap_or_else(|| vec![0xff; 16]);
    let batch = r.range_raw(WATCHERS, &start, &end, limit)?;
    let last = batch.last().and_then(|(k, _)| UserId::from_key(k.get(16..32)?));
    let on = batch
        .into_iter()
        .filter(|(_, v)| v.first() == Some(&1))
        .filter_map(|(k, _)| UserId::from_key(k.get(16..32)?))
        .collect();
    Ok((on, last))
}

/// `user`'s notification settings (the defaults until they choose).
pub fn settings(r: &impl Reader, user: UserId) -> StoreResult<NotificationSettings> {
    Ok(codec::get(r, NOTIFICATION_SETTINGS, &user.key())?.unwrap_or_default())
}

/// Stores `user`'s notification settings.
pub fn put_settings(tx: &Tx, user: UserId, settings: &NotificationSettings) -> StoreResult<()> {
    codec::put(tx, NOTIFICATION_SETTINGS, &user.key(), settings)
}

/// Where `user`'s notification email stands.
pub fn email_state(r: &impl Reader, user: UserId) -> StoreResult<PendingEmail> {
    Ok(codec::get(r, NOTIFICATION_EMAILS, &user.key())?.unwrap_or_default())
}

/// Stores where `user`'s notification email stands.
pub fn put_email_state(tx: &Tx, user: UserId, state: &PendingEmail) -> StoreResult<()> {
    codec::put(tx, NOTIFICATION_EMAILS, &user.key(), state)
}
