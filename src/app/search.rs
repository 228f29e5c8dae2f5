//! Searching posts: the Mattermost syntax parsed, names and dates resolved, and — the part
//! that matters — the set of channels the searcher may read decided here, from their
//! memberships, and handed to the index as a required filter. Results never come from a
//! channel outside that set, however many matches there are elsewhere.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::Actor;
use crate::app::channels::direct_channel_name;
use crate::app::permissions::perm;
use crate::app::posts::post_list;
use crate::app::teams::require_team;
use crate::error::AppError;
use crate::model::{Channel, ChannelType};
use crate::search::index::{Hits, Resolved};
use crate::search::query::{QueryError, SearchQuery};
use crate::state::AppState;

/// Most results per page.
const MAX_PER_PAGE: u32 = 200;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The body of `POST /teams/{id}/posts/search` and `POST /posts/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub terms: String,
    pub is_or_search: bool,
    /// Seconds east of UTC of the searcher's time zone, for `on:`/`before:`/`after:`.
    pub time_zone_offset: i64,
    pub include_deleted_channels: bool,
    pub page: u32,
    pub per_page: Option<u32>,
}

fn bad_query(error: QueryError) -> AppError {
    AppError::invalid(
        "api.post.search_posts.invalid_terms.app_error",
        format!("The search could not be understood: {error}."),
    )
}

fn unavailable() -> AppError {
    AppError::NotImplemented {
        id: "api.post.search_posts.disabled.app_error",
        message: "Searching is not available in this process.".into(),
    }
}

/// Searches the posts of the channels the actor belongs to (in `team_id` and their direct
/// and group messages, or everywhere when `None`). Returns a PostList with `matches`.
pub async fn search_posts(
    state: &AppState,
    actor: &Actor,
    team_id: Option<&str>,
    params: &SearchParams,
) -> Result<Value, AppError> {
    let indexer = state.search.as_ref().ok_or_else(unavailable)?;
    let busy = crate::app::system::busy_state(state);
    if busy.busy {
        return Err(AppError::Busy {
            id: "api.context.server_busy.app_error",
            message:
                "The server is busy, so search is switched off for now. Please try again later."
                    .into(),
            retry_after_secs: u64::try_from(busy.expires - crate::model::now_millis() / 1000)
                .unwrap_or(1)
                .max(1),
        });
    }
    let query = SearchQuery::parse(&params.terms).map_err(bad_query)?;
    let per_page = params.per_page.unwrap_or(60).clamp(1, MAX_PER_PAGE);
    if let Some(team_id) = team_id {
        require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    }
    if query.is_empty() {
        return Ok(empty());
    }

    // The channels these results may come from: the actor's own, nothing else.
    let with_archived = params.include_deleted_channels
        && state
            .config()
            .team_settings
            .experimental_view_archived_channels;
    let channels: Vec<Channel> = state
        .store
        .list_user_channels(&actor.user.id, None, with_archived)
        .await?
        .into_iter()
        .filter(|c| team_id.is_none_or(|t| c.team_id == t || c.team_id.is_empty()))
        .filter(|c| with_archived || c.delete_at == 0)
        .collect();

    let mut allowed: Vec<String> = channels.iter().map(|c| c.id.clone()).collect();
    if !query.in_channels.is_empty() {
        let named = named_channels(state, actor, &channels, &query.in_channels).await?;
        allowed.retain(|id| named.contains(id));
    }
    let excluded_channel_ids =
        named_channels(state, actor, &channels, &query.excluded_in_channels).await?;
    if allowed.is_empty() {
        return Ok(empty());
    }
    let from_ids = find_user_ids(state, &query.from_users).await?;
    if !query.from_users.is_empty() && from_ids.is_empty() {
        // Nobody by those names: nothing they wrote.
        return Ok(empty());
    }
    let excluded_user_ids = find_user_ids(state, &query.excluded_from_users).await?;

    let offset = params.time_zone_offset.clamp(-14 * 3600, 14 * 3600) * 1000;
    let midnight = |day: &crate::search::query::Day| day.days_since_epoch() * DAY_MS - offset;
    let (mut from, mut to) = (None, None);
    if let Some(day) = &query.on {
        from = Some(midnight(day));
        to = Some(midnight(day) + DAY_MS);
    }
    if let Some(day) = &query.after {
        let start = midnight(day) + DAY_MS;
        from = Some(from.map_or(start, |f: i64| f.max(start)));
    }
    if let Some(day) = &query.before {
        let end = midnight(day);
        to = Some(to.map_or(end, |t: i64| t.min(end)));
    }

    let resolved = Resolved {
        terms: query.terms.clone(),
        excluded: query.excluded.clone(),
        hashtags: query.hashtags.clone(),
        excluded_hashtags: query.excluded_hashtags.clone(),
        channel_ids: allowed,
        excluded_channel_ids,
        user_ids: from_ids,
        excluded_user_ids,
        from,
        to,
        or: params.is_or_search,
        offset: (params.page as usize).saturating_mul(per_page as usize),
        limit: per_page as usize,
    };
    let index = indexer.index().clone();
    let Hits { post_ids, .. } = tokio::task::spawn_blocking(move || index.search(&resolved))
        .await
        .map_err(|e| AppError::Internal(format!("search task failed: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;

    // The index may be a moment behind: take the posts as the database has them now, and
    // drop any deleted since.
    let found = state.store.get_posts_by_ids(&post_ids).await?;
    let by_id: BTreeMap<&str, &crate::model::Post> =
        found.iter().map(|p| (p.id.as_str(), p)).collect();
    let posts: Vec<crate::model::Post> = post_ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .filter(|p| p.delete_at == 0)
        .cloned()
        .collect();
    let mut matches = serde_json::Map::new();
    let mut words_of = query.terms.clone();
    words_of.extend(
        query
            .hashtags
            .iter()
            .map(|t| crate::search::query::Term::Word(t.clone())),
    );
    for post in &posts {
        let words = indexer.index().matched_words(&words_of, &post.message);
        let mut words: Vec<String> = words;
        for tag in &query.hashtags {
            let hashtag = format!("#{tag}");
            if post
                .hashtags
                .split_whitespace()
                .any(|h| h.eq_ignore_ascii_case(&hashtag))
            {
                words.push(hashtag);
            }
        }
        words.sort();
        words.dedup();
        matches.insert(post.id.clone(), json!(words));
    }
    let list = post_list(state, posts).await?;
    let mut body = serde_json::to_value(list).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("matches".into(), Value::Object(matches));
        map.insert("next_post_id".into(), json!(""));
        map.insert("prev_post_id".into(), json!(""));
    }
    Ok(body)
}

fn empty() -> Value {
    json!({
        "order": [],
        "posts": {},
        "matches": {},
        "next_post_id": "",
        "prev_post_id": "",
    })
}

/// The ids, among `channels`, that `names` name: a channel name, or `@username` for the
/// direct channel with that user.
async fn named_channels(
    state: &AppState,
    actor: &Actor,
    channels: &[Channel],
    names: &[String],
) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    for name in names {
        if let Some(username) = name.strip_prefix('@') {
            let users = state
                .store
                .get_users_by_usernames(&[username.to_string()])
                .await?;
            for user in users {
                let direct = direct_channel_name(&actor.user.id, &user.id);
                ids.extend(
                    channels
                        .iter()
                        .filter(|c| c.channel_type == ChannelType::Direct && c.name == direct)
                        .map(|c| c.id.clone()),
                );
            }
        } else {
            ids.extend(
                channels
                    .iter()
                    .filter(|c| c.name == *name)
                    .map(|c| c.id.clone()),
            );
        }
    }
    Ok(ids)
}

async fn find_user_ids(state: &AppState, usernames: &[String]) -> Result<Vec<String>, AppError> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .get_users_by_usernames(usernames)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Starts a rebuild of the search index from the database (`POST
/// /api/v4/bleve/purge_indexes`, system admins): the index is emptied and refilled in the
/// background while searches answer from what is there.
pub async fn rebuild_index(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    if !actor.can(perm::MANAGE_SYSTEM) {
        return Err(AppError::Forbidden);
    }
    let indexer = state.search.as_ref().ok_or_else(unavailable)?;
    indexer.request_rebuild();
    crate::app::audit::record(
        state,
        &actor.user.id,
        "searchIndexRebuild",
        "",
        "",
        &actor.session.id,
    )
    .await;
    Ok(())
}
