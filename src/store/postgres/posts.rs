//! `PostStore` on PostgreSQL: `posts` (current versions and edit history), `reactions` and
//! `thread_members`.
//!
//! SQLite runs one write at a time; here writers run side by side, so each write takes
//! the row locks that make it behave as if it ran alone: `create_post` serialises on the
//! channel row (its counters), `delete_post` locks the post first, and a retried send
//! that races its first attempt finds that post through the `posts_pending` index.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{PgStore, big, map_err, one};
use crate::model::{Post, Reaction, new_id, now_millis};
use crate::store::{ChangeDraft, CreatedPost, Mentions, PostStore, PostWindow, StoreError};

pub(super) const COLUMNS: &str =
    "id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id,
    root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions,
    reply_count, last_reply_at";

pub(super) fn post_from_row(row: &Row) -> Result<Post, tokio_postgres::Error> {
    let props: String = row.try_get(12)?;
    let file_ids: String = row.try_get(14)?;
    Ok(Post {
        id: row.try_get(0)?,
        create_at: row.try_get(1)?,
        update_at: row.try_get(2)?,
        edit_at: row.try_get(3)?,
        delete_at: row.try_get(4)?,
        is_pinned: row.try_get(5)?,
        user_id: row.try_get(6)?,
        channel_id: row.try_get(7)?,
        root_id: row.try_get(8)?,
        original_id: row.try_get(9)?,
        message: row.try_get(10)?,
        post_type: row.try_get(11)?,
        props: serde_json::from_str(&props).unwrap_or_default(),
        hashtags: row.try_get(13)?,
        file_ids: serde_json::from_str(&file_ids).unwrap_or_default(),
        pending_post_id: row.try_get(15)?,
        has_reactions: row.try_get(16)?,
        reply_count: row.try_get(17)?,
        last_reply_at: row.try_get(18)?,
        ..Post::default()
    })
}

pub(super) fn posts_from_rows(rows: &[Row]) -> Result<Vec<Post>, StoreError> {
    super::from_rows(rows, post_from_row)
}

fn props_json(post: &Post) -> String {
    serde_json::to_string(&post.props).unwrap_or_else(|_| "{}".into())
}

fn file_ids_json(post: &Post) -> String {
    serde_json::to_string(&post.file_ids).unwrap_or_else(|_| "[]".into())
}

/// Inserts `post`; false (and nothing written) when the author already has a post with
/// the same non-empty `pending_post_id`. Any other clash (the id) is an error.
async fn insert_post(client: &ClientWrapper, post: &Post) -> Result<bool, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "INSERT INTO posts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                $12, $13, $14, $15, $16, $17, $18, $19)
             ON CONFLICT (user_id, pending_post_id) WHERE pending_post_id != '' DO NOTHING"
        ))
        .await
        .map_err(map_err)?;
    let inserted = client
        .execute(
            &stmt,
            &[
                &post.id,
                &post.create_at,
                &post.update_at,
                &post.edit_at,
                &post.delete_at,
                &post.is_pinned,
                &post.user_id,
                &post.channel_id,
                &post.root_id,
                &post.original_id,
                &post.message,
                &post.post_type,
                &props_json(post),
                &post.hashtags,
                &file_ids_json(post),
                &post.pending_post_id,
                &post.has_reactions,
                &post.reply_count,
                &post.last_reply_at,
            ],
        )
        .await
        .map_err(map_err)?;
    Ok(inserted == 1)
}

async fn select_post(client: &ClientWrapper, id: &str) -> Result<Post, StoreError> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM posts WHERE id = $1"))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&id]).await.map_err(map_err)?;
    post_from_row(&one(rows)?).map_err(map_err)
}

async fn select_posts(
    client: &ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Post>, StoreError> {
    let stmt = client.prepare_cached(sql).await.map_err(map_err)?;
    let rows = client.query(&stmt, params).await.map_err(map_err)?;
    posts_from_rows(&rows)
}

/// The post the author already sent with this `pending_post_id`, if any.
async fn pending_post(client: &ClientWrapper, post: &Post) -> Result<Option<Post>, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM posts WHERE user_id = $1 AND pending_post_id = $2"
        ))
        .await
        .map_err(map_err)?;
    let rows = client
        .query(&stmt, &[&post.user_id, &post.pending_post_id])
        .await
        .map_err(map_err)?;
    rows.first().map(post_from_row).transpose().map_err(map_err)
}

