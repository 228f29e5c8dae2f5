//! `SidebarStore` on SQLite: the `sidebar_categories` and `sidebar_channels` tables.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::writer::WriteTx;
use super::{SqliteStore, map_err, preferences};
use crate::model::{CategorySorting, CategoryType, SidebarCategory};
use crate::store::sidebar::{check_owner, sidebar_change};
use crate::store::{Placement, SidebarRows, SidebarStore, SidebarWrite, StoreError};

fn category_from_row(row: &Row<'_>) -> rusqlite::Result<SidebarCategory> {
    let kind: String = row.get(3)?;
    let sorting: String = row.get(5)?;
    Ok(SidebarCategory {
        id: row.get(0)?,
        user_id: row.get(1)?,
        team_id: row.get(2)?,
        kind: CategoryType::parse(&kind).unwrap_or(CategoryType::Custom),
        display_name: row.get(4)?,
        sorting: CategorySorting::parse(&sorting).unwrap_or_default(),
        sort_order: row.get(6)?,
        muted: row.get(7)?,
        collapsed: row.get(8)?,
        channel_ids: Vec::new(),
    })
}

fn select_rows(conn: &Connection, user_id: &str, team_id: &str) -> Result<SidebarRows, StoreError> {
    let categories = conn
        .prepare_cached(
            "SELECT id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed
             FROM sidebar_categories WHERE user_id = ?1 AND team_id = ?2
             ORDER BY sort_order, id",
        )
        .and_then(|mut stmt| {
            stmt.query_map([user_id, team_id], category_from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(map_err)?;
    let placements = conn
        .prepare_cached(
            "SELECT channel_id, category_id, sort_order FROM sidebar_channels
             WHERE user_id = ?1 AND team_id = ?2 ORDER BY category_id, sort_order, channel_id",
        )
        .and_then(|mut stmt| {
            stmt.query_map([user_id, team_id], |row| {
                Ok(Placement {
                    channel_id: row.get(0)?,
                    category_id: row.get(1)?,
                    sort_order: row.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(map_err)?;
    Ok(SidebarRows {
        categories,
        placements,
    })
}

const UPSERT: &str = "INSERT INTO sidebar_categories
         (id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
         sorting = excluded.sorting, sort_order = excluded.sort_order,
         muted = excluded.muted, collapsed = excluded.collapsed
     WHERE sidebar_categories.user_id = excluded.user_id
       AND sidebar_categories.team_id = excluded.team_id";

/// Only the order of a category that has a row; a new row gets every field.
const REORDER: &str = "INSERT INTO sidebar_categories
         (id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (id) DO UPDATE SET sort_order = excluded.sort_order
     WHERE sidebar_categories.user_id = excluded.user_id
       AND sidebar_categories.team_id = excluded.team_id";

fn apply(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    team_id: &str,
    write: &SidebarWrite,
) -> Result<(), StoreError> {
    check_owner(user_id, team_id, write)?;
    let conn = tx.conn();
    for id in &write.delete {
        conn.execute(
            "DELETE FROM sidebar_channels WHERE user_id = ?1 AND team_id = ?2 AND category_id = ?3",
            params![user_id, team_id, id],
        )
        .and_then(|_| {
            conn.execute(
                "DELETE FROM sidebar_categories WHERE id = ?1 AND user_id = ?2 AND team_id = ?3",
                params![id, user_id, team_id],
            )
        })
        .map_err(map_err)?;
    }
    for w in &write.categories {
        let c = &w.category;
        conn.prepare_cached(if w.order_only { REORDER } else { UPSERT })
            .and_then(|mut stmt| {
                stmt.execute(params![
                    c.id,
                    c.user_id,
                    c.team_id,
                    c.kind.as_str(),
                    c.display_name,
                    c.sorting.as_str(),
                    c.sort_order,
                    c.muted,
                    c.collapsed
                ])
            })
            .map_err(map_err)?;
        if !w.channels {
            continue;
        }
        conn.execute(
            "DELETE FROM sidebar_channels WHERE user_id = ?1 AND team_id = ?2 AND category_id = ?3",
            params![user_id, team_id, c.id],
        )
        .map_err(map_err)?;
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO sidebar_channels (user_id, team_id, channel_id, category_id, sort_order)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id, team_id, channel_id) DO UPDATE
                 SET category_id = excluded.category_id, sort_order = excluded.sort_order",
            )
            .map_err(map_err)?;
        for (i, channel_id) in c.channel_ids.iter().enumerate() {
            stmt.execute(params![user_id, team_id, channel_id, c.id, i as i64 * 10])
                .map_err(map_err)?;
        }
    }
    if !write.save_preferences.is_empty() {
        preferences::save_in(tx, user_id, &write.save_preferences)?;
    }
    if !write.delete_preferences.is_empty() {
        preferences::delete_in(tx, user_id, &write.delete_preferences)?;
    }
    if let Some(change) = sidebar_change(user_id, team_id, &write.event)? {
        tx.emit(change)?;
    }
    Ok(())
}

#[async_trait]
impl SidebarStore for SqliteStore {
    async fn sidebar_rows(&self, user_id: &str, team_id: &str) -> Result<SidebarRows, StoreError> {
        let (user_id, team_id) = (user_id.to_string(), team_id.to_string());
        self.read(move |conn| select_rows(conn, &user_id, &team_id))
            .await
    }

    async fn write_sidebar(
        &self,
        user_id: &str,
        team_id: &str,
        write: &SidebarWrite,
    ) -> Result<(), StoreError> {
        let (user_id, team_id, write) = (user_id.to_string(), team_id.to_string(), write.clone());
        self.writer
            .write(move |tx| apply(tx, &user_id, &team_id, &write))
            .await
    }
}
