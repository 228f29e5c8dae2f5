//! Plain data types with Mattermost's JSON names. No I/O lives here: this module must not
//! depend on actix, SQL, tantivy or lettre, so every layer can share these types.

mod access;
mod channel;
mod emoji;
mod id;
mod post;
mod preference;
mod session;
mod sidebar;
mod team;
mod user;

pub use access::{Audit, UserAccessToken};
pub use channel::{Channel, ChannelMember, ChannelType};
pub use emoji::Emoji;
pub use id::{ID_LEN, is_valid_id, new_id, now_millis};
pub use post::{Post, PostList, Reaction};
pub use preference::{CustomStatus, Preference, Presence, Status, StatusChange};
pub use session::Session;
pub use sidebar::{CategorySorting, CategoryType, OrderedSidebarCategories, SidebarCategory};
pub use team::{Team, TeamMember, TeamType, TeamUnread};
pub use user::{Timezone, User};

/// Mattermost's `map[string]string`, used for notify props and client config: every value
/// is a string, booleans included (`"true"`).
pub type StringMap = std::collections::BTreeMap<String, String>;

/// Free-form JSON properties (`props` on users, channels and posts).
pub type Props = serde_json::Map<String, serde_json::Value>;

pub(crate) fn is_zero(n: &i64) -> bool {
    *n == 0
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
