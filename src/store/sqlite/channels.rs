//! `ChannelStore` on SQLite: `channels` and `channel_members`.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::teams::scheme_roles;
use super::{SqliteStore, map_err};
use crate::model::{Channel, ChannelMember, ChannelType, now_millis};
pub(super) use crate::store::common::{
    CHANNEL_COLUMNS as COLUMNS, DEFAULT_NOTIFY_PROPS, type_code,
};
use crate::store::common::{
    CHANNEL_MEMBER_COLUMNS as MEMBER_COLUMNS, channel_type, channel_update_data,
};
use crate::store::{AllChannels, ChangeDraft, ChannelStore, MarkUnread, StoreError, TeamChannels};

pub(super) fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<Channel> {
    let kind: String = row.get(5)?;
    let props: String = row.get(15)?;
    Ok(Channel {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        team_id: row.get(4)?,
        channel_type: channel_type(&kind),
        display_name: row.get(6)?,
        name: row.get(7)?,
        header: row.get(8)?,
        purpose: row.get(9)?,
        last_post_at: row.get(10)?,
        last_root_post_at: row.get(11)?,
        total_msg_count: row.get(12)?,
        total_msg_count_root: row.get(13)?,
        creator_id: row.get(14)?,
        props: serde_json::from_str(&props).ok(),
        extra_update_at: row.get(16)?,
        scheme_id: None,
        group_constrained: None,
        shared: None,
        policy_id: None,
    })
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelMember> {
    let explicit: String = row.get(2)?;
    let (user, admin, guest): (bool, bool, bool) = (row.get(3)?, row.get(4)?, row.get(5)?);
    let notify: String = row.get(12)?;
    Ok(ChannelMember {
        channel_id: row.get(0)?,
        user_id: row.get(1)?,
        roles: scheme_roles("channel", user, admin, guest, &explicit),
        last_viewed_at: row.get(6)?,
        msg_count: row.get(7)?,
        msg_count_root: row.get(8)?,
        mention_count: row.get(9)?,
        mention_count_root: row.get(10)?,
        urgent_mention_count: row.get(11)?,
        notify_props: serde_json::from_str(&notify).unwrap_or_default(),
        last_update_at: row.get(13)?,
        scheme_user: user,
        scheme_admin: admin,
        scheme_guest: guest,
        explicit_roles: explicit,
    })
}

fn notify_json(member: &ChannelMember) -> String {
    if member.notify_props.is_empty() {
        DEFAULT_NOTIFY_PROPS.to_string()
    } else {
        serde_json::to_string(&member.notify_props).unwrap_or_else(|_| DEFAULT_NOTIFY_PROPS.into())
    }
}

fn insert_member(conn: &Connection, member: &ChannelMember, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO channel_members (channel_id, user_id, roles, scheme_user, scheme_admin, scheme_guest,
            last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, total_msg_count, total_msg_count_root, ?8, ?9
         FROM channels WHERE id = ?1",
        params![
            member.channel_id,
            member.user_id,
            member.explicit_roles,
            member.scheme_user,
            member.scheme_admin,
            member.scheme_guest,
            member.last_viewed_at,
            notify_json(member),
            now
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

/// Inserts a channel and its first members (in the caller's transaction).
pub(super) fn insert_channel(
    conn: &Connection,
    channel: &Channel,
    members: &[ChannelMember],
) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO channels ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ),
        params![
            channel.id,
            channel.create_at,
            channel.update_at,
            channel.delete_at,
            channel.team_id,
            type_code(channel.channel_type),
            channel.display_name,
            channel.name,
            channel.header,
            channel.purpose,
            channel.last_post_at,
            channel.last_root_post_at,
            channel.total_msg_count,
            channel.total_msg_count_root,
            channel.creator_id,
            serde_json::to_string(&channel.props.clone().unwrap_or_default()).unwrap_or_else(|_| "{}".into()),
            channel.extra_update_at,
        ],
    )
    .map_err(|e| match map_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict("name".into()),
        other => other,
    })?;
    for member in members {
        insert_member(conn, member, channel.create_at)?;
    }
    Ok(())
}

