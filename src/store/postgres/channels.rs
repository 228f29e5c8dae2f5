//! `ChannelStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::model::*;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl ChannelStore for PgStore {
    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[ChannelMember],
    ) -> Result<Channel, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_channel(&self, id: &str) -> Result<Channel, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_channel_by_name(&self, team_id: &str, name: &str) -> Result<Channel, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_channel(&self, channel: &Channel) -> Result<Channel, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_team_channels(
        &self,
        team_id: &str,
        archived: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_user_channels(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<Channel>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn add_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn remove_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<ChannelMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_user_channel_members(
        &self,
        user_id: &str,
        team_id: Option<&str>,
    ) -> Result<Vec<ChannelMember>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn mark_channel_unread(
        &self,
        channel_id: &str,
        user_id: &str,
        unread: &MarkUnread,
    ) -> Result<ChannelMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn channel_member_count(&self, channel_id: &str) -> Result<i64, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
