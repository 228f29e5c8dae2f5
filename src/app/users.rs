//! User accounts: who may create, see and change them, and the rules their fields follow.

use crate::app::avatar::{self, AvatarError};
use crate::app::permissions::{self, perm};
use crate::app::{Actor, audit};
use crate::auth::password::{self, Verified};
use crate::config::Config;
use crate::error::AppError;
use crate::files::Staged;
use crate::model::{StringMap, User, is_valid_id, new_id, now_millis};
use crate::state::AppState;
use crate::store::StoreError;

/// Names Mattermost keeps for itself and mentions.
const RESERVED_USERNAMES: &[&str] = &["all", "channel", "here", "matterbot", "system"];
const MAX_USERNAME: usize = 64;
const MAX_EMAIL: usize = 128;
const MAX_NAME: usize = 64;
const MAX_POSITION: usize = 128;
const MAX_LOCALE: usize = 5;

fn too_long(field: &str, max: usize) -> AppError {
    AppError::invalid(
        format!("model.user.is_valid.{field}.app_error"),
        format!("Invalid {field}: at most {max} characters."),
    )
}

/// Usernames: 1–64 of `a-z 0-9 . - _`, starting with a letter, not reserved.
pub fn check_username(username: &str) -> Result<(), AppError> {
    let ok = (1..=MAX_USERNAME).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
        && !RESERVED_USERNAMES.contains(&username);
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "model.user.is_valid.username.app_error",
            "Username must begin with a letter and contain between 1 and 64 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'; 'all', 'channel', 'here', 'matterbot' and 'system' are reserved.",
        ))
    }
}

/// E-mail addresses: one `@` between a non-empty local part and a dotted domain, no
/// spaces, at most 128 characters.
pub fn check_email(email: &str) -> Result<(), AppError> {
    let ok = email.len() <= MAX_EMAIL
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "model.user.is_valid.email.app_error",
            "Invalid email address.",
        ))
    }
}

/// Checks every profile field a user may set.
pub fn check_profile(user: &User) -> Result<(), AppError> {
    check_username(&user.username)?;
    check_email(&user.email)?;
    for (value, field, max) in [
        (&user.first_name, "first_name", MAX_NAME),
        (&user.last_name, "last_name", MAX_NAME),
        (&user.nickname, "nickname", MAX_NAME),
        (&user.position, "position", MAX_POSITION),
        (&user.locale, "locale", MAX_LOCALE),
    ] {
        if value.chars().count() > max {
            return Err(too_long(field, max));
        }
    }
    Ok(())
}

fn check_password(config: &Config, password: &str) -> Result<(), AppError> {
    password::check_policy(password, &config.password_settings)
        .map_err(|e| AppError::invalid(e.id, e.message))
}

/// Mattermost's default notification settings for a new account.
fn default_notify_props(username: &str) -> StringMap {
    [
        ("email", "true"),
        ("push", "mention"),
        ("desktop", "mention"),
        ("desktop_sound", "true"),
        ("channel", "true"),
        ("first_name", "false"),
        ("comments", "never"),
        ("push_status", "online"),
        ("desktop_threads", "all"),
        ("push_threads", "all"),
        ("email_threads", "all"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "mention_keys".to_string(),
        format!("{username},@{username}"),
    )])
    .collect()
}

/// Maps the store's answers about one user to API errors.
pub fn user_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::Missing {
            id: "app.user.missing_account.const",
            message: "Unable to find the user.".into(),
        },
        StoreError::Conflict(field) if field == "username" => AppError::invalid(
            "app.user.save.username_exists.app_error",
            "An account with that username already exists.",
        ),
        StoreError::Conflict(field) if field == "email" => AppError::invalid(
            "app.user.save.email_exists.app_error",
            "An account with that email already exists.",
        ),
        other => other.into(),
    }
}