pub(super) fn select_channel(conn: &Connection, id: &str) -> Result<Channel, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM channels WHERE id = ?1"))
        .and_then(|mut stmt| stmt.query_row([id], channel_from_row))
        .map_err(map_err)
}

fn select_member(
    conn: &Connection,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = ?1 AND user_id = ?2"
    ))
    .and_then(|mut stmt| stmt.query_row(params![channel_id, user_id], member_from_row))
    .map_err(map_err)
}

fn channel_change(kind: &'static str, channel: &Channel, user_id: &str) -> ChangeDraft {
    ChangeDraft {
        kind,
        entity_id: channel.id.clone(),
        team_id: channel.team_id.clone(),
        channel_id: channel.id.clone(),
        user_id: user_id.to_string(),
        data: serde_json::json!({ "channel_id": channel.id, "user_id": user_id, "team_id": channel.team_id }),
    }
}

#[async_trait]
impl ChannelStore for SqliteStore {
    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[ChannelMember],
    ) -> Result<Channel, StoreError> {
        let (channel, members) = (channel.clone(), members.to_vec());
        self.writer
            .write(move |tx| {
                insert_channel(tx.conn(), &channel, &members)?;
                let saved = select_channel(tx.conn(), &channel.id)?;
                let kind = match saved.channel_type {
                    ChannelType::Direct => "direct_added",
                    ChannelType::Group => "group_added",
                    _ => "channel_created",
                };
                tx.emit(ChangeDraft {
                    data: serde_json::json!({ "channel_id": saved.id, "team_id": saved.team_id }),
                    ..channel_change(kind, &saved, &saved.creator_id)
                })?;
                Ok(saved)
            })
            .await
    }

    async fn get_channel(&self, id: &str) -> Result<Channel, StoreError> {
        let id = id.to_string();
        self.read(move |conn| select_channel(conn, &id)).await
    }

    async fn get_channel_by_name(&self, team_id: &str, name: &str) -> Result<Channel, StoreError> {
        let (team_id, name) = (team_id.to_string(), name.to_string());
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels WHERE team_id = ?1 AND name = ?2"
            ))
            .and_then(|mut stmt| stmt.query_row(params![team_id, name], channel_from_row))
            .map_err(map_err)
        })
        .await
    }

    async fn update_channel(&self, channel: &Channel) -> Result<Channel, StoreError> {
        let channel = channel.clone();
        self.writer
            .write(move |tx| {
                let previous = select_channel(tx.conn(), &channel.id)?;
                let was_deleted = previous.delete_at != 0;
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE channels SET update_at = ?2, delete_at = ?3, display_name = ?4, name = ?5,
                            header = ?6, purpose = ?7, type = ?8, props = ?9 WHERE id = ?1",
                        params![
                            channel.id,
                            now_millis(),
                            channel.delete_at,
                            channel.display_name,
                            channel.name,
                            channel.header,
                            channel.purpose,
                            type_code(channel.channel_type),
                            serde_json::to_string(&channel.props.clone().unwrap_or_default()).unwrap_or_else(|_| "{}".into()),
                        ],
                    )
                    .map_err(|e| match map_err(e) {
                        StoreError::Conflict(_) => StoreError::Conflict("name".into()),
                        other => other,
                    })?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_channel(tx.conn(), &channel.id)?;
                let kind = match (was_deleted, saved.delete_at != 0) {
                    (_, true) => "channel_deleted",
                    (true, false) => "channel_restored",
                    (false, false) => "channel_updated",
                };
                tx.emit(ChangeDraft {
                    data: channel_update_data(&saved, type_code(previous.channel_type)),
                    ..channel_change(kind, &saved, "")
                })?;
                Ok(saved)
            })
            .await
    }

    async fn list_team_channels(
        &self,
        team_id: &str,
        kind: TeamChannels,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError> {
        let (channel_type, archived) = kind.filter();
        let team_id = team_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM channels WHERE team_id = ?1 AND type = ?2 AND (delete_at != 0) = ?3
                     ORDER BY display_name, id LIMIT ?4 OFFSET ?5"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![team_id, channel_type, archived, limit, offset], channel_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_all_channels(
        &self,
        filter: AllChannels,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Channel>, i64), StoreError> {
        let condition = filter.condition();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM channels WHERE {condition}
                     ORDER BY display_name, id LIMIT ?1 OFFSET ?2"
                ))
                .map_err(map_err)?;
            let channels = stmt
                .query_map(params![limit, offset], channel_from_row)
                .map_err(map_err)?
                .collect::<Result<_, _>>()
                .map_err(map_err)?;
            let total = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM channels WHERE {condition}"),
                    [],
                    |row| row.get(0),
                )
                .map_err(map_err)?;
            Ok((channels, total))
        })
        .await
    }

    async fn scan_team_channels(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError> {
        let after = after.unwrap_or_default().to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM channels WHERE type IN ('O', 'P') AND id > ?1
                     ORDER BY id LIMIT ?2"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![after, limit], channel_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_user_channels(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<Channel>, StoreError> {
        let (user_id, team_id) = (user_id.to_string(), team_id.map(str::to_string));
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM channels WHERE id IN (SELECT channel_id FROM channel_members WHERE user_id = ?1)
                     AND (?2 IS NULL OR team_id = ?2 OR team_id = '') AND (?3 OR delete_at = 0)
                     ORDER BY display_name, id"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![user_id, team_id, include_deleted], channel_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn add_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        let member = member.clone();
        self.writer
            .write(move |tx| {
                insert_member(tx.conn(), &member, now_millis())?;
                let channel = select_channel(tx.conn(), &member.channel_id)?;
                let saved = select_member(tx.conn(), &member.channel_id, &member.user_id)?;
                tx.emit(channel_change("user_added", &channel, &member.user_id))?;
                Ok(saved)
            })
            .await
    }

    async fn remove_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        let (channel_id, user_id) = (channel_id.to_string(), user_id.to_string());
        self.writer
            .write(move |tx| {
                let removed = tx
                    .conn()
                    .execute(
                        "DELETE FROM channel_members WHERE channel_id = ?1 AND user_id = ?2",
                        params![channel_id, user_id],
                    )
                    .map_err(map_err)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                // Out of the user's sidebar too: a channel joined again lands in its
                // default category.
                tx.conn()
                    .execute(
                        "DELETE FROM sidebar_channels WHERE user_id = ?1 AND channel_id = ?2",
                        params![user_id, channel_id],
                    )
                    .map_err(map_err)?;
                let channel = select_channel(tx.conn(), &channel_id)?;
                tx.emit(channel_change("user_removed", &channel, &user_id))?;
                Ok(())
            })
            .await
    }

    async fn get_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<ChannelMember, StoreError> {
        let (channel_id, user_id) = (channel_id.to_string(), user_id.to_string());
        self.read(move |conn| select_member(conn, &channel_id, &user_id))
            .await
    }

    async fn list_channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        let channel_id = channel_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = ?1
                     ORDER BY user_id LIMIT ?2 OFFSET ?3"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![channel_id, limit, offset], member_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn channel_member_ids(&self, channel_id: &str) -> Result<Vec<String>, StoreError> {
        let channel_id = channel_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT user_id FROM channel_members WHERE channel_id = ?1")
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![channel_id], |row| row.get(0))
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn list_user_channel_members(
        &self,
        user_id: &str,
        team_id: Option<&str>,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        let (user_id, team_id) = (user_id.to_string(), team_id.map(str::to_string));
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE user_id = ?1 AND channel_id IN
                        (SELECT id FROM channels WHERE ?2 IS NULL OR team_id = ?2 OR team_id = '')
                     ORDER BY channel_id"
                ))
                .map_err(map_err)?;
            let rows = stmt.query_map(params![user_id, team_id], member_from_row).map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn update_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        let member = member.clone();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE channel_members SET roles = ?3, scheme_user = ?4, scheme_admin = ?5,
                            scheme_guest = ?6, notify_props = ?7, last_update_at = ?8
                         WHERE channel_id = ?1 AND user_id = ?2",
                        params![
                            member.channel_id,
                            member.user_id,
                            member.explicit_roles,
                            member.scheme_user,
                            member.scheme_admin,
                            member.scheme_guest,
                            notify_json(&member),
                            now_millis()
                        ],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let channel = select_channel(tx.conn(), &member.channel_id)?;
                let saved = select_member(tx.conn(), &member.channel_id, &member.user_id)?;
                tx.emit(ChangeDraft {
                    data: serde_json::json!({ "channelMember": serde_json::to_string(&saved).unwrap_or_default() }),
                    ..channel_change("channel_member_updated", &channel, &member.user_id)
                })?;
                Ok(saved)
            })
            .await
    }

    async fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (channel_id, user_id) = (channel_id.to_string(), user_id.to_string());
        self.writer
            .write(move |tx| {
                let previous = select_member(tx.conn(), &channel_id, &user_id)?.last_viewed_at;
                tx.conn()
                    .execute(
                        "UPDATE channel_members SET last_viewed_at = MAX(last_viewed_at, ?3),
                            msg_count = (SELECT total_msg_count FROM channels WHERE id = ?1),
                            msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = ?1),
                            mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
                            last_update_at = ?3
                         WHERE channel_id = ?1 AND user_id = ?2",
                        params![channel_id, user_id, now],
                    )
                    .map_err(map_err)?;
                let channel = select_channel(tx.conn(), &channel_id)?;
                tx.emit(channel_change("channel_viewed", &channel, &user_id))?;
                Ok(previous)
            })
            .await
    }

    async fn mark_channel_unread(
        &self,
        channel_id: &str,
        user_id: &str,
        unread: &MarkUnread,
    ) -> Result<ChannelMember, StoreError> {
        let (channel_id, user_id, unread) =
            (channel_id.to_string(), user_id.to_string(), unread.clone());
        self.writer
            .write(move |tx| {
                let conn = tx.conn();
                let now = now_millis();
                let changed = conn
                    .prepare_cached(
                        "UPDATE channel_members SET last_viewed_at = ?3 - 1,
                            msg_count = (SELECT total_msg_count FROM channels WHERE id = ?1)
                                - (SELECT COUNT(*) FROM posts WHERE channel_id = ?1 AND create_at >= ?3
                                   AND original_id = ''),
                            msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = ?1)
                                - (SELECT COUNT(*) FROM posts WHERE channel_id = ?1 AND create_at >= ?3
                                   AND original_id = '' AND root_id = ''),
                            mention_count = ?4, mention_count_root = ?5, urgent_mention_count = 0,
                            last_update_at = ?6
                         WHERE channel_id = ?1 AND user_id = ?2",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![
                            channel_id,
                            user_id,
                            unread.from,
                            unread.mention_count,
                            unread.mention_count_root,
                            now
                        ])
                    })
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_member(conn, &channel_id, &user_id)?;
                let channel = select_channel(conn, &channel_id)?;
                tx.emit(ChangeDraft {
                    data: serde_json::json!({
                        "post_id": unread.post_id,
                        "msg_count": saved.msg_count,
                        "msg_count_root": saved.msg_count_root,
                        "mention_count": saved.mention_count,
                        "mention_count_root": saved.mention_count_root,
                        "urgent_mention_count": saved.urgent_mention_count,
                        "last_viewed_at": saved.last_viewed_at,
                    }),
                    ..channel_change("post_unread", &channel, &user_id)
                })?;
                Ok(saved)
            })
            .await
    }

    async fn channel_member_count(&self, channel_id: &str) -> Result<i64, StoreError> {
        let channel_id = channel_id.to_string();
        self.read(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM channel_members m JOIN users u ON u.id = m.user_id
                 WHERE m.channel_id = ?1 AND u.delete_at = 0",
                [channel_id],
                |row| row.get(0),
            )
            .map_err(map_err)
        })
        .await
    }
}
