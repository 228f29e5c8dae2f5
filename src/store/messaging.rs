//! Storage for teams, channels, memberships, posts and reactions. Methods that change
//! several rows (a team with its default channels, a post with its counters) do it in one
//! transaction with their change-feed rows; the rules deciding *what* to write live in `app`.

use async_trait::async_trait;

use super::StoreError;
use crate::model::{Channel, ChannelMember, ChannelType, Post, Reaction, Team, TeamMember};

/// Which posts of a channel to list.
#[derive(Debug, Clone)]
pub enum PostWindow {
    /// Newest first, `per_page` at a time.
    Page { offset: u32, limit: u32 },
    /// Everything created, edited or deleted after this time (ms), deleted posts included.
    Since(i64),
    /// Up to `limit` posts older than the post with this id, newest first.
    Before { post_id: String, limit: u32 },
    /// Up to `limit` posts newer than the post with this id, newest first.
    After { post_id: String, limit: u32 },
    /// The first `limit` undeleted posts created after this time (ms), newest first:
    /// where a reader who stopped at that time picks up.
    CreatedAfter { time: i64, limit: u32 },
}

/// What creating a post did.
#[derive(Debug, Clone)]
pub struct CreatedPost {
    pub post: Post,
    /// False when a post with the same `pending_post_id` already existed and was returned
    /// instead (a retried send).
    pub created: bool,
}

/// Who a new post mentions, decided by `app` from the message and the channel.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    pub user_ids: Vec<String>,
}

/// Which of a team's channels a listing wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamChannels {
    /// Public channels not archived.
    Public,
    /// Archived public channels.
    Archived,
    /// Private channels not archived.
    Private,
}

impl TeamChannels {
    /// The channel type code and whether archived, as the listing queries filter them.
    pub(crate) fn filter(self) -> (&'static str, bool) {
        let (kind, archived) = match self {
            TeamChannels::Public => (ChannelType::Open, false),
            TeamChannels::Archived => (ChannelType::Open, true),
            TeamChannels::Private => (ChannelType::Private, false),
        };
        (super::common::type_code(kind), archived)
    }
}

/// Which channels `list_all_channels` lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllChannels {
    pub include_archived: bool,
    pub exclude_default: bool,
}

