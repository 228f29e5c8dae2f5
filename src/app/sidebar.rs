//! Sidebar categories: how a user groups their channels on a team (Mattermost's
//! Favorites, Channels, Direct Messages and custom categories).
//!
//! The store keeps only what the user changed; [`assemble`] builds the whole sidebar from
//! those rows and the user's channels, so every channel the user is in lands in exactly one
//! category without a write when they join it. Favourites follow the `favorite_channel`
//! preferences both ways, and a muted category mutes its channels (`mark_unread`).
//! Must not depend on actix or SQL.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::app::Actor;
use crate::app::permissions::perm;
use crate::error::AppError;
use crate::model::{
    CategorySorting, CategoryType, Channel, ChannelType, OrderedSidebarCategories, Preference,
    SidebarCategory, new_id,
};
use crate::state::AppState;
use crate::store::{CategoryWrite, Placement, SidebarEvent, SidebarRows, SidebarWrite, StoreError};

/// The preference category Mattermost keeps favourites in (name = channel id, value "true").
pub const FAVORITE_CHANNEL: &str = "favorite_channel";
/// Longest category name, in characters.
const MAX_DISPLAY_NAME: usize = 64;
/// Most custom categories one user may have on one team.
const MAX_CUSTOM_CATEGORIES: usize = 200;

/// A category as clients send it. Absent fields keep their value (Go clients send whole
/// categories; a partial one changes only what it names).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CategoryInput {
    pub id: String,
    pub user_id: String,
    pub team_id: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub display_name: Option<String>,
    pub sorting: Option<String>,
    pub muted: Option<bool>,
    pub collapsed: Option<bool>,
    pub channel_ids: Option<Vec<String>>,
}

fn category_missing() -> AppError {
    AppError::Missing {
        id: "app.channel.sidebar_categories.app_error",
        message: "The sidebar category does not exist.".into(),
    }
}

fn invalid(id: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(id, message)
}

/// Where a channel goes when the user has not placed it.
fn default_kind(channel: &Channel) -> CategoryType {
    match channel.channel_type {
        ChannelType::Direct | ChannelType::Group => CategoryType::DirectMessages,
        _ => CategoryType::Channels,
    }
}

/// Whether `channel` may be in a category of `kind`: conversations never go to Channels,
/// team channels never to Direct Messages.
fn fits(kind: CategoryType, channel: &Channel) -> bool {
    match kind {
        CategoryType::Channels => default_kind(channel) == CategoryType::Channels,
        CategoryType::DirectMessages => default_kind(channel) == CategoryType::DirectMessages,
        CategoryType::Favorites | CategoryType::Custom => true,
    }
}

fn kind_rank(kind: CategoryType) -> u8 {
    match kind {
        CategoryType::Custom => 0,
        CategoryType::Favorites => 1,
        CategoryType::Channels => 2,
        CategoryType::DirectMessages => 3,
    }
}

