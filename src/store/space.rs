//! The room left for the store to grow, checked before every write: the free space of its
//! file system and what the process's file-size limit still allows the store file. Below the
//! reserve (`store.min_free_mib`) writes are refused with `StoreError::Full` — before redb
//! could fail one halfway, which leaves the open database unusable until a restart — and
//! reads go on. Writes resume by themselves once there is room again.

use std::path::{Path, PathBuf};

use rustix::process::{Resource, getrlimit};

use super::StoreError;

/// The store file and the room it must keep.
#[derive(Debug)]
pub struct SpaceGuard {
    file: PathBuf,
    dir: PathBuf,
    reserve: u64,
}

impl SpaceGuard {
    /// A guard for the store file at `file` keeping `reserve` bytes (0: never refuses).
    pub fn new(file: &Path, reserve: u64) -> Self {
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        Self { file: file.to_path_buf(), dir, reserve }
    }

    /// Bytes the store file may still grow by: the file system's free space for this user,
    /// or what the file-size limit leaves, whichever is less.
    pub fn headroom(&self) -> u64 {
        let disk = rustix::fs::statvfs(&self.dir).map_or(u64::MAX, |s| s.f_bavail.saturating_mul(s.f_frsize));
        let limit = match getrlimit(Resource::Fsize).current {
            Some(limit) => limit.saturating_sub(std::fs::metadata(&self.file).map_or(0, |m| m.len())),
            None => u64::MAX,
        };
        disk.min(limit)
    }

    /// The reserve, in bytes.
    pub fn reserve(&self) -> u64 {
        self.reserve
    }

    /// `Err(Full)` when the headroom is below the reserve.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.reserve == 0 {
            return Ok(());
        }
        let headroom = self.headroom();
        if headroom < self.reserve {
            return Err(StoreError::Full { headroom, reserve: self.reserve });
        }
        Ok(())
    }
}