/// The team of a channel (`""` for direct and group channels), for feed rows; `NotFound`
/// when there is no such channel.
async fn channel_team_id(client: &ClientWrapper, channel_id: &str) -> Result<String, StoreError> {
    let stmt = client
        .prepare_cached("SELECT team_id FROM channels WHERE id = $1")
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&channel_id]).await.map_err(map_err)?;
    one(rows)?.try_get(0).map_err(map_err)
}

/// Marks `user_id` as following thread `root_id`; a mention also counts as unread.
async fn follow_thread(
    client: &ClientWrapper,
    root_id: &str,
    user_id: &str,
    viewed: i64,
    mention: bool,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO thread_members (post_id, user_id, following, last_viewed, unread_mentions, last_updated)
             VALUES ($1, $2, TRUE, $3, $4, $5)
             ON CONFLICT (post_id, user_id) DO UPDATE SET following = TRUE,
                last_viewed = GREATEST(thread_members.last_viewed, excluded.last_viewed),
                unread_mentions = thread_members.unread_mentions + excluded.unread_mentions,
                last_updated = excluded.last_updated",
        )
        .await
        .map_err(map_err)?;
    client
        .execute(
            &stmt,
            &[&root_id, &user_id, &viewed, &i64::from(mention), &now],
        )
        .await
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

fn reaction_from_row(row: &Row) -> Result<Reaction, tokio_postgres::Error> {
    Ok(Reaction {
        post_id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        emoji_name: row.try_get(2)?,
        channel_id: row.try_get(3)?,
        create_at: row.try_get(4)?,
        update_at: row.try_get(4)?,
        delete_at: 0,
    })
}

