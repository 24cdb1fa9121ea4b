//! Typed access to media metadata.

use crate::store::Tx;

use super::{Reader, StoreResult, codec, delete_raw, tables::MEDIA};
use crate::domain::{ids::MediaId, media::Media};

/// The media record with `id`.
pub fn get(r: &impl Reader, id: MediaId) -> StoreResult<Option<Media>> {
    codec::get(r, MEDIA, &id.key())
}

/// Writes a media record.
pub fn put(tx: &Tx, m: &Media) -> StoreResult<()> {
    codec::put(tx, MEDIA, &m.id.key(), m)
}

/// Removes a media record.
pub fn remove(tx: &Tx, id: MediaId) -> StoreResult<()> {
    delete_raw(tx, MEDIA, &id.key()).map(drop)
}