/// The whole sidebar of `user_id` on `team_id`, in order: the stored categories plus the
/// defaults not yet stored; the stored placements of `channels` (the user's channels of the
/// team and their conversations, not archived); then every channel placed nowhere, first in
/// its category: in Favorites when `favorites` names it, else in its default category
/// (team channels by name, conversations newest first). Placements of channels the user
/// left, or that do not fit their category, are ignored.
pub fn assemble(
    user_id: &str,
    team_id: &str,
    rows: SidebarRows,
    channels: &[Channel],
    favorites: &HashSet<String>,
) -> Vec<SidebarCategory> {
    let mut categories = rows.categories;
    for kind in CategoryType::DEFAULTS {
        let id = SidebarCategory::default_id(kind, user_id, team_id);
        if !categories.iter().any(|c| c.id == id) {
            categories.push(SidebarCategory::default_for(kind, user_id, team_id));
        }
    }
    categories.sort_by(|a, b| {
        (a.sort_order, kind_rank(a.kind), &a.id).cmp(&(b.sort_order, kind_rank(b.kind), &b.id))
    });
    for c in &mut categories {
        c.channel_ids.clear();
    }
    let by_id: HashMap<&str, &Channel> = channels.iter().map(|c| (c.id.as_str(), c)).collect();
    let index: HashMap<String, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut placements = rows.placements;
    placements.sort_by(|a, b| (&a.category_id, a.sort_order).cmp(&(&b.category_id, b.sort_order)));
    for p in placements {
        let (Some(&i), Some(channel)) =
            (index.get(&p.category_id), by_id.get(p.channel_id.as_str()))
        else {
            continue;
        };
        if fits(categories[i].kind, channel) && placed.insert(p.channel_id.clone()) {
            categories[i].channel_ids.push(p.channel_id);
        }
    }
    let mut unplaced: Vec<&Channel> = channels
        .iter()
        .filter(|c| !placed.contains(&c.id))
        .collect();
    unplaced.sort_by(|a, b| match (default_kind(a), default_kind(b)) {
        (CategoryType::DirectMessages, CategoryType::DirectMessages) => {
            (b.last_post_at.max(b.create_at), &a.id).cmp(&(a.last_post_at.max(a.create_at), &b.id))
        }
        _ => {
            (a.display_name.to_lowercase(), &a.name).cmp(&(b.display_name.to_lowercase(), &b.name))
        }
    });
    let mut fronts: HashMap<usize, Vec<String>> = HashMap::new();
    for channel in unplaced {
        let kind = if favorites.contains(&channel.id) {
            CategoryType::Favorites
        } else {
            default_kind(channel)
        };
        let id = SidebarCategory::default_id(kind, user_id, team_id);
        fronts
            .entry(index[&id])
            .or_default()
            .push(channel.id.clone());
    }
    for (i, mut front) in fronts {
        front.append(&mut categories[i].channel_ids);
        categories[i].channel_ids = front;
    }
    categories
}

/// What the user's sidebar is built from.
struct Loaded {
    categories: Vec<SidebarCategory>,
    channels: Vec<Channel>,
}

impl Loaded {
    fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    fn position(&self, category_id: &str) -> Result<usize, AppError> {
        self.categories
            .iter()
            .position(|c| c.id == category_id)
            .ok_or_else(category_missing)
    }

    /// The sidebar after `updated` replace their categories (placing their channels
    /// there and nowhere else), with channels left without a place back in their
    /// defaults.
    fn with(
        &self,
        user_id: &str,
        team_id: &str,
        updated: &[SidebarCategory],
    ) -> Vec<SidebarCategory> {
        let mut categories: Vec<SidebarCategory> = self.categories.clone();
        let mut placements = Vec::new();
        let moved: HashSet<&str> = updated
            .iter()
            .flat_map(|c| c.channel_ids.iter().map(String::as_str))
            .collect();
        for c in &mut categories {
            if let Some(u) = updated.iter().find(|u| u.id == c.id) {
                *c = u.clone();
                continue;
            }
            for (i, channel_id) in c.channel_ids.iter().enumerate() {
                if !moved.contains(channel_id.as_str()) {
                    placements.push(Placement {
                        channel_id: channel_id.clone(),
                        category_id: c.id.clone(),
                        sort_order: i as i64 * 10,
                    });
                }
            }
        }
        for u in updated {
            for (i, channel_id) in u.channel_ids.iter().enumerate() {
                placements.push(Placement {
                    channel_id: channel_id.clone(),
                    category_id: u.id.clone(),
                    sort_order: i as i64 * 10,
                });
            }
        }
        for u in updated {
            if !categories.iter().any(|c| c.id == u.id) {
                categories.push(u.clone());
            }
        }
        assemble(
            user_id,
            team_id,
            SidebarRows {
                categories,
                placements,
            },
            &self.channels,
            &HashSet::new(),
        )
    }
}

