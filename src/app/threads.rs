//! Collapsed reply threads: the threads a user follows, their unread state, following
//! and marking read.

use serde_json::{Value, json};

use crate::app::channels::require_channel;
use crate::app::permissions::perm;
use crate::app::users::sanitize;
use crate::app::{Actor, posts};
use crate::config::Config;
use crate::error::AppError;
use crate::model::is_valid_id;
use crate::state::AppState;
use crate::store::{Store, StoreError, ThreadCursor, ThreadQuery, ThreadState};
fn thread_missing() -> AppError {
    AppError::Missing {
        id: "app.thread.get.app_error",
        message: "Unable to find the thread.".into(),
    }
}

/// Mattermost's `ThreadResponse`.
async fn thread_json(
    state: &AppState,
    actor: &Actor,
    thread: ThreadState,
) -> Result<Value, AppError> {
    Ok(thread_response(state.store.as_ref(), &state.config(), Some(actor), thread).await?)
}

/// Mattermost's `ThreadResponse` for `thread`, its participants sanitised for `viewer`
/// (also used for the `thread_updated` WebSocket event).
pub async fn thread_response(
    store: &dyn Store,
    config: &Config,
    viewer: Option<&Actor>,
    thread: ThreadState,
) -> Result<Value, StoreError> {
    let participants: Vec<Value> = store
        .get_users_by_ids(&thread.participant_ids)
        .await?
        .into_iter()
        .map(|u| serde_json::to_value(sanitize(u, viewer, config)).unwrap_or_default())
        .collect();
    Ok(json!({
        "id": thread.root.id,
        "reply_count": thread.root.reply_count,
        "last_reply_at": thread.root.last_reply_at,
        "last_viewed_at": thread.last_viewed,
        "participants": participants,
        "post": thread.root,
        "unread_replies": thread.unread_replies,
        "unread_mentions": thread.unread_mentions,
        "is_urgent": false,
        "delete_at": thread.root.delete_at,
    }))
}

/// How `GET /users/{id}/teams/{team_id}/threads` was asked.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ThreadsQuery {
    pub since: i64,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    #[serde(rename = "pageSize")]
    pub page_size: Option<u32>,
    pub unread: bool,
    #[serde(rename = "totalsOnly")]
    pub totals_only: bool,
    #[serde(rename = "threadsOnly")]
    pub threads_only: bool,
    /// A thread id: list the threads after it (older), as Mattermost's clients page.
    pub before: String,
    /// A thread id: list the nearest threads before it (newer).
    pub after: String,
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    query: &ThreadsQuery,
) -> Result<Value, AppError> {
    actor.require_self_or_admin(user_id)?;
    let per_page = query
        .page_size
        .or(query.per_page)
        .unwrap_or(25)
        .clamp(1, 200);
    let page = query.page.unwrap_or(0).min(100_000);
    let (cursor, unknown) = match cursor(state, user_id, query).await? {
        Cursor::None => (None, false),
        Cursor::At(cursor) => (Some(cursor), false),
        // A thread the user has never been in (or that is gone) has no neighbours.
        Cursor::Unknown => (None, true),
    };
    let offset = if cursor.is_some() { 0 } else { page * per_page };
    let mut body = json!({
        "total": 0,
        "total_unread_threads": 0,
        "total_unread_mentions": 0,
        "total_unread_urgent_mentions": 0,
        "threads": [],
    });
    if !query.threads_only {
        let (total, unread, mentions) = state.store.thread_totals(user_id, team_id).await?;
        body["total"] = json!(total);
        body["total_unread_threads"] = json!(unread);
        body["total_unread_mentions"] = json!(mentions);
    }
    if !query.totals_only && !unknown {
        let threads = state
            .store
            .list_threads(
                user_id,
                team_id,
                &ThreadQuery {
                    unread_only: query.unread,
                    since: query.since,
                    offset,
                    limit: per_page,
                    cursor,
                },
            )
            .await?;
        let mut list = Vec::with_capacity(threads.len());
        for thread in threads {
            list.push(thread_json(state, actor, thread).await?);
        }
        body["threads"] = Value::Array(list);
    }
    Ok(body)
}

