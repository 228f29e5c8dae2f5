//! `FileInfoStore` on PostgreSQL: `file_infos` and `upload_sessions`. Also the two helpers
//! `posts.rs` calls inside its own transactions: attaching files to a new post and
//! soft-deleting the files of deleted posts.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{PgStore, big, map_err, one};
use crate::model::Post;
use crate::store::{FileInfo, FileInfoStore, FileSearch, StoreError, UploadSession};

const COLUMNS: &str = "id, creator_id, channel_id, post_id, create_at, update_at, delete_at,
    path, thumbnail_path, preview_path, name, extension, size, mime_type, width, height,
    has_preview_image, mini_preview";

fn info_from_row(row: &Row) -> Result<FileInfo, tokio_postgres::Error> {
    Ok(FileInfo {
        id: row.try_get(0)?,
        creator_id: row.try_get(1)?,
        channel_id: row.try_get(2)?,
        post_id: row.try_get(3)?,
        create_at: row.try_get(4)?,
        update_at: row.try_get(5)?,
        delete_at: row.try_get(6)?,
        path: row.try_get(7)?,
        thumbnail_path: row.try_get(8)?,
        preview_path: row.try_get(9)?,
        name: row.try_get(10)?,
        extension: row.try_get(11)?,
        size: row.try_get(12)?,
        mime_type: row.try_get(13)?,
        width: row.try_get(14)?,
        height: row.try_get(15)?,
        has_preview_image: row.try_get(16)?,
        mini_preview: row.try_get(17)?,
        remote_id: String::new(),
        archived: false,
    })
}

fn infos_from_rows(rows: &[Row]) -> Result<Vec<FileInfo>, StoreError> {
    super::from_rows(rows, info_from_row)
}

async fn insert_info(client: &ClientWrapper, info: &FileInfo) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "INSERT INTO file_infos ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18)"
        ))
        .await
        .map_err(map_err)?;
    client
        .execute(
            &stmt,
            &[
                &info.id,
                &info.creator_id,
                &info.channel_id,
                &info.post_id,
                &info.create_at,
                &info.update_at,
                &info.delete_at,
                &info.path,
                &info.thumbnail_path,
                &info.preview_path,
                &info.name,
                &info.extension,
                &info.size,
                &info.mime_type,
                &info.width,
                &info.height,
                &info.has_preview_image,
                &info.mini_preview,
            ],
        )
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Attaches `post.file_ids` to `post`, inside the post's transaction: every file must
/// still be the author's, unattached, undeleted and uploaded to the post's channel, or
/// nothing is attached and the post is not written (`Invalid`). Returns the files in the
/// order the post names them.
pub(super) async fn attach_files(
    client: &ClientWrapper,
    post: &Post,
) -> Result<Vec<FileInfo>, StoreError> {
    if post.file_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = &post.file_ids;
    // A concurrent post attaching the same file holds its row until it commits; this
    // update then re-checks `post_id = ''` against the committed row and skips it.
    let stmt = client
        .prepare_cached(
            "UPDATE file_infos SET post_id = $1, update_at = $2
             WHERE id = ANY($3) AND post_id = '' AND delete_at = 0
               AND creator_id = $4 AND channel_id = $5",
        )
        .await
        .map_err(map_err)?;
    let changed = client
        .execute(
            &stmt,
            &[
                &post.id,
                &post.update_at,
                ids,
                &post.user_id,
                &post.channel_id,
            ],
        )
        .await
        .map_err(map_err)?;
    if changed != ids.len() as u64 {
        // A file another post took (or that was deleted) after the caller checked it, or
        // one named twice.
        return Err(StoreError::Invalid(
            "a file is no longer available to attach".into(),
        ));
    }
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM file_infos WHERE id = ANY($1)"
        ))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[ids]).await.map_err(map_err)?;
    let mut infos = infos_from_rows(&rows)?;
    infos.sort_by_key(|info| ids.iter().position(|id| *id == info.id));
    Ok(infos)
}

/// Soft-deletes the files of post `post_id` and of its replies (a deleted root takes its
/// thread with it), inside the post's delete transaction. The bytes stay in the store.
pub(super) async fn delete_post_files(
    client: &ClientWrapper,
    post_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "UPDATE file_infos SET delete_at = $2, update_at = $2
             WHERE delete_at = 0 AND post_id != ''
               AND (post_id = $1 OR post_id IN (SELECT id FROM posts WHERE root_id = $1))",
        )
        .await
        .map_err(map_err)?;
    client
        .execute(&stmt, &[&post_id, &now])
        .await
        .map_err(map_err)?;
    Ok(())
}

