//! `PostStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::model::*;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl PostStore for PgStore {
    async fn create_post(
        &self,
        post: &Post,
        mentions: &Mentions,
    ) -> Result<CreatedPost, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_post(&self, id: &str) -> Result<Post, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_posts_by_ids(&self, ids: &[String]) -> Result<Vec<Post>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn channel_posts(
        &self,
        channel_id: &str,
        window: &PostWindow,
    ) -> Result<Vec<Post>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn thread_posts(&self, root_id: &str) -> Result<Vec<Post>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn edit_post(&self, post: &Post, previous: &Post) -> Result<Post, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn delete_post(&self, id: &str, now: i64) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_post_pinned(&self, id: &str, pinned: bool) -> Result<Post, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<Post>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn post_edit_history(&self, id: &str) -> Result<Vec<Post>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn save_reaction(&self, reaction: &Reaction) -> Result<Reaction, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn delete_reaction(&self, reaction: &Reaction) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn reactions_for_posts(&self, post_ids: &[String]) -> Result<Vec<Reaction>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
