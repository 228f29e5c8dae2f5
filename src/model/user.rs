use serde::{Deserialize, Serialize};

use super::{Props, StringMap, is_false, is_zero};

/// A user account (`model.User`). `password`, `mfa_secret` and `auth_data` are never
/// serialised to clients; the store keeps the password hash elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    /// Only ever read from requests (sign-up, password change); never written out.
    #[serde(skip_serializing)]
    pub password: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_data: String,
    pub auth_service: String,
    pub email: String,
    pub email_verified: bool,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    /// Space-separated role names, e.g. `"system_admin system_user"`.
    pub roles: String,
    pub allow_marketing: bool,
    pub props: Props,
    pub notify_props: StringMap,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_password_update: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_picture_update: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub failed_attempts: i64,
    pub locale: String,
    pub timezone: Timezone,
    #[serde(skip_serializing_if = "is_false")]
    pub mfa_active: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_activity_at: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub is_bot: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub bot_description: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub bot_last_icon_update: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub terms_of_service_id: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub terms_of_service_create_at: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub disable_welcome_email: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_login: i64,
}

/// A user's time zone settings. Mattermost sends these booleans as strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timezone {
    #[serde(rename = "useAutomaticTimezone")]
    pub use_automatic_timezone: String,
    #[serde(rename = "automaticTimezone")]
    pub automatic_timezone: String,
    #[serde(rename = "manualTimezone")]
    pub manual_timezone: String,
}

impl Default for Timezone {
    fn default() -> Self {
        Timezone {
            use_automatic_timezone: "true".into(),
            automatic_timezone: String::new(),
            manual_timezone: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_read_but_never_written() {
        let user: User =
            serde_json::from_str(r#"{"username":"alice","password":"hunter22"}"#).unwrap();
        assert_eq!(user.password, "hunter22");
        let json = serde_json::to_value(&user).unwrap();
        assert!(json.get("password").is_none());
        assert_eq!(json["username"], "alice");
        assert_eq!(json["timezone"]["useAutomaticTimezone"], "true");
        // omitempty fields stay out of the wire form when zero.
        assert!(json.get("is_bot").is_none());
        assert!(json.get("last_login").is_none());
    }
}