/// `LIKE` pattern matching `fragment` anywhere, with `\` (PostgreSQL's default escape
/// character, the one SQLite is told to use) escaping the wildcards. Lower-cased in ASCII
/// only, as the names it is matched against are: SQLite's `LIKE` ignores the case of ASCII
/// letters and only theirs.
fn contains_pattern(fragment: &str) -> String {
    let escaped = fragment
        .to_ascii_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A file name lower-cased in ASCII only (see [`contains_pattern`]).
const FOLDED_NAME: &str =
    "translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

fn session_from_row(row: &Row) -> Result<UploadSession, tokio_postgres::Error> {
    Ok(UploadSession {
        id: row.try_get(0)?,
        kind: row.try_get(1)?,
        create_at: row.try_get(2)?,
        user_id: row.try_get(3)?,
        channel_id: row.try_get(4)?,
        filename: row.try_get(5)?,
        file_size: row.try_get(6)?,
        file_offset: row.try_get(7)?,
    })
}

#[async_trait]
impl FileInfoStore for PgStore {
    async fn save_file_info(&self, info: &FileInfo) -> Result<(), StoreError> {
        let client = self.client().await?;
        insert_info(&client, info).await
    }

    async fn get_file_info(&self, id: &str) -> Result<FileInfo, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!("SELECT {COLUMNS} FROM file_infos WHERE id = $1"))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&id]).await.map_err(map_err)?;
        info_from_row(&one(rows)?).map_err(map_err)
    }

    async fn get_file_infos(&self, ids: &[String]) -> Result<Vec<FileInfo>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM file_infos WHERE id = ANY($1)"
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&ids]).await.map_err(map_err)?;
        infos_from_rows(&rows)
    }

    async fn file_infos_for_posts(
        &self,
        post_ids: &[String],
        include_deleted: bool,
    ) -> Result<Vec<FileInfo>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM file_infos WHERE post_id = ANY($1)
                 AND ($2 OR delete_at = 0)
                 ORDER BY create_at, id"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&post_ids, &include_deleted])
            .await
            .map_err(map_err)?;
        infos_from_rows(&rows)
    }

    async fn search_file_infos(&self, query: &FileSearch) -> Result<Vec<FileInfo>, StoreError> {
        if query.channel_ids.is_empty() {
            return Ok(Vec::new());
        }
        let terms: Vec<String> = query.terms.iter().map(|t| contains_pattern(t)).collect();
        let excluded: Vec<String> = query.excluded.iter().map(|t| contains_pattern(t)).collect();
        // Every filter is an array parameter, so this is one statement whatever the query:
        // `LIKE ALL` of no patterns is true, `LIKE ANY` of none false (hence the check for
        // no terms), `= ANY` of an empty list false (hence the checks for no filter).
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM file_infos WHERE delete_at = 0 AND post_id != ''
                 AND channel_id = ANY($1)
                 AND (cardinality($2::text[]) = 0
                      OR CASE WHEN $3 THEN {FOLDED_NAME} LIKE ANY ($2)
                              ELSE {FOLDED_NAME} LIKE ALL ($2) END)
                 AND NOT ({FOLDED_NAME} LIKE ANY ($4::text[]))
                 AND (cardinality($5::text[]) = 0 OR extension = ANY($5))
                 AND (cardinality($6::text[]) = 0 OR creator_id = ANY($6))
                 ORDER BY create_at DESC, id DESC LIMIT $7 OFFSET $8"
            ))
            .await
            .map_err(map_err)?;
        let params: [&(dyn ToSql + Sync); 8] = [
            &query.channel_ids,
            &terms,
            &query.any_term,
            &excluded,
            &query.extensions,
            &query.user_ids,
            &big(query.limit),
            &big(query.offset),
        ];
        let rows = client.query(&stmt, &params).await.map_err(map_err)?;
        infos_from_rows(&rows)
    }

    async fn create_upload_session(&self, session: &UploadSession) -> Result<(), StoreError> {
        let s = session;
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "INSERT INTO upload_sessions
                 (id, type, create_at, user_id, channel_id, filename, file_size, file_offset)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .await
            .map_err(map_err)?;
        client
            .execute(
                &stmt,
                &[
                    &s.id,
                    &s.kind,
                    &s.create_at,
                    &s.user_id,
                    &s.channel_id,
                    &s.filename,
                    &s.file_size,
                    &s.file_offset,
                ],
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_upload_session(&self, id: &str) -> Result<UploadSession, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT id, type, create_at, user_id, channel_id, filename, file_size, file_offset
                 FROM upload_sessions WHERE id = $1",
            )
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&id]).await.map_err(map_err)?;
        session_from_row(&one(rows)?).map_err(map_err)
    }

    async fn list_upload_sessions(&self, user_id: &str) -> Result<Vec<UploadSession>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, type, create_at, user_id, channel_id, filename, file_size, file_offset
                 FROM upload_sessions WHERE user_id = $1 ORDER BY create_at, id",
                &[&user_id],
            )
            .await
            .map_err(map_err)?;
        super::from_rows(&rows, session_from_row)
    }

    async fn set_upload_offset(&self, id: &str, offset: i64) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE upload_sessions SET file_offset = $2 WHERE id = $1",
            &[&id, &offset],
        )
        .await
    }

    async fn complete_upload_session(&self, id: &str, info: &FileInfo) -> Result<(), StoreError> {
        let tx = self.begin().await?;
        let removed = tx
            .client()
            .execute("DELETE FROM upload_sessions WHERE id = $1", &[&id])
            .await
            .map_err(map_err)?;
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        insert_info(tx.client(), info).await?;
        tx.commit().await
    }
}
