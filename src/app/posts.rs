//! Posts, threads, pins and reactions: validation, who may read and write them, who a
//! post mentions, and the PostList shape clients page through.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::app::Actor;
use crate::app::channels::{ChannelAccess, require_channel};
use crate::app::files;
use crate::app::permissions::perm;
use crate::error::AppError;
use crate::model::{
    Channel, ChannelType, Post, PostList, Reaction, User, is_valid_id, new_id, now_millis,
};
use crate::state::AppState;
use crate::store::{FileInfo, MarkUnread, Mentions, PostWindow, StoreError};

/// Longest message, in characters (Mattermost's `PostMessageMaxRunesV2`).
pub const MAX_MESSAGE_CHARS: usize = 16383;
/// Largest `props` object, serialised.
const MAX_PROPS_BYTES: usize = 65_536;

pub fn post_missing() -> AppError {
    AppError::Missing {
        id: "app.post.get.app_error",
        message: "Unable to get the post.".into(),
    }
}

fn post_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => post_missing(),
        other => other.into(),
    }
}

/// Reactions in an archived channel: 403, as Mattermost answers.
fn archived_reactions() -> AppError {
    AppError::Denied {
        id: "api.reaction.save.archived_channel.app_error",
        message: "You cannot react to posts in an archived channel.".into(),
    }
}

fn archived_channel() -> AppError {
    AppError::invalid(
        "api.post.create_post.can_not_post_to_deleted.error",
        "Can not post to an archived channel.",
    )
}

/// `#words` of three or more characters, as Mattermost indexes them.
fn hashtags(message: &str) -> String {
    let mut tags: Vec<&str> = Vec::new();
    for word in message.split_whitespace() {
        let Some(tag) = word.strip_prefix('#') else {
            continue;
        };
        let tag = tag.trim_end_matches(|c: char| !c.is_alphanumeric());
        if tag.chars().count() >= 3
            && tag.starts_with(|c: char| c.is_alphabetic())
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !tags.contains(&word)
        {
            tags.push(word.trim_end_matches(|c: char| !c.is_alphanumeric()));
        }
    }
    tags.join(" ")
}

/// The words of a message as mention candidates: `@name` forms lower-cased and without
/// trailing punctuation, and plain words for custom mention keys.
fn words(message: &str) -> Vec<String> {
    message
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ',' | ';' | ':' | '!' | '?' | '(' | ')' | '"' | '\'' | '*' | '`' | '~'
                )
        })
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches(['.', '-', '_']).to_lowercase())
        .collect()
}

/// Who `message` mentions in `channel`: `@username`s of members, everyone for
/// `@channel`/`@all`/`@here` (when allowed and the channel is not too big), members'
/// own mention keys, and in a direct channel the other person, always.
async fn find_mentions(
    state: &AppState,
    actor: &Actor,
    access: &ChannelAccess,
    message: &str,
) -> Result<Vec<String>, AppError> {
    let channel = &access.channel;
    if channel.channel_type == ChannelType::Direct {
        let other = channel
            .name
            .split("__")
            .find(|id| *id != actor.user.id)
            .unwrap_or_default()
            .to_string();
        return Ok(if other.is_empty() {
            Vec::new()
        } else {
            vec![other]
        });
    }
    let words = words(message);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let max = state.config().team_settings.max_notifications_per_channel;
    let limit = u32::try_from(max.clamp(1, 10_000)).unwrap_or(1000);
    let members = state
        .store
        .list_channel_members(&channel.id, 0, limit + 1)
        .await?;
    let mut mentioned = BTreeSet::new();
    let everyone = words
        .iter()
        .any(|w| matches!(w.as_str(), "@channel" | "@all" | "@here"));
    let may_mention_all = access.member.as_ref().is_some_and(|m| {
        crate::app::permissions::roles_grant(&m.roles, perm::USE_CHANNEL_MENTIONS)
    }) || actor.can(perm::USE_CHANNEL_MENTIONS);
    if everyone && may_mention_all && members.len() as i64 <= max {
        mentioned.extend(members.iter().map(|m| m.user_id.clone()));
    }
    if members.len() as i64 <= max {
        let ids: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
        let users = state.store.get_users_by_ids(&ids).await?;
        for user in &users {
            if is_mentioned(user, &words) {
                mentioned.insert(user.id.clone());
            }
        }
    } else {
        // Too big to scan everyone's mention keys: @usernames only.
        let names: Vec<String> = words
            .iter()
            .filter_map(|w| w.strip_prefix('@').map(str::to_string))
            .collect();
        if !names.is_empty() {
            for user in state.store.get_users_by_usernames(&names).await? {
                if state
                    .store
                    .get_channel_member(&channel.id, &user.id)
                    .await
                    .is_ok()
                {
                    mentioned.insert(user.id);
                }
            }
        }
    }
    mentioned.remove(&actor.user.id);
    Ok(mentioned.into_iter().collect())
}

