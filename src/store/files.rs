//! File metadata storage (being written).

use async_trait::async_trait;

/// FileInfo records of uploaded files.
#[async_trait]
pub trait FileInfoStore: Send + Sync {}
