//! Store snapshots for backups: every table of one read transaction copied into a new redb
//! file while writes go on (redb's readers see one committed state and never block the
//! writer), and the checks a copy must pass before it is trusted — it opens, its tables
//! hold what was copied, and its schema is one this binary knows.

use std::{collections::BTreeMap, path::Path};

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle,
};

use super::{Store, StoreError, StoreResult, migrations};

/// Entries per table, by table name.
pub type TableCounts = BTreeMap<String, u64>;

/// Entries copied per write transaction of the copy (its dirty pages stay in memory until
/// the commit).
const COPY_BATCH: usize = 50_000;

fn bytes_table(name: &str) -> TableDefinition<'_, &'static [u8], &'static [u8]> {
    TableDefinition::new(name)
}

impl Store {
    /// Copies every table, as one read snapshot has it, into a new redb file at `path` (which
    /// must not exist); returns the entries copied per table. The copy is durable when this
    /// returns.
    pub fn snapshot_into(&self, path: &Path) -> StoreResult<TableCounts> {
        if path.exists() {
            return Err(StoreError::Writer(format!("{} exists already", path.display())));
        }
        let read = self.db.begin_read()?;
        let copy = Database::builder().create(path)?;
        let mut counts = TableCounts::new();
        let names: Vec<String> = read.list_tables()?.map(|t| t.name().to_owned()).collect();
        for name in names {
            let source = read.open_table(bytes_table(&name))?;
            let mut entries = source.iter()?;
            let mut copied = 0u64;
            loop {
                let mut tx = copy.begin_write()?;
                // Only the last commit needs to reach the disk: it makes the earlier ones durable.
                tx.set_durability(Durability::None).map_err(|e| StoreError::Writer(e.to_string()))?;
                let mut done = true;
                {
                    let mut target = tx.open_table(bytes_table(&name))?;
                    for entry in entries.by_ref().take(COPY_BATCH) {
                        let (k, v) = entry?;
                        target.insert(k.value(), v.value())?;
                        copied += 1;
                        done = false;
                    }
                }
                tx.commit()?;
                if done {
                    break;
                }
            }
            counts.insert(name, copied);
        }
        let tx = copy.begin_write()?;
        tx.commit()?;
        Ok(counts)
    }
}

/// Fails when the store file at `path` is open in another process (a running server), whose
/// lock redb honours; opens and closes it otherwise.
pub fn ensure_not_open(path: &Path) -> StoreResult<()> {
    match Database::builder().open(path) {
        Ok(db) => {
            drop(db);
            Ok(())
        }
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
            Err(StoreError::Writer(format!("{} is open in another process: stop the server first", path.display())))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a store file holds: entries per table and its schema version (migrations applied).
#[derive(Debug)]
pub struct FileSummary {
    pub tables: TableCounts,
    pub schema_version: u64,
    /// Migrations it has that this binary does not know (a newer binary wrote it).
    pub unknown_migrations: Vec<String>,
}

/// Opens the store file at `path` (never created) and counts what it holds. A damaged file
/// fails to open or to read.
pub fn summarize(path: &Path) -> StoreResult<FileSummary> {
    let db = Database::builder().open(path)?;
    let read = db.begin_read()?;
    let mut tables = TableCounts::new();
    let names: Vec<String> = read.list_tables()?.map(|t| t.name().to_owned()).collect();
    for name in names {
        tables.insert(name.clone(), read.open_table(bytes_table(&name))?.len()?);
    }
    let snapshot = super::Snapshot::new(read);
    Ok(FileSummary {
        tables,
        schema_version: migrations::schema_version(&snapshot)?,
        unknown_migrations: migrations::unknown(&snapshot)?,
    })
}

/// Compacts the closed store file at `path`: pages freed by deletions (a bulk load's search
/// queue, taken off once indexed) are given back, so the file shrinks to what it holds.
pub fn compact(path: &Path) -> StoreResult<()> {
    let mut db = Database::builder().open(path)?;
    while db.compact().map_err(|e| StoreError::Writer(format!("cannot compact: {e}")))? {}
    Ok(())
}