fn is_mentioned(user: &User, words: &[String]) -> bool {
    let at_name = format!("@{}", user.username);
    if words.contains(&at_name) {
        return true;
    }
    let mut keys: Vec<String> = user
        .notify_props
        .get("mention_keys")
        .map(|k| {
            k.split(',')
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if user
        .notify_props
        .get("first_name")
        .is_some_and(|v| v == "true")
        && !user.first_name.is_empty()
    {
        keys.push(user.first_name.to_lowercase());
    }
    keys.iter().any(|key| words.iter().any(|w| w == key))
}

fn check_message(post: &Post) -> Result<(), AppError> {
    if post.message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::invalid(
            "model.post.is_valid.message_length.app_error",
            format!("The message is longer than {MAX_MESSAGE_CHARS} characters."),
        ));
    }
    if serde_json::to_string(&post.props)
        .map(|s| s.len())
        .unwrap_or(0)
        > MAX_PROPS_BYTES
    {
        return Err(AppError::invalid(
            "model.post.is_valid.props.app_error",
            "The post's props are too large.",
        ));
    }
    Ok(())
}

/// Creates a post (`POST /posts`). A retried send with the same `pending_post_id` returns
/// the first post instead of a duplicate; the flag says whether this call created it.
pub async fn create_post(
    state: &AppState,
    actor: &Actor,
    input: Post,
) -> Result<(Post, bool), AppError> {
    if !is_valid_id(&input.channel_id) {
        return Err(AppError::InvalidBody {
            name: "channel_id",
            detail: "channel_id must be a channel id".into(),
        });
    }
    let access = require_channel(state, actor, &input.channel_id, perm::CREATE_POST).await?;
    if access.channel.delete_at != 0 {
        return Err(archived_channel());
    }
    if !input.post_type.is_empty() && !input.post_type.starts_with("custom_") {
        return Err(AppError::InvalidBody {
            name: "type",
            detail: "only custom_* post types may be created".into(),
        });
    }
    if input.pending_post_id.len() > 64 {
        return Err(AppError::InvalidBody {
            name: "pending_post_id",
            detail: "at most 64 characters".into(),
        });
    }
    if input.message.trim().is_empty() && input.props.is_empty() && input.file_ids.is_empty() {
        return Err(AppError::invalid(
            "api.post.create_post.message_empty.app_error",
            "A post needs a message.",
        ));
    }
    if !input.root_id.is_empty() {
        check_root(state, &input.root_id, &input.channel_id).await?;
    }
    let file_ids = files::attachable(
        state,
        actor,
        &input.channel_id,
        &input.file_ids,
        &input.pending_post_id,
    )
    .await?;
    let now = now_millis();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        edit_at: 0,
        delete_at: 0,
        is_pinned: false,
        user_id: actor.user.id.clone(),
        original_id: String::new(),
        hashtags: hashtags(&input.message),
        file_ids,
        has_reactions: false,
        reply_count: 0,
        last_reply_at: 0,
        participants: None,
        is_following: None,
        metadata: None,
        ..input
    };
    check_message(&post)?;
    let mentions = find_mentions(state, actor, &access, &post.message).await?;
    let created = state
        .store
        .create_post(&post, &Mentions { user_ids: mentions })
        .await
        .map_err(|error| match error {
            // Another post took a file between the check above and the write.
            StoreError::Invalid(_) if !post.file_ids.is_empty() => {
                files::not_attachable("A file is no longer available.")
            }
            other => post_error(other),
        })?;
    if created.post.file_ids.is_empty() {
        Ok((
            decorate(created.post, &[], &BTreeMap::new()),
            created.created,
        ))
    } else {
        let post = decorate_all(state, vec![created.post]).await?.remove(0);
        Ok((post, created.created))
    }
}