async fn favorites_of(state: &AppState, user_id: &str) -> Result<HashSet<String>, AppError> {
    Ok(state
        .store
        .get_preferences_in_category(user_id, FAVORITE_CHANNEL)
        .await?
        .into_iter()
        .filter(|p| p.value == "true")
        .map(|p| p.name)
        .collect())
}

async fn load(state: &AppState, user_id: &str, team_id: &str) -> Result<Loaded, AppError> {
    load_except(state, user_id, team_id, &HashSet::new()).await
}

/// The sidebar as if the favourite preferences of `unsettled` channels were not there
/// (they are being followed just now).
async fn load_except(
    state: &AppState,
    user_id: &str,
    team_id: &str,
    unsettled: &HashSet<&str>,
) -> Result<Loaded, AppError> {
    let rows = state.store.sidebar_rows(user_id, team_id).await?;
    let channels = state
        .store
        .list_user_channels(user_id, Some(team_id), false)
        .await?;
    let mut favorites = favorites_of(state, user_id).await?;
    favorites.retain(|id| !unsettled.contains(id.as_str()));
    Ok(Loaded {
        categories: assemble(user_id, team_id, rows, &channels, &favorites),
        channels,
    })
}

/// The actor may read and change `user_id`'s sidebar on `team_id`: themself (or an admin
/// allowed to edit other users), with `list_team_channels` in the team, and `user_id` a
/// member of it.
async fn authorize(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
) -> Result<(), AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    crate::app::teams::require_team(state, actor, team_id, perm::LIST_TEAM_CHANNELS).await?;
    if actor.user.id != user_id {
        match state.store.get_team_member(team_id, user_id).await {
            Ok(member) if member.delete_at == 0 => {}
            Ok(_) | Err(StoreError::NotFound) => return Err(crate::app::teams::team_missing()),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// `GET …/channels/categories`.
pub async fn get_categories(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
) -> Result<OrderedSidebarCategories, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    let categories = load(state, user_id, team_id).await?.categories;
    let order = categories.iter().map(|c| c.id.clone()).collect();
    Ok(OrderedSidebarCategories { categories, order })
}

/// `GET …/channels/categories/order`.
pub async fn get_order(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
) -> Result<Vec<String>, AppError> {
    Ok(get_categories(state, actor, user_id, team_id).await?.order)
}

/// `GET …/channels/categories/{id}`.
pub async fn get_category(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    category_id: &str,
) -> Result<SidebarCategory, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    let loaded = load(state, user_id, team_id).await?;
    let i = loaded.position(category_id)?;
    Ok(loaded.categories[i].clone())
}

fn check_display_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME {
        return Err(invalid(
            "model.sidebar_category.display_name.app_error",
            format!("A category name must be 1 to {MAX_DISPLAY_NAME} characters."),
        ));
    }
    Ok(name.to_string())
}

/// Checks that the input names this user and team (when it names them at all).
fn check_owner(input: &CategoryInput, user_id: &str, team_id: &str) -> Result<(), AppError> {
    if (!input.user_id.is_empty() && input.user_id != user_id)
        || (!input.team_id.is_empty() && input.team_id != team_id)
    {
        return Err(invalid(
            "api.sidebar_category.owner.app_error",
            "The category's user_id and team_id must be those in the URL.",
        ));
    }
    Ok(())
}

