//! `ThreadStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl ThreadStore for PgStore {
    async fn list_threads(
        &self,
        user_id: &str,
        team_id: &str,
        query: &ThreadQuery,
    ) -> Result<Vec<ThreadState>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn thread_totals(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<(i64, i64, i64), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_thread(&self, user_id: &str, root_id: &str) -> Result<ThreadState, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn thread_followers(&self, root_id: &str) -> Result<Vec<String>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_thread_following(
        &self,
        user_id: &str,
        root_id: &str,
        following: bool,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn mark_threads_read(
        &self,
        user_id: &str,
        team_id: &str,
        root_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
