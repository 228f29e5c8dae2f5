//! Preferences and statuses (being written).

use async_trait::async_trait;

/// User preferences (`category`/`name`/`value` triples) and presence statuses.
#[async_trait]
pub trait PreferenceStore: Send + Sync {}
