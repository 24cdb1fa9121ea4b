//! Encoding of stored records: one format version byte, then JSON.
//!
//! JSON keeps records readable in a dump and lets new optional fields arrive with
//! `#[serde(default)]`; the version byte lets a migration recognise older layouts. Decoding
//! never panics: anything unexpected becomes `StoreError::Corrupt` naming table and key.

use crate::store::Tx;
use serde::{Serialize, de::DeserializeOwned};

use super::{Reader, StoreError, StoreResult, Table, put_raw};

/// Current record format.
pub const FORMAT_V1: u8 = 1;

/// Encodes `value` for `table`.
pub fn encode<T: Serialize>(table: Table, value: &T) -> StoreResult<Vec<u8>> {
    let started = super::writer::recording().then(std::time::Instant::now);
    let mut out = vec![FORMAT_V1];
    serde_json::to_writer(&mut out, value)
        .map_err(|e| StoreError::Encode { table: table.name, reason: e.to_string() })?;
    super::writer::record_encode(table, started);
    Ok(out)
}

/// Decodes a record read from `table` at `key`.
pub fn decode<T: DeserializeOwned>(table: Table, key: &[u8], bytes: &[u8]) -> StoreResult<T> {
    let corrupt = || StoreError::Corrupt { table: table.name, key: hex::encode(key) };
    match bytes.split_first() {
        Some((&FORMAT_V1, body)) => serde_json::from_slice(body).map_err(|_| corrupt()),
        _ => Err(corrupt()),
    }
}

/// Reads and decodes the record at `key`.
pub fn get<T: DeserializeOwned>(r: &impl Reader, table: Table, key: &[u8]) -> StoreResult<Option<T>> {
    r.get_with(table, key, |bytes| decode(table, key, bytes))
}

/// Encodes and writes the record at `key`.
pub fn put<T: Serialize>(tx: &Tx, table: Table, key: &[u8], value: &T) -> StoreResult<()> {
    put_raw(tx, table, key, &encode(table, value)?)
}

/// Reads a 16-byte id stored as a value (index tables).
pub fn get_id(r: &impl Reader, table: Table, key: &[u8]) -> StoreResult<Option<[u8; 16]>> {
    match r.get_raw(table, key)? {
        None => Ok(None),
        Some(v) => v
            .as_slice()
            .try_into()
            .map(Some)
            .map_err(|_| StoreError::Corrupt { table: table.name, key: hex::encode(key) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables::USERS;

    #[test]
    fn decode_rejects_unknown_version_and_garbage() {
        let ok = encode(USERS, &vec![1, 2]).unwrap();
        assert_eq!(decode::<Vec<i32>>(USERS, b"k", &ok).unwrap(), vec![1, 2]);
        assert!(matches!(decode::<Vec<i32>>(USERS, b"k", &[9, b'1']), Err(StoreError::Corrupt { .. })));
        assert!(matches!(decode::<Vec<i32>>(USERS, b"k", &[1, b'{']), Err(StoreError::Corrupt { .. })));
        assert!(matches!(decode::<Vec<i32>>(USERS, b"k", &[]), Err(StoreError::Corrupt { .. })));
    }
}
