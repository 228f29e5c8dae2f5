//! `EmojiStore` on SQLite: the `custom_emoji` table.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params, params_from_iter};

use super::{SqliteStore, map_err};
use crate::model::Emoji;
use crate::store::emoji::{emoji_added, search_pattern};
use crate::store::{EmojiStore, StoreError};

const COLUMNS: &str = "id, create_at, update_at, delete_at, creator_id, name";

fn emoji_from_row(row: &Row<'_>) -> rusqlite::Result<Emoji> {
    Ok(Emoji {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        creator_id: row.get(4)?,
        name: row.get(5)?,
    })
}

fn select(
    conn: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<Emoji>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map(values, emoji_from_row).map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

fn select_one(
    conn: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<Emoji, StoreError> {
    select(conn, sql, values)?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl EmojiStore for SqliteStore {
    async fn create_emoji(&self, emoji: &Emoji) -> Result<Emoji, StoreError> {
        let emoji = emoji.clone();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .prepare_cached(&format!(
                        "INSERT INTO custom_emoji ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                    ))
                    .and_then(|mut stmt| {
                        stmt.execute(params![
                            emoji.id,
                            emoji.create_at,
                            emoji.update_at,
                            emoji.delete_at,
                            emoji.creator_id,
                            emoji.name,
                        ])
                    })
                    .map_err(map_err)?;
                tx.emit(emoji_added(&emoji)?)?;
                Ok(emoji)
            })
            .await
    }

    async fn get_emoji(&self, id: &str) -> Result<Emoji, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            select_one(
                conn,
                &format!("SELECT {COLUMNS} FROM custom_emoji WHERE id = ?1 AND delete_at = 0"),
                [id],
            )
        })
        .await
    }

    async fn get_emoji_by_name(&self, name: &str) -> Result<Emoji, StoreError> {
        let name = name.to_string();
        self.read(move |conn| {
            select_one(
                conn,
                &format!("SELECT {COLUMNS} FROM custom_emoji WHERE name = ?1 AND delete_at = 0"),
                [name],
            )
        })
        .await
    }

    async fn get_emojis_by_names(&self, names: &[String]) -> Result<Vec<Emoji>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let names = names.to_vec();
        self.read(move |conn| {
            let marks = vec!["?"; names.len()].join(",");
            // Not cached: the statement differs with the number of names.
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM custom_emoji
                     WHERE name IN ({marks}) AND delete_at = 0 ORDER BY name"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params_from_iter(names.iter()), emoji_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_emoji(
        &self,
        by_name: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError> {
        self.read(move |conn| {
            let order = if by_name { "name" } else { "create_at, id" };
            select(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM custom_emoji WHERE delete_at = 0
                     ORDER BY {order} LIMIT ?1 OFFSET ?2"
                ),
                params![limit, offset],
            )
        })
        .await
    }

    async fn search_emoji(
        &self,
        term: &str,
        prefix_only: bool,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError> {
        let pattern = search_pattern(term, prefix_only);
        self.read(move |conn| {
            // LIKE ignores ASCII case here; PostgreSQL uses ILIKE to match.
            select(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM custom_emoji
                     WHERE delete_at = 0 AND name LIKE ?1 ESCAPE '\\'
                     ORDER BY name LIMIT ?2"
                ),
                params![pattern, limit],
            )
        })
        .await
    }

    async fn delete_emoji(&self, id: &str, now: i64) -> Result<Emoji, StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .prepare_cached(
                        "UPDATE custom_emoji SET delete_at = ?2, update_at = ?2
                         WHERE id = ?1 AND delete_at = 0",
                    )
                    .and_then(|mut stmt| stmt.execute(params![id, now]))
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                select_one(
                    tx.conn(),
                    &format!("SELECT {COLUMNS} FROM custom_emoji WHERE id = ?1"),
                    [id],
                )
            })
            .await
    }
}