enum Cursor {
    None,
    At(ThreadCursor),
    Unknown,
}

/// The `before` / `after` thread of a threads query, located.
async fn cursor(state: &AppState, user_id: &str, query: &ThreadsQuery) -> Result<Cursor, AppError> {
    let (id, before) = match (query.before.as_str(), query.after.as_str()) {
        ("", "") => return Ok(Cursor::None),
        (id, "") => (id, true),
        ("", id) => (id, false),
        _ => return Err(AppError::InvalidParam { name: "after" }),
    };
    if !is_valid_id(id) {
        let name = if before { "before" } else { "after" };
        return Err(AppError::InvalidParam { name });
    }
    // The thread's place in the list, whether or not it is still followed (the client's
    // last thread may have been unfollowed meanwhile).
    let thread = match state.store.get_thread(user_id, id).await {
        Ok(thread) => thread,
        Err(StoreError::NotFound) => return Ok(Cursor::Unknown),
        Err(error) => return Err(error.into()),
    };
    let (last_reply_at, root_id) = (thread.root.last_reply_at, thread.root.id);
    Ok(Cursor::At(if before {
        ThreadCursor::Before {
            last_reply_at,
            root_id,
        }
    } else {
        ThreadCursor::After {
            last_reply_at,
            root_id,
        }
    }))
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    thread_id: &str,
) -> Result<Value, AppError> {
    actor.require_self_or_admin(user_id)?;
    let root = posts::get_post(state, actor, thread_id).await?;
    match state.store.get_thread(user_id, &root.id).await {
        Ok(thread) => thread_json(state, actor, thread).await,
        Err(StoreError::NotFound) => Err(thread_missing()),
        Err(other) => Err(other.into()),
    }
}

pub async fn set_following(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    thread_id: &str,
    following: bool,
) -> Result<(), AppError> {
    actor.require_self_or_admin(user_id)?;
    let root = state
        .store
        .get_post(thread_id)
        .await
        .map_err(|_| posts::post_missing())?;
    if !root.root_id.is_empty() || root.delete_at != 0 {
        return Err(AppError::InvalidParam { name: "thread_id" });
    }
    require_channel(state, actor, &root.channel_id, perm::READ_CHANNEL_CONTENT).await?;
    state
        .store
        .set_thread_following(user_id, thread_id, following)
        .await?;
    Ok(())
}

pub async fn mark_read(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    thread_id: Option<&str>,
    timestamp: i64,
) -> Result<(), AppError> {
    actor.require_self_or_admin(user_id)?;
    if let Some(id) = thread_id
        && !is_valid_id(id)
    {
        return Err(AppError::InvalidParam { name: "thread_id" });
    }
    state
        .store
        .mark_threads_read(user_id, team_id, thread_id, timestamp)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => thread_missing(),
            other => other.into(),
        })
}

/// `POST …/threads/{thread_id}/set_unread/{post_id}`: the thread is unread again from
/// `post_id` (its root or one of its replies) on, as when a user marks a reply unread.
/// Its mention count is not worked out again: it stays cleared.
pub async fn set_unread(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    thread_id: &str,
    post_id: &str,
) -> Result<(), AppError> {
    actor.require_self_or_admin(user_id)?;
    if !is_valid_id(thread_id) || !is_valid_id(post_id) {
        return Err(AppError::InvalidParam {
            name: "thread_id/post_id",
        });
    }
    let post = crate::app::posts::get_post(state, actor, post_id).await?;
    if post.id != thread_id && post.root_id != thread_id {
        return Err(AppError::invalid(
            "api.thread.set_unread.not_in_thread.app_error",
            "The post is not in this thread.",
        ));
    }
    mark_read(
        state,
        actor,
        user_id,
        team_id,
        Some(thread_id),
        post.create_at - 1,
    )
    .await
}