async fn check_root(state: &AppState, root_id: &str, channel_id: &str) -> Result<(), AppError> {
    let bad_root = || {
        AppError::invalid(
            "api.post.create_post.root_id.app_error",
            "Invalid root_id: it must be a post in the same channel that is not itself a reply.",
        )
    };
    if !is_valid_id(root_id) {
        return Err(bad_root());
    }
    match state.store.get_post(root_id).await {
        Ok(root)
            if root.channel_id == channel_id && root.root_id.is_empty() && root.delete_at == 0 =>
        {
            Ok(())
        }
        Ok(_) | Err(StoreError::NotFound) => Err(bad_root()),
        Err(other) => Err(other.into()),
    }
}

/// Writes a system message (joins, leaves, header changes) as `user_id`.
pub async fn system_post(
    state: &AppState,
    channel: &Channel,
    user_id: &str,
    kind: &str,
    message: &str,
    props: Map<String, Value>,
) -> Result<Post, AppError> {
    let now = now_millis();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: user_id.to_string(),
        channel_id: channel.id.clone(),
        message: message.to_string(),
        post_type: kind.to_string(),
        props,
        ..Post::default()
    };
    Ok(state
        .store
        .create_post(&post, &Mentions::default())
        .await
        .map_err(post_error)?
        .post)
}

/// Adds `metadata`: reactions and attached files (embeds arrive with their feature).
fn decorate(
    mut post: Post,
    reactions: &[Reaction],
    files: &BTreeMap<String, Vec<FileInfo>>,
) -> Post {
    let mine: Vec<&Reaction> = reactions.iter().filter(|r| r.post_id == post.id).collect();
    let mut metadata = Map::new();
    if !mine.is_empty() {
        metadata.insert("reactions".into(), json!(mine));
    }
    if let Some(files) = files.get(&post.id) {
        metadata.insert("files".into(), json!(files));
    }
    post.metadata = Some(Value::Object(metadata));
    post
}

async fn decorate_all(state: &AppState, posts: Vec<Post>) -> Result<Vec<Post>, AppError> {
    let with_reactions: Vec<String> = posts
        .iter()
        .filter(|p| p.has_reactions)
        .map(|p| p.id.clone())
        .collect();
    let reactions = state.store.reactions_for_posts(&with_reactions).await?;
    let with_files: Vec<String> = posts
        .iter()
        .filter(|p| !p.file_ids.is_empty())
        .map(|p| p.id.clone())
        .collect();
    let files = if with_files.is_empty() {
        BTreeMap::new()
    } else {
        files::files_by_post(state, &with_files).await?
    };
    Ok(posts
        .into_iter()
        .map(|p| decorate(p, &reactions, &files))
        .collect())
}

/// A post the actor may read; deleted posts are 404 except for admins.
pub async fn get_post(state: &AppState, actor: &Actor, post_id: &str) -> Result<Post, AppError> {
    let post = state.store.get_post(post_id).await.map_err(post_error)?;
    if !post.original_id.is_empty() || post.delete_at != 0 {
        return Err(post_missing());
    }
    require_channel(state, actor, &post.channel_id, perm::READ_CHANNEL_CONTENT).await?;
    Ok(decorate_all(state, vec![post]).await?.remove(0))
}

