//! `FileInfoStore` on SQLite: `file_infos` and `upload_sessions`. Also the two helpers
//! `posts.rs` calls inside its own transactions: attaching files to a new post and
//! soft-deleting the files of deleted posts.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params, params_from_iter};

use super::{SqliteStore, map_err};
use crate::model::Post;
use crate::store::{FileInfo, FileInfoStore, FileSearch, StoreError, UploadSession};

const COLUMNS: &str = "id, creator_id, channel_id, post_id, create_at, update_at, delete_at,
    path, thumbnail_path, preview_path, name, extension, size, mime_type, width, height,
    has_preview_image, mini_preview";

fn info_from_row(row: &Row<'_>) -> rusqlite::Result<FileInfo> {
    Ok(FileInfo {
        id: row.get(0)?,
        creator_id: row.get(1)?,
        channel_id: row.get(2)?,
        post_id: row.get(3)?,
        create_at: row.get(4)?,
        update_at: row.get(5)?,
        delete_at: row.get(6)?,
        path: row.get(7)?,
        thumbnail_path: row.get(8)?,
        preview_path: row.get(9)?,
        name: row.get(10)?,
        extension: row.get(11)?,
        size: row.get(12)?,
        mime_type: row.get(13)?,
        width: row.get(14)?,
        height: row.get(15)?,
        has_preview_image: row.get(16)?,
        mini_preview: row.get(17)?,
        remote_id: String::new(),
        archived: false,
    })
}

fn insert_info(conn: &Connection, info: &FileInfo) -> Result<(), StoreError> {
    conn.prepare_cached(&format!(
        "INSERT INTO file_infos ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    ))
    .and_then(|mut stmt| {
        stmt.execute(params![
            info.id,
            info.creator_id,
            info.channel_id,
            info.post_id,
            info.create_at,
            info.update_at,
            info.delete_at,
            info.path,
            info.thumbnail_path,
            info.preview_path,
            info.name,
            info.extension,
            info.size,
            info.mime_type,
            info.width,
            info.height,
            info.has_preview_image,
            info.mini_preview,
        ])
    })
    .map_err(map_err)?;
    Ok(())
}

fn select_infos(
    conn: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<FileInfo>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(map_err)?;
    let rows = stmt.query_map(values, info_from_row).map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(",")
}

/// Attaches `post.file_ids` to `post`, inside the post's transaction: every file must
/// still be the author's, unattached, undeleted and uploaded to the post's channel, or
/// nothing is attached and the post is not written (`Invalid`). Returns the files in the
/// order the post names them.
pub(super) fn attach_files(conn: &Connection, post: &Post) -> Result<Vec<FileInfo>, StoreError> {
    if post.file_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = &post.file_ids;
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&post.id, &post.update_at];
    values.extend(ids.iter().map(|id| id as &dyn rusqlite::ToSql));
    values.extend([
        &post.user_id as &dyn rusqlite::ToSql,
        &post.channel_id as &dyn rusqlite::ToSql,
    ]);
    let n = ids.len();
    let changed = conn
        .execute(
            &format!(
                "UPDATE file_infos SET post_id = ?1, update_at = ?2
                 WHERE id IN ({}) AND post_id = '' AND delete_at = 0
                   AND creator_id = ?{} AND channel_id = ?{}",
                (3..3 + n)
                    .map(|i| format!("?{i}"))
                    .collect::<Vec<_>>()
                    .join(","),
                3 + n,
                4 + n,
            ),
            params_from_iter(values),
        )
        .map_err(map_err)?;
    if changed != n {
        // The writer runs one request at a time, so this is a file that another post
        // took (or that was deleted) after the caller checked it.
        return Err(StoreError::Invalid(
            "a file is no longer available to attach".into(),
        ));
    }
    let mut infos = select_infos(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM file_infos WHERE id IN ({})",
            marks(n)
        ),
        params_from_iter(ids),
    )?;
    infos.sort_by_key(|info| ids.iter().position(|id| *id == info.id));
    Ok(infos)
}

/// Soft-deletes the files of post `post_id` and of its replies (a deleted root takes its
/// thread with it), inside the post's delete transaction. The bytes stay in the store.
pub(super) fn delete_post_files(
    conn: &Connection,
    post_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE file_infos SET delete_at = ?2, update_at = ?2
         WHERE delete_at = 0 AND post_id != ''
           AND (post_id = ?1 OR post_id IN (SELECT id FROM posts WHERE root_id = ?1))",
    )
    .and_then(|mut stmt| stmt.execute(params![post_id, now]))
    .map_err(map_err)?;
    Ok(())
}

