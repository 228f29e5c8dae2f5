use serde::{Deserialize, Serialize};

/// A personal access token (`model.UserAccessToken`). The token itself is shown once, when
/// it is created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserAccessToken {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    pub user_id: String,
    pub description: String,
    pub is_active: bool,
}

/// A security event in the audit log (`model.Audit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Audit {
    pub id: String,
    pub create_at: i64,
    pub user_id: String,
    pub action: String,
    pub extra_info: String,
    pub ip_address: String,
    pub session_id: String,
}
