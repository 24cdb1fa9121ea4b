//! Use cases in the engagement flow: found by id or slug, keeping like, view and bookmark
//! counts, written back with their listing indexes.

use crate::store::Tx;

use super::{ReadKey, find_use_case, view};
use crate::{
    domain::{
        engagement::{Target, TargetKind},
        ids::{OrgId, UserId},
        use_case::{UseCase, UseCaseView},
    },
    service::engagement::{Count, Engaged},
    store::{Reader, StoreResult, use_cases as store},
};

impl Engaged for UseCase {
    type Key = ReadKey;
    type View = UseCaseView;
    const KIND: TargetKind = TargetKind::UseCase;
    const WHAT: &'static str = "Use case";

    fn find<R: Reader>(r: &R, key: &ReadKey) -> StoreResult<Option<Self>> {
        find_use_case(r, key)
    }
    fn of_target<R: Reader>(r: &R, target: Target) -> StoreResult<Option<Self>> {
        match target {
            Target::UseCase(id) => store::get(r, id),
            _ => Ok(None),
        }
    }
    fn target(&self) -> Target {
        Target::UseCase(self.id)
    }
    fn author(&self) -> UserId {
        self.author
    }
    fn views_count_for(&self) -> Option<OrgId> {
        Some(self.org)
    }
    fn count_mut(&mut self, which: Count) -> Option<&mut u64> {
        Some(match which {
            Count::Likes => &mut self.like_count,
            Count::Views => &mut self.view_count,
            Count::Bookmarks => &mut self.bookmark_count,
        })
    }
    fn update(tx: &Tx, old: &Self, new: &Self) -> StoreResult<()> {
        store::update(tx, old, new)
    }
    fn view<R: Reader>(r: &R, record: Self, viewer: UserId) -> StoreResult<UseCaseView> {
        view(r, record, viewer)
    }
}