/// Whether sign-up is open to this caller: admins may always create accounts; the very
/// first account may always be created (it becomes the system admin); otherwise the site
/// must allow account creation and open sign-up, or the caller holds a team's invitation.
async fn may_sign_up(
    state: &AppState,
    actor: Option<&Actor>,
    invited: bool,
) -> Result<(), AppError> {
    if actor.is_some_and(|a| a.can(perm::MANAGE_OTHER_USERS)) {
        return Ok(());
    }
    if state.store.count_users().await? == 0 {
        return Ok(());
    }
    let config = state.config();
    let (team, email) = (&config.team_settings, &config.email_settings);
    if !team.enable_user_creation {
        return Err(AppError::Denied {
            id: "api.user.create_user.disabled.app_error",
            message: "User creation is disabled.".into(),
        });
    }
    if !email.enable_sign_up_with_email {
        return Err(AppError::Denied {
            id: "api.user.create_user.signup_email_disabled.app_error",
            message: "User sign-up with email is disabled.".into(),
        });
    }
    if !team.enable_open_server && !invited {
        return Err(AppError::Denied {
            id: "api.user.create_user.no_open_server",
            message: "This server does not allow open signups. Please speak with your Administrator to receive an invitation.".into(),
        });
    }
    let domains = team.restrict_creation_to_domains.trim();
    if !domains.is_empty() {
        // Checked by the caller against the e-mail address.
    }
    Ok(())
}

fn domain_allowed(config: &Config, email: &str) -> bool {
    let domains = config.team_settings.restrict_creation_to_domains.trim();
    if domains.is_empty() {
        return true;
    }
    let domain = email.rsplit('@').next().unwrap_or_default();
    domains
        .split([',', ' '])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .any(|d| d.eq_ignore_ascii_case(domain))
}

/// How a new account came to be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUp {
    /// By an admin, or through open sign-up.
    Plain,
    /// Through a team's invitation link, which opens sign-up on a closed server.
    Invited,
}

/// Creates an account from a sign-up form (`POST /users`). The first account on a server
/// becomes a system admin.
pub async fn create_user(
    state: &AppState,
    actor: Option<&Actor>,
    mut input: User,
    ip: &str,
    how: SignUp,
) -> Result<User, AppError> {
    may_sign_up(state, actor, how == SignUp::Invited).await?;
    input.username = input.username.trim().to_lowercase();
    input.email = input.email.trim().to_lowercase();
    check_profile(&input)?;
    let admin = actor.is_some_and(|a| a.can(perm::MANAGE_OTHER_USERS));
    if !admin && !domain_allowed(&state.config(), &input.email) {
        return Err(AppError::invalid(
            "api.user.create_user.accepted_domain.app_error",
            "The email you provided does not belong to an accepted domain. Please contact your administrator or sign up with a different email.",
        ));
    }
    check_password(&state.config(), &input.password)?;
    let hash = crate::app::hash_password(state, &input.password).await?;

    let now = now_millis();
    let user = User {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        roles: "system_user".into(),
        notify_props: if input.notify_props.is_empty() {
            default_notify_props(&input.username)
        } else {
            input.notify_props.clone()
        },
        locale: if input.locale.is_empty() {
            state
                .config()
                .localization_settings
                .default_client_locale
                .clone()
        } else {
            input.locale.clone()
        },
        last_password_update: now,
        // Only an admin may vouch for an address; self-sign-up starts unverified.
        email_verified: admin && input.email_verified,
        password: String::new(),
        is_bot: false,
        mfa_active: false,
        ..input
    };
    let created = state
        .store
        .create_user(&user, &hash, "system_admin system_user")
        .await
        .map_err(user_error)?;
    let by = actor.map_or(created.id.as_str(), |a| a.user.id.as_str());
    audit::record(
        state,
        by,
        "user_create",
        &format!("user_id={}", created.id),
        ip,
        "",
    )
    .await;
    if permissions::has_role(&created.roles, "system_admin") {
        tracing::info!(username = %created.username, "first account created; it is the system admin");
    }
    Ok(created)
}

/// The user as `viewer` may see them: secrets never, and another user's e-mail and full
/// name only as the privacy settings allow (admins see everything).
pub fn sanitize(mut user: User, viewer: Option<&Actor>, config: &Config) -> User {
    user.password.clear();
    user.auth_data.clear();
    let is_self = viewer.is_some_and(|v| v.user.id == user.id);
    let is_admin = viewer.is_some_and(|v| v.can(perm::READ_OTHER_USERS));
    if is_self || is_admin {
        return user;
    }
    if !config.privacy_settings.show_email_address {
        user.email.clear();
    }
    if !config.privacy_settings.show_full_name {
        user.first_name.clear();
        user.last_name.clear();
    }
    user.notify_props = StringMap::new();
    user.last_password_update = 0;
    user.failed_attempts = 0;
    user.mfa_active = false;
    user.last_login = 0;
    user.email_verified = false;
    user
}