/// `category` with the input's changes, checked against the user's channels.
fn merged(
    loaded: &Loaded,
    category: &SidebarCategory,
    input: &CategoryInput,
) -> Result<SidebarCategory, AppError> {
    let mut next = category.clone();
    if let Some(kind) = &input.kind
        && CategoryType::parse(kind) != Some(category.kind)
    {
        return Err(invalid(
            "api.sidebar_category.type.app_error",
            "The type of a category cannot change.",
        ));
    }
    if let Some(name) = &input.display_name {
        // Only custom categories can be renamed; the default names are the clients' to
        // translate, so a default category sent back with another name keeps its own.
        if category.kind == CategoryType::Custom {
            next.display_name = check_display_name(name)?;
        }
    }
    if let Some(sorting) = &input.sorting {
        next.sorting = CategorySorting::parse(sorting).ok_or_else(|| {
            invalid(
                "api.sidebar_category.sorting.app_error",
                "Sorting must be one of \"\", alpha, recent or manual.",
            )
        })?;
    }
    if let Some(muted) = input.muted {
        next.muted = muted;
    }
    if let Some(collapsed) = input.collapsed {
        next.collapsed = collapsed;
    }
    if let Some(ids) = &input.channel_ids {
        let mut seen = HashSet::new();
        let mut kept = Vec::with_capacity(ids.len());
        for id in ids {
            // Clients keep the ids of channels the user has left or that were archived,
            // and send them back; such ids (and any other that is not one of the user's
            // channels here) are dropped, revealing nothing about them.
            let Some(channel) = loaded.channel(id) else {
                continue;
            };
            if !fits(next.kind, channel) {
                return Err(invalid(
                    "api.sidebar_category.channel_type.app_error",
                    format!(
                        "Channel {id} cannot be in the {} category.",
                        next.kind.as_str()
                    ),
                ));
            }
            if !seen.insert(id) {
                return Err(invalid(
                    "api.sidebar_category.channel.app_error",
                    format!("Channel {id} is listed twice."),
                ));
            }
            kept.push(id.clone());
        }
        next.channel_ids = kept;
    }
    Ok(next)
}

fn channel_set(categories: &[SidebarCategory], kind: CategoryType) -> HashSet<String> {
    categories
        .iter()
        .filter(|c| c.kind == kind)
        .flat_map(|c| c.channel_ids.iter().cloned())
        .collect()
}

fn muted_set(categories: &[SidebarCategory]) -> HashMap<String, bool> {
    categories
        .iter()
        .flat_map(|c| c.channel_ids.iter().map(move |id| (id.clone(), c.muted)))
        .collect()
}

/// The preference writes that keep `favorite_channel` in step with the Favorites
/// category when it goes from `before` to `after`.
fn favorite_preferences(
    user_id: &str,
    before: &[SidebarCategory],
    after: &[SidebarCategory],
) -> (Vec<Preference>, Vec<Preference>) {
    let (was, is) = (
        channel_set(before, CategoryType::Favorites),
        channel_set(after, CategoryType::Favorites),
    );
    let preference = |id: &String, value: &str| Preference {
        user_id: user_id.to_string(),
        category: FAVORITE_CHANNEL.to_string(),
        name: id.clone(),
        value: value.to_string(),
    };
    let mut save: Vec<Preference> = is
        .difference(&was)
        .map(|id| preference(id, "true"))
        .collect();
    let mut delete: Vec<Preference> = was.difference(&is).map(|id| preference(id, "")).collect();
    save.sort_by(|a, b| a.name.cmp(&b.name));
    delete.sort_by(|a, b| a.name.cmp(&b.name));
    (save, delete)
}

