//! `Tx`: a write transaction that keeps the tables it opened until it ends, the write-side
//! twin of `Snapshot`.
//!
//! Opening a redb table is a lookup in the transaction's table tree, and closing it writes
//! the table's root back there. A use-case create touches a dozen tables and some of them
//! many times (21 filter-index entries, 7 counters), and the writer runs a whole batch of
//! closures in one transaction, so opening per access cost a fifth of the writer thread's
//! time (profiled with `perf` under the writes bench). Here each table is opened once per
//! transaction and every read and write of it goes through that handle; the handles close
//! when the `Tx` is dropped, which must happen before the transaction commits (the borrow
//! checker sees to that: a `Tx` borrows its transaction).

use std::cell::RefCell;

use redb::WriteTransaction;

use super::{OpenTables, Reader, StoreResult, Table};

/// An open table of the catalogue (bytes → bytes), writable.
type BytesTableMut<'t> = redb::Table<'t, &'static [u8], &'static [u8]>;

/// A write transaction with its open tables (see the module header).
pub struct Tx<'t> {
    tx: &'t WriteTransaction,
    open: RefCell<Vec<(&'static str, BytesTableMut<'t>)>>,
}

impl<'t> Tx<'t> {
    /// Wraps `tx`; its tables open on first use.
    pub fn new(tx: &'t WriteTransaction) -> Self {
        Self { tx, open: RefCell::new(Vec::new()) }
    }

    /// Runs `f` on `table`, opening it (creating it when new) on first use. `f` must not
    /// use the `Tx` itself: the open tables are borrowed while it runs.
    pub(super) fn with<T>(
        &self,
        table: Table,
        f: impl FnOnce(&mut BytesTableMut<'t>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut open = self.open.borrow_mut();
        if let Some((_, t)) = open.iter_mut().find(|(name, _)| *name == table.name) {
            return f(t);
        }
        let mut t = self.tx.open_table(table.def())?;
        let out = f(&mut t);
        open.push((table.name, t));
        out
    }

    /// Creates `table` if it does not exist yet (migrations).
    pub fn create(&self, table: Table) -> StoreResult<()> {
        self.with(table, |_| Ok(()))
    }

    /// Deletes `table` and everything in it, answering how many entries it held
    /// (migrations retiring a table).
    pub fn delete_table(&self, table: Table) -> StoreResult<u64> {
        let held = self.len_raw(table)?;
        self.open.borrow_mut().retain(|(name, _)| *name != table.name);
        self.tx.delete_table(table.def())?;
        Ok(held)
    }
}

/// A write transaction reads its own uncommitted changes, through the same open tables.
impl<'t> OpenTables for Tx<'t> {
    type Open = BytesTableMut<'t>;
    fn with_open<T>(&self, table: Table, f: impl FnOnce(&BytesTableMut<'t>) -> StoreResult<T>) -> StoreResult<T> {
        self.with(table, |t| f(t))
    }
}