/// Builds a PostList: `order` as given, `posts` with the thread roots of any replies.
pub(crate) async fn post_list(state: &AppState, posts: Vec<Post>) -> Result<PostList, AppError> {
    let order: Vec<String> = posts.iter().map(|p| p.id.clone()).collect();
    let present: BTreeSet<&String> = order.iter().collect();
    let missing_roots: Vec<String> = posts
        .iter()
        .filter(|p| !p.root_id.is_empty() && !present.contains(&p.root_id))
        .map(|p| p.root_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut all = posts;
    all.extend(
        state
            .store
            .get_posts_by_ids(&missing_roots)
            .await?
            .into_iter()
            .filter(|p| p.delete_at == 0),
    );
    let mut all = decorate_all(state, all).await?;
    // Every post of a thread carries the thread's reply count, as in Mattermost (the
    // count is kept on the root).
    let counts: BTreeMap<String, i64> = all
        .iter()
        .filter(|p| p.root_id.is_empty())
        .map(|p| (p.id.clone(), p.reply_count))
        .collect();
    for post in all.iter_mut().filter(|p| !p.root_id.is_empty()) {
        if let Some(count) = counts.get(&post.root_id) {
            post.reply_count = *count;
        }
    }
    let posts: BTreeMap<String, Post> = all.into_iter().map(|p| (p.id.clone(), p)).collect();
    Ok(PostList {
        order,
        posts,
        ..PostList::default()
    })
}

/// How a client asked to page through a channel.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ChannelPostsQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub since: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub async fn channel_posts(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    query: &ChannelPostsQuery,
) -> Result<PostList, AppError> {
    require_channel(state, actor, channel_id, perm::READ_CHANNEL_CONTENT).await?;
    let per_page = query.per_page.unwrap_or(60).clamp(1, 200);
    let page = query.page.unwrap_or(0).min(100_000);
    let anchor = |id: &String| -> Result<String, AppError> {
        if is_valid_id(id) {
            Ok(id.clone())
        } else {
            Err(AppError::InvalidParam {
                name: "before/after",
            })
        }
    };
    let window = match (&query.since, &query.before, &query.after) {
        (Some(since), _, _) => PostWindow::Since(*since),
        (None, Some(before), _) if !before.is_empty() => PostWindow::Before {
            post_id: anchor(before)?,
            limit: per_page.saturating_mul(page + 1),
        },
        (None, _, Some(after)) if !after.is_empty() => PostWindow::After {
            post_id: anchor(after)?,
            limit: per_page.saturating_mul(page + 1),
        },
        _ => PostWindow::Page {
            offset: page.saturating_mul(per_page),
            limit: per_page,
        },
    };
    let mut posts = match state.store.channel_posts(channel_id, &window).await {
        Ok(posts) => posts,
        Err(StoreError::NotFound) => return Err(post_missing()),
        Err(other) => return Err(other.into()),
    };
    // Before/after windows read every page up to the one asked for; keep that page.
    // Both lists are newest first: for `before` the page counts from the front, for
    // `after` (which reads upward from its anchor) from the back.
    let skip = (page * per_page) as usize;
    match &window {
        PostWindow::Before { .. } => {
            posts = posts
                .into_iter()
                .skip(skip)
                .take(per_page as usize)
                .collect()
        }
        PostWindow::After { .. } => {
            let end = posts.len().saturating_sub(skip);
            posts.truncate(end);
            let start = end.saturating_sub(per_page as usize);
            posts.drain(..start);
        }
        PostWindow::Page { .. } | PostWindow::Since(_) | PostWindow::CreatedAfter { .. } => {}
    }
    let newest = posts.first().map(|p| p.id.clone()).unwrap_or_default();
    let oldest = posts.last().map(|p| p.id.clone()).unwrap_or_default();
    let mut list = post_list(state, posts).await?;
    if !matches!(window, PostWindow::Since(_)) && !newest.is_empty() {
        list.prev_post_id = neighbour(
            state,
            channel_id,
            PostWindow::Before {
                post_id: oldest,
                limit: 1,
            },
        )
        .await?;
        list.next_post_id = neighbour(
            state,
            channel_id,
            PostWindow::After {
                post_id: newest,
                limit: 1,
            },
        )
        .await?;
        list.has_next = !list.next_post_id.is_empty();
    }
    // An empty first page of a window still points back at its anchor, as in Mattermost.
    if list.order.is_empty() && page == 0 {
        match &window {
            PostWindow::Before { post_id, .. } => list.next_post_id = post_id.clone(),
            PostWindow::After { post_id, .. } => list.prev_post_id = post_id.clone(),
            PostWindow::Page { .. } | PostWindow::Since(_) | PostWindow::CreatedAfter { .. } => {}
        }
    }
    Ok(list)
}

