//! Finding users and channels by name: user search and autocomplete, channel search and
//! autocomplete. The directory (`search::directory`) says whose names match, forgiving a
//! typo and ranking the best first; who may be shown is decided here and in SQL, with the
//! same rules as every listing — the directory is never the authority on access.

use std::collections::{HashMap, HashSet};

use crate::app::Actor;
use crate::app::permissions::perm;
use crate::app::teams::{require_team, team_grants};
use crate::error::AppError;
use crate::model::{Channel, ChannelType, User};
use crate::search::directory::{ChannelScope, Directory, Hit, Visible};
use crate::state::AppState;
use crate::store::{TeamChannels, UserQuery};

/// Most candidate users taken from the directory for one search; the SQL filters then
/// keep those the query allows.
const USER_CANDIDATES: usize = 1000;
/// Most channels in one answer, as Mattermost: search 100, autocomplete 50.
const SEARCH_LIMIT: usize = 100;
const AUTOCOMPLETE_LIMIT: usize = 50;
/// Longest channel search term (characters), as for users.
const MAX_TERM_CHARS: usize = 64;

fn unavailable() -> AppError {
    AppError::NotImplemented {
        id: "api.channel.search.disabled.app_error",
        message: "Searching channels is not available in this process.".into(),
    }
}

fn directory_of(state: &AppState) -> Option<std::sync::Arc<Directory>> {
    state.search.as_ref().map(|s| s.directory().clone())
}

/// Runs a directory lookup on the blocking pool.
async fn lookup(
    directory: std::sync::Arc<Directory>,
    find: impl FnOnce(&Directory) -> Result<Vec<Hit>, crate::search::index::SearchError>
    + Send
    + 'static,
) -> Result<Vec<Hit>, AppError> {
    tokio::task::spawn_blocking(move || find(&directory))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The users `query` allows (its team, channel, state and role filters, its `limit`)
/// whose names match `term`.
///
/// Two sources, merged: the directory's candidates (every word a prefix of a name word,
/// or one typo away), filtered by the query in SQL; and the query's own SQL prefix match
/// on username, names, nickname and — when `query.search_email` — e-mail address. The
/// SQL match keeps e-mail search working (addresses are not in the directory) and finds
/// an account created a moment ago, before the directory has heard of it. Order: the
/// directory's exact and prefix matches as it ranks them, then the other SQL matches (by
/// username), then the typo matches.
///
/// Without a directory (commands run beside the server), or for a term with an `@` after
/// its start (an e-mail address), the SQL match alone.
pub async fn search_users(
    state: &AppState,
    query: UserQuery,
    term: &str,
) -> Result<Vec<User>, AppError> {
    let term = term.trim();
    let by_prefix = UserQuery {
        term: Some(term.to_string()),
        ..query.clone()
    };
    let words = term.trim_start_matches('@').trim();
    // An `@` after the start makes it an address, which only the SQL match looks at (the
    // directory would take `carol@` for the name carol).
    let by_name = !words.is_empty() && !words.contains('@');
    let Some(directory) = directory_of(state).filter(|_| by_name) else {
        return Ok(state.store.list_users(&by_prefix).await?);
    };
    let wanted = words.to_string();
    let hits = match lookup(directory, move |d| d.find_users(&wanted, USER_CANDIDATES)).await {
        Ok(hits) => hits,
        Err(error) => {
            tracing::warn!(?error, "user directory lookup failed; prefix search only");
            Vec::new()
        }
    };
    let from_directory = if hits.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .list_users(&UserQuery {
                ids: Some(hits.iter().map(|h| h.id.clone()).collect()),
                offset: 0,
                limit: u32::try_from(hits.len()).unwrap_or(u32::MAX),
                ..query.clone()
            })
            .await?
    };
    let from_sql = state.store.list_users(&by_prefix).await?;
    Ok(merge_users(
        &hits,
        from_directory,
        from_sql,
        query.limit as usize,
    ))
}

/// Directory matches without a typo (in its order), SQL matches, typo matches; each user
/// once, at most `limit`.
fn merge_users(
    hits: &[Hit],
    from_directory: Vec<User>,
    from_sql: Vec<User>,
    limit: usize,
) -> Vec<User> {
    let mut found: HashMap<String, User> = from_directory
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let mut out = Vec::new();
    let mut taken = HashSet::new();
    for hit in hits.iter().filter(|h| !h.typo) {
        if let Some(user) = found.remove(&hit.id) {
            taken.insert(hit.id.clone());
            out.push(user);
        }
    }
    for user in from_sql {
        if taken.insert(user.id.clone()) {
            found.remove(&user.id);
            out.push(user);
        }
    }
    for hit in hits.iter().filter(|h| h.typo) {
        if let Some(user) = found.remove(&hit.id) {
            out.push(user);
        }
    }
    out.truncate(limit);
    out
}

