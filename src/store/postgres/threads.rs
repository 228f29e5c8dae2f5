//! `ThreadStore` on PostgreSQL: `thread_members` joined with the thread roots.
//!
//! Every read here is a user's own read state, which they look at right after changing
//! it (reading a thread, following one), so all of them use the primary.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;

use super::posts::{COLUMNS, post_from_row};
use super::{PgStore, big, map_err, one};
use crate::model::Post;
use crate::store::{ChangeDraft, StoreError, ThreadCursor, ThreadQuery, ThreadState, ThreadStore};

/// The followed threads' roots with the member's state. `$1` user, `$2` team; the team
/// filter keeps direct and group channels, which belong to every team.
const FOLLOWED: &str = "FROM thread_members t JOIN posts p ON p.id = t.post_id
    JOIN channels c ON c.id = p.channel_id
    WHERE t.user_id = $1 AND t.following AND p.delete_at = 0
      AND (c.team_id = $2 OR c.team_id = '')
      AND EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = p.channel_id AND m.user_id = $1)";

/// Whether thread `p` has something unread for member `t` (`$1` is the user).
const UNREAD: &str =
    "(t.unread_mentions > 0 OR EXISTS (SELECT 1 FROM posts r WHERE r.root_id = p.id
    AND r.delete_at = 0 AND r.user_id != $1 AND r.create_at > t.last_viewed))";

async fn unread_replies(
    client: &ClientWrapper,
    root_id: &str,
    user_id: &str,
    since: i64,
) -> Result<i64, StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT COUNT(*) FROM posts
             WHERE root_id = $1 AND delete_at = 0 AND user_id != $2 AND create_at > $3",
        )
        .await
        .map_err(map_err)?;
    let row = client
        .query_one(&stmt, &[&root_id, &user_id, &since])
        .await
        .map_err(map_err)?;
    row.try_get(0).map_err(map_err)
}

async fn participants(client: &ClientWrapper, root_id: &str) -> Result<Vec<String>, StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT user_id FROM posts WHERE root_id = $1 AND delete_at = 0
             GROUP BY user_id ORDER BY MAX(create_at) DESC LIMIT 20",
        )
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&root_id]).await.map_err(map_err)?;
    rows.iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(map_err)
}

/// A thread root with the member's `following`, `last_viewed` and `unread_mentions`.
type MemberRow = (Post, bool, i64, i64);

async fn state_of(
    client: &ClientWrapper,
    user_id: &str,
    row: MemberRow,
) -> Result<ThreadState, StoreError> {
    let (root, following, last_viewed, unread_mentions) = row;
    Ok(ThreadState {
        unread_replies: unread_replies(client, &root.id, user_id, last_viewed).await?,
        participant_ids: participants(client, &root.id).await?,
        root,
        following,
        last_viewed,
        unread_mentions,
    })
}

fn columns() -> String {
    let prefixed: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect();
    format!(
        "{}, t.following, t.last_viewed, t.unread_mentions",
        prefixed.join(", ")
    )
}

fn read_row(row: &Row) -> Result<MemberRow, tokio_postgres::Error> {
    Ok((
        post_from_row(row)?,
        row.try_get(19)?,
        row.try_get(20)?,
        row.try_get(21)?,
    ))
}

fn thread_change(kind: &'static str, root_id: &str, user_id: &str) -> ChangeDraft {
    ChangeDraft {
        kind,
        entity_id: root_id.to_string(),
        user_id: user_id.to_string(),
        ..ChangeDraft::default()
    }
}

