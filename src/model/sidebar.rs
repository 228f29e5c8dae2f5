//! Sidebar categories (Mattermost's `SidebarCategoryWithChannels`): how one user groups
//! and orders their channels on one team.

use serde::{Deserialize, Serialize};

/// What a category is. Every user has one of each of the first three on every team;
/// `Custom` ones are made by the user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryType {
    Favorites,
    #[default]
    Channels,
    DirectMessages,
    Custom,
}

impl CategoryType {
    pub fn as_str(self) -> &'static str {
        match self {
            CategoryType::Favorites => "favorites",
            CategoryType::Channels => "channels",
            CategoryType::DirectMessages => "direct_messages",
            CategoryType::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Option<CategoryType> {
        Some(match text {
            "favorites" => CategoryType::Favorites,
            "channels" => CategoryType::Channels,
            "direct_messages" => CategoryType::DirectMessages,
            "custom" => CategoryType::Custom,
            _ => return None,
        })
    }

    /// The three categories every user has on every team, in their first order.
    pub const DEFAULTS: [CategoryType; 3] = [
        CategoryType::Favorites,
        CategoryType::Channels,
        CategoryType::DirectMessages,
    ];
}

/// How the clients order a category's channels: `""` (as stored, like manual),
/// `alpha`, `recent` (newest post first) or `manual`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategorySorting {
    #[default]
    #[serde(rename = "")]
    Default,
    #[serde(rename = "alpha")]
    Alpha,
    #[serde(rename = "recent")]
    Recent,
    #[serde(rename = "manual")]
    Manual,
}

impl CategorySorting {
    pub fn as_str(self) -> &'static str {
        match self {
            CategorySorting::Default => "",
            CategorySorting::Alpha => "alpha",
            CategorySorting::Recent => "recent",
            CategorySorting::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<CategorySorting> {
        Some(match text {
            "" => CategorySorting::Default,
            "alpha" => CategorySorting::Alpha,
            "recent" => CategorySorting::Recent,
            "manual" => CategorySorting::Manual,
            _ => return None,
        })
    }
}

/// One category with its channels in display order (for `Default` and `Manual`
/// sorting; the clients sort the others themselves).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidebarCategory {
    pub id: String,
    pub user_id: String,
    pub team_id: String,
    pub sort_order: i64,
    pub sorting: CategorySorting,
    #[serde(rename = "type")]
    pub kind: CategoryType,
    pub display_name: String,
    pub muted: bool,
    pub collapsed: bool,
    pub channel_ids: Vec<String>,
}

impl SidebarCategory {
    /// The id of a user's default category of `kind` on a team. Deterministic, as
    /// Mattermost's are, so a default category exists before it is ever written.
    pub fn default_id(kind: CategoryType, user_id: &str, team_id: &str) -> String {
        format!("{}_{user_id}_{team_id}", kind.as_str())
    }

    /// A default category as it is before the user changes it.
    pub fn default_for(kind: CategoryType, user_id: &str, team_id: &str) -> SidebarCategory {
        let (display_name, sort_order, sorting) = match kind {
            CategoryType::Favorites => ("Favorites", 0, CategorySorting::Default),
            CategoryType::Channels => ("Channels", 10, CategorySorting::Default),
            _ => ("Direct Messages", 20, CategorySorting::Recent),
        };
        SidebarCategory {
            id: SidebarCategory::default_id(kind, user_id, team_id),
            user_id: user_id.to_string(),
            team_id: team_id.to_string(),
            sort_order,
            sorting,
            kind,
            display_name: display_name.to_string(),
            muted: false,
            collapsed: false,
            channel_ids: Vec::new(),
        }
    }
}

/// A user's categories on a team, in order (Mattermost's `OrderedSidebarCategories`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderedSidebarCategories {
    pub categories: Vec<SidebarCategory>,
    pub order: Vec<String>,
}