async fn neighbour(
    state: &AppState,
    channel_id: &str,
    window: PostWindow,
) -> Result<String, AppError> {
    Ok(state
        .store
        .channel_posts(channel_id, &window)
        .await?
        .into_iter()
        .next()
        .map(|p| p.id)
        .unwrap_or_default())
}

/// A thread, from any post in it: the root and its replies.
pub async fn thread(state: &AppState, actor: &Actor, post_id: &str) -> Result<PostList, AppError> {
    let post = get_post(state, actor, post_id).await?;
    let root_id = if post.root_id.is_empty() {
        post.id
    } else {
        post.root_id
    };
    let mut posts = state.store.thread_posts(&root_id).await?;
    posts.reverse();
    post_list(state, posts).await
}

/// Posts by id, leaving out those the actor may not read.
pub async fn posts_by_ids(
    state: &AppState,
    actor: &Actor,
    ids: &[String],
) -> Result<Vec<Post>, AppError> {
    let posts = state.store.get_posts_by_ids(ids).await?;
    let mut readable = Vec::new();
    let mut allowed: BTreeMap<String, bool> = BTreeMap::new();
    for post in posts
        .into_iter()
        .filter(|p| p.delete_at == 0 && p.original_id.is_empty())
    {
        let ok = match allowed.get(&post.channel_id) {
            Some(ok) => *ok,
            None => {
                let ok =
                    require_channel(state, actor, &post.channel_id, perm::READ_CHANNEL_CONTENT)
                        .await
                        .is_ok();
                allowed.insert(post.channel_id.clone(), ok);
                ok
            }
        };
        if ok {
            readable.push(post);
        }
    }
    decorate_all(state, readable).await
}

/// The user's saved ("flagged") posts that they may still read, newest first: the
/// `flagged_post` preferences name the posts.
/// Where saved posts are looked for: one channel, or one team's channels and the
/// user's direct and group messages, or everywhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct FlaggedIn<'a> {
    pub channel_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
}

pub async fn flagged_posts(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    within: FlaggedIn<'_>,
    offset: usize,
    limit: usize,
) -> Result<PostList, AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    let ids: Vec<String> = state
        .store
        .get_preferences_in_category(user_id, "flagged_post")
        .await?
        .into_iter()
        .filter(|p| p.value == "true" && is_valid_id(&p.name))
        .map(|p| p.name)
        .collect();
    let mut posts = posts_by_ids(state, actor, &ids).await?;
    if let Some(channel_id) = within.channel_id {
        posts.retain(|p| p.channel_id == channel_id);
    }
    if let Some(team_id) = within.team_id {
        let mut teams: std::collections::HashMap<String, String> = Default::default();
        for post in &posts {
            if !teams.contains_key(&post.channel_id) {
                let channel = state.store.get_channel(&post.channel_id).await?;
                teams.insert(post.channel_id.clone(), channel.team_id);
            }
        }
        // Direct and group messages belong to no team and show in every team's list.
        posts.retain(|p| {
            teams
                .get(&p.channel_id)
                .is_some_and(|team| team.is_empty() || team == team_id)
        });
    }
    posts.sort_by_key(|p| std::cmp::Reverse(p.create_at));
    let page: Vec<Post> = posts.into_iter().skip(offset).take(limit).collect();
    post_list(state, page).await
}

/// What a post edit may change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PostPatch {
    pub message: Option<String>,
    pub props: Option<Map<String, Value>>,
    pub is_pinned: Option<bool>,
}

