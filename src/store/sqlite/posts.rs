//! `PostStore` on SQLite: `posts` (current versions and edit history), `reactions` and
//! `thread_members`.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::channels::select_channel;
use super::{SqliteStore, map_err};
use crate::model::{Post, Reaction, new_id, now_millis};
use crate::store::{ChangeDraft, CreatedPost, Mentions, PostStore, PostWindow, StoreError};

pub(super) const COLUMNS: &str =
    "id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id,
    root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions,
    reply_count, last_reply_at";

pub(super) fn post_from_row(row: &Row<'_>) -> rusqlite::Result<Post> {
    let props: String = row.get(12)?;
    let file_ids: String = row.get(14)?;
    Ok(Post {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        edit_at: row.get(3)?,
        delete_at: row.get(4)?,
        is_pinned: row.get(5)?,
        user_id: row.get(6)?,
        channel_id: row.get(7)?,
        root_id: row.get(8)?,
        original_id: row.get(9)?,
        message: row.get(10)?,
        post_type: row.get(11)?,
        props: serde_json::from_str(&props).unwrap_or_default(),
        hashtags: row.get(13)?,
        file_ids: serde_json::from_str(&file_ids).unwrap_or_default(),
        pending_post_id: row.get(15)?,
        has_reactions: row.get(16)?,
        reply_count: row.get(17)?,
        last_reply_at: row.get(18)?,
        ..Post::default()
    })
}