#[async_trait]
impl PostStore for PgStore {
    async fn create_post(
        &self,
        post: &Post,
        mentions: &Mentions,
    ) -> Result<CreatedPost, StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        if !post.pending_post_id.is_empty()
            && let Some(existing) = pending_post(client, post).await?
        {
            return Ok(CreatedPost {
                post: existing,
                created: false,
            });
        }
        if !insert_post(client, post).await? {
            // A retried send racing its first attempt: the first one committed between
            // the look-up above and the insert.
            let existing = pending_post(client, post)
                .await?
                .ok_or(StoreError::NotFound)?;
            return Ok(CreatedPost {
                post: existing,
                created: false,
            });
        }
        // Attached in the same transaction: a retried send returned above, so a file is
        // attached once, and a post never names a file it does not own.
        let files = super::files::attach_files(client, post).await?;
        let is_root = post.root_id.is_empty();
        let root = i64::from(is_root);
        // This row lock orders the channel's posts: the counters copied to the sender's
        // membership below are this transaction's own.
        let stmt = client
            .prepare_cached(
                "UPDATE channels SET last_post_at = GREATEST(last_post_at, $2),
                    total_msg_count = total_msg_count + 1,
                    total_msg_count_root = total_msg_count_root + $3,
                    last_root_post_at = CASE WHEN $3 = 1 THEN GREATEST(last_root_post_at, $2)
                        ELSE last_root_post_at END
                 WHERE id = $1",
            )
            .await
            .map_err(map_err)?;
        client
            .execute(&stmt, &[&post.channel_id, &post.create_at, &root])
            .await
            .map_err(map_err)?;
        // The sender has read everything up to their own post.
        let stmt = client
            .prepare_cached(
                "UPDATE channel_members SET last_viewed_at = GREATEST(last_viewed_at, $3),
                    msg_count = (SELECT total_msg_count FROM channels WHERE id = $1),
                    msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1),
                    last_update_at = $3
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .await
            .map_err(map_err)?;
        client
            .execute(&stmt, &[&post.channel_id, &post.user_id, &post.create_at])
            .await
            .map_err(map_err)?;
        let stmt = client
            .prepare_cached(
                "UPDATE channel_members SET mention_count = mention_count + 1,
                    mention_count_root = mention_count_root + $3, last_update_at = $4
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .await
            .map_err(map_err)?;
        for user_id in mentions.user_ids.iter().filter(|u| **u != post.user_id) {
            client
                .execute(&stmt, &[&post.channel_id, user_id, &root, &post.create_at])
                .await
                .map_err(map_err)?;
        }
        if !is_root {
            let stmt = client
                .prepare_cached(
                    "UPDATE posts SET reply_count = reply_count + 1, last_reply_at = GREATEST(last_reply_at, $2)
                     WHERE id = $1",
                )
                .await
                .map_err(map_err)?;
            client
                .execute(&stmt, &[&post.root_id, &post.create_at])
                .await
                .map_err(map_err)?;
            let rows = client
                .query("SELECT user_id FROM posts WHERE id = $1", &[&post.root_id])
                .await
                .map_err(map_err)?;
            let root_author: String = one(rows)?.try_get(0).map_err(map_err)?;
            follow_thread(
                client,
                &post.root_id,
                &post.user_id,
                post.create_at,
                false,
                post.create_at,
            )
            .await?;
            follow_thread(
                client,
                &post.root_id,
                &root_author,
                0,
                mentions.user_ids.contains(&root_author),
                post.create_at,
            )
            .await?;
            for user_id in mentions
                .user_ids
                .iter()
                .filter(|u| **u != post.user_id && **u != root_author)
            {
                follow_thread(client, &post.root_id, user_id, 0, true, post.create_at).await?;
            }
            let stmt = client
                .prepare_cached("UPDATE thread_members SET last_updated = $2 WHERE post_id = $1")
                .await
                .map_err(map_err)?;
            client
                .execute(&stmt, &[&post.root_id, &post.create_at])
                .await
                .map_err(map_err)?;
        }
        let team_id = channel_team_id(client, &post.channel_id).await?;
        // Clients show the attachments from the event without asking again.
        let mut announced = post.clone();
        if !files.is_empty() {
            announced.metadata = Some(serde_json::json!({ "files": files }));
        }
        tx.emit(post_change(
            "posted",
            &announced,
            &team_id,
            serde_json::json!({
                "mentions": serde_json::to_string(&mentions.user_ids).unwrap_or_default()
            }),
        ))?;
        tx.commit().await?;
        Ok(CreatedPost {
            post: post.clone(),
            created: true,
        })
    }

    async fn get_post(&self, id: &str) -> Result<Post, StoreError> {
        let client = self.client().await?;
        select_post(&client, id).await
    }

