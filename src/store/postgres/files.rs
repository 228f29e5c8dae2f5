//! `FileInfoStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl FileInfoStore for PgStore {
    async fn save_file_info(&self, info: &FileInfo) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_file_info(&self, id: &str) -> Result<FileInfo, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_file_infos(&self, ids: &[String]) -> Result<Vec<FileInfo>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn file_infos_for_posts(
        &self,
        post_ids: &[String],
        include_deleted: bool,
    ) -> Result<Vec<FileInfo>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn search_file_infos(&self, query: &FileSearch) -> Result<Vec<FileInfo>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn create_upload_session(&self, session: &UploadSession) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_upload_session(&self, id: &str) -> Result<UploadSession, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn set_upload_offset(&self, id: &str, offset: i64) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn complete_upload_session(&self, id: &str, info: &FileInfo) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