/// Mutes or unmutes the channels whose category's `muted` differs between `before` and
/// `after` (Mattermost's `mark_unread: mention` is a muted channel).
async fn follow_mutes(
    state: &AppState,
    user_id: &str,
    before: &[SidebarCategory],
    after: &[SidebarCategory],
) -> Result<(), AppError> {
    let was = muted_set(before);
    let mut changes: Vec<(String, bool)> = muted_set(after)
        .into_iter()
        .filter(|(id, muted)| was.get(id).is_some_and(|w| w != muted))
        .collect();
    changes.sort();
    for (channel_id, muted) in changes {
        let mut member = match state.store.get_channel_member(&channel_id, user_id).await {
            Ok(member) => member,
            Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        let value = if muted { "mention" } else { "all" };
        if member.notify_props.get("mark_unread").map(String::as_str) == Some(value) {
            continue;
        }
        member
            .notify_props
            .insert("mark_unread".into(), value.into());
        state.store.update_channel_member(&member).await?;
    }
    Ok(())
}

/// Saves the categories `changed` (with their channels), the favourites they imply and
/// `event`, then follows the mutes.
async fn save(
    state: &AppState,
    user_id: &str,
    team_id: &str,
    loaded: &Loaded,
    after: &[SidebarCategory],
    mut write: SidebarWrite,
) -> Result<(), AppError> {
    let before = &loaded.categories;
    let (save_preferences, delete_preferences) = favorite_preferences(user_id, before, after);
    // Direct and group messages are on every team's sidebar: their favourite changes
    // follow on the user's other teams too.
    let conversations: Vec<Preference> = save_preferences
        .iter()
        .chain(&delete_preferences)
        .filter(|p| {
            loaded
                .channel(&p.name)
                .is_some_and(|c| default_kind(c) == CategoryType::DirectMessages)
        })
        .cloned()
        .collect();
    write.save_preferences = save_preferences;
    write.delete_preferences = delete_preferences;
    state.store.write_sidebar(user_id, team_id, &write).await?;
    follow_mutes(state, user_id, before, after).await?;
    if !conversations.is_empty() {
        follow_favorite_preferences(state, user_id, &conversations, false).await?;
    }
    Ok(())
}

/// The categories of `after` that differ from `before`.
fn changed(before: &[SidebarCategory], after: &[SidebarCategory]) -> Vec<SidebarCategory> {
    after
        .iter()
        .filter(|c| before.iter().find(|b| b.id == c.id) != Some(c))
        .cloned()
        .collect()
}

/// The event of an update: the categories it changed; none when it changed nothing.
fn updated_event(before: &[SidebarCategory], after: &[SidebarCategory]) -> SidebarEvent {
    let changed = changed(before, after);
    if changed.is_empty() {
        SidebarEvent::None
    } else {
        SidebarEvent::Updated(changed)
    }
}

/// `POST …/channels/categories`: a custom category, first in the order.
pub async fn create_category(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    input: CategoryInput,
) -> Result<SidebarCategory, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    check_owner(&input, user_id, team_id)?;
    if input.kind.as_deref().is_some_and(|k| k != "custom") {
        return Err(invalid(
            "api.sidebar_category.type.app_error",
            "Only custom categories can be created.",
        ));
    }
    let loaded = load(state, user_id, team_id).await?;
    if loaded
        .categories
        .iter()
        .filter(|c| c.kind == CategoryType::Custom)
        .count()
        >= MAX_CUSTOM_CATEGORIES
    {
        return Err(invalid(
            "api.sidebar_category.too_many.app_error",
            format!("A user can have at most {MAX_CUSTOM_CATEGORIES} custom categories on a team."),
        ));
    }
    let blank = SidebarCategory {
        id: new_id(),
        user_id: user_id.to_string(),
        team_id: team_id.to_string(),
        kind: CategoryType::Custom,
        display_name: check_display_name(input.display_name.as_deref().unwrap_or_default())?,
        ..SidebarCategory::default()
    };
    let mut category = merged(&loaded, &blank, &input)?;
    category.sort_order = 0;
    let mut updated = vec![category.clone()];
    for (i, c) in loaded.categories.iter().enumerate() {
        let channel_ids = c
            .channel_ids
            .iter()
            .filter(|id| !category.channel_ids.contains(id))
            .cloned()
            .collect();
        updated.push(SidebarCategory {
            sort_order: (i as i64 + 1) * 10,
            channel_ids,
            ..c.clone()
        });
    }
    let after = loaded.with(user_id, team_id, &updated);
    let write = SidebarWrite {
        categories: updated
            .iter()
            .map(|c| CategoryWrite {
                category: c.clone(),
                channels: c.id == category.id,
                order_only: c.id != category.id,
            })
            .collect(),
        event: SidebarEvent::Created(category.id.clone()),
        ..SidebarWrite::default()
    };
    save(state, user_id, team_id, &loaded, &after, write).await?;
    Ok(after
        .into_iter()
        .find(|c| c.id == category.id)
        .unwrap_or(category))
}