#[async_trait]
impl ThreadStore for PgStore {
    async fn list_threads(
        &self,
        user_id: &str,
        team_id: &str,
        query: &ThreadQuery,
    ) -> Result<Vec<ThreadState>, StoreError> {
        let client = self.client().await?;
        let unread = if query.unread_only {
            format!("AND {UNREAD}")
        } else {
            String::new()
        };
        let (cursor, order, reversed) = match &query.cursor {
            Some(cursor) => cursor.sql("$6", "$7"),
            None => (String::new(), "p.last_reply_at DESC, p.id", false),
        };
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {} {FOLLOWED} AND p.last_reply_at > $3 {unread} {cursor}
                 ORDER BY {order} LIMIT $4 OFFSET $5",
                columns()
            ))
            .await
            .map_err(map_err)?;
        let (limit, offset) = (big(query.limit), big(query.offset));
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            vec![&user_id, &team_id, &query.since, &limit, &offset];
        let position = query.cursor.as_ref().map(ThreadCursor::position);
        if let Some((at, id)) = &position {
            params.push(at);
            params.push(id);
        }
        let mut rows = client.query(&stmt, &params).await.map_err(map_err)?;
        if reversed {
            rows.reverse();
        }
        let rows: Vec<MemberRow> = rows
            .iter()
            .map(read_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        let mut threads = Vec::with_capacity(rows.len());
        for row in rows {
            threads.push(state_of(&client, user_id, row).await?);
        }
        Ok(threads)
    }

    async fn thread_totals(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<(i64, i64, i64), StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE {UNREAD}),
                    COALESCE(SUM(t.unread_mentions), 0)::BIGINT
                 {FOLLOWED}"
            ))
            .await
            .map_err(map_err)?;
        let row = client
            .query_one(&stmt, &[&user_id, &team_id])
            .await
            .map_err(map_err)?;
        Ok((
            row.try_get(0).map_err(map_err)?,
            row.try_get(1).map_err(map_err)?,
            row.try_get(2).map_err(map_err)?,
        ))
    }

    async fn get_thread(&self, user_id: &str, root_id: &str) -> Result<ThreadState, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {} FROM thread_members t JOIN posts p ON p.id = t.post_id
                 WHERE t.user_id = $1 AND t.post_id = $2",
                columns()
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &root_id])
            .await
            .map_err(map_err)?;
        let row = read_row(&one(rows)?).map_err(map_err)?;
        state_of(&client, user_id, row).await
    }

    async fn thread_followers(&self, root_id: &str) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT user_id FROM thread_members WHERE post_id = $1 AND following
                 ORDER BY user_id",
            )
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&root_id]).await.map_err(map_err)?;
        rows.iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn set_thread_following(
        &self,
        user_id: &str,
        root_id: &str,
        following: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.client()
            .execute(
                "INSERT INTO thread_members (post_id, user_id, following, last_viewed, last_updated)
                 VALUES ($1, $2, $3, 0, (SELECT last_reply_at FROM posts WHERE id = $1))
                 ON CONFLICT (post_id, user_id) DO UPDATE SET following = excluded.following",
                &[&root_id, &user_id, &following],
            )
            .await
            .map_err(map_err)?;
        tx.emit(ChangeDraft {
            data: serde_json::json!({ "thread_id": root_id, "state": following }),
            ..thread_change("thread_follow_changed", root_id, user_id)
        })?;
        tx.commit().await
    }

    async fn mark_threads_read(
        &self,
        user_id: &str,
        team_id: &str,
        root_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = match root_id {
            Some(root_id) => {
                tx.client()
                    .execute(
                        "UPDATE thread_members SET last_viewed = $3, unread_mentions = 0
                         WHERE user_id = $1 AND post_id = $2",
                        &[&user_id, &root_id, &timestamp],
                    )
                    .await
            }
            None => {
                tx.client()
                    .execute(
                        "UPDATE thread_members SET last_viewed = $3, unread_mentions = 0
                         WHERE user_id = $1 AND following AND post_id IN
                            (SELECT p.id FROM posts p JOIN channels c ON c.id = p.channel_id
                             WHERE c.team_id = $2 OR c.team_id = '')",
                        &[&user_id, &team_id, &timestamp],
                    )
                    .await
            }
        }
        .map_err(map_err)?;
        if root_id.is_some() && changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.emit(ChangeDraft {
            team_id: team_id.to_string(),
            data: serde_json::json!({ "thread_id": root_id, "timestamp": timestamp }),
            ..thread_change("thread_read_changed", root_id.unwrap_or_default(), user_id)
        })?;
        tx.commit().await
    }
}
