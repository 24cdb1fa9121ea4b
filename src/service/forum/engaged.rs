//! Topics and replies in the engagement flow: how each is found, which counts it keeps and
//! how it is written back.

use crate::store::Tx;

use super::{reply_view, topic_view};
use crate::{
    domain::{
        engagement::{Target, TargetKind},
        forum::{Reply, ReplyView, Topic, TopicView},
        ids::{ReplyId, TopicId, UserId},
    },
    service::engagement::{Count, Engaged},
    store::{Reader, StoreResult, forum as store},
};

impl Engaged for Topic {
    type Key = TopicId;
    type View = TopicView;
    const KIND: TargetKind = TargetKind::Topic;
    const WHAT: &'static str = "Topic";

    fn find<R: Reader>(r: &R, key: &TopicId) -> StoreResult<Option<Self>> {
        store::topic(r, *key)
    }
    fn of_target<R: Reader>(r: &R, target: Target) -> StoreResult<Option<Self>> {
        match target {
            Target::Topic(id) => store::topic(r, id),
            _ => Ok(None),
        }
    }
    fn target(&self) -> Target {
        Target::Topic(self.id)
    }
    fn author(&self) -> UserId {
        self.author
    }
    fn count_mut(&mut self, which: Count) -> Option<&mut u64> {
        match which {
            Count::Likes => Some(&mut self.like_count),
            Count::Views => Some(&mut self.view_count),
            Count::Bookmarks => None,
        }
    }
    fn update(tx: &Tx, old: &Self, new: &Self) -> StoreResult<()> {
        store::update_topic(tx, old, new)
    }
    fn view<R: Reader>(r: &R, record: Self, viewer: UserId) -> StoreResult<TopicView> {
        topic_view(r, record, viewer)
    }
}

impl Engaged for Reply {
    type Key = ReplyId;
    type View = ReplyView;
    const KIND: TargetKind = TargetKind::Reply;
    const WHAT: &'static str = "Reply";

    fn find<R: Reader>(r: &R, key: &ReplyId) -> StoreResult<Option<Self>> {
        store::reply(r, *key)
    }
    fn of_target<R: Reader>(r: &R, target: Target) -> StoreResult<Option<Self>> {
        match target {
            Target::Reply(id) => store::reply(r, id),
            _ => Ok(None),
        }
    }
    fn target(&self) -> Target {
        Target::Reply(self.id)
    }
    fn author(&self) -> UserId {
        self.author
    }
    fn count_mut(&mut self, which: Count) -> Option<&mut u64> {
        (which == Count::Likes).then_some(&mut self.like_count)
    }
    fn update(tx: &Tx, _old: &Self, new: &Self) -> StoreResult<()> {
        store::put_reply(tx, new)
    }
    fn view<R: Reader>(r: &R, record: Self, viewer: UserId) -> StoreResult<ReplyView> {
        let best = store::topic(r, record.topic)?.is_some_and(|t| t.best_reply == Some(record.id));
        reply_view(r, record, best, viewer)
    }
}