/// `LIKE` pattern matching `fragment` anywhere, with `\` escaping the wildcards.
fn contains_pattern(fragment: &str) -> String {
    let escaped = fragment
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<UploadSession> {
    Ok(UploadSession {
        id: row.get(0)?,
        kind: row.get(1)?,
        create_at: row.get(2)?,
        user_id: row.get(3)?,
        channel_id: row.get(4)?,
        filename: row.get(5)?,
        file_size: row.get(6)?,
        file_offset: row.get(7)?,
    })
}

#[async_trait]
impl FileInfoStore for SqliteStore {
    async fn save_file_info(&self, info: &FileInfo) -> Result<(), StoreError> {
        let info = info.clone();
        self.writer
            .write(move |tx| insert_info(tx.conn(), &info))
            .await
    }

    async fn get_file_info(&self, id: &str) -> Result<FileInfo, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM file_infos WHERE id = ?1"))
                .and_then(|mut stmt| stmt.query_row([id], info_from_row))
                .map_err(map_err)
        })
        .await
    }

    async fn get_file_infos(&self, ids: &[String]) -> Result<Vec<FileInfo>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = ids.to_vec();
        self.read(move |conn| {
            select_infos(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM file_infos WHERE id IN ({})",
                    marks(ids.len())
                ),
                params_from_iter(&ids),
            )
        })
        .await
    }

    async fn file_infos_for_posts(
        &self,
        post_ids: &[String],
        include_deleted: bool,
    ) -> Result<Vec<FileInfo>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = post_ids.to_vec();
        self.read(move |conn| {
            let deleted = if include_deleted {
                ""
            } else {
                "AND delete_at = 0"
            };
            select_infos(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM file_infos WHERE post_id IN ({}) {deleted}
                     ORDER BY create_at, id",
                    marks(ids.len())
                ),
                params_from_iter(&ids),
            )
        })
        .await
    }

    async fn search_file_infos(&self, query: &FileSearch) -> Result<Vec<FileInfo>, StoreError> {
        if query.channel_ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = query.clone();
        self.read(move |conn| {
            let mut sql = format!(
                "SELECT {COLUMNS} FROM file_infos WHERE delete_at = 0 AND post_id != ''
                 AND channel_id IN ({})",
                marks(query.channel_ids.len())
            );
            let mut values: Vec<String> = query.channel_ids.clone();
            let like = "name LIKE ? ESCAPE '\\'";
            if !query.terms.is_empty() {
                let joiner = if query.any_term { " OR " } else { " AND " };
                let clauses = vec![like; query.terms.len()].join(joiner);
                sql.push_str(&format!(" AND ({clauses})"));
                values.extend(query.terms.iter().map(|t| contains_pattern(t)));
            }
            for excluded in &query.excluded {
                sql.push_str(&format!(" AND NOT {like}"));
                values.push(contains_pattern(excluded));
            }
            if !query.extensions.is_empty() {
                sql.push_str(&format!(
                    " AND extension IN ({})",
                    marks(query.extensions.len())
                ));
                values.extend(query.extensions.iter().cloned());
            }
            if !query.user_ids.is_empty() {
                sql.push_str(&format!(
                    " AND creator_id IN ({})",
                    marks(query.user_ids.len())
                ));
                values.extend(query.user_ids.iter().cloned());
            }
            sql.push_str(&format!(
                " ORDER BY create_at DESC, id DESC LIMIT {} OFFSET {}",
                query.limit, query.offset
            ));
            select_infos(conn, &sql, params_from_iter(&values))
        })
        .await
    }

    async fn create_upload_session(&self, session: &UploadSession) -> Result<(), StoreError> {
        let s = session.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO upload_sessions
                         (id, type, create_at, user_id, channel_id, filename, file_size, file_offset)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            s.id,
                            s.kind,
                            s.create_at,
                            s.user_id,
                            s.channel_id,
                            s.filename,
                            s.file_size,
                            s.file_offset
                        ],
                    )
                    .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn get_upload_session(&self, id: &str) -> Result<UploadSession, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, type, create_at, user_id, channel_id, filename, file_size, file_offset
                 FROM upload_sessions WHERE id = ?1",
                [id],
                session_from_row,
            )
            .map_err(map_err)
        })
        .await
    }

    async fn list_upload_sessions(&self, user_id: &str) -> Result<Vec<UploadSession>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, type, create_at, user_id, channel_id, filename, file_size, file_offset
                     FROM upload_sessions WHERE user_id = ?1 ORDER BY create_at, id",
                )
                .map_err(map_err)?;
            let rows = stmt.query_map([user_id], session_from_row).map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn set_upload_offset(&self, id: &str, offset: i64) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "UPDATE upload_sessions SET file_offset = ?2 WHERE id = ?1",
            move |stmt| stmt.execute(params![id, offset]),
        )
        .await
    }

    async fn complete_upload_session(&self, id: &str, info: &FileInfo) -> Result<(), StoreError> {
        let (id, info) = (id.to_string(), info.clone());
        self.writer
            .write(move |tx| {
                let removed = tx
                    .conn()
                    .execute("DELETE FROM upload_sessions WHERE id = ?1", [&id])
                    .map_err(map_err)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                insert_info(tx.conn(), &info)
            })
            .await
    }
}