/// `PUT …/channels/categories` and `…/categories/{id}`: changes existing categories;
/// returns them as saved.
pub async fn update_categories(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    inputs: Vec<CategoryInput>,
) -> Result<Vec<SidebarCategory>, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    if inputs.is_empty() {
        return Err(AppError::InvalidBody {
            name: "categories",
            detail: "give at least one category".into(),
        });
    }
    let loaded = load(state, user_id, team_id).await?;
    let mut updated: Vec<SidebarCategory> = Vec::with_capacity(inputs.len());
    for input in &inputs {
        check_owner(input, user_id, team_id)?;
        let i = loaded.position(&input.id)?;
        if updated.iter().any(|u| u.id == input.id) {
            return Err(invalid(
                "api.sidebar_category.duplicate.app_error",
                format!("Category {} is listed twice.", input.id),
            ));
        }
        updated.push(merged(&loaded, &loaded.categories[i], input)?);
    }
    // A channel listed by one input leaves the categories whose lists were not given;
    // listed by two, it is an error.
    let mut listed: HashSet<&String> = HashSet::new();
    for input in &inputs {
        for id in input.channel_ids.iter().flatten() {
            if !listed.insert(id) {
                return Err(invalid(
                    "api.sidebar_category.channel.app_error",
                    format!("Channel {id} is listed in two categories."),
                ));
            }
        }
    }
    for (u, input) in updated.iter_mut().zip(&inputs) {
        if input.channel_ids.is_none() {
            u.channel_ids.retain(|id| !listed.contains(id));
        }
    }
    let after = loaded.with(user_id, team_id, &updated);
    let write = SidebarWrite {
        categories: updated
            .iter()
            .map(|c| CategoryWrite {
                category: c.clone(),
                channels: inputs
                    .iter()
                    .any(|i| i.id == c.id && i.channel_ids.is_some()),
                order_only: false,
            })
            .collect(),
        event: updated_event(&loaded.categories, &after),
        ..SidebarWrite::default()
    };
    save(state, user_id, team_id, &loaded, &after, write).await?;
    Ok(updated
        .iter()
        .filter_map(|u| after.iter().find(|c| c.id == u.id).cloned())
        .collect())
}

/// `PUT …/channels/categories/order`: the order of all the user's categories on the team.
pub async fn set_order(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    order: Vec<String>,
) -> Result<Vec<String>, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    let loaded = load(state, user_id, team_id).await?;
    let given: HashSet<&String> = order.iter().collect();
    if given.len() != order.len()
        || order.len() != loaded.categories.len()
        || loaded.categories.iter().any(|c| !given.contains(&c.id))
    {
        return Err(invalid(
            "api.sidebar_category.order.app_error",
            "The order must list every category of the user on the team exactly once.",
        ));
    }
    let categories = order
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let c = loaded.categories.iter().find(|c| &c.id == id)?;
            Some(CategoryWrite {
                category: SidebarCategory {
                    sort_order: i as i64 * 10,
                    ..c.clone()
                },
                channels: false,
                order_only: true,
            })
        })
        .collect();
    let write = SidebarWrite {
        categories,
        event: SidebarEvent::OrderUpdated(order.clone()),
        ..SidebarWrite::default()
    };
    state.store.write_sidebar(user_id, team_id, &write).await?;
    Ok(order)
}

