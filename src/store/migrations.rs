//! Named schema migrations, run in order at start-up, each in its own write transaction and
//! recorded in `MIGRATIONS` so it runs once. Add a migration by appending to `MIGRATIONS_LIST`;
//! never edit one that has shipped.

use redb::{Database, WriteTransaction};

use super::{StoreResult, put_raw, tables};
use crate::domain::now_ms;

type Migration = fn(&WriteTransaction) -> StoreResult<()>;

/// Every migration, in order.
const MIGRATIONS_LIST: &[(&str, Migration)] = &[("001_create_tables", migration_001_create_tables)];

/// Runs every migration not yet recorded; logs what ran and what was skipped.
pub fn run(db: &Database) -> StoreResult<()> {
    // The catalogue of applied migrations must exist before it can be consulted.
    let tx = db.begin_write()?;
    tx.open_table(tables::MIGRATIONS.def())?;
    tx.commit()?;
    for (version, (name, migrate)) in MIGRATIONS_LIST.iter().enumerate() {
        let tx = db.begin_write()?;
        let done = super::Reader::get_raw(&tx, tables::MIGRATIONS, name.as_bytes())?.is_some();
        if done {
            tracing::debug!(migration = name, "migration already applied");
            continue;
        }
        migrate(&tx)?;
        put_raw(
            &tx,
            tables::MIGRATIONS,
            name.as_bytes(),
            &now_ms().to_be_bytes(),
        )?;
        put_raw(
            &tx,
            tables::META,
            b"schema_version",
            &((version + 1) as u64).to_be_bytes(),
        )?;
        tx.commit()?;
        tracing::info!(migration = name, "migration applied");
    }
    Ok(())
}

/// Creates every table of the catalogue so read transactions never meet a missing table.
fn migration_001_create_tables(tx: &WriteTransaction) -> StoreResult<()> {
    for table in tables::ALL {
        tx.open_table(table.def())?;
    }
    Ok(())
}
