//! `PreferenceStore` on SQLite (being written).

use super::SqliteStore;
use crate::store::PreferenceStore;

impl PreferenceStore for SqliteStore {}
