//! `SidebarStore` on PostgreSQL: the `sidebar_categories` and `sidebar_channels` tables.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::{PgStore, WriteTx, map_err, preferences};
use crate::model::{CategorySorting, CategoryType, SidebarCategory};
use crate::store::sidebar::{check_owner, sidebar_change};
use crate::store::{Placement, SidebarRows, SidebarStore, SidebarWrite, StoreError};

fn category_from_row(row: &Row) -> Result<SidebarCategory, tokio_postgres::Error> {
    let kind: String = row.try_get(3)?;
    let sorting: String = row.try_get(5)?;
    Ok(SidebarCategory {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        team_id: row.try_get(2)?,
        kind: CategoryType::parse(&kind).unwrap_or(CategoryType::Custom),
        display_name: row.try_get(4)?,
        sorting: CategorySorting::parse(&sorting).unwrap_or_default(),
        sort_order: row.try_get(6)?,
        muted: row.try_get(7)?,
        collapsed: row.try_get(8)?,
        channel_ids: Vec::new(),
    })
}

fn placement_from_row(row: &Row) -> Result<Placement, tokio_postgres::Error> {
    Ok(Placement {
        channel_id: row.try_get(0)?,
        category_id: row.try_get(1)?,
        sort_order: row.try_get(2)?,
    })
}

async fn apply(
    tx: &mut WriteTx,
    user_id: &str,
    team_id: &str,
    write: &SidebarWrite,
) -> Result<(), StoreError> {
    check_owner(user_id, team_id, write)?;
    {
        let client = tx.client();
        for id in &write.delete {
            client
                .execute(
                    "DELETE FROM sidebar_channels WHERE user_id = $1 AND team_id = $2 AND category_id = $3",
                    &[&user_id, &team_id, id],
                )
                .await
                .map_err(map_err)?;
            client
                .execute(
                    "DELETE FROM sidebar_categories WHERE id = $1 AND user_id = $2 AND team_id = $3",
                    &[id, &user_id, &team_id],
                )
                .await
                .map_err(map_err)?;
        }
        let upsert = client
            .prepare_cached(
                "INSERT INTO sidebar_categories
                     (id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
                     sorting = excluded.sorting, sort_order = excluded.sort_order,
                     muted = excluded.muted, collapsed = excluded.collapsed
                 WHERE sidebar_categories.user_id = excluded.user_id
                   AND sidebar_categories.team_id = excluded.team_id",
            )
            .await
            .map_err(map_err)?;
        let reorder = client
            .prepare_cached(
                "INSERT INTO sidebar_categories
                     (id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (id) DO UPDATE SET sort_order = excluded.sort_order
                 WHERE sidebar_categories.user_id = excluded.user_id
                   AND sidebar_categories.team_id = excluded.team_id",
            )
            .await
            .map_err(map_err)?;
        let place = client
            .prepare_cached(
                "INSERT INTO sidebar_channels (user_id, team_id, channel_id, category_id, sort_order)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (user_id, team_id, channel_id) DO UPDATE
                 SET category_id = excluded.category_id, sort_order = excluded.sort_order",
            )
            .await
            .map_err(map_err)?;
        for w in &write.categories {
            let c = &w.category;
            client
                .execute(
                    if w.order_only { &reorder } else { &upsert },
                    &[
                        &c.id,
                        &c.user_id,
                        &c.team_id,
                        &c.kind.as_str(),
                        &c.display_name,
                        &c.sorting.as_str(),
                        &c.sort_order,
                        &c.muted,
                        &c.collapsed,
                    ],
                )
                .await
                .map_err(map_err)?;
            if !w.channels {
                continue;
            }
            client
                .execute(
                    "DELETE FROM sidebar_channels WHERE user_id = $1 AND team_id = $2 AND category_id = $3",
                    &[&user_id, &team_id, &c.id],
                )
                .await
                .map_err(map_err)?;
            for (i, channel_id) in c.channel_ids.iter().enumerate() {
                client
                    .execute(
                        &place,
                        &[&user_id, &team_id, channel_id, &c.id, &(i as i64 * 10)],
                    )
                    .await
                    .map_err(map_err)?;
            }
        }
    }
    if !write.save_preferences.is_empty() {
        preferences::save_in(tx, user_id, &write.save_preferences).await?;
    }
    if !write.delete_preferences.is_empty() {
        preferences::delete_in(tx, user_id, &write.delete_preferences).await?;
    }
    if let Some(change) = sidebar_change(user_id, team_id, &write.event)? {
        tx.emit(change)?;
    }
    Ok(())
}

#[async_trait]
impl SidebarStore for PgStore {
    async fn sidebar_rows(&self, user_id: &str, team_id: &str) -> Result<SidebarRows, StoreError> {
        // From the primary: a client reads its sidebar right after changing it.
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, user_id, team_id, type, display_name, sorting, sort_order, muted, collapsed
                 FROM sidebar_categories WHERE user_id = $1 AND team_id = $2
                 ORDER BY sort_order, id",
                &[&user_id, &team_id],
            )
            .await
            .map_err(map_err)?;
        let categories = super::from_rows(&rows, category_from_row)?;
        let rows = client
            .query(
                "SELECT channel_id, category_id, sort_order FROM sidebar_channels
                 WHERE user_id = $1 AND team_id = $2 ORDER BY category_id, sort_order, channel_id",
                &[&user_id, &team_id],
            )
            .await
            .map_err(map_err)?;
        let placements = super::from_rows(&rows, placement_from_row)?;
        Ok(SidebarRows {
            categories,
            placements,
        })
    }

    async fn write_sidebar(
        &self,
        user_id: &str,
        team_id: &str,
        write: &SidebarWrite,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        apply(&mut tx, user_id, team_id, write).await?;
        tx.commit().await
    }
}
