//! `ChannelStore` on PostgreSQL: `channels` and `channel_members`.

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::Row;

use super::teams::scheme_roles;
use super::{PgStore, big, map_err, one};
use crate::model::{Channel, ChannelMember, ChannelType, now_millis};
pub(super) use crate::store::common::{
    CHANNEL_COLUMNS as COLUMNS, DEFAULT_NOTIFY_PROPS, type_code,
};
use crate::store::common::{
    CHANNEL_MEMBER_COLUMNS as MEMBER_COLUMNS, channel_type, channel_update_data,
};
use crate::store::{AllChannels, ChangeDraft, ChannelStore, MarkUnread, StoreError, TeamChannels};

/// A channel from a row of [`COLUMNS`].
pub(super) fn channel_from_row(row: &Row) -> Result<Channel, tokio_postgres::Error> {
    let kind: String = row.try_get(5)?;
    let props: String = row.try_get(15)?;
    Ok(Channel {
        id: row.try_get(0)?,
        create_at: row.try_get(1)?,
        update_at: row.try_get(2)?,
        delete_at: row.try_get(3)?,
        team_id: row.try_get(4)?,
        channel_type: channel_type(&kind),
        display_name: row.try_get(6)?,
        name: row.try_get(7)?,
        header: row.try_get(8)?,
        purpose: row.try_get(9)?,
        last_post_at: row.try_get(10)?,
        last_root_post_at: row.try_get(11)?,
        total_msg_count: row.try_get(12)?,
        total_msg_count_root: row.try_get(13)?,
        creator_id: row.try_get(14)?,
        props: serde_json::from_str(&props).ok(),
        extra_update_at: row.try_get(16)?,
        scheme_id: None,
        group_constrained: None,
        shared: None,
        policy_id: None,
    })
}

fn member_from_row(row: &Row) -> Result<ChannelMember, tokio_postgres::Error> {
    let explicit: String = row.try_get(2)?;
    let (user, admin, guest): (bool, bool, bool) =
        (row.try_get(3)?, row.try_get(4)?, row.try_get(5)?);
    let notify: String = row.try_get(12)?;
    Ok(ChannelMember {
        channel_id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        roles: scheme_roles("channel", user, admin, guest, &explicit),
        last_viewed_at: row.try_get(6)?,
        msg_count: row.try_get(7)?,
        msg_count_root: row.try_get(8)?,
        mention_count: row.try_get(9)?,
        mention_count_root: row.try_get(10)?,
        urgent_mention_count: row.try_get(11)?,
        notify_props: serde_json::from_str(&notify).unwrap_or_default(),
        last_update_at: row.try_get(13)?,
        scheme_user: user,
        scheme_admin: admin,
        scheme_guest: guest,
        explicit_roles: explicit,
    })
}

fn channels_from_rows(rows: &[Row]) -> Result<Vec<Channel>, StoreError> {
    super::from_rows(rows, channel_from_row)
}

fn members_from_rows(rows: &[Row]) -> Result<Vec<ChannelMember>, StoreError> {
    super::from_rows(rows, member_from_row)
}

fn notify_json(member: &ChannelMember) -> String {
    if member.notify_props.is_empty() {
        DEFAULT_NOTIFY_PROPS.to_string()
    } else {
        serde_json::to_string(&member.notify_props).unwrap_or_else(|_| DEFAULT_NOTIFY_PROPS.into())
    }
}

fn props_json(channel: &Channel) -> String {
    serde_json::to_string(&channel.props.clone().unwrap_or_default())
        .unwrap_or_else(|_| "{}".into())
}

/// Any broken uniqueness rule of `channels` is a taken name, as on SQLite.
fn name_taken(error: StoreError) -> StoreError {
    match error {
        StoreError::Conflict(_) => StoreError::Conflict("name".into()),
        other => other,
    }
}