impl AllChannels {
    /// The filter as an SQL condition on `channels` (no parameters; the same for both
    /// engines).
    pub(crate) fn condition(self) -> String {
        let mut condition = String::from("type IN ('O', 'P')");
        if !self.include_archived {
            condition.push_str(" AND delete_at = 0");
        }
        if self.exclude_default {
            condition.push_str(" AND name NOT IN ('town-square', 'off-topic')");
        }
        condition
    }
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    /// Creates a team with its first member (an admin) and default channels, which the
    /// member joins.
    async fn create_team(
        &self,
        team: &Team,
        creator: &TeamMember,
        channels: &[Channel],
    ) -> Result<Team, StoreError>;
    async fn get_team(&self, id: &str) -> Result<Team, StoreError>;
    async fn get_team_by_name(&self, name: &str) -> Result<Team, StoreError>;
    async fn get_team_by_invite_id(&self, invite_id: &str) -> Result<Team, StoreError>;
    /// Teams that are not deleted, by display name; only open ones unless `include_invite`.
    async fn list_teams(
        &self,
        include_invite: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Team>, StoreError>;
    /// Saves the editable fields and `delete_at`, `invite_id`.
    async fn update_team(&self, team: &Team) -> Result<Team, StoreError>;
    /// Sets when the team's icon last changed (0: it has none) and its `update_at`, with
    /// an `update_team` row carrying the team as saved.
    async fn set_team_icon_update(&self, team_id: &str, at: i64) -> Result<Team, StoreError>;
    /// Adds (or re-adds) members and puts each in `channel_ids` (the default channels),
    /// all or none, in one transaction with an `added_to_team` row each; the memberships
    /// as saved, in the order given.
    async fn add_team_members(
        &self,
        members: &[TeamMember],
        channel_ids: &[String],
    ) -> Result<Vec<TeamMember>, StoreError>;
    /// Adds (or re-adds) one member: [`TeamStore::add_team_members`] with one.
    async fn add_team_member(
        &self,
        member: &TeamMember,
        channel_ids: &[String],
    ) -> Result<TeamMember, StoreError> {
        self.add_team_members(std::slice::from_ref(member), channel_ids)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }
    /// Marks the membership deleted and removes the user from the team's channels.
    async fn remove_team_member(&self, team_id: &str, user_id: &str) -> Result<(), StoreError>;
    /// An active membership.
    async fn get_team_member(&self, team_id: &str, user_id: &str)
    -> Result<TeamMember, StoreError>;
    async fn list_team_members(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<TeamMember>, StoreError>;
    /// The user ids of a team's active members: who hears the team's events. Read from
    /// the primary, as it must be current.
    async fn team_member_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError>;
    /// A user's active team memberships.
    async fn list_user_team_members(&self, user_id: &str) -> Result<Vec<TeamMember>, StoreError>;
    /// Teams the user is an active member of.
    async fn list_user_teams(&self, user_id: &str) -> Result<Vec<Team>, StoreError>;
    async fn update_team_member(&self, member: &TeamMember) -> Result<TeamMember, StoreError>;
    /// (all active members, members whose account is active)
    async fn team_member_counts(&self, team_id: &str) -> Result<(i64, i64), StoreError>;
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates a channel with its first members. `Conflict("name")` when the name is taken
    /// in the team (for direct and group channels: anywhere).
    async fn create_channel(
        &self,
        channel: &Channel,
        members: &[ChannelMember],
    ) -> Result<Channel, StoreError>;
    async fn get_channel(&self, id: &str) -> Result<Channel, StoreError>;
    /// `team_id` is `""` for direct and group channels.
    async fn get_channel_by_name(&self, team_id: &str, name: &str) -> Result<Channel, StoreError>;
    /// Saves display name, name, header, purpose, type, props and `delete_at`.
    async fn update_channel(&self, channel: &Channel) -> Result<Channel, StoreError>;
    /// A team's channels of one kind, by display name.
    async fn list_team_channels(
        &self,
        team_id: &str,
        kind: TeamChannels,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError>;
    /// Public and private channels of every team, by display name, for the System
    /// Console: archived ones only when asked, and without each team's default channels
    /// (`town-square`, `off-topic`) when asked; with how many there are in all.
    async fn list_all_channels(
        &self,
        filter: AllChannels,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Channel>, i64), StoreError>;
    /// Every public and private channel of every team, archived ones too (not direct or
    /// group channels), with an id after `after` (from the start when `None`), by id, at
    /// most `limit`: for rebuilding what is derived from them, such as the search
    /// directory.
    async fn scan_team_channels(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Channel>, StoreError>;
    /// Channels the user is a member of: those of `team_id` plus direct and group
    /// channels; with `team_id = None`, all of them.
    async fn list_user_channels(
        &self,
        user_id: &str,
        team_id: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<Channel>, StoreError>;
    async fn add_channel_member(&self, member: &ChannelMember)
    -> Result<ChannelMember, StoreError>;
    async fn remove_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), StoreError>;
    async fn get_channel_member(
        &self,
        channel_id: &str,
        user_id: &str,
    ) -> Result<ChannelMember, StoreError>;
    async fn list_channel_members(
        &self,
        channel_id: &str,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ChannelMember>, StoreError>;
    /// The user ids of a channel's members: who hears the channel's events. Read from the
    /// primary, as it must be current.
    async fn channel_member_ids(&self, channel_id: &str) -> Result<Vec<String>, StoreError>;
    /// The user's memberships in `team_id`'s channels plus direct and group channels (all
    /// teams when `None`).
    async fn list_user_channel_members(
        &self,
        user_id: &str,
        team_id: Option<&str>,
    ) -> Result<Vec<ChannelMember>, StoreError>;
    /// Saves roles and notify props.
    async fn update_channel_member(
        &self,
        member: &ChannelMember,
    ) -> Result<ChannelMember, StoreError>;
    /// Marks the channel read for the user: counts caught up, mentions cleared. Returns the
    /// previous `last_viewed_at`.
    async fn view_channel(
        &self,
        channel_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<i64, StoreError>;
    /// Marks the channel unread for the user from the post created at `from` on: the
    /// read counts go back to what they were before it, `last_viewed_at` to just before
    /// it, and the mention counts (worked out by `app`) are set. Emits `post_unread`.
    async fn mark_channel_unread(
        &self,
        channel_id: &str,
        user_id: &str,
        unread: &MarkUnread,
    ) -> Result<ChannelMember, StoreError>;
    async fn channel_member_count(&self, channel_id: &str) -> Result<i64, StoreError>;
}

/// Where a channel becomes unread from, and the mentions in the unread part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarkUnread {
    pub post_id: String,
    /// The first unread post's `create_at`.
    pub from: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
}

#[async_trait]
pub trait PostStore: Send + Sync {
    /// Saves a post and everything it changes, in one transaction: the channel's counters
    /// and last post time, the thread root's reply count, the sender's read position, the
    /// mentioned members' mention counts and thread follows, and a `posted` feed row. A
    /// post with the same author and `pending_post_id` as an existing one returns that one.
    async fn create_post(
        &self,
        post: &Post,
        mentions: &Mentions,
    ) -> Result<CreatedPost, StoreError>;
    /// A post, deleted or not (callers decide who may see deleted posts).
    async fn get_post(&self, id: &str) -> Result<Post, StoreError>;
    async fn get_posts_by_ids(&self, ids: &[String]) -> Result<Vec<Post>, StoreError>;
    /// A channel's posts (current versions only), newest first.
    async fn channel_posts(
        &self,
        channel_id: &str,
        window: &PostWindow,
    ) -> Result<Vec<Post>, StoreError>;
    /// A thread: the root and its replies that are not deleted, oldest first.
    async fn thread_posts(&self, root_id: &str) -> Result<Vec<Post>, StoreError>;
    /// Saves a new message/props for `post`, keeping the previous version as history.
    async fn edit_post(&self, post: &Post, previous: &Post) -> Result<Post, StoreError>;
    /// Soft-deletes a post (and a root's replies); the rows stay for compliance.
    async fn delete_post(&self, id: &str, now: i64) -> Result<(), StoreError>;
    async fn set_post_pinned(&self, id: &str, pinned: bool) -> Result<Post, StoreError>;
    async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<Post>, StoreError>;
    /// Earlier versions of an edited post, newest first.
    async fn post_edit_history(&self, id: &str) -> Result<Vec<Post>, StoreError>;
    /// Adds a reaction (idempotent) and marks the post as having reactions.
    async fn save_reaction(&self, reaction: &Reaction) -> Result<Reaction, StoreError>;
    async fn delete_reaction(&self, reaction: &Reaction) -> Result<(), StoreError>;
    async fn reactions_for_posts(&self, post_ids: &[String]) -> Result<Vec<Reaction>, StoreError>;
    /// Every current, undeleted post (no edit history) after `(create_at, id)` (from the
    /// start when `None`), oldest first, at most `limit`: for rebuilding what is derived
    /// from the posts, such as the search index.
    async fn scan_posts(
        &self,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<Post>, StoreError>;
    /// How many posts [`PostStore::scan_posts`] goes through.
    async fn count_posts(&self) -> Result<i64, StoreError>;
}

/// A user's relation to one reply thread (collapsed reply threads).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadState {
    pub root: Post,
    pub following: bool,
    pub last_viewed: i64,
    pub unread_mentions: i64,
    /// Replies by others after `last_viewed`.
    pub unread_replies: i64,
    /// Authors of the thread's replies, most recent first.
    pub participant_ids: Vec<String>,
}

/// Which threads to list.
#[derive(Debug, Clone, Default)]
pub struct ThreadQuery {
    pub unread_only: bool,
    /// Only threads updated after this time (ms).
    pub since: i64,
    pub offset: u32,
    pub limit: u32,
    /// Start the page next to this thread instead of at `offset`.
    pub cursor: Option<ThreadCursor>,
}

/// Where a page of threads starts, in the list's order (latest reply first, then id).
#[derive(Debug, Clone)]
pub enum ThreadCursor {
    /// The threads listed after this one: older replies.
    Before { last_reply_at: i64, root_id: String },
    /// The threads listed before this one (newer replies), the nearest ones.
    After { last_reply_at: i64, root_id: String },
}

impl ThreadCursor {
    /// The SQL condition on `p` (the root post) with two placeholders, the ordering that
    /// finds the nearest threads first, and whether that ordering is the list's reversed.
    pub fn sql(&self, first: &str, second: &str) -> (String, &'static str, bool) {
        match self {
            ThreadCursor::Before { .. } => (
                format!(
                    "AND (p.last_reply_at < {first} OR (p.last_reply_at = {first} AND p.id > {second}))"
                ),
                "p.last_reply_at DESC, p.id",
                false,
            ),
            ThreadCursor::After { .. } => (
                format!(
                    "AND (p.last_reply_at > {first} OR (p.last_reply_at = {first} AND p.id < {second}))"
                ),
                "p.last_reply_at, p.id DESC",
                true,
            ),
        }
    }

    pub fn position(&self) -> (i64, &str) {
        match self {
            ThreadCursor::Before {
                last_reply_at,
                root_id,
            }
            | ThreadCursor::After {
                last_reply_at,
                root_id,
            } => (*last_reply_at, root_id),
        }
    }
}

#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// Threads the user follows in a team's channels (and direct/group channels), newest
    /// activity first.
    async fn list_threads(
        &self,
        user_id: &str,
        team_id: &str,
        query: &ThreadQuery,
    ) -> Result<Vec<ThreadState>, StoreError>;
    /// (followed threads, unread threads, unread mentions) in a team.
    async fn thread_totals(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> Result<(i64, i64, i64), StoreError>;
    async fn get_thread(&self, user_id: &str, root_id: &str) -> Result<ThreadState, StoreError>;
    /// The users following a thread.
    async fn thread_followers(&self, root_id: &str) -> Result<Vec<String>, StoreError>;
    async fn set_thread_following(
        &self,
        user_id: &str,
        root_id: &str,
        following: bool,
    ) -> Result<(), StoreError>;
    /// Marks a thread read up to `timestamp` (clearing its mentions), or every followed
    /// thread of a team when `root_id` is `None`.
    async fn mark_threads_read(
        &self,
        user_id: &str,
        team_id: &str,
        root_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), StoreError>;
}
