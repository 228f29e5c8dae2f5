//! `TeamStore` on SQLite: `teams` and `team_members`.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::channels::insert_channel;
use super::{SqliteStore, map_err};
use crate::model::{Channel, ChannelMember, Team, TeamMember, now_millis};
pub(super) use crate::store::common::{scheme_roles, team_type_code};
use crate::store::common::{team_type, team_update_change};
use crate::store::{ChangeDraft, StoreError, TeamStore};

const COLUMNS: &str = "id, create_at, update_at, delete_at, display_name, name, description,
    email, type, company_name, allowed_domains, invite_id, allow_open_invite, last_team_icon_update";

const MEMBER_COLUMNS: &str =
    "team_id, user_id, roles, scheme_user, scheme_admin, scheme_guest, delete_at";

fn team_from_row(row: &Row<'_>) -> rusqlite::Result<Team> {
    let kind: String = row.get(8)?;
    Ok(Team {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        display_name: row.get(4)?,
        name: row.get(5)?,
        description: row.get(6)?,
        email: row.get(7)?,
        team_type: team_type(&kind),
        company_name: row.get(9)?,
        allowed_domains: row.get(10)?,
        invite_id: row.get(11)?,
        allow_open_invite: row.get(12)?,
        last_team_icon_update: row.get(13)?,
        scheme_id: None,
        group_constrained: None,
        policy_id: None,
    })
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<TeamMember> {
    let explicit: String = row.get(2)?;
    let (user, admin, guest): (bool, bool, bool) = (row.get(3)?, row.get(4)?, row.get(5)?);
    Ok(TeamMember {
        team_id: row.get(0)?,
        user_id: row.get(1)?,
        roles: scheme_roles("team", user, admin, guest, &explicit),
        delete_at: row.get(6)?,
        scheme_user: user,
        scheme_admin: admin,
        scheme_guest: guest,
        explicit_roles: explicit,
    })
}

fn insert_member(conn: &Connection, member: &TeamMember, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO team_members (team_id, user_id, roles, scheme_user, scheme_admin, scheme_guest, delete_at, create_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)
         ON CONFLICT (team_id, user_id) DO UPDATE SET roles = excluded.roles,
            scheme_user = excluded.scheme_user, scheme_admin = excluded.scheme_admin,
            scheme_guest = excluded.scheme_guest, delete_at = 0",
        params![
            member.team_id,
            member.user_id,
            member.explicit_roles,
            member.scheme_user,
            member.scheme_admin,
            member.scheme_guest,
            now
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

/// Puts a user in channels they are not yet in, reading up to the present.
pub(super) fn join_channels(
    conn: &Connection,
    user_id: &str,
    channel_ids: &[String],
    guest: bool,
    now: i64,
) -> Result<(), StoreError> {
    for channel_id in channel_ids {
        conn.execute(
            "INSERT INTO channel_members (channel_id, user_id, scheme_user, scheme_guest, last_viewed_at,
                msg_count, msg_count_root, notify_props, last_update_at)
             SELECT id, ?2, ?3, ?4, ?5, total_msg_count, total_msg_count_root, ?6, ?5
             FROM channels WHERE id = ?1
             ON CONFLICT (channel_id, user_id) DO NOTHING",
            params![channel_id, user_id, !guest, guest, now, super::channels::DEFAULT_NOTIFY_PROPS],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

fn get_member(conn: &Connection, team_id: &str, user_id: &str) -> Result<TeamMember, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = ?1 AND user_id = ?2 AND delete_at = 0"
    ))
    .and_then(|mut stmt| stmt.query_row(params![team_id, user_id], member_from_row))
    .map_err(map_err)
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

fn select_team(conn: &Connection, column: &str, value: &str) -> Result<Team, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM teams WHERE {column} = ?1"))
        .and_then(|mut stmt| stmt.query_row([value], team_from_row))
        .map_err(map_err)
}

#[async_trait]
impl TeamStore for SqliteStore {
    async fn create_team(
        &self,
        team: &Team,
        creator: &TeamMember,
        channels: &[Channel],
    ) -> Result<Team, StoreError> {
        let (team, creator, channels) = (team.clone(), creator.clone(), channels.to_vec());
        self.writer
            .write(move |tx| {
                let conn = tx.conn();
                conn.execute(
                    &format!("INSERT INTO teams ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                    params![
                        team.id, team.create_at, team.update_at, team.delete_at, team.display_name,
                        team.name, team.description, team.email, team_type_code(team.team_type),
                        team.company_name, team.allowed_domains, team.invite_id, team.allow_open_invite,
                        team.last_team_icon_update
                    ],
                )
                .map_err(|e| match map_err(e) {
                    StoreError::Conflict(d) if d.contains("teams.name") => StoreError::Conflict("name".into()),
                    other => other,
                })?;
                insert_member(conn, &creator, team.create_at)?;
                for channel in &channels {
                    let member = ChannelMember {
                        channel_id: channel.id.clone(),
                        user_id: creator.user_id.clone(),
                        scheme_user: true,
                        last_viewed_at: team.create_at,
                        ..ChannelMember::default()
                    };
                    insert_channel(conn, channel, &[member])?;
                }
                tx.emit(team_change("added_to_team", &team.id, &creator.user_id))?;
                Ok(team)
            })
            .await
    }

    async fn get_team(&self, id: &str) -> Result<Team, StoreError> {
        let id = id.to_string();
        self.read(move |conn| select_team(conn, "id", &id)).await
    }

    async fn get_team_by_name(&self, name: &str) -> Result<Team, StoreError> {
        let name = name.to_lowercase();
        self.read(move |conn| select_team(conn, "name", &name))
            .await
    }

    async fn get_team_by_invite_id(&self, invite_id: &str) -> Result<Team, StoreError> {
        let invite_id = invite_id.to_string();
        self.read(move |conn| select_team(conn, "invite_id", &invite_id))
            .await
    }

    async fn list_teams(
        &self,
        include_invite: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Team>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM teams WHERE delete_at = 0 AND (?1 OR (type = 'O' AND allow_open_invite = 1))
                     ORDER BY display_name, id LIMIT ?2 OFFSET ?3"
                ))
                .map_err(map_err)?;
            let rows = stmt.query_map(params![include_invite, limit, offset], team_from_row).map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn update_team(&self, team: &Team) -> Result<Team, StoreError> {
        let team = team.clone();
        self.writer
            .write(move |tx| {
                let was_deleted = select_team(tx.conn(), "id", &team.id)?.delete_at != 0;
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE teams SET update_at = ?2, delete_at = ?3, display_name = ?4, description = ?5,
                            email = ?6, type = ?7, company_name = ?8, allowed_domains = ?9, invite_id = ?10,
                            allow_open_invite = ?11 WHERE id = ?1",
                        params![
                            team.id, now_millis(), team.delete_at, team.display_name, team.description,
                            team.email, team_type_code(team.team_type), team.company_name,
                            team.allowed_domains, team.invite_id, team.allow_open_invite
                        ],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_team(tx.conn(), "id", &team.id)?;
                let kind = match (was_deleted, saved.delete_at != 0) {
                    (_, true) => "delete_team",
                    (true, false) => "restore_team",
                    (false, false) => "update_team",
                };
                tx.emit(team_update_change(kind, &saved))?;
                Ok(saved)
            })
            .await
    }

    async fn set_team_icon_update(&self, team_id: &str, at: i64) -> Result<Team, StoreError> {
        let team_id = team_id.to_string();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE teams SET last_team_icon_update = ?2, update_at = ?3 WHERE id = ?1",
                        params![team_id, at, now_millis()],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_team(tx.conn(), "id", &team_id)?;
                tx.emit(team_update_change("update_team", &saved))?;
                Ok(saved)
            })
            .await
    }

    async fn add_team_members(
        &self,
        members: &[TeamMember],
        channel_ids: &[String],
    ) -> Result<Vec<TeamMember>, StoreError> {
        let (members, channel_ids) = (members.to_vec(), channel_ids.to_vec());
        self.writer
            .write(move |tx| {
                let now = now_millis();
                let mut saved = Vec::with_capacity(members.len());
                for member in &members {
                    insert_member(tx.conn(), member, now)?;
                    join_channels(
                        tx.conn(),
                        &member.user_id,
                        &channel_ids,
                        member.scheme_guest,
                        now,
                    )?;
                    saved.push(get_member(tx.conn(), &member.team_id, &member.user_id)?);
                    tx.emit(team_change(
                        "added_to_team",
                        &member.team_id,
                        &member.user_id,
                    ))?;
                }
                Ok(saved)
            })
            .await
    }

    async fn remove_team_member(&self, team_id: &str, user_id: &str) -> Result<(), StoreError> {
        let (team_id, user_id) = (team_id.to_string(), user_id.to_string());
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE team_members SET delete_at = ?3 WHERE team_id = ?1 AND user_id = ?2 AND delete_at = 0",
                        params![team_id, user_id, now_millis()],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.conn()
                    .execute(
                        "DELETE FROM channel_members WHERE user_id = ?2
                         AND channel_id IN (SELECT id FROM channels WHERE team_id = ?1)",
                        params![team_id, user_id],
                    )
                    .map_err(map_err)?;
                tx.emit(team_change("leave_team", &team_id, &user_id))?;
                Ok(())
            })
            .await
    }

    async fn get_team_member(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<TeamMember, StoreError> {
        let (team_id, user_id) = (team_id.to_string(), user_id.to_string());
        self.read(move |conn| get_member(conn, &team_id, &user_id))
            .await
    }

    async fn list_team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<TeamMember>, StoreError> {
        let team_id = team_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = ?1 AND delete_at = 0
                     ORDER BY user_id LIMIT ?2 OFFSET ?3"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![team_id, limit, offset], member_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn team_member_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError> {
        let team_id = team_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT user_id FROM team_members WHERE team_id = ?1 AND delete_at = 0",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![team_id], |row| row.get(0))
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_user_team_members(&self, user_id: &str) -> Result<Vec<TeamMember>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM team_members m WHERE user_id = ?1 AND delete_at = 0
                     AND EXISTS (SELECT 1 FROM teams t WHERE t.id = m.team_id AND t.delete_at = 0)
                     ORDER BY team_id"
                ))
                .map_err(map_err)?;
            let rows = stmt.query_map([user_id], member_from_row).map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_user_teams(&self, user_id: &str) -> Result<Vec<Team>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM teams WHERE delete_at = 0 AND id IN
                        (SELECT team_id FROM team_members WHERE user_id = ?1 AND delete_at = 0)
                     ORDER BY display_name, id"
                ))
                .map_err(map_err)?;
            let rows = stmt.query_map([user_id], team_from_row).map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn update_team_member(&self, member: &TeamMember) -> Result<TeamMember, StoreError> {
        let member = member.clone();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE team_members SET roles = ?3, scheme_user = ?4, scheme_admin = ?5, scheme_guest = ?6
                         WHERE team_id = ?1 AND user_id = ?2 AND delete_at = 0",
                        params![
                            member.team_id, member.user_id, member.explicit_roles,
                            member.scheme_user, member.scheme_admin, member.scheme_guest
                        ],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = get_member(tx.conn(), &member.team_id, &member.user_id)?;
                tx.emit(team_change("memberrole_updated", &member.team_id, &member.user_id))?;
                Ok(saved)
            })
            .await
    }

    async fn team_member_counts(&self, team_id: &str) -> Result<(i64, i64), StoreError> {
        let team_id = team_id.to_string();
        self.read(move |conn| {
            conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(u.delete_at = 0), 0) FROM team_members m
                 JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 AND m.delete_at = 0",
                [team_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(map_err)
        })
        .await
    }
}
