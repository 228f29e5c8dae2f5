//! File metadata storage: FileInfo records (what was uploaded, by whom, to which channel,
//! attached to which post, where the bytes are) and resumable upload sessions.
//!
//! The bytes themselves are not here: they live in the file store (`crate::files`).
//! Attaching files to a post and soft-deleting them with it happen inside `PostStore`'s
//! `create_post` and `delete_post` transactions, so a post and its files never disagree.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// An uploaded file (Mattermost's `model.FileInfo`). The JSON is Mattermost's; the store
/// paths are never sent to clients.
///
/// (A plain model type; it lives here until `model/` gains a `file` module.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileInfo {
    pub id: String,
    /// The uploader.
    #[serde(rename = "user_id")]
    pub creator_id: String,
    /// The post the file is attached to; empty until one is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub post_id: String,
    pub channel_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    /// Where the bytes are in the file store.
    #[serde(skip)]
    pub path: String,
    /// The thumbnail (JPEG) in the file store; empty for files that are not images.
    #[serde(skip)]
    pub thumbnail_path: String,
    /// The preview (JPEG) in the file store; empty for files that are not images.
    #[serde(skip)]
    pub preview_path: String,
    /// The sanitised file name shown to users.
    pub name: String,
    /// The lower-case extension, without the dot.
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub width: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub height: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub has_preview_image: bool,
    /// A tiny JPEG (base64 in JSON) clients blur while the preview loads.
    #[serde(with = "mini_preview")]
    pub mini_preview: Option<Vec<u8>>,
    pub remote_id: String,
    pub archived: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `[]byte` as Go's JSON writes it: standard base64, or `null`.
mod mini_preview {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => s.serialize_str(&data_encoding::BASE64.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        Ok(text.and_then(|t| data_encoding::BASE64.decode(t.as_bytes()).ok()))
    }
}

/// A resumable upload (Mattermost's `model.UploadSession`, type `attachment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadSession {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub create_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub filename: String,
    pub file_size: i64,
    /// Bytes received so far.
    pub file_offset: i64,
}

/// A search through file names (`POST /teams/{id}/files/search`).
#[derive(Debug, Clone, Default)]
pub struct FileSearch {
    /// Only files uploaded to these channels (the ones the searcher may read).
    pub channel_ids: Vec<String>,
    /// Fragments the name must contain (case-insensitive for ASCII).
    pub terms: Vec<String>,
    /// Any one term is enough instead of all of them.
    pub any_term: bool,
    /// Fragments the name must not contain.
    pub excluded: Vec<String>,
    /// Only these extensions (lower case, no dot); empty: any.
    pub extensions: Vec<String>,
    /// Only files of these uploaders; empty: anyone's.
    pub user_ids: Vec<String>,
    pub offset: u32,
    pub limit: u32,
}

/// FileInfo records and upload sessions.
#[async_trait]
pub trait FileInfoStore: Send + Sync {
    /// Records a new upload (not attached to any post yet).
    async fn save_file_info(&self, info: &FileInfo) -> Result<(), StoreError>;
    /// A file by id, deleted or not; `NotFound` when there is none.
    async fn get_file_info(&self, id: &str) -> Result<FileInfo, StoreError>;
    /// The files among `ids` that exist, deleted or not, in no particular order.
    async fn get_file_infos(&self, ids: &[String]) -> Result<Vec<FileInfo>, StoreError>;
    /// Files attached to any of `post_ids`, oldest first; deleted ones only when asked.
    async fn file_infos_for_posts(
        &self,
        post_ids: &[String],
        include_deleted: bool,
    ) -> Result<Vec<FileInfo>, StoreError>;
    /// Attached, undeleted files matching `query`, newest first.
    async fn search_file_infos(&self, query: &FileSearch) -> Result<Vec<FileInfo>, StoreError>;

    /// Starts a resumable upload.
    async fn create_upload_session(&self, session: &UploadSession) -> Result<(), StoreError>;
    /// An upload session by id; `NotFound` once completed (or never made).
    async fn get_upload_session(&self, id: &str) -> Result<UploadSession, StoreError>;
    /// A user's unfinished upload sessions, oldest first.
    async fn list_upload_sessions(&self, user_id: &str) -> Result<Vec<UploadSession>, StoreError>;
    /// Records how many bytes of the upload have been received.
    async fn set_upload_offset(&self, id: &str, offset: i64) -> Result<(), StoreError>;
    /// Finishes a resumable upload: records `info` and removes the session, together.
    async fn complete_upload_session(&self, id: &str, info: &FileInfo) -> Result<(), StoreError>;
}