/// The term of a channel search: without a leading `~`, trimmed, at most 64 characters.
fn channel_term(term: &str) -> Result<String, AppError> {
    let term = term.trim().trim_start_matches('~').trim();
    if term.chars().count() > MAX_TERM_CHARS {
        return Err(AppError::InvalidBody {
            name: "term",
            detail: format!("term must be at most {MAX_TERM_CHARS} characters"),
        });
    }
    Ok(term.to_string())
}

/// Whether archived channels may be offered to members (`ExperimentalViewArchivedChannels`).
fn archived_visible(state: &AppState) -> bool {
    state
        .config()
        .team_settings
        .experimental_view_archived_channels
}

/// The channels among `hits`, in their order: from `known` when there, else read.
async fn channels_for(
    state: &AppState,
    hits: &[Hit],
    known: &HashMap<String, Channel>,
) -> Result<Vec<Channel>, AppError> {
    let reads = hits.iter().map(|hit| async move {
        match known.get(&hit.id) {
            Some(channel) => Ok(Some(channel.clone())),
            None => match state.store.get_channel(&hit.id).await {
                Ok(channel) => Ok(Some(channel)),
                Err(crate::store::StoreError::NotFound) => Ok(None),
                Err(other) => Err(AppError::from(other)),
            },
        }
    });
    Ok(futures_util::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The actor's public and private channels in `team_id` (archived ones when `archived`),
/// by id, and their direct channels.
async fn own_channels(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    archived: bool,
) -> Result<(HashMap<String, Channel>, Vec<Channel>), AppError> {
    let mut team = HashMap::new();
    let mut direct = Vec::new();
    for channel in state
        .store
        .list_user_channels(&actor.user.id, Some(team_id), archived)
        .await?
    {
        match channel.channel_type {
            ChannelType::Open | ChannelType::Private if channel.team_id == team_id => {
                team.insert(channel.id.clone(), channel);
            }
            ChannelType::Direct => direct.push(channel),
            _ => {}
        }
    }
    Ok((team, direct))
}

/// Finds channels of `team_id` in the directory (public ones, and the `own` ones per
/// `visible`), and reads them, in ranked order, at most `limit`.
async fn find_team_channels(
    state: &AppState,
    team_id: &str,
    term: &str,
    visible: VisibleIds,
    archived: bool,
    own: &HashMap<String, Channel>,
    limit: usize,
) -> Result<Vec<Channel>, AppError> {
    let directory = directory_of(state).ok_or_else(unavailable)?;
    let (team_id_owned, term_owned) = (team_id.to_string(), term.to_string());
    let ids: Vec<String> = own.keys().cloned().collect();
    let hits = lookup(directory, move |d| {
        let visible = match visible {
            VisibleIds::Public => Visible::PublicAnd(&[]),
            VisibleIds::PublicAndOwn => Visible::PublicAnd(&ids),
            VisibleIds::Own => Visible::Only(&ids),
        };
        d.find_channels(
            ChannelScope {
                team_id: Some(&team_id_owned),
                archived,
                visible,
            },
            &term_owned,
            limit,
        )
    })
    .await?;
    let channels = channels_for(state, &hits, own).await?;
    // The directory can lag a change by a moment: the database decides.
    Ok(channels
        .into_iter()
        .filter(|c| {
            c.team_id == team_id
                && (archived || c.delete_at == 0)
                && match visible {
                    VisibleIds::Public => c.channel_type == ChannelType::Open,
                    VisibleIds::PublicAndOwn => {
                        c.channel_type == ChannelType::Open || own.contains_key(&c.id)
                    }
                    VisibleIds::Own => own.contains_key(&c.id),
                }
        })
        .collect())
}

#[derive(Debug, Clone, Copy)]
enum VisibleIds {
    Public,
    PublicAndOwn,
    Own,
}

/// Sorted by display name, at most `limit`: the answer to an empty term.
fn by_display_name(mut channels: Vec<Channel>, limit: usize) -> Vec<Channel> {
    channels.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    channels.truncate(limit);
    channels
}

/// `POST /teams/{id}/channels/search`: the team's public, unarchived channels matching
/// `term`; for a team member without `list_team_channels` (a guest), their own channels
/// of the team matching it, as Mattermost does.
pub async fn search_channels(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    term: &str,
) -> Result<Vec<Channel>, AppError> {
    let (_, member) = require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    let term = channel_term(term)?;
    let public = team_grants(actor, member.as_ref(), perm::LIST_TEAM_CHANNELS);
    let own = if public {
        HashMap::new()
    } else {
        own_channels(state, actor, team_id, false).await?.0
    };
    let visible = if public {
        VisibleIds::Public
    } else {
        VisibleIds::Own
    };
    if term.is_empty() {
        let listed = if public {
            state
                .store
                .list_team_channels(team_id, TeamChannels::Public, 0, SEARCH_LIMIT as u32)
                .await?
        } else {
            own.into_values().collect()
        };
        return Ok(by_display_name(listed, SEARCH_LIMIT));
    }
    find_team_channels(state, team_id, &term, visible, false, &own, SEARCH_LIMIT).await
}

/// `GET /teams/{id}/channels/autocomplete`: the team's channels the actor can see (public
/// ones, and private ones they belong to), unarchived, matching `name`.
pub async fn autocomplete_channels(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    name: &str,
) -> Result<Vec<Channel>, AppError> {
    require_team(state, actor, team_id, perm::LIST_TEAM_CHANNELS).await?;
    let term = channel_term(name)?;
    let (own, _) = own_channels(state, actor, team_id, false).await?;
    if term.is_empty() {
        let mut listed = state
            .store
            .list_team_channels(team_id, TeamChannels::Public, 0, AUTOCOMPLETE_LIMIT as u32)
            .await?;
        let public: HashSet<String> = listed.iter().map(|c| c.id.clone()).collect();
        listed.extend(
            own.into_values()
                .filter(|c| c.channel_type == ChannelType::Private && !public.contains(&c.id)),
        );
        return Ok(by_display_name(listed, AUTOCOMPLETE_LIMIT));
    }
    find_team_channels(
        state,
        team_id,
        &term,
        VisibleIds::PublicAndOwn,
        false,
        &own,
        AUTOCOMPLETE_LIMIT,
    )
    .await
}

/// `GET /teams/{id}/channels/search_autocomplete`: the team channels the actor belongs to
/// matching `name` (archived ones too when `ExperimentalViewArchivedChannels`), then their
/// direct messages with users matching it, shown under the other user's username — what
/// the `in:` search hint lists.
pub async fn autocomplete_channels_for_search(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    name: &str,
) -> Result<Vec<Channel>, AppError> {
    require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    let term = channel_term(name)?;
    let archived = archived_visible(state);
    let (own, direct) = own_channels(state, actor, team_id, archived).await?;
    if term.is_empty() {
        return Ok(by_display_name(
            own.into_values().collect(),
            AUTOCOMPLETE_LIMIT,
        ));
    }
    let mut found = find_team_channels(
        state,
        team_id,
        &term,
        VisibleIds::Own,
        archived,
        &own,
        AUTOCOMPLETE_LIMIT,
    )
    .await?;
    if found.len() < AUTOCOMPLETE_LIMIT {
        let room = AUTOCOMPLETE_LIMIT - found.len();
        found.extend(direct_messages_with(state, actor, direct, &term, room).await?);
    }
    Ok(found)
}

/// Those of the actor's `direct` channels whose other user's names match `term`, best
/// match first, each with the other user's username as its display name.
async fn direct_messages_with(
    state: &AppState,
    actor: &Actor,
    direct: Vec<Channel>,
    term: &str,
    limit: usize,
) -> Result<Vec<Channel>, AppError> {
    if direct.is_empty() {
        return Ok(Vec::new());
    }
    let mine = actor.user.id.clone();
    // The other member of each direct channel, from its name (`id__id`).
    let mut by_other: HashMap<String, Channel> = HashMap::new();
    for channel in direct {
        let other = channel
            .name
            .split("__")
            .find(|id| *id != mine)
            .unwrap_or(&mine)
            .to_string();
        by_other.insert(other, channel);
    }
    let directory = directory_of(state).ok_or_else(unavailable)?;
    let wanted = term.to_string();
    let hits = lookup(directory, move |d| d.find_users(&wanted, USER_CANDIDATES)).await?;
    let ids: Vec<String> = hits
        .iter()
        .filter(|h| by_other.contains_key(&h.id))
        .take(limit)
        .map(|h| h.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let users: HashMap<String, User> = state
        .store
        .get_users_by_ids(&ids)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| {
            let user = users.get(id)?;
            let mut channel = by_other.remove(id)?;
            channel.display_name = user.username.clone();
            Some(channel)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User {
            id: id.into(),
            username: id.into(),
            ..User::default()
        }
    }

    fn hit(id: &str, typo: bool) -> Hit {
        Hit {
            id: id.into(),
            typo,
        }
    }

    fn ids(users: &[User]) -> Vec<&str> {
        users.iter().map(|u| u.id.as_str()).collect()
    }

    #[test]
    fn merged_users_go_prefix_then_sql_then_typo() {
        let hits = [
            hit("b", false),
            hit("a", false),
            hit("t", true),
            hit("x", false),
        ];
        // x did not pass the SQL filters; e came from the SQL match only.
        let from_directory = vec![user("a"), user("b"), user("t")];
        let from_sql = vec![user("a"), user("e")];
        let merged = merge_users(&hits, from_directory, from_sql, 10);
        assert_eq!(ids(&merged), ["b", "a", "e", "t"]);
        let merged = merge_users(&hits, vec![user("a"), user("t")], vec![user("e")], 2);
        assert_eq!(ids(&merged), ["a", "e"]);
        assert!(merge_users(&[], Vec::new(), Vec::new(), 10).is_empty());
    }

    #[test]
    fn channel_terms() {
        assert_eq!(channel_term("  ~town ").unwrap(), "town");
        assert_eq!(channel_term("~").unwrap(), "");
        assert!(channel_term(&"x".repeat(65)).is_err());
    }
}