/// Loads a post the actor may change: their own with `own`, anyone's with `others`.
async fn writable_post(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
    own: crate::app::permissions::Permission,
    others: crate::app::permissions::Permission,
) -> Result<Post, AppError> {
    let post = state.store.get_post(post_id).await.map_err(post_error)?;
    if post.delete_at != 0 || !post.original_id.is_empty() {
        return Err(post_missing());
    }
    let permission = if post.user_id == actor.user.id {
        own
    } else {
        others
    };
    let access = require_channel(state, actor, &post.channel_id, permission).await?;
    if access.channel.delete_at != 0 {
        return Err(archived_reactions());
    }
    Ok(post)
}

/// Edits a post, keeping the previous version as history.
pub async fn edit_post(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
    patch: PostPatch,
) -> Result<Post, AppError> {
    let denied = || AppError::Denied {
        id: "api.post.update_post.permissions_denied.app_error",
        message: "Editing posts is not allowed.".into(),
    };
    if !state.config().service_settings.allow_edit_post {
        return Err(denied());
    }
    let previous = writable_post(
        state,
        actor,
        post_id,
        perm::EDIT_POST,
        perm::EDIT_OTHERS_POSTS,
    )
    .await?;
    if previous.post_type.starts_with("system_") {
        return Err(AppError::invalid(
            "api.post.update_post.system_message.app_error",
            "System messages cannot be edited.",
        ));
    }
    let limit = state.config().service_settings.post_edit_time_limit;
    if limit > 0 && now_millis() - previous.create_at > limit * 1000 {
        return Err(AppError::invalid(
            "api.post.update_post.permissions_time_limit.app_error",
            format!("Posts can be edited for {limit} seconds."),
        ));
    }
    let mut post = previous.clone();
    if let Some(message) = patch.message {
        post.message = message;
        post.hashtags = hashtags(&post.message);
    }
    if let Some(props) = patch.props {
        post.props = props;
    }
    check_message(&post)?;
    if post.message == previous.message && post.props == previous.props {
        if let Some(pinned) = patch.is_pinned
            && pinned != previous.is_pinned
        {
            return pin(state, actor, post_id, pinned).await;
        }
        return Ok(decorate_all(state, vec![previous]).await?.remove(0));
    }
    let saved = state
        .store
        .edit_post(&post, &previous)
        .await
        .map_err(post_error)?;
    Ok(decorate_all(state, vec![saved]).await?.remove(0))
}

/// Soft-deletes a post (and a root's replies); the rows remain for compliance.
pub async fn delete_post(state: &AppState, actor: &Actor, post_id: &str) -> Result<(), AppError> {
    if !state.config().service_settings.allow_delete_post {
        return Err(AppError::Denied {
            id: "api.post.delete_post.permissions_denied.app_error",
            message: "Deleting posts is not allowed on this server.".into(),
        });
    }
    writable_post(
        state,
        actor,
        post_id,
        perm::DELETE_POST,
        perm::DELETE_OTHERS_POSTS,
    )
    .await?;
    state
        .store
        .delete_post(post_id, now_millis())
        .await
        .map_err(post_error)
}

/// Pins or unpins; any channel member who may post may.
pub async fn pin(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
    pinned: bool,
) -> Result<Post, AppError> {
    let post = state.store.get_post(post_id).await.map_err(post_error)?;
    if post.delete_at != 0 || !post.original_id.is_empty() {
        return Err(post_missing());
    }
    let access = require_channel(state, actor, &post.channel_id, perm::CREATE_POST).await?;
    if access.channel.delete_at != 0 {
        return Err(archived_channel());
    }
    let saved = state
        .store
        .set_post_pinned(post_id, pinned)
        .await
        .map_err(post_error)?;
    Ok(decorate_all(state, vec![saved]).await?.remove(0))
}

pub async fn pinned(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<PostList, AppError> {
    require_channel(state, actor, channel_id, perm::READ_CHANNEL_CONTENT).await?;
    let posts = state.store.pinned_posts(channel_id).await?;
    post_list(state, posts).await
}

/// Earlier versions of the actor's own edited post, newest first (as Mattermost: only
/// the author may see them).
pub async fn edit_history(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
) -> Result<Vec<Post>, AppError> {
    let post = get_post(state, actor, post_id).await?;
    if post.user_id != actor.user.id {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.post_edit_history(post_id).await?)
}

fn check_emoji(name: &str) -> Result<(), AppError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '+'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "model.reaction.is_valid.emoji_name.app_error",
            "Invalid emoji name.",
        ))
    }
}

