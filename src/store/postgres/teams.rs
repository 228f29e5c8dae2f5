//! `TeamStore` on PostgreSQL.

use async_trait::async_trait;

use super::PgStore;
use crate::model::*;
use crate::store::*;

#[async_trait]
#[allow(unused_variables)]
impl TeamStore for PgStore {
    async fn create_team(
        &self,
        team: &Team,
        creator: &TeamMember,
        channels: &[Channel],
    ) -> Result<Team, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_team(&self, id: &str) -> Result<Team, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_team_by_name(&self, name: &str) -> Result<Team, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_team_by_invite_id(&self, invite_id: &str) -> Result<Team, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_teams(
        &self,
        include_invite: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Team>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_team(&self, team: &Team) -> Result<Team, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn add_team_member(
        &self,
        member: &TeamMember,
        channel_ids: &[String],
    ) -> Result<TeamMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn remove_team_member(&self, team_id: &str, user_id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn get_team_member(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<TeamMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<TeamMember>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_user_team_members(&self, user_id: &str) -> Result<Vec<TeamMember>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn list_user_teams(&self, user_id: &str) -> Result<Vec<Team>, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn update_team_member(&self, member: &TeamMember) -> Result<TeamMember, StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }

    async fn team_member_counts(&self, team_id: &str) -> Result<(i64, i64), StoreError> {
        Err(StoreError::Other("not yet on PostgreSQL".into()))
    }
}
