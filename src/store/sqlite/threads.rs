//! `ThreadStore` on SQLite: `thread_members` joined with the thread roots.

use async_trait::async_trait;
use rusqlite::{Connection, params};

use super::posts::{COLUMNS, post_from_row};
use super::{SqliteStore, map_err};
use crate::store::{StoreError, ThreadQuery, ThreadState, ThreadStore};

/// The followed threads' roots with the member's state, newest reply first. `?1` user,
/// `?2` team; the team filter keeps direct and group channels, which belong to every team.
const FOLLOWED: &str = "FROM thread_members t JOIN posts p ON p.id = t.post_id
    JOIN channels c ON c.id = p.channel_id
    WHERE t.user_id = ?1 AND t.following = 1 AND p.delete_at = 0
      AND (c.team_id = ?2 OR c.team_id = '')
      AND EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = p.channel_id AND m.user_id = ?1)";

fn unread_replies(
    conn: &Connection,
    root_id: &str,
    user_id: &str,
    since: i64,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM posts WHERE root_id = ?1 AND delete_at = 0 AND user_id != ?2 AND create_at > ?3",
    )
    .and_then(|mut stmt| stmt.query_row(params![root_id, user_id, since], |row| row.get(0)))
    .map_err(map_err)
}

fn participants(conn: &Connection, root_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT user_id FROM posts WHERE root_id = ?1 AND delete_at = 0
             GROUP BY user_id ORDER BY MAX(create_at) DESC LIMIT 20",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([root_id], |row| row.get(0))
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

fn state_of(
    conn: &Connection,
    user_id: &str,
    row: (crate::model::Post, bool, i64, i64),
) -> Result<ThreadState, StoreError> {
    let (root, following, last_viewed, unread_mentions) = row;
    Ok(ThreadState {
        unread_replies: unread_replies(conn, &root.id, user_id, last_viewed)?,
        participant_ids: participants(conn, &root.id)?,
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

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(crate::model::Post, bool, i64, i64)> {
    Ok((
        post_from_row(row)?,
        row.get(19)?,
        row.get(20)?,
        row.get(21)?,
    ))
}

#[async_trait]
impl ThreadStore for SqliteStore {
    async fn list_threads(
        &self,
        user_id: &str,
        team_id: &str,
        query: &ThreadQuery,
    ) -> Result<Vec<ThreadState>, StoreError> {
        let (user_id, team_id, query) = (user_id.to_string(), team_id.to_string(), query.clone());
        self.read(move |conn| {
            let unread = if query.unread_only {
                "AND (t.unread_mentions > 0 OR EXISTS (SELECT 1 FROM posts r WHERE r.root_id = p.id
                    AND r.delete_at = 0 AND r.user_id != ?1 AND r.create_at > t.last_viewed))"
            } else {
                ""
            };
            let (cursor, order, reversed) = match &query.cursor {
                Some(cursor) => cursor.sql("?6", "?7"),
                None => (String::new(), "p.last_reply_at DESC, p.id", false),
            };
            let sql = format!(
                "SELECT {} {FOLLOWED} AND p.last_reply_at > ?3 {unread} {cursor}
                 ORDER BY {order} LIMIT ?4 OFFSET ?5",
                columns()
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(map_err)?;
            let base = params![user_id, team_id, query.since, query.limit, query.offset];
            let mut rows: Vec<_> = match &query.cursor {
                Some(cursor) => {
                    let (at, id) = cursor.position();
                    let mut all = base.to_vec();
                    all.extend(params![at, id]);
                    stmt.query_map(all.as_slice(), read_row)
                }
                None => stmt.query_map(base, read_row),
            }
            .map_err(map_err)?
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
            if reversed {
                rows.reverse();
            }
            rows.into_iter()
                .map(|row| state_of(conn, &user_id, row))
                .collect()
        })
        .await
    }

    async fn thread_totals(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<(i64, i64, i64), StoreError> {
        let (user_id, team_id) = (user_id.to_string(), team_id.to_string());
        self.read(move |conn| {
            conn.query_row(
                &format!(
                    "SELECT COUNT(*),
                        COALESCE(SUM(t.unread_mentions > 0 OR EXISTS (SELECT 1 FROM posts r WHERE r.root_id = p.id
                            AND r.delete_at = 0 AND r.user_id != ?1 AND r.create_at > t.last_viewed)), 0),
                        COALESCE(SUM(t.unread_mentions), 0)
                     {FOLLOWED}"
                ),
                params![user_id, team_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(map_err)
        })
        .await
    }

    async fn get_thread(&self, user_id: &str, root_id: &str) -> Result<ThreadState, StoreError> {
        let (user_id, root_id) = (user_id.to_string(), root_id.to_string());
        self.read(move |conn| {
            let sql = format!(
                "SELECT {} FROM thread_members t JOIN posts p ON p.id = t.post_id
                 WHERE t.user_id = ?1 AND t.post_id = ?2",
                columns()
            );
            let row = conn
                .prepare_cached(&sql)
                .and_then(|mut stmt| stmt.query_row(params![user_id, root_id], read_row))
                .map_err(map_err)?;
            state_of(conn, &user_id, row)
        })
        .await
    }

    async fn thread_followers(&self, root_id: &str) -> Result<Vec<String>, StoreError> {
        let root_id = root_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT user_id FROM thread_members WHERE post_id = ?1 AND following = 1
                     ORDER BY user_id",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map([root_id], |row| row.get(0))
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn set_thread_following(
        &self,
        user_id: &str,
        root_id: &str,
        following: bool,
    ) -> Result<(), StoreError> {
        let (user_id, root_id) = (user_id.to_string(), root_id.to_string());
        self.writer
            .write(move |tx| {
                tx.conn()
                    .execute(
                        "INSERT INTO thread_members (post_id, user_id, following, last_viewed, last_updated)
                         VALUES (?1, ?2, ?3, 0, (SELECT last_reply_at FROM posts WHERE id = ?1))
                         ON CONFLICT (post_id, user_id) DO UPDATE SET following = excluded.following",
                        params![root_id, user_id, following],
                    )
                    .map_err(map_err)?;
                tx.emit(crate::store::ChangeDraft {
                    kind: "thread_follow_changed",
                    entity_id: root_id.clone(),
                    user_id: user_id.clone(),
                    data: serde_json::json!({ "thread_id": root_id, "state": following }),
                    ..Default::default()
                })?;
                Ok(())
            })
            .await
    }

    async fn mark_threads_read(
        &self,
        user_id: &str,
        team_id: &str,
        root_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), StoreError> {
        let (user_id, team_id, root_id) = (
            user_id.to_string(),
            team_id.to_string(),
            root_id.map(str::to_string),
        );
        self.writer
            .write(move |tx| {
                let changed = match &root_id {
                    Some(root_id) => tx.conn().execute(
                        "UPDATE thread_members SET last_viewed = ?3, unread_mentions = 0
                         WHERE user_id = ?1 AND post_id = ?2",
                        params![user_id, root_id, timestamp],
                    ),
                    None => tx.conn().execute(
                        "UPDATE thread_members SET last_viewed = ?3, unread_mentions = 0
                         WHERE user_id = ?1 AND following = 1 AND post_id IN
                            (SELECT p.id FROM posts p JOIN channels c ON c.id = p.channel_id
                             WHERE c.team_id = ?2 OR c.team_id = '')",
                        params![user_id, team_id, timestamp],
                    ),
                }
                .map_err(map_err)?;
                if root_id.is_some() && changed == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.emit(crate::store::ChangeDraft {
                    kind: "thread_read_changed",
                    entity_id: root_id.clone().unwrap_or_default(),
                    team_id: team_id.clone(),
                    user_id: user_id.clone(),
                    data: serde_json::json!({ "thread_id": root_id, "timestamp": timestamp }),
                    ..Default::default()
                })?;
                Ok(())
            })
            .await
    }
}