/// Adds the actor's reaction to a post.
pub async fn add_reaction(
    state: &AppState,
    actor: &Actor,
    input: Reaction,
) -> Result<Reaction, AppError> {
    if input.user_id != actor.user.id {
        return Err(AppError::InvalidBody {
            name: "user_id",
            detail: "you can only react as yourself".into(),
        });
    }
    check_emoji(&input.emoji_name)?;
    if !is_valid_id(&input.post_id) {
        return Err(AppError::InvalidBody {
            name: "post_id",
            detail: "post_id must be a post id".into(),
        });
    }
    let post = state
        .store
        .get_post(&input.post_id)
        .await
        .map_err(post_error)?;
    if post.delete_at != 0 || !post.original_id.is_empty() {
        return Err(post_missing());
    }
    let access = require_channel(state, actor, &post.channel_id, perm::ADD_REACTION).await?;
    if access.channel.delete_at != 0 {
        return Err(archived_reactions());
    }
    let reaction = Reaction {
        user_id: actor.user.id.clone(),
        post_id: post.id.clone(),
        emoji_name: input.emoji_name,
        channel_id: post.channel_id.clone(),
        create_at: now_millis(),
        ..Reaction::default()
    };
    Ok(state.store.save_reaction(&reaction).await?)
}

/// Removes a reaction: one's own, or anyone's with `remove_others_reactions`.
pub async fn remove_reaction(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    post_id: &str,
    emoji_name: &str,
) -> Result<(), AppError> {
    check_emoji(emoji_name)?;
    let post = state.store.get_post(post_id).await.map_err(post_error)?;
    let permission = if user_id == actor.user.id {
        perm::REMOVE_REACTION
    } else {
        perm::REMOVE_OTHERS_REACTIONS
    };
    let access = require_channel(state, actor, &post.channel_id, permission).await?;
    if access.channel.delete_at != 0 {
        return Err(archived_channel());
    }
    let reaction = Reaction {
        user_id: user_id.to_string(),
        post_id: post_id.to_string(),
        emoji_name: emoji_name.to_string(),
        channel_id: post.channel_id,
        ..Reaction::default()
    };
    state
        .store
        .delete_reaction(&reaction)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Missing {
                id: "app.reaction.get.app_error",
                message: "Unable to find the reaction.".into(),
            },
            other => other.into(),
        })
}

pub async fn reactions(
    state: &AppState,
    actor: &Actor,
    post_ids: &[String],
) -> Result<BTreeMap<String, Vec<Reaction>>, AppError> {
    let readable = posts_by_ids(state, actor, post_ids).await?;
    let ids: Vec<String> = readable.iter().map(|p| p.id.clone()).collect();
    let mut by_post: BTreeMap<String, Vec<Reaction>> =
        ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for reaction in state.store.reactions_for_posts(&ids).await? {
        by_post
            .entry(reaction.post_id.clone())
            .or_default()
            .push(reaction);
    }
    Ok(by_post)
}

