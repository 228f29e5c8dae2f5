//! Full-text search: a tantivy index in `DATA/index/`, derived from the change feed.

pub mod analyzer;
pub mod directory;
pub mod index;
pub mod indexer;
pub mod query;