fn insert_post(conn: &Connection, post: &Post) -> Result<(), StoreError> {
    conn.prepare_cached(&format!(
        "INSERT INTO posts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    ))
    .and_then(|mut stmt| {
        stmt.execute(params![
            post.id,
            post.create_at,
            post.update_at,
            post.edit_at,
            post.delete_at,
            post.is_pinned,
            post.user_id,
            post.channel_id,
            post.root_id,
            post.original_id,
            post.message,
            post.post_type,
            serde_json::to_string(&post.props).unwrap_or_else(|_| "{}".into()),
            post.hashtags,
            serde_json::to_string(&post.file_ids).unwrap_or_else(|_| "[]".into()),
            post.pending_post_id,
            post.has_reactions,
            post.reply_count,
            post.last_reply_at,
        ])
    })
    .map_err(map_err)?;
    Ok(())
}

fn select_post(conn: &Connection, id: &str) -> Result<Post, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM posts WHERE id = ?1"))
        .and_then(|mut stmt| stmt.query_row([id], post_from_row))
        .map_err(map_err)
}

fn select_posts(
    conn: &Connection,
    sql: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Post>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map(values, post_from_row).map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// Marks `user_id` as following thread `root_id`; a mention also counts as unread.
fn follow_thread(
    conn: &Connection,
    root_id: &str,
    user_id: &str,
    viewed: i64,
    mention: bool,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO thread_members (post_id, user_id, following, last_viewed, unread_mentions, last_updated)
         VALUES (?1, ?2, 1, ?3, ?4, ?5)
         ON CONFLICT (post_id, user_id) DO UPDATE SET following = 1,
            last_viewed = MAX(last_viewed, excluded.last_viewed),
            unread_mentions = unread_mentions + excluded.unread_mentions,
            last_updated = excluded.last_updated",
    )
    .and_then(|mut stmt| stmt.execute(params![root_id, user_id, viewed, i64::from(mention), now]))
    .map_err(map_err)?;
    Ok(())
}

fn post_change(
    kind: &'static str,
    post: &Post,
    team_id: &str,
    extra: serde_json::Value,
) -> ChangeDraft {
    let mut data = serde_json::json!({ "post": serde_json::to_string(post).unwrap_or_default() });
    if let (Some(data), serde_json::Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    ChangeDraft {
        kind,
        entity_id: post.id.clone(),
        team_id: team_id.to_string(),
        channel_id: post.channel_id.clone(),
        user_id: post.user_id.clone(),
        data,
    }
}

#[async_trait]
impl PostStore for SqliteStore {
    async fn create_post(
        &self,
        post: &Post,
        mentions: &Mentions,
    ) -> Result<CreatedPost, StoreError> {
        let (post, mentions) = (post.clone(), mentions.clone());
        self.writer
            .write(move |tx| {
                let conn = tx.conn();
                if !post.pending_post_id.is_empty() {
                    let existing = conn
                        .prepare_cached(&format!(
                            "SELECT {COLUMNS} FROM posts WHERE user_id = ?1 AND pending_post_id = ?2"
                        ))
                        .and_then(|mut stmt| {
                            stmt.query_row(params![post.user_id, post.pending_post_id], post_from_row)
                                .optional()
                        })
                        .map_err(map_err)?;
                    if let Some(post) = existing {
                        return Ok(CreatedPost { post, created: false });
                    }
                }
                insert_post(conn, &post)?;
                // Attached in the same transaction: a retried send returned above, so a
                // file is attached once, and a post never names a file it does not own.
                let files = super::files::attach_files(conn, &post)?;
                let is_root = post.root_id.is_empty();
                conn.prepare_cached(
                    "UPDATE channels SET last_post_at = MAX(last_post_at, ?2),
                        total_msg_count = total_msg_count + 1,
                        total_msg_count_root = total_msg_count_root + ?3,
                        last_root_post_at = CASE WHEN ?3 = 1 THEN MAX(last_root_post_at, ?2) ELSE last_root_post_at END
                     WHERE id = ?1",
                )
                .and_then(|mut stmt| stmt.execute(params![post.channel_id, post.create_at, i64::from(is_root)]))
                .map_err(map_err)?;
                // The sender has read everything up to their own post.
                conn.prepare_cached(
                    "UPDATE channel_members SET last_viewed_at = MAX(last_viewed_at, ?3),
                        msg_count = (SELECT total_msg_count FROM channels WHERE id = ?1),
                        msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = ?1),
                        last_update_at = ?3
                     WHERE channel_id = ?1 AND user_id = ?2",
                )
                .and_then(|mut stmt| stmt.execute(params![post.channel_id, post.user_id, post.create_at]))
                .map_err(map_err)?;
                for user_id in mentions.user_ids.iter().filter(|u| **u != post.user_id) {
                    conn.prepare_cached(
                        "UPDATE channel_members SET mention_count = mention_count + 1,
                            mention_count_root = mention_count_root + ?3, last_update_at = ?4
                         WHERE channel_id = ?1 AND user_id = ?2",
                    )
                    .and_then(|mut stmt| stmt.execute(params![post.channel_id, user_id, i64::from(is_root), post.create_at]))
                    .map_err(map_err)?;
                }
                if !is_root {
                    conn.prepare_cached(
                        "UPDATE posts SET reply_count = reply_count + 1, last_reply_at = MAX(last_reply_at, ?2) WHERE id = ?1",
                    )
                    .and_then(|mut stmt| stmt.execute(params![post.root_id, post.create_at]))
                    .map_err(map_err)?;
                    let root_author: String = conn
                        .query_row("SELECT user_id FROM posts WHERE id = ?1", [&post.root_id], |row| row.get(0))
                        .map_err(map_err)?;
                    follow_thread(conn, &post.root_id, &post.user_id, post.create_at, false, post.create_at)?;
                    follow_thread(conn, &post.root_id, &root_author, 0, mentions.user_ids.contains(&root_author), post.create_at)?;
                    for user_id in mentions.user_ids.iter().filter(|u| **u != post.user_id && **u != root_author) {
                        follow_thread(conn, &post.root_id, user_id, 0, true, post.create_at)?;
                    }
                    conn.prepare_cached("UPDATE thread_members SET last_updated = ?2 WHERE post_id = ?1")
                        .and_then(|mut stmt| stmt.execute(params![post.root_id, post.create_at]))
                        .map_err(map_err)?;
                }
                let channel = select_channel(conn, &post.channel_id)?;
                // Clients show the attachments from the event without asking again.
                let mut announced = post.clone();
                if !files.is_empty() {
                    announced.metadata = Some(serde_json::json!({ "files": files }));
                }
                tx.emit(post_change(
                    "posted",
                    &announced,
                    &channel.team_id,
                    serde_json::json!({ "mentions": serde_json::to_string(&mentions.user_ids).unwrap_or_default() }),
                ))?;
                Ok(CreatedPost { post, created: true })
            })
            .await
    }

    async fn get_post(&self, id: &str) -> Result<Post, StoreError> {
        let id = id.to_string();
        self.read(move |conn| select_post(conn, &id)).await
    }

    async fn get_posts_by_ids(&self, ids: &[String]) -> Result<Vec<Post>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = ids.to_vec();
        self.read(move |conn| {
            let marks = vec!["?"; ids.len()].join(",");
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM posts WHERE id IN ({marks})"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params_from_iter(&ids), post_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn channel_posts(
        &self,
        channel_id: &str,
        window: &PostWindow,
    ) -> Result<Vec<Post>, StoreError> {
        let (channel_id, window) = (channel_id.to_string(), window.clone());
        self.read(move |conn| match window {
            PostWindow::Page { offset, limit } => select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND delete_at = 0
                     ORDER BY create_at DESC, id DESC LIMIT ?2 OFFSET ?3"
                ),
                &[&channel_id, &limit, &offset],
            ),
            PostWindow::Since(since) => select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND update_at > ?2 AND original_id = ''
                     ORDER BY create_at DESC, id DESC LIMIT 1000"
                ),
                &[&channel_id, &since],
            ),
            PostWindow::Before { post_id, limit } => {
                let anchor = select_post(conn, &post_id)?;
                select_posts(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND delete_at = 0
                         AND (create_at, id) < (?2, ?3) ORDER BY create_at DESC, id DESC LIMIT ?4"
                    ),
                    &[&channel_id, &anchor.create_at, &anchor.id, &limit],
                )
            }
            PostWindow::CreatedAfter { time, limit } => {
                let mut posts = select_posts(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND delete_at = 0
                         AND create_at > ?2 ORDER BY create_at, id LIMIT ?3"
                    ),
                    &[&channel_id, &time, &limit],
                )?;
                posts.reverse();
                Ok(posts)
            }
            PostWindow::After { post_id, limit } => {
                let anchor = select_post(conn, &post_id)?;
                let mut posts = select_posts(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND delete_at = 0
                         AND (create_at, id) > (?2, ?3) ORDER BY create_at, id LIMIT ?4"
                    ),
                    &[&channel_id, &anchor.create_at, &anchor.id, &limit],
                )?;
                posts.reverse();
                Ok(posts)
            }
        })
        .await
    }

    async fn thread_posts(&self, root_id: &str) -> Result<Vec<Post>, StoreError> {
        let root_id = root_id.to_string();
        self.read(move |conn| {
            select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE (id = ?1 OR root_id = ?1) AND delete_at = 0
                     ORDER BY create_at, id"
                ),
                &[&root_id],
            )
        })
        .await
    }

    async fn edit_post(&self, post: &Post, previous: &Post) -> Result<Post, StoreError> {
        let (post, previous) = (post.clone(), previous.clone());
        self.writer
            .write(move |tx| {
                let now = now_millis();
                let history = Post {
                    id: new_id(),
                    original_id: previous.id.clone(),
                    delete_at: now,
                    update_at: now,
                    pending_post_id: String::new(),
                    is_pinned: false,
                    ..previous.clone()
                };
                insert_post(tx.conn(), &history)?;
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE posts SET message = ?2, props = ?3, hashtags = ?4, file_ids = ?5,
                            edit_at = ?6, update_at = ?6 WHERE id = ?1 AND delete_at = 0",
                        params![
                            post.id,
                            post.message,
                            serde_json::to_string(&post.props).unwrap_or_else(|_| "{}".into()),
                            post.hashtags,
                            serde_json::to_string(&post.file_ids).unwrap_or_else(|_| "[]".into()),
                            now
                        ],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_post(tx.conn(), &post.id)?;
                let channel = select_channel(tx.conn(), &saved.channel_id)?;
                tx.emit(post_change(
                    "post_edited",
                    &saved,
                    &channel.team_id,
                    serde_json::json!({}),
                ))?;
                Ok(saved)
            })
            .await
    }

    async fn delete_post(&self, id: &str, now: i64) -> Result<(), StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let post = select_post(tx.conn(), &id)?;
                if post.delete_at != 0 {
                    return Err(StoreError::NotFound);
                }
                tx.conn()
                    .execute(
                        "UPDATE posts SET delete_at = ?2, update_at = ?2
                         WHERE (id = ?1 OR root_id = ?1) AND delete_at = 0",
                        params![id, now],
                    )
                    .map_err(map_err)?;
                super::files::delete_post_files(tx.conn(), &id, now)?;
                if !post.root_id.is_empty() {
                    tx.conn()
                        .execute(
                            "UPDATE posts SET reply_count = MAX(reply_count - 1, 0) WHERE id = ?1",
                            [&post.root_id],
                        )
                        .map_err(map_err)?;
                }
                let deleted = select_post(tx.conn(), &id)?;
                let channel = select_channel(tx.conn(), &post.channel_id)?;
                tx.emit(post_change(
                    "post_deleted",
                    &deleted,
                    &channel.team_id,
                    serde_json::json!({}),
                ))?;
                Ok(())
            })
            .await
    }

    async fn set_post_pinned(&self, id: &str, pinned: bool) -> Result<Post, StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE posts SET is_pinned = ?2, update_at = ?3 WHERE id = ?1 AND delete_at = 0",
                        params![id, pinned, now_millis()],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_post(tx.conn(), &id)?;
                let channel = select_channel(tx.conn(), &saved.channel_id)?;
                tx.emit(post_change("post_edited", &saved, &channel.team_id, serde_json::json!({})))?;
                Ok(saved)
            })
            .await
    }

    async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<Post>, StoreError> {
        let channel_id = channel_id.to_string();
        self.read(move |conn| {
            select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE channel_id = ?1 AND is_pinned = 1 AND delete_at = 0
                     ORDER BY create_at DESC, id DESC"
                ),
                &[&channel_id],
            )
        })
        .await
    }

    async fn post_edit_history(&self, id: &str) -> Result<Vec<Post>, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE original_id = ?1 ORDER BY update_at DESC, id DESC"
                ),
                &[&id],
            )
        })
        .await
    }

    async fn save_reaction(&self, reaction: &Reaction) -> Result<Reaction, StoreError> {
        let reaction = reaction.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO reactions (post_id, user_id, emoji_name, channel_id, create_at)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                        params![reaction.post_id, reaction.user_id, reaction.emoji_name, reaction.channel_id, reaction.create_at],
                    )
                    .map_err(map_err)?;
                tx.conn()
                    .execute(
                        "UPDATE posts SET has_reactions = 1, update_at = ?2 WHERE id = ?1",
                        params![reaction.post_id, now_millis()],
                    )
                    .map_err(map_err)?;
                let saved: Reaction = tx
                    .conn()
                    .query_row(
                        "SELECT create_at FROM reactions WHERE post_id = ?1 AND user_id = ?2 AND emoji_name = ?3",
                        params![reaction.post_id, reaction.user_id, reaction.emoji_name],
                        |row| Ok(Reaction { create_at: row.get(0)?, update_at: row.get(0)?, ..reaction.clone() }),
                    )
                    .map_err(map_err)?;
                let channel = select_channel(tx.conn(), &reaction.channel_id)?;
                tx.emit(ChangeDraft {
                    kind: "reaction_added",
                    entity_id: reaction.post_id.clone(),
                    team_id: channel.team_id.clone(),
                    channel_id: reaction.channel_id.clone(),
                    user_id: reaction.user_id.clone(),
                    data: serde_json::json!({ "reaction": serde_json::to_string(&saved).unwrap_or_default() }),
                })?;
                Ok(saved)
            })
            .await
    }

    async fn delete_reaction(&self, reaction: &Reaction) -> Result<(), StoreError> {
        let reaction = reaction.clone();
        self.writer
            .write(move |tx| {
                let removed = tx
                    .conn()
                    .execute(
                        "DELETE FROM reactions WHERE post_id = ?1 AND user_id = ?2 AND emoji_name = ?3",
                        params![reaction.post_id, reaction.user_id, reaction.emoji_name],
                    )
                    .map_err(map_err)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.conn()
                    .execute(
                        "UPDATE posts SET update_at = ?2,
                            has_reactions = EXISTS (SELECT 1 FROM reactions WHERE post_id = ?1)
                         WHERE id = ?1",
                        params![reaction.post_id, now_millis()],
                    )
                    .map_err(map_err)?;
                let channel = select_channel(tx.conn(), &reaction.channel_id)?;
                tx.emit(ChangeDraft {
                    kind: "reaction_removed",
                    entity_id: reaction.post_id.clone(),
                    team_id: channel.team_id.clone(),
                    channel_id: reaction.channel_id.clone(),
                    user_id: reaction.user_id.clone(),
                    data: serde_json::json!({ "reaction": serde_json::to_string(&reaction).unwrap_or_default() }),
                })?;
                Ok(())
            })
            .await
    }

    async fn scan_posts(
        &self,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<Post>, StoreError> {
        let (create_at, id) = after.unwrap_or((i64::MIN, String::new()));
        self.read(move |conn| {
            select_posts(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM posts
                     WHERE delete_at = 0 AND original_id = '' AND (create_at, id) > (?1, ?2)
                     ORDER BY create_at, id LIMIT ?3"
                ),
                &[&create_at, &id, &limit],
            )
        })
        .await
    }

    async fn count_posts(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND original_id = ''",
                [],
                |row| row.get(0),
            )
            .map_err(map_err)
        })
        .await
    }

    async fn reactions_for_posts(&self, post_ids: &[String]) -> Result<Vec<Reaction>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = post_ids.to_vec();
        self.read(move |conn| {
            let marks = vec!["?"; ids.len()].join(",");
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT r.post_id, r.user_id, r.emoji_name, r.channel_id, r.create_at FROM reactions r
                     WHERE r.post_id IN ({marks}) ORDER BY r.create_at, r.post_id, r.user_id, r.emoji_name"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params_from_iter(&ids), |row| {
                    Ok(Reaction {
                        post_id: row.get(0)?,
                        user_id: row.get(1)?,
                        emoji_name: row.get(2)?,
                        channel_id: row.get(3)?,
                        create_at: row.get(4)?,
                        update_at: row.get(4)?,
                        delete_at: 0,
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }
}