/// Marks a channel unread for `user_id` from `post_id` on (`POST
/// /users/{user_id}/posts/{post_id}/set_unread`): the member's read counts and
/// `last_viewed_at` go back to just before the post, and the mentions among the posts from
/// it on are counted again. Returns Mattermost's `ChannelUnreadAt`.
pub async fn set_unread(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    post_id: &str,
) -> Result<Value, AppError> {
    if actor.user.id != user_id && !actor.can(perm::EDIT_OTHER_USERS) {
        return Err(AppError::Forbidden);
    }
    let post = get_post(state, actor, post_id).await?;
    let user = state
        .store
        .get_user(user_id)
        .await
        .map_err(crate::app::users::user_error)?;
    let channel = state
        .store
        .get_channel(&post.channel_id)
        .await
        .map_err(crate::app::channels::channel_error)?;
    let member = state
        .store
        .get_channel_member(&channel.id, user_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => crate::app::channels::member_missing(),
            other => other.into(),
        })?;
    let ignores_channel_mentions = member
        .notify_props
        .get("ignore_channel_mentions")
        .is_some_and(|v| v == "on");
    let mut unread = MarkUnread {
        post_id: post.id.clone(),
        from: post.create_at,
        ..MarkUnread::default()
    };
    let later = state
        .store
        .channel_posts(&channel.id, &PostWindow::Since(post.create_at - 1))
        .await?;
    for other in later.iter().filter(|p| {
        p.create_at >= post.create_at
            && p.delete_at == 0
            && p.user_id != user_id
            && p.post_type.is_empty()
    }) {
        let words = words(&other.message);
        let mentioned = channel.channel_type == ChannelType::Direct
            || is_mentioned(&user, &words)
            || (!ignores_channel_mentions
                && words
                    .iter()
                    .any(|w| matches!(w.as_str(), "@channel" | "@all" | "@here")));
        if mentioned {
            unread.mention_count += 1;
            if other.root_id.is_empty() {
                unread.mention_count_root += 1;
            }
        }
    }
    let member = state
        .store
        .mark_channel_unread(&channel.id, user_id, &unread)
        .await?;
    Ok(json!({
        "team_id": channel.team_id,
        "channel_id": channel.id,
        "msg_count": member.msg_count,
        "msg_count_root": member.msg_count_root,
        "mention_count": member.mention_count,
        "mention_count_root": member.mention_count_root,
        "urgent_mention_count": member.urgent_mention_count,
        "last_viewed_at": member.last_viewed_at,
    }))
}

/// The messages, and root messages, a member has not read in a channel.
pub fn unread_messages(channel: &Channel, member: &crate::model::ChannelMember) -> (i64, i64) {
    (
        (channel.total_msg_count - member.msg_count).max(0),
        (channel.total_msg_count_root - member.msg_count_root).max(0),
    )
}

/// Used by `channels` for unread summaries.
pub fn unread_counts(channel: &Channel, member: &crate::model::ChannelMember) -> Value {
    let (messages, roots) = unread_messages(channel, member);
    json!({
        "team_id": channel.team_id,
        "channel_id": channel.id,
        "msg_count": messages,
        "msg_count_root": roots,
        "mention_count": member.mention_count,
        "mention_count_root": member.mention_count_root,
        "urgent_mention_count": member.urgent_mention_count,
        "last_viewed_at": member.last_viewed_at,
    })
}

/// `POST /posts/{id}/restore/{version_id}`: the post's message goes back to that of an
/// earlier version from its edit history, as a new edit (so what it said until now is
/// kept in the history too). Only the author, with the rules of any edit.
pub async fn restore_version(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
    version_id: &str,
) -> Result<Post, AppError> {
    let version = edit_history(state, actor, post_id)
        .await?
        .into_iter()
        .find(|v| v.id == version_id)
        .ok_or_else(|| AppError::Missing {
            id: "app.post.restore_post_version.get_single.app_error",
            message: "That version is not in the post's edit history.".into(),
        })?;
    let patch = PostPatch {
        message: Some(version.message),
        ..PostPatch::default()
    };
    edit_post(state, actor, post_id, patch).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_and_words() {
        assert_eq!(
            hashtags("ship #release-2 today, #ok #no #rust."),
            "#release-2 #rust"
        );
        assert_eq!(
            words("Hi @Alice, see @bob. (@carol)"),
            ["hi", "@alice", "see", "@bob", "@carol"]
        );
    }

    #[test]
    fn mention_keys_and_first_names() {
        let mut user = User {
            username: "alice".into(),
            first_name: "Alice".into(),
            ..User::default()
        };
        user.notify_props
            .insert("mention_keys".into(), "deploy,@alice".into());
        assert!(is_mentioned(&user, &words("the deploy failed")));
        assert!(is_mentioned(&user, &words("@alice!")));
        assert!(!is_mentioned(&user, &words("alice is out")));
        user.notify_props.insert("first_name".into(), "true".into());
        assert!(is_mentioned(&user, &words("alice is out")));
    }
}