/// Adds a membership, its read counts caught up with the channel (nothing is inserted
/// when the channel does not exist).
async fn insert_member(
    client: &ClientWrapper,
    member: &ChannelMember,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO channel_members (channel_id, user_id, roles, scheme_user, scheme_admin,
                scheme_guest, last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at)
             SELECT $1::text, $2::text, $3::text, $4::boolean, $5::boolean, $6::boolean, $7::bigint,
                total_msg_count, total_msg_count_root, $8::text, $9::bigint
             FROM channels WHERE id = $1",
        )
        .await
        .map_err(map_err)?;
    client
        .execute(
            &stmt,
            &[
                &member.channel_id,
                &member.user_id,
                &member.explicit_roles,
                &member.scheme_user,
                &member.scheme_admin,
                &member.scheme_guest,
                &member.last_viewed_at,
                &notify_json(member),
                &now,
            ],
        )
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Inserts a channel and its first members (in the caller's transaction).
/// `Conflict("name")` when the name (or the id) is taken.
pub(super) async fn insert_channel(
    client: &ClientWrapper,
    channel: &Channel,
    members: &[ChannelMember],
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "INSERT INTO channels ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        ))
        .await
        .map_err(map_err)?;
    client
        .execute(
            &stmt,
            &[
                &channel.id,
                &channel.create_at,
                &channel.update_at,
                &channel.delete_at,
                &channel.team_id,
                &type_code(channel.channel_type),
                &channel.display_name,
                &channel.name,
                &channel.header,
                &channel.purpose,
                &channel.last_post_at,
                &channel.last_root_post_at,
                &channel.total_msg_count,
                &channel.total_msg_count_root,
                &channel.creator_id,
                &props_json(channel),
                &channel.extra_update_at,
            ],
        )
        .await
        .map_err(|e| name_taken(map_err(e)))?;
    for member in members {
        insert_member(client, member, channel.create_at).await?;
    }
    Ok(())
}

/// The channel with this id, read on `client` (the primary, or a write transaction's
/// connection); `NotFound` when there is none.
pub(super) async fn select_channel(
    client: &ClientWrapper,
    id: &str,
) -> Result<Channel, StoreError> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM channels WHERE id = $1"))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&id]).await.map_err(map_err)?;
    channel_from_row(&one(rows)?).map_err(map_err)
}

