//! `EmojiStore` on PostgreSQL: the `custom_emoji` table.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{PgStore, big, map_err, one};
use crate::model::Emoji;
use crate::store::emoji::{emoji_added, search_pattern};
use crate::store::{EmojiStore, StoreError};

const COLUMNS: &str = "id, create_at, update_at, delete_at, creator_id, name";

fn emoji_from_row(row: &Row) -> Result<Emoji, tokio_postgres::Error> {
    Ok(Emoji {
        id: row.try_get(0)?,
        create_at: row.try_get(1)?,
        update_at: row.try_get(2)?,
        delete_at: row.try_get(3)?,
        creator_id: row.try_get(4)?,
        name: row.try_get(5)?,
    })
}

async fn select(
    client: &ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Emoji>, StoreError> {
    let stmt = client.prepare_cached(sql).await.map_err(map_err)?;
    let rows = client.query(&stmt, params).await.map_err(map_err)?;
    super::from_rows(&rows, emoji_from_row)
}

async fn select_one(
    client: &ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Emoji, StoreError> {
    let stmt = client.prepare_cached(sql).await.map_err(map_err)?;
    let rows = client.query(&stmt, params).await.map_err(map_err)?;
    emoji_from_row(&one(rows)?).map_err(map_err)
}

#[async_trait]
impl EmojiStore for PgStore {
    async fn create_emoji(&self, emoji: &Emoji) -> Result<Emoji, StoreError> {
        let mut tx = self.begin().await?;
        let client = tx.client();
        let stmt = client
            .prepare_cached(&format!(
                "INSERT INTO custom_emoji ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
            ))
            .await
            .map_err(map_err)?;
        client
            .execute(
                &stmt,
                &[
                    &emoji.id,
                    &emoji.create_at,
                    &emoji.update_at,
                    &emoji.delete_at,
                    &emoji.creator_id,
                    &emoji.name,
                ],
            )
            .await
            .map_err(map_err)?;
        tx.emit(emoji_added(emoji)?)?;
        tx.commit().await?;
        Ok(emoji.clone())
    }

    async fn get_emoji(&self, id: &str) -> Result<Emoji, StoreError> {
        // The primary: a client reads an emoji right after creating it.
        let client = self.client().await?;
        select_one(
            &client,
            &format!("SELECT {COLUMNS} FROM custom_emoji WHERE id = $1 AND delete_at = 0"),
            &[&id],
        )
        .await
    }

    async fn get_emoji_by_name(&self, name: &str) -> Result<Emoji, StoreError> {
        let client = self.client().await?;
        select_one(
            &client,
            &format!("SELECT {COLUMNS} FROM custom_emoji WHERE name = $1 AND delete_at = 0"),
            &[&name],
        )
        .await
    }

    async fn get_emojis_by_names(&self, names: &[String]) -> Result<Vec<Emoji>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        select(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM custom_emoji WHERE name = ANY($1) AND delete_at = 0
                 ORDER BY name COLLATE \"C\""
            ),
            &[&names],
        )
        .await
    }

    async fn list_emoji(
        &self,
        by_name: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError> {
        let client = self.replica().await?;
        // COLLATE "C": byte order, as on SQLite, whatever the database's locale.
        let order = if by_name {
            "name COLLATE \"C\""
        } else {
            "create_at, id"
        };
        select(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM custom_emoji WHERE delete_at = 0
                 ORDER BY {order} LIMIT $1 OFFSET $2"
            ),
            &[&big(limit), &big(offset)],
        )
        .await
    }

    async fn search_emoji(
        &self,
        term: &str,
        prefix_only: bool,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError> {
        let client = self.replica().await?;
        let pattern = search_pattern(term, prefix_only);
        // ILIKE: ASCII case is ignored, as SQLite's LIKE does.
        select(
            &client,
            &format!(
                "SELECT {COLUMNS} FROM custom_emoji
                 WHERE delete_at = 0 AND name ILIKE $1 ESCAPE '\\'
                 ORDER BY name COLLATE \"C\" LIMIT $2"
            ),
            &[&pattern, &big(limit)],
        )
        .await
    }

    async fn delete_emoji(&self, id: &str, now: i64) -> Result<Emoji, StoreError> {
        let client = self.client().await?;
        select_one(
            &client,
            &format!(
                "UPDATE custom_emoji SET delete_at = $2, update_at = $2
                 WHERE id = $1 AND delete_at = 0 RETURNING {COLUMNS}"
            ),
            &[&id, &now],
        )
        .await
    }
}
