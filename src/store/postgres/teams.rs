//! `TeamStore` on PostgreSQL: `teams` and `team_members`.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;

use super::channels::{DEFAULT_NOTIFY_PROPS, insert_channel};
use super::{PgStore, big, map_err, one};
use crate::model::{Channel, ChannelMember, Team, TeamMember, now_millis};
pub(super) use crate::store::common::{scheme_roles, team_type_code};
use crate::store::common::{team_type, team_update_change};
use crate::store::{ChangeDraft, StoreError, TeamStore};

const COLUMNS: &str = "id, create_at, update_at, delete_at, display_name, name, description,
    email, type, company_name, allowed_domains, invite_id, allow_open_invite, last_team_icon_update";

const MEMBER_COLUMNS: &str =
    "team_id, user_id, roles, scheme_user, scheme_admin, scheme_guest, delete_at";

fn team_from_row(row: &Row) -> Result<Team, tokio_postgres::Error> {
    let kind: String = row.try_get(8)?;
    Ok(Team {
        id: row.try_get(0)?,
        create_at: row.try_get(1)?,
        update_at: row.try_get(2)?,
        delete_at: row.try_get(3)?,
        display_name: row.try_get(4)?,
        name: row.try_get(5)?,
        description: row.try_get(6)?,
        email: row.try_get(7)?,
        team_type: team_type(&kind),
        company_name: row.try_get(9)?,
        allowed_domains: row.try_get(10)?,
        invite_id: row.try_get(11)?,
        allow_open_invite: row.try_get(12)?,
        last_team_icon_update: row.try_get(13)?,
        scheme_id: None,
        group_constrained: None,
        policy_id: None,
    })
}

fn member_from_row(row: &Row) -> Result<TeamMember, tokio_postgres::Error> {
    let explicit: String = row.try_get(2)?;
    let (user, admin, guest): (bool, bool, bool) =
        (row.try_get(3)?, row.try_get(4)?, row.try_get(5)?);
    Ok(TeamMember {
        team_id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        roles: scheme_roles("team", user, admin, guest, &explicit),
        delete_at: row.try_get(6)?,
        scheme_user: user,
        scheme_admin: admin,
        scheme_guest: guest,
        explicit_roles: explicit,
    })
}

fn teams_from_rows(rows: &[Row]) -> Result<Vec<Team>, StoreError> {
    super::from_rows(rows, team_from_row)
}

fn members_from_rows(rows: &[Row]) -> Result<Vec<TeamMember>, StoreError> {
    super::from_rows(rows, member_from_row)
}

/// Adds a membership, or brings back a removed one with the new roles.
async fn insert_member(
    client: &ClientWrapper,
    member: &TeamMember,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO team_members (team_id, user_id, roles, scheme_user, scheme_admin,
                scheme_guest, delete_at, create_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
             ON CONFLICT (team_id, user_id) DO UPDATE SET roles = excluded.roles,
                scheme_user = excluded.scheme_user, scheme_admin = excluded.scheme_admin,
                scheme_guest = excluded.scheme_guest, delete_at = 0",
        )
        .await
        .map_err(map_err)?;
    client
        .execute(
            &stmt,
            &[
                &member.team_id,
                &member.user_id,
                &member.explicit_roles,
                &member.scheme_user,
                &member.scheme_admin,
                &member.scheme_guest,
                &now,
            ],
        )
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Puts a user in channels they are not yet in, reading up to the present.
pub(super) async fn join_channels(
    client: &ClientWrapper,
    user_id: &str,
    channel_ids: &[String],
    guest: bool,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO channel_members (channel_id, user_id, scheme_user, scheme_guest,
                last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at)
             SELECT id, $2::text, $3::boolean, $4::boolean, $5::bigint, total_msg_count,
                total_msg_count_root, $6::text, $5::bigint
             FROM channels WHERE id = $1
             ON CONFLICT (channel_id, user_id) DO NOTHING",
        )
        .await
        .map_err(map_err)?;
    for channel_id in channel_ids {
        client
            .execute(
                &stmt,
                &[
                    channel_id,
                    &user_id,
                    &!guest,
                    &guest,
                    &now,
                    &DEFAULT_NOTIFY_PROPS,
                ],
            )
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

/// An active membership; `NotFound` when there is none.
async fn get_member(
    client: &ClientWrapper,
    team_id: &str,
    user_id: &str,
) -> Result<TeamMember, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM team_members
             WHERE team_id = $1 AND user_id = $2 AND delete_at = 0"
        ))
        .await
        .map_err(map_err)?;
    let rows = client
        .query(&stmt, &[&team_id, &user_id])
        .await
        .map_err(map_err)?;
    member_from_row(&one(rows)?).map_err(map_err)
}

