//! `FileInfoStore` on SQLite (being written).

use super::SqliteStore;
use crate::store::FileInfoStore;

impl FileInfoStore for SqliteStore {}