    async fn get_posts_by_ids(&self, ids: &[String]) -> Result<Vec<Post>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        select_posts(
            &client,
            &format!("SELECT {COLUMNS} FROM posts WHERE id = ANY($1)"),
            &[&ids],
        )
        .await
    }

    async fn channel_posts(
        &self,
        channel_id: &str,
        window: &PostWindow,
    ) -> Result<Vec<Post>, StoreError> {
        let client = self.replica().await?;
        match window {
            PostWindow::Page { offset, limit } => {
                select_posts(
                    &client,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND delete_at = 0
                         ORDER BY create_at DESC, id DESC LIMIT $2 OFFSET $3"
                    ),
                    &[&channel_id, &big(*limit), &big(*offset)],
                )
                .await
            }
            PostWindow::Since(since) => {
                select_posts(
                    &client,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND update_at > $2
                            AND original_id = ''
                         ORDER BY create_at DESC, id DESC LIMIT 1000"
                    ),
                    &[&channel_id, since],
                )
                .await
            }
            PostWindow::Before { post_id, limit } => {
                let anchor = select_post(&client, post_id).await?;
                select_posts(
                    &client,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND delete_at = 0
                         AND (create_at, id) < ($2, $3) ORDER BY create_at DESC, id DESC LIMIT $4"
                    ),
                    &[&channel_id, &anchor.create_at, &anchor.id, &big(*limit)],
                )
                .await
            }
            PostWindow::CreatedAfter { time, limit } => {
                let mut posts = select_posts(
                    &client,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND delete_at = 0
                         AND create_at > $2 ORDER BY create_at, id LIMIT $3"
                    ),
                    &[&channel_id, time, &big(*limit)],
                )
                .await?;
                posts.reverse();
                Ok(posts)
            }
            PostWindow::After { post_id, limit } => {
                let anchor = select_post(&client, post_id).await?;
                let mut posts = select_posts(
                    &client,
                    &format!(
                        "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND delete_at = 0
                         AND (create_at, id) > ($2, $3) ORDER BY create_at, id LIMIT $4"
                    ),
                    &[&channel_id, &anchor.create_at, &anchor.id, &big(*limit)],
                )
                .await?;
                posts.reverse();
                Ok(posts)
            }
        }
    }

    async fn thread_posts(&self, root_id: &str) -> Result<Vec<Post>, StoreError> {
        let client = self.replica().await?;
        select_posts(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM posts WHERE (id = $1 OR root_id = $1) AND delete_at = 0
                 ORDER BY create_at, id"
            ),
            &[&root_id],
        )
        .await
    }

    async fn edit_post(&self, post: &Post, previous: &Post) -> Result<Post, StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
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
        insert_post(client, &history).await?;
        let stmt = client
            .prepare_cached(
                "UPDATE posts SET message = $2, props = $3, hashtags = $4, file_ids = $5,
                    edit_at = $6, update_at = $6 WHERE id = $1 AND delete_at = 0",
            )
            .await
            .map_err(map_err)?;
        let changed = client
            .execute(
                &stmt,
                &[
                    &post.id,
                    &post.message,
                    &props_json(post),
                    &post.hashtags,
                    &file_ids_json(post),
                    &now,
                ],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_post(client, &post.id).await?;
        let team_id = channel_team_id(client, &saved.channel_id).await?;
        tx.emit(post_change(
            "post_edited",
            &saved,
            &team_id,
            serde_json::json!({}),
        ))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_post(&self, id: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        // Locked, so that of two deletes of one post only the first does anything.
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM posts WHERE id = $1 FOR UPDATE"
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&id]).await.map_err(map_err)?;
        let post = post_from_row(&one(rows)?).map_err(map_err)?;
        if post.delete_at != 0 {
            return Err(StoreError::NotFound);
        }
        let stmt = client
            .prepare_cached(
                "UPDATE posts SET delete_at = $2, update_at = $2
                 WHERE (id = $1 OR root_id = $1) AND delete_at = 0",
            )
            .await
            .map_err(map_err)?;
        client.execute(&stmt, &[&id, &now]).await.map_err(map_err)?;
        super::files::delete_post_files(client, id, now).await?;
        if !post.root_id.is_empty() {
            let stmt = client
                .prepare_cached(
                    "UPDATE posts SET reply_count = GREATEST(reply_count - 1, 0) WHERE id = $1",
                )
                .await
                .map_err(map_err)?;
            client
                .execute(&stmt, &[&post.root_id])
                .await
                .map_err(map_err)?;
        }
        let deleted = select_post(client, id).await?;
        let team_id = channel_team_id(client, &post.channel_id).await?;
        tx.emit(post_change(
            "post_deleted",
            &deleted,
            &team_id,
            serde_json::json!({}),
        ))?;
        tx.commit().await
    }

    async fn set_post_pinned(&self, id: &str, pinned: bool) -> Result<Post, StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        let stmt = client
            .prepare_cached(
                "UPDATE posts SET is_pinned = $2, update_at = $3 WHERE id = $1 AND delete_at = 0",
            )
            .await
            .map_err(map_err)?;
        let changed = client
            .execute(&stmt, &[&id, &pinned, &now_millis()])
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_post(client, id).await?;
        let team_id = channel_team_id(client, &saved.channel_id).await?;
        tx.emit(post_change(
            "post_edited",
            &saved,
            &team_id,
            serde_json::json!({}),
        ))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<Post>, StoreError> {
        let client = self.replica().await?;
        select_posts(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM posts WHERE channel_id = $1 AND is_pinned AND delete_at = 0
                 ORDER BY create_at DESC, id DESC"
            ),
            &[&channel_id],
        )
        .await
    }

    async fn post_edit_history(&self, id: &str) -> Result<Vec<Post>, StoreError> {
        let client = self.replica().await?;
        select_posts(
            &client,
            &format!("SELECT {COLUMNS} FROM posts WHERE original_id = $1 ORDER BY update_at DESC, id DESC"),
            &[&id],
        )
        .await
    }

    async fn save_reaction(&self, reaction: &Reaction) -> Result<Reaction, StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        let stmt = client
            .prepare_cached(
                "INSERT INTO reactions (post_id, user_id, emoji_name, channel_id, create_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(map_err)?;
        client
            .execute(
                &stmt,
                &[
                    &reaction.post_id,
                    &reaction.user_id,
                    &reaction.emoji_name,
                    &reaction.channel_id,
                    &reaction.create_at,
                ],
            )
            .await
            .map_err(map_err)?;
        let stmt = client
            .prepare_cached("UPDATE posts SET has_reactions = TRUE, update_at = $2 WHERE id = $1")
            .await
            .map_err(map_err)?;
        client
            .execute(&stmt, &[&reaction.post_id, &now_millis()])
            .await
            .map_err(map_err)?;
        let stmt = client
            .prepare_cached(
                "SELECT create_at FROM reactions
                 WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3",
            )
            .await
            .map_err(map_err)?;
        let rows = client
            .query(
                &stmt,
                &[&reaction.post_id, &reaction.user_id, &reaction.emoji_name],
            )
            .await
            .map_err(map_err)?;
        let create_at: i64 = one(rows)?.try_get(0).map_err(map_err)?;
        let saved = Reaction {
            create_at,
            update_at: create_at,
            ..reaction.clone()
        };
        let team_id = channel_team_id(client, &reaction.channel_id).await?;
        tx.emit(ChangeDraft {
            kind: "reaction_added",
            entity_id: reaction.post_id.clone(),
            team_id,
            channel_id: reaction.channel_id.clone(),
            user_id: reaction.user_id.clone(),
            data: serde_json::json!({
                "reaction": serde_json::to_string(&saved).unwrap_or_default()
            }),
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_reaction(&self, reaction: &Reaction) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        let stmt = client
            .prepare_cached(
                "DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3",
            )
            .await
            .map_err(map_err)?;
        let removed = client
            .execute(
                &stmt,
                &[&reaction.post_id, &reaction.user_id, &reaction.emoji_name],
            )
            .await
            .map_err(map_err)?;
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        let stmt = client
            .prepare_cached(
                "UPDATE posts SET update_at = $2,
                    has_reactions = EXISTS (SELECT 1 FROM reactions WHERE post_id = $1)
                 WHERE id = $1",
            )
            .await
            .map_err(map_err)?;
        client
            .execute(&stmt, &[&reaction.post_id, &now_millis()])
            .await
            .map_err(map_err)?;
        let team_id = channel_team_id(client, &reaction.channel_id).await?;
        tx.emit(ChangeDraft {
            kind: "reaction_removed",
            entity_id: reaction.post_id.clone(),
            team_id,
            channel_id: reaction.channel_id.clone(),
            user_id: reaction.user_id.clone(),
            data: serde_json::json!({
                "reaction": serde_json::to_string(reaction).unwrap_or_default()
            }),
        })?;
        tx.commit().await
    }

    async fn scan_posts(
        &self,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<Post>, StoreError> {
        let (create_at, id) = after.unwrap_or((i64::MIN, String::new()));
        let client = self.client().await?;
        select_posts(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM posts
                 WHERE delete_at = 0 AND original_id = '' AND (create_at, id) > ($1, $2)
                 ORDER BY create_at, id LIMIT $3"
            ),
            &[&create_at, &id, &big(limit)],
        )
        .await
    }

    async fn count_posts(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM posts WHERE delete_at = 0 AND original_id = ''",
                &[],
            )
            .await
            .map_err(map_err)?;
        row.try_get(0).map_err(map_err)
    }

    async fn reactions_for_posts(&self, post_ids: &[String]) -> Result<Vec<Reaction>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT post_id, user_id, emoji_name, channel_id, create_at FROM reactions
                 WHERE post_id = ANY($1) ORDER BY create_at, post_id, user_id, emoji_name",
            )
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&post_ids]).await.map_err(map_err)?;
        rows.iter()
            .map(reaction_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }
}