fn team_change(kind: &'static str, team_id: &str, user_id: &str) -> ChangeDraft {
    ChangeDraft {
        kind,
        entity_id: team_id.to_string(),
        team_id: team_id.to_string(),
        user_id: user_id.to_string(),
        data: serde_json::json!({ "team_id": team_id, "user_id": user_id }),
        ..ChangeDraft::default()
    }
}

/// The team whose `column` (`id`, `name` or `invite_id`) equals `value`.
async fn select_team(
    client: &ClientWrapper,
    column: &str,
    value: &str,
) -> Result<Team, StoreError> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM teams WHERE {column} = $1"))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&value]).await.map_err(map_err)?;
    team_from_row(&one(rows)?).map_err(map_err)
}

#[async_trait]
impl TeamStore for PgStore {
    async fn create_team(
        &self,
        team: &Team,
        creator: &TeamMember,
        channels: &[Channel],
    ) -> Result<Team, StoreError> {
        let mut tx = self.begin().await?;
        tx.client()
            .execute(
                &format!(
                    "INSERT INTO teams ({COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ),
                &[
                    &team.id,
                    &team.create_at,
                    &team.update_at,
                    &team.delete_at,
                    &team.display_name,
                    &team.name,
                    &team.description,
                    &team.email,
                    &team_type_code(team.team_type),
                    &team.company_name,
                    &team.allowed_domains,
                    &team.invite_id,
                    &team.allow_open_invite,
                    &team.last_team_icon_update,
                ],
            )
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Conflict(c) if c == "teams_name_key" => {
                    StoreError::Conflict("name".into())
                }
                other => other,
            })?;
        insert_member(tx.client(), creator, team.create_at).await?;
        for channel in channels {
            let member = ChannelMember {
                channel_id: channel.id.clone(),
                user_id: creator.user_id.clone(),
                scheme_user: true,
                last_viewed_at: team.create_at,
                ..ChannelMember::default()
            };
            insert_channel(tx.client(), channel, &[member]).await?;
        }
        tx.emit(team_change("added_to_team", &team.id, &creator.user_id))?;
        tx.commit().await?;
        Ok(team.clone())
    }

    async fn get_team(&self, id: &str) -> Result<Team, StoreError> {
        let client = self.client().await?;
        select_team(&client, "id", id).await
    }

    async fn get_team_by_name(&self, name: &str) -> Result<Team, StoreError> {
        let client = self.client().await?;
        select_team(&client, "name", &name.to_lowercase()).await
    }

    async fn get_team_by_invite_id(&self, invite_id: &str) -> Result<Team, StoreError> {
        let client = self.client().await?;
        select_team(&client, "invite_id", invite_id).await
    }

    async fn list_teams(
        &self,
        include_invite: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Team>, StoreError> {
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM teams
                 WHERE delete_at = 0 AND ($1 OR (type = 'O' AND allow_open_invite))
                 ORDER BY display_name COLLATE \"C\", id LIMIT $2 OFFSET $3"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&include_invite, &big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        teams_from_rows(&rows)
    }

    async fn update_team(&self, team: &Team) -> Result<Team, StoreError> {
        let mut tx = self.begin().await?;
        // Locked, so concurrent updates each see the state the other left (as on SQLite,
        // where writes run one at a time) and choose the right change kind.
        let rows = tx
            .client()
            .query(
                "SELECT delete_at FROM teams WHERE id = $1 FOR UPDATE",
                &[&team.id],
            )
            .await
            .map_err(map_err)?;
        let was_deleted = one(rows)?.try_get::<_, i64>(0).map_err(map_err)? != 0;
        let changed = tx
            .client()
            .execute(
                "UPDATE teams SET update_at = $2, delete_at = $3, display_name = $4,
                    description = $5, email = $6, type = $7, company_name = $8,
                    allowed_domains = $9, invite_id = $10, allow_open_invite = $11
                 WHERE id = $1",
                &[
                    &team.id,
                    &now_millis(),
                    &team.delete_at,
                    &team.display_name,
                    &team.description,
                    &team.email,
                    &team_type_code(team.team_type),
                    &team.company_name,
                    &team.allowed_domains,
                    &team.invite_id,
                    &team.allow_open_invite,
                ],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_team(tx.client(), "id", &team.id).await?;
        let kind = match (was_deleted, saved.delete_at != 0) {
            (_, true) => "delete_team",
            (true, false) => "restore_team",
            (false, false) => "update_team",
        };
        tx.emit(team_update_change(kind, &saved))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn set_team_icon_update(&self, team_id: &str, at: i64) -> Result<Team, StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx
            .client()
            .execute(
                "UPDATE teams SET last_team_icon_update = $2, update_at = $3 WHERE id = $1",
                &[&team_id, &at, &now_millis()],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_team(tx.client(), "id", team_id).await?;
        tx.emit(team_update_change("update_team", &saved))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn add_team_members(
        &self,
        members: &[TeamMember],
        channel_ids: &[String],
    ) -> Result<Vec<TeamMember>, StoreError> {
        let mut tx = self.begin().await?;
        let now = now_millis();
        let mut saved = Vec::with_capacity(members.len());
        for member in members {
            insert_member(tx.client(), member, now).await?;
            join_channels(
                tx.client(),
                &member.user_id,
                channel_ids,
                member.scheme_guest,
                now,
            )
            .await?;
            saved.push(get_member(tx.client(), &member.team_id, &member.user_id).await?);
            tx.emit(team_change(
                "added_to_team",
                &member.team_id,
                &member.user_id,
            ))?;
        }
        tx.commit().await?;
        Ok(saved)
    }

    async fn remove_team_member(&self, team_id: &str, user_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx
            .client()
            .execute(
                "UPDATE team_members SET delete_at = $3
                 WHERE team_id = $1 AND user_id = $2 AND delete_at = 0",
                &[&team_id, &user_id, &now_millis()],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.client()
            .execute(
                "DELETE FROM channel_members WHERE user_id = $2
                 AND channel_id IN (SELECT id FROM channels WHERE team_id = $1)",
                &[&team_id, &user_id],
            )
            .await
            .map_err(map_err)?;
        tx.emit(team_change("leave_team", team_id, user_id))?;
        tx.commit().await
    }

    async fn get_team_member(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<TeamMember, StoreError> {
        let client = self.client().await?;
        get_member(&client, team_id, user_id).await
    }

    async fn list_team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<TeamMember>, StoreError> {
        // The primary: event audiences are worked out from this list, and must be current.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = $1 AND delete_at = 0
                 ORDER BY user_id LIMIT $2 OFFSET $3"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&team_id, &big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        members_from_rows(&rows)
    }

    async fn team_member_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT user_id FROM team_members WHERE team_id = $1 AND delete_at = 0")
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&team_id]).await.map_err(map_err)?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(map_err))
            .collect()
    }

    async fn list_user_team_members(&self, user_id: &str) -> Result<Vec<TeamMember>, StoreError> {
        // The primary: a client lists its teams right after joining one.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM team_members m WHERE user_id = $1 AND delete_at = 0
                 AND EXISTS (SELECT 1 FROM teams t WHERE t.id = m.team_id AND t.delete_at = 0)
                 ORDER BY team_id"
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_id]).await.map_err(map_err)?;
        members_from_rows(&rows)
    }

    async fn list_user_teams(&self, user_id: &str) -> Result<Vec<Team>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM teams WHERE delete_at = 0 AND id IN
                    (SELECT team_id FROM team_members WHERE user_id = $1 AND delete_at = 0)
                 ORDER BY display_name COLLATE \"C\", id"
            ))
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&user_id]).await.map_err(map_err)?;
        teams_from_rows(&rows)
    }

    async fn update_team_member(&self, member: &TeamMember) -> Result<TeamMember, StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx
            .client()
            .execute(
                "UPDATE team_members SET roles = $3, scheme_user = $4, scheme_admin = $5,
                    scheme_guest = $6
                 WHERE team_id = $1 AND user_id = $2 AND delete_at = 0",
                &[
                    &member.team_id,
                    &member.user_id,
                    &member.explicit_roles,
                    &member.scheme_user,
                    &member.scheme_admin,
                    &member.scheme_guest,
                ],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = get_member(tx.client(), &member.team_id, &member.user_id).await?;
        tx.emit(team_change(
            "memberrole_updated",
            &member.team_id,
            &member.user_id,
        ))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn team_member_counts(&self, team_id: &str) -> Result<(i64, i64), StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE u.delete_at = 0) FROM team_members m
                 JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 AND m.delete_at = 0",
                &[&team_id],
            )
            .await
            .map_err(map_err)?;
        Ok((
            row.try_get(0).map_err(map_err)?,
            row.try_get(1).map_err(map_err)?,
        ))
    }
}