/// The fields `PUT /users/{id}/patch` may change; absent means unchanged.
#[derive(Debug, Default, serde::Deserialize)]
pub struct UserPatch {
    pub username: Option<String>,
    pub email: Option<String>,
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub locale: Option<String>,
    pub props: Option<crate::model::Props>,
    pub notify_props: Option<StringMap>,
    pub timezone: Option<crate::model::Timezone>,
    /// The caller's current password, required to change their own e-mail address.
    pub password: Option<String>,
}

/// Whether `actor` may change `user_id`'s account.
pub fn may_edit(actor: &Actor, user_id: &str) -> Result<(), AppError> {
    if actor.user.id == user_id || actor.can(perm::EDIT_OTHER_USERS) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Sets `user_id`'s profile picture from an upload already on disk (the caller streamed
/// it there): decoded through the server's one bounded path, normalised to a square PNG
/// and stored. Permission first, so nobody else's decode is spent on a refused request.
pub async fn set_picture(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    upload: Staged,
) -> Result<(), AppError> {
    may_edit(actor, user_id)?;
    let normalized = square_png(state, upload).await?.map_err(|e| {
        AppError::invalid(
            "api.user.upload_profile_user.decode.app_error",
            format!("Could not decode profile image: {e}"),
        )
    })?;
    state
        .store
        .set_picture(user_id, Some(normalized))
        .await
        .map_err(user_error)
}

/// An uploaded picture (a profile picture, a team icon) as the square PNG stored for it
/// ([`avatar::normalize_profile_image`]), decoded through the server's one bounded path;
/// the inner error says why the picture itself was refused.
pub async fn square_png(
    state: &AppState,
    upload: Staged,
) -> Result<Result<Vec<u8>, AvatarError>, AppError> {
    let max_pixels = state.config().file_settings.max_image_resolution;
    let path = upload.path().to_owned();
    let normalized = crate::app::files::decode_image(state, move || {
        let file = std::fs::File::open(&path).map_err(|e| AvatarError::Corrupt(e.to_string()))?;
        avatar::normalize_profile_image(std::io::BufReader::new(file), max_pixels)
    })
    .await;
    drop(upload);
    normalized
}

/// Goes back to the generated picture.
pub async fn delete_picture(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<(), AppError> {
    may_edit(actor, user_id)?;
    state
        .store
        .set_picture(user_id, None)
        .await
        .map_err(user_error)
}

/// Applies a profile patch.
pub async fn patch_user(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    patch: UserPatch,
) -> Result<User, AppError> {
    may_edit(actor, user_id)?;
    let mut user = state.store.get_user(user_id).await.map_err(user_error)?;
    if let Some(email) = patch.email.map(|e| e.trim().to_lowercase())
        && email != user.email
    {
        // Changing one's own address needs the password: a stolen session must not be
        // enough to take over the account through a reset e-mail.
        if !actor.can(perm::EDIT_OTHER_USERS) {
            let wrong = AppError::Unauthorized {
                id: "api.user.check_user_password.invalid.app_error",
                message: "Login failed because of invalid password.".into(),
            };
            let password = patch.password.as_deref().unwrap_or("");
            if password.is_empty() {
                return Err(AppError::InvalidBody {
                    name: "password",
                    detail: "changing your e-mail address needs your current password".into(),
                });
            }
            double_check_password(state, user_id, password, wrong).await?;
        }
        user.email = email;
        user.email_verified = false;
    }
    if let Some(username) = patch.username {
        user.username = username.trim().to_lowercase();
    }
    macro_rules! take {
        ($($field:ident),*) => { $(if let Some(v) = patch.$field { user.$field = v; })* };
    }
    take!(
        nickname,
        first_name,
        last_name,
        position,
        locale,
        props,
        notify_props,
        timezone
    );
    check_profile(&user)?;
    let saved = state.store.update_user(&user).await.map_err(user_error)?;
    Ok(saved)
}

/// Checks a signed-in user's password again before a sensitive change. Like a login, it
/// refuses a locked account and counts a wrong guess toward the lockout, so a stolen
/// session cannot be used to guess the password.
async fn double_check_password(
    state: &AppState,
    user_id: &str,
    password: &str,
    wrong: AppError,
) -> Result<(), AppError> {
    let credentials = state
        .store
        .get_credentials(user_id)
        .await
        .map_err(user_error)?;
    if credentials.failed_attempts >= state.config().service_settings.maximum_login_attempts {
        return Err(crate::app::sessions::locked_out());
    }
    match crate::app::verify_password(state, password, &credentials.password_hash).await {
        Verified::Yes { .. } => Ok(()),
        Verified::No => {
            state
                .store
                .record_login_failure(user_id)
                .await
                .map_err(user_error)?;
            Err(wrong)
        }
    }
}

/// Replaces a user's system roles. Only known system roles may be given, and
/// `system_user` (or `system_guest`) must be among them.
pub async fn update_roles(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    roles: &str,
    ip: &str,
) -> Result<User, AppError> {
    actor.require(perm::MANAGE_ROLES)?;
    let mut names: Vec<&str> = roles.split_whitespace().collect();
    names.dedup();
    let valid = names
        .iter()
        .all(|r| r.starts_with("system_") && permissions::is_role(r))
        && (names.contains(&"system_user") ^ names.contains(&"system_guest"));
    if !valid {
        return Err(AppError::InvalidParam { name: "roles" });
    }
    let saved = state
        .store
        .update_user_roles(user_id, &names.join(" "))
        .await
        .map_err(user_error)?;
    audit::record(
        state,
        &actor.user.id,
        "user_roles_update",
        &format!("user_id={user_id} roles={}", saved.roles),
        ip,
        &actor.session.id,
    )
    .await;
    Ok(saved)
}

/// Activates or deactivates an account. Deactivation ends its sessions.
pub async fn set_active(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    active: bool,
    ip: &str,
) -> Result<User, AppError> {
    if !actor.can(perm::MANAGE_OTHER_USERS) {
        return Err(AppError::Denied {
            id: "api.user.update_active.permissions.app_error",
            message: "You do not have the appropriate permissions.".into(),
        });
    }
    let saved = state
        .store
        .set_user_active(user_id, active)
        .await
        .map_err(user_error)?;
    if !active {
        // Its sessions are gone with it; so are its open sockets.
        state.hub.end_sessions(user_id, None);
    }
    let action = if active {
        "user_activate"
    } else {
        "user_deactivate"
    };
    audit::record(
        state,
        &actor.user.id,
        action,
        &format!("user_id={user_id}"),
        ip,
        &actor.session.id,
    )
    .await;
    Ok(saved)
}

/// Changes a password. Users give their current one; admins changing someone else's do not.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    current: &str,
    new: &str,
    ip: &str,
) -> Result<(), AppError> {
    let by_admin = actor.user.id != user_id && actor.can(perm::MANAGE_SYSTEM);
    if actor.user.id != user_id && !by_admin {
        return Err(AppError::Denied {
            id: "api.user.update_password.context.app_error",
            message: "Update password failed because context user_id did not match props user_id."
                .into(),
        });
    }
    if !by_admin {
        let wrong = AppError::invalid(
            "api.user.update_password.incorrect.app_error",
            "The \"Current Password\" you entered is incorrect. Please check that Caps Lock is off and try again.",
        );
        double_check_password(state, user_id, current, wrong).await?;
    }
    check_password(&state.config(), new)?;
    let hash = crate::app::hash_password(state, new).await?;
    state
        .store
        .set_password_hash(user_id, &hash)
        .await
        .map_err(user_error)?;
    audit::record(
        state,
        &actor.user.id,
        "user_password_update",
        &format!("user_id={user_id}"),
        ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

/// Checks a path segment is an id, so bad ids are a 400 and never reach the store.
pub fn check_id(id: &str, name: &'static str) -> Result<(), AppError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(AppError::InvalidParam { name })
    }
}

/// `POST /users/{id}/reset_failed_attempts`: an admin unlocks an account locked by
/// `MaximumLoginAttempts`; recorded in the audit log.
pub async fn reset_failed_attempts(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    client_ip: &str,
) -> Result<(), AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    state
        .store
        .reset_failed_attempts(user_id)
        .await
        .map_err(user_error)?;
    crate::app::audit::record(
        state,
        &actor.user.id,
        "reset_failed_attempts",
        &format!("user_id={user_id}"),
        client_ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        for ok in ["alice", "a", "bob.smith", "x-1_y", &"a".repeat(64)] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1abc",
            "Alice",
            "al ice",
            "all",
            "channel",
            "é",
            &"a".repeat(65),
            "_x",
        ] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "first.last+tag@example.org"] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@.co", "a@b.co.", "a@b,c.de",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