/// `DELETE …/channels/categories/{id}`: only custom categories; their channels go back
/// to their default categories. Returns the category as it was.
pub async fn delete_category(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
    category_id: &str,
) -> Result<SidebarCategory, AppError> {
    authorize(state, actor, user_id, team_id).await?;
    let loaded = load(state, user_id, team_id).await?;
    let category = loaded.categories[loaded.position(category_id)?].clone();
    if category.kind != CategoryType::Custom {
        return Err(invalid(
            "api.sidebar_category.delete_default.app_error",
            "Only custom categories can be deleted.",
        ));
    }
    let remaining = Loaded {
        categories: loaded
            .categories
            .iter()
            .filter(|c| c.id != category_id)
            .cloned()
            .collect(),
        channels: loaded.channels.clone(),
    };
    let after = remaining.with(user_id, team_id, &[]);
    let write = SidebarWrite {
        delete: vec![category.id.clone()],
        event: SidebarEvent::Deleted(category.id.clone()),
        ..SidebarWrite::default()
    };
    save(state, user_id, team_id, &loaded, &after, write).await?;
    Ok(category)
}

/// Moves channels into or out of Favorites after `favorite_channel` preferences were
/// saved (`value == "true"`) or deleted, on every team where the channel is in the
/// user's sidebar. The preferences are already stored, so this writes only categories.
pub async fn follow_favorite_preferences(
    state: &AppState,
    user_id: &str,
    preferences: &[Preference],
    deleted: bool,
) -> Result<(), AppError> {
    let wanted: Vec<(&str, bool)> = preferences
        .iter()
        .filter(|p| p.category == FAVORITE_CHANNEL)
        .map(|p| (p.name.as_str(), !deleted && p.value == "true"))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let unsettled: HashSet<&str> = wanted.iter().map(|(id, _)| *id).collect();
    for team in state.store.list_user_teams(user_id).await? {
        let loaded = load_except(state, user_id, &team.id, &unsettled).await?;
        let favorites = &loaded.categories[loaded.position(&SidebarCategory::default_id(
            CategoryType::Favorites,
            user_id,
            &team.id,
        ))?];
        let mut next = favorites.clone();
        for &(channel_id, favorite) in &wanted {
            let present = next.channel_ids.iter().any(|id| id == channel_id);
            if favorite && !present && loaded.channel(channel_id).is_some() {
                next.channel_ids.insert(0, channel_id.to_string());
            } else if !favorite && present {
                next.channel_ids.retain(|id| id != channel_id);
            }
        }
        if next == *favorites {
            continue;
        }
        let after = loaded.with(user_id, &team.id, std::slice::from_ref(&next));
        let write = SidebarWrite {
            categories: vec![CategoryWrite {
                category: next,
                channels: true,
                order_only: false,
            }],
            event: updated_event(&loaded.categories, &after),
            ..SidebarWrite::default()
        };
        state.store.write_sidebar(user_id, &team.id, &write).await?;
        follow_mutes(state, user_id, &loaded.categories, &after).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: &str, kind: ChannelType, name: &str, last_post_at: i64) -> Channel {
        Channel {
            id: id.into(),
            channel_type: kind,
            team_id: if matches!(kind, ChannelType::Direct | ChannelType::Group) {
                String::new()
            } else {
                "t".into()
            },
            display_name: name.into(),
            name: name.to_lowercase(),
            last_post_at,
            ..Channel::default()
        }
    }

    fn ids(c: &SidebarCategory) -> Vec<&str> {
        c.channel_ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn unplaced_channels_land_in_their_default_categories() {
        let channels = [
            channel("b", ChannelType::Open, "Beta", 0),
            channel("a", ChannelType::Private, "alpha", 0),
            channel("d1", ChannelType::Direct, "", 5),
            channel("g1", ChannelType::Group, "", 9),
        ];
        let sidebar = assemble("u", "t", SidebarRows::default(), &channels, &HashSet::new());
        let kinds: Vec<CategoryType> = sidebar.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, CategoryType::DEFAULTS);
        assert_eq!(sidebar[0].id, "favorites_u_t");
        assert!(sidebar[0].channel_ids.is_empty());
        assert_eq!(
            ids(&sidebar[1]),
            ["a", "b"],
            "team channels by name, case aside"
        );
        assert_eq!(ids(&sidebar[2]), ["g1", "d1"], "conversations newest first");
        assert_eq!(sidebar[2].sorting, CategorySorting::Recent);
    }

    #[test]
    fn placements_win_and_stale_or_misfit_ones_are_ignored() {
        let channels = [
            channel("a", ChannelType::Open, "A", 0),
            channel("b", ChannelType::Open, "B", 0),
            channel("d", ChannelType::Direct, "", 0),
        ];
        let custom = SidebarCategory {
            id: "c".into(),
            kind: CategoryType::Custom,
            sort_order: -10,
            ..SidebarCategory::default()
        };
        let rows = SidebarRows {
            categories: vec![custom],
            placements: vec![
                Placement {
                    channel_id: "b".into(),
                    category_id: "c".into(),
                    sort_order: 0,
                },
                Placement {
                    channel_id: "d".into(),
                    category_id: "c".into(),
                    sort_order: 10,
                },
                Placement {
                    channel_id: "gone".into(),
                    category_id: "c".into(),
                    sort_order: 20,
                },
                // A team channel cannot be a direct message.
                Placement {
                    channel_id: "a".into(),
                    category_id: "direct_messages_u_t".into(),
                    sort_order: 0,
                },
            ],
        };
        let sidebar = assemble("u", "t", rows, &channels, &HashSet::new());
        assert_eq!(sidebar[0].id, "c");
        assert_eq!(ids(&sidebar[0]), ["b", "d"]);
        assert_eq!(ids(&sidebar[2]), ["a"]);
        assert!(sidebar[3].channel_ids.is_empty());
    }

    #[test]
    fn a_favourite_preference_places_an_unplaced_channel_in_favorites() {
        let channels = [
            channel("a", ChannelType::Open, "A", 0),
            channel("d", ChannelType::Direct, "", 0),
        ];
        let favorites: HashSet<String> = ["d".to_string()].into();
        let sidebar = assemble("u", "t", SidebarRows::default(), &channels, &favorites);
        assert_eq!(ids(&sidebar[0]), ["d"]);
        assert_eq!(ids(&sidebar[1]), ["a"]);
        assert!(sidebar[2].channel_ids.is_empty());
    }

    #[test]
    fn moving_a_channel_takes_it_out_of_its_old_category() {
        let channels = [
            channel("a", ChannelType::Open, "A", 0),
            channel("b", ChannelType::Open, "B", 0),
        ];
        let loaded = Loaded {
            categories: assemble("u", "t", SidebarRows::default(), &channels, &HashSet::new()),
            channels: channels.to_vec(),
        };
        let favorites = SidebarCategory {
            channel_ids: vec!["b".into()],
            ..loaded.categories[0].clone()
        };
        let after = loaded.with("u", "t", &[favorites]);
        assert_eq!(ids(&after[0]), ["b"]);
        assert_eq!(ids(&after[1]), ["a"]);
        let (save, delete) = favorite_preferences("u", &loaded.categories, &after);
        assert_eq!(save.len(), 1);
        assert_eq!(
            (save[0].name.as_str(), save[0].value.as_str()),
            ("b", "true")
        );
        assert!(delete.is_empty());
        // And back: out of Favorites, it returns to Channels.
        let emptied = SidebarCategory {
            channel_ids: Vec::new(),
            ..after[0].clone()
        };
        let back = Loaded {
            categories: after.clone(),
            channels: channels.to_vec(),
        }
        .with("u", "t", &[emptied]);
        assert_eq!(
            ids(&back[1]),
            ["b", "a"],
            "the returning channel comes first"
        );
        let (_, delete) = favorite_preferences("u", &after, &back);
        assert_eq!(delete.len(), 1);
    }
}
