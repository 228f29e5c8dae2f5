use serde::{Deserialize, Serialize};

use super::{StringMap, TeamMember};

/// A login session (`model.Session`). The token is a secret: it is sent to its owner at
/// login and never again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    pub create_at: i64,
    pub expires_at: i64,
    pub last_activity_at: i64,
    pub user_id: String,
    pub device_id: String,
    pub roles: String,
    pub is_oauth: bool,
    pub expired_notify: bool,
    pub props: StringMap,
    pub team_members: Vec<TeamMember>,
    pub local: bool,
}