/// A user's membership of a channel; `NotFound` when they are not a member.
pub(super) async fn select_member(
    client: &ClientWrapper,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember, StoreError> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = $1 AND user_id = $2"
        ))
        .await
        .map_err(map_err)?;
    let rows = client
        .query(&stmt, &[&channel_id, &user_id])
        .await
        .map_err(map_err)?;
    member_from_row(&one(rows)?).map_err(map_err)
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
impl ChannelStore for PgStore {
    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[ChannelMember],
    ) -> Result<Channel, StoreError> {
        let mut tx = self.begin().await?;
        insert_channel(tx.client(), channel, members).await?;
        let saved = select_channel(tx.client(), &channel.id).await?;
        let kind = match saved.channel_type {
            ChannelType::Direct => "direct_added",
            ChannelType::Group => "group_added",
            _ => "channel_created",
        };
        tx.emit(ChangeDraft {
            data: serde_json::json!({ "channel_id": saved.id, "team_id": saved.team_id }),
            ..channel_change(kind, &saved, &saved.creator_id)
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn get_channel(&self, id: &str) -> Result<Channel, StoreError> {
        let client = self.client().await?;
        select_channel(&client, id).await
    }

    async fn get_channel_by_name(&self, team_id: &str, name: &str) -> Result<Channel, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels WHERE team_id = $1 AND name = $2"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&team_id, &name])
            .await
            .map_err(map_err)?;
        channel_from_row(&one(rows)?).map_err(map_err)
    }

    async fn update_channel(&self, channel: &Channel) -> Result<Channel, StoreError> {
        let mut tx = self.begin().await?;
        // Locked, so concurrent updates each see the state the other left (as on SQLite,
        // where writes run one at a time) and choose the right change kind, and tell a
        // conversion from other updates.
        let rows = tx
            .client()
            .query(
                "SELECT delete_at, type FROM channels WHERE id = $1 FOR UPDATE",
                &[&channel.id],
            )
            .await
            .map_err(map_err)?;
        let previous = one(rows)?;
        let was_deleted = previous.try_get::<_, i64>(0).map_err(map_err)? != 0;
        let previous_type: String = previous.try_get(1).map_err(map_err)?;
        let changed = tx
            .client()
            .execute(
                "UPDATE channels SET update_at = $2, delete_at = $3, display_name = $4, name = $5,
                    header = $6, purpose = $7, type = $8, props = $9 WHERE id = $1",
                &[
                    &channel.id,
                    &now_millis(),
                    &channel.delete_at,
                    &channel.display_name,
                    &channel.name,
                    &channel.header,
                    &channel.purpose,
                    &type_code(channel.channel_type),
                    &props_json(channel),
                ],
            )
            .await
            .map_err(|e| name_taken(map_err(e)))?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_channel(tx.client(), &channel.id).await?;
        let kind = match (was_deleted, saved.delete_at != 0) {
            (_, true) => "channel_deleted",
            (true, false) => "channel_restored",
            (false, false) => "channel_updated",
        };
        tx.emit(ChangeDraft {
            data: channel_update_data(&saved, &previous_type),
            ..channel_change(kind, &saved, "")
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn list_team_channels(
        &self,
        team_id: &str,
        kind: TeamChannels,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError> {
        let (channel_type, archived) = kind.filter();
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels
                 WHERE team_id = $1 AND type = $2 AND (delete_at != 0) = $3
                 ORDER BY display_name COLLATE \"C\", id LIMIT $4 OFFSET $5"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(
                &stmt,
                &[
                    &team_id,
                    &channel_type,
                    &archived,
                    &big(limit),
                    &big(offset),
                ],
            )
            .await
            .map_err(map_err)?;
        channels_from_rows(&rows)
    }

    async fn list_all_channels(
        &self,
        filter: AllChannels,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Channel>, i64), StoreError> {
        let condition = filter.condition();
        let client = self.replica().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels WHERE {condition}
                 ORDER BY display_name COLLATE \"C\", id LIMIT $1 OFFSET $2"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        let total: i64 = client
            .query_one(
                &format!("SELECT COUNT(*) FROM channels WHERE {condition}"),
                &[],
            )
            .await
            .map_err(map_err)?
            .get(0);
        Ok((channels_from_rows(&rows)?, total))
    }

    async fn scan_team_channels(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels WHERE type IN ('O', 'P') AND id > $1
                 ORDER BY id LIMIT $2"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&after.unwrap_or_default(), &big(limit)])
            .await
            .map_err(map_err)?;
        channels_from_rows(&rows)
    }

    async fn list_user_channels(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<Channel>, StoreError> {
        // The primary: a client lists its channels right after joining one.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM channels
                 WHERE id IN (SELECT channel_id FROM channel_members WHERE user_id = $1)
                   AND ($2::text IS NULL OR team_id = $2 OR team_id = '') AND ($3 OR delete_at = 0)
                 ORDER BY display_name COLLATE \"C\", id"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &team_id, &include_deleted])
            .await
            .map_err(map_err)?;
        channels_from_rows(&rows)
    }

    async fn add_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        let mut tx = self.begin().await?;
        insert_member(tx.client(), member, now_millis()).await?;
        let channel = select_channel(tx.client(), &member.channel_id).await?;
        let saved = select_member(tx.client(), &member.channel_id, &member.user_id).await?;
        tx.emit(channel_change("user_added", &channel, &member.user_id))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn remove_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let removed = tx
            .client()
            .execute(
                "DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2",
                &[&channel_id, &user_id],
            )
            .await
            .map_err(map_err)?;
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        // Out of the user's sidebar too: a channel joined again lands in its default
        // category.
        tx.client()
            .execute(
                "DELETE FROM sidebar_channels WHERE user_id = $1 AND channel_id = $2",
                &[&user_id, &channel_id],
            )
            .await
            .map_err(map_err)?;
        let channel = select_channel(tx.client(), channel_id).await?;
        tx.emit(channel_change("user_removed", &channel, user_id))?;
        tx.commit().await
    }

    async fn get_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<ChannelMember, StoreError> {
        let client = self.client().await?;
        select_member(&client, channel_id, user_id).await
    }

    async fn list_channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        // The primary: mentions and event audiences are worked out from this list.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE channel_id = $1
                 ORDER BY user_id LIMIT $2 OFFSET $3"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&channel_id, &big(limit), &big(offset)])
            .await
            .map_err(map_err)?;
        members_from_rows(&rows)
    }

    async fn channel_member_ids(&self, channel_id: &str) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT user_id FROM channel_members WHERE channel_id = $1")
            .await
            .map_err(map_err)?;
        let rows = client.query(&stmt, &[&channel_id]).await.map_err(map_err)?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(map_err))
            .collect()
    }

    async fn list_user_channel_members(
        &self,
        user_id: &str,
        team_id: Option<&str>,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        // The primary: read state must reflect a view or a post just made.
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM channel_members WHERE user_id = $1 AND channel_id IN
                    (SELECT id FROM channels WHERE $2::text IS NULL OR team_id = $2 OR team_id = '')
                 ORDER BY channel_id"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&user_id, &team_id])
            .await
            .map_err(map_err)?;
        members_from_rows(&rows)
    }

    async fn update_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx
            .client()
            .execute(
                "UPDATE channel_members SET roles = $3, scheme_user = $4, scheme_admin = $5,
                    scheme_guest = $6, notify_props = $7, last_update_at = $8
                 WHERE channel_id = $1 AND user_id = $2",
                &[
                    &member.channel_id,
                    &member.user_id,
                    &member.explicit_roles,
                    &member.scheme_user,
                    &member.scheme_admin,
                    &member.scheme_guest,
                    &notify_json(member),
                    &now_millis(),
                ],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let channel = select_channel(tx.client(), &member.channel_id).await?;
        let saved = select_member(tx.client(), &member.channel_id, &member.user_id).await?;
        tx.emit(ChangeDraft {
            data: serde_json::json!({ "channelMember": serde_json::to_string(&saved).unwrap_or_default() }),
            ..channel_change("channel_member_updated", &channel, &member.user_id)
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        // Locked, so of two views at once the second returns what the first wrote.
        let rows = tx
            .client()
            .query(
                "SELECT last_viewed_at FROM channel_members
                 WHERE channel_id = $1 AND user_id = $2 FOR UPDATE",
                &[&channel_id, &user_id],
            )
            .await
            .map_err(map_err)?;
        let previous: i64 = one(rows)?.try_get(0).map_err(map_err)?;
        tx.client()
            .execute(
                "UPDATE channel_members SET last_viewed_at = GREATEST(last_viewed_at, $3),
                    msg_count = (SELECT total_msg_count FROM channels WHERE id = $1),
                    msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1),
                    mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
                    last_update_at = $3
                 WHERE channel_id = $1 AND user_id = $2",
                &[&channel_id, &user_id, &now],
            )
            .await
            .map_err(map_err)?;
        let channel = select_channel(tx.client(), channel_id).await?;
        tx.emit(channel_change("channel_viewed", &channel, user_id))?;
        tx.commit().await?;
        Ok(previous)
    }

    async fn mark_channel_unread(
        &self,
        channel_id: &str,
        user_id: &str,
        unread: &MarkUnread,
    ) -> Result<ChannelMember, StoreError> {
        let mut tx = self.begin().await?;
        let stmt = tx
            .client()
            .prepare_cached(
                "UPDATE channel_members SET last_viewed_at = $3::bigint - 1,
                    msg_count = (SELECT total_msg_count FROM channels WHERE id = $1)
                        - (SELECT COUNT(*) FROM posts WHERE channel_id = $1 AND create_at >= $3
                           AND original_id = ''),
                    msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1)
                        - (SELECT COUNT(*) FROM posts WHERE channel_id = $1 AND create_at >= $3
                           AND original_id = '' AND root_id = ''),
                    mention_count = $4, mention_count_root = $5, urgent_mention_count = 0,
                    last_update_at = $6
                 WHERE channel_id = $1 AND user_id = $2",
            )
            .await
            .map_err(map_err)?;
        let changed = tx
            .client()
            .execute(
                &stmt,
                &[
                    &channel_id,
                    &user_id,
                    &unread.from,
                    &unread.mention_count,
                    &unread.mention_count_root,
                    &now_millis(),
                ],
            )
            .await
            .map_err(map_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let saved = select_member(tx.client(), channel_id, user_id).await?;
        let channel = select_channel(tx.client(), channel_id).await?;
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
            ..channel_change("post_unread", &channel, user_id)
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn channel_member_count(&self, channel_id: &str) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM channel_members m JOIN users u ON u.id = m.user_id
                 WHERE m.channel_id = $1 AND u.delete_at = 0",
                &[&channel_id],
            )
            .await
            .map_err(map_err)?;
        row.try_get(0).map_err(map_err)
    }
}
