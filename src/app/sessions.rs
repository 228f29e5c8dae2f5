//! Signing in and out, sessions and their lifetime, and multi-factor authentication.

use serde::Deserialize;

use crate::app::users::user_error;
use crate::app::{Actor, audit};
use crate::auth::mfa::{self, MfaError};
use crate::auth::password::{self, Verified};
use crate::error::AppError;
use crate::model::{Session, StringMap, User, new_id, now_millis};
use crate::state::AppState;
use crate::store::StoreError;

/// Activity is written back at most this often per session, so reads stay reads.
const ACTIVITY_WRITE_INTERVAL_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// `POST /users/login`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginRequest {
    pub login_id: String,
    pub password: String,
    /// The MFA code, when the account has MFA.
    pub token: String,
    pub device_id: String,
}

fn invalid_credentials() -> AppError {
    AppError::Unauthorized {
        id: "api.user.login.invalid_credentials_email_username",
        message: "Enter a valid email or username and/or password.".into(),
    }
}

/// 401 for an account locked by failed sign-ins.
pub fn locked_out() -> AppError {
    AppError::Unauthorized {
        id: "api.user.check_user_login_attempts.too_many.app_error",
        message: "Your account is locked because of too many failed password attempts. Please reset your password.".into(),
    }
}

fn invalid_mfa() -> AppError {
    AppError::Unauthorized {
        id: "mfa.validate_token.authenticate.app_error",
        message: "Invalid MFA token.".into(),
    }
}

/// Whether a sign-in that ended in `error` was a guess the per-address login limit counts:
/// a wrong password or MFA code, or any attempt on a locked account. Not the MFA probe
/// (a sign-in without a code, which clients send to learn whether one is needed), nor a
/// deactivated account or a malformed request.
pub fn counts_as_failure(error: &AppError, request: &LoginRequest) -> bool {
    match error {
        AppError::Unauthorized { id, .. } => match *id {
            "api.user.login.invalid_credentials_email_username"
            | "api.user.check_user_login_attempts.too_many.app_error" => true,
            "mfa.validate_token.authenticate.app_error" => !request.token.trim().is_empty(),
            _ => false,
        },
        _ => false,
    }
}

/// Finds the account a login id names, as the sign-in settings allow.
async fn find_login_user(state: &AppState, login_id: &str) -> Result<Option<User>, AppError> {
    let email = &state.config().email_settings;
    let login_id = login_id.trim();
    let found = if login_id.contains('@') && email.enable_sign_in_with_email {
        state.store.get_user_by_email(login_id).await
    } else if email.enable_sign_in_with_username {
        state.store.get_user_by_username(login_id).await
    } else {
        Err(StoreError::NotFound)
    };
    match found {
        Ok(user) => Ok(Some(user)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// A hash of nothing in particular: verifying against it when the account does not exist
/// makes "no such user" take as long as "wrong password".
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password::hash("no such account").unwrap_or_default());

/// Checks credentials (and the MFA code when the account has MFA) and opens a session.
pub async fn login(
    state: &AppState,
    request: &LoginRequest,
    client: &ClientInfo,
) -> Result<(User, Session), AppError> {
    if request.login_id.trim().is_empty() {
        return Err(AppError::InvalidBody {
            name: "login_id",
            detail: "login_id is required".into(),
        });
    }
    let Some(user) = find_login_user(state, &request.login_id).await? else {
        let _ = crate::app::verify_password(state, &request.password, &DUMMY_HASH).await;
        audit::record(
            state,
            "",
            "login_failure",
            &format!("login_id={}", request.login_id),
            &client.ip,
            "",
        )
        .await;
        return Err(invalid_credentials());
    };
    let credentials = state
        .store
        .get_credentials(&user.id)
        .await
        .map_err(user_error)?;
    let max_attempts = state.config().service_settings.maximum_login_attempts;
    if credentials.failed_attempts >= max_attempts {
        audit::record(state, &user.id, "login_failure", "locked", &client.ip, "").await;
        return Err(locked_out());
    }
    let verified =
        crate::app::verify_password(state, &request.password, &credentials.password_hash).await;
    let Verified::Yes { rehash } = verified else {
        state
            .store
            .record_login_failure(&user.id)
            .await
            .map_err(user_error)?;
        audit::record(
            state,
            &user.id,
            "login_failure",
            "bad password",
            &client.ip,
            "",
        )
        .await;
        return Err(invalid_credentials());
    };
    if user.delete_at != 0 {
        return Err(AppError::Unauthorized {
            id: "api.user.login.inactive.app_error",
            message: "Login failed because your account has been deactivated. Please contact an administrator.".into(),
        });
    }
    if credentials.mfa_active
        && state
            .config()
            .service_settings
            .enable_multifactor_authentication
    {
        let accepted = match mfa::verify(
            &credentials.mfa_secret,
            &request.token,
            unix_now(),
            Some(credentials.mfa_last_step),
        ) {
            Ok(step) => state
                .store
                .use_mfa_step(&user.id, step)
                .await
                .map_err(user_error)?,
            Err(_) => false,
        };
        if !accepted && request.token.trim().is_empty() {
            // Clients first sign in without a code to learn whether one is needed: that
            // probe is not a failed attempt.
            return Err(invalid_mfa());
        }
        if !accepted {
            // Wrong MFA codes count toward the lockout like wrong passwords.
            state
                .store
                .record_login_failure(&user.id)
                .await
                .map_err(user_error)?;
            audit::record(
                state,
                &user.id,
                "login_failure",
                "bad mfa code",
                &client.ip,
                "",
            )
            .await;
            return Err(invalid_mfa());
        }
    }
    if rehash {
        // An imported bcrypt hash: replace it with argon2id now that we know the password.
        let hash = crate::app::hash_password(state, &request.password).await?;
        state
            .store
            .set_password_hash(&user.id, &hash)
            .await
            .map_err(user_error)?;
    }
    state
        .store
        .record_login_success(&user.id)
        .await
        .map_err(user_error)?;
    let session = open_session(state, &user, &request.device_id, client).await?;
    crate::app::preferences::record_activity(state, &user.id).await;
    audit::record(state, &user.id, "login", "", &client.ip, &session.id).await;
    let user = state.store.get_user(&user.id).await.map_err(user_error)?;
    Ok((user, session))
}

fn unix_now() -> u64 {
    u64::try_from(now_millis() / 1000).unwrap_or(0)
}

fn is_mobile(session: &Session) -> bool {
    !session.device_id.is_empty() || session.props.get("is_mobile").is_some_and(|v| v == "true")
}

fn session_length_ms(state: &AppState, mobile: bool) -> i64 {
    let s = &state.config().service_settings;
    let hours = if mobile {
        s.session_length_mobile_in_hours
    } else {
        s.session_length_web_in_hours
    };
    hours.saturating_mul(HOUR_MS)
}

/// Opens a session for `user`.
pub async fn open_session(
    state: &AppState,
    user: &User,
    device_id: &str,
    client: &ClientInfo,
) -> Result<Session, AppError> {
    let now = now_millis();
    let mobile = !device_id.is_empty();
    let mut props = StringMap::new();
    props.insert("csrf".into(), new_id());
    props.insert("is_mobile".into(), mobile.to_string());
    props.insert("browser".into(), browser_name(&client.user_agent).into());
    props.insert("platform".into(), platform_name(&client.user_agent).into());
    let session = Session {
        id: new_id(),
        token: new_id(),
        create_at: now,
        expires_at: now + session_length_ms(state, mobile),
        last_activity_at: now,
        user_id: user.id.clone(),
        device_id: device_id.to_string(),
        roles: user.roles.clone(),
        props,
        ..Session::default()
    };
    state.store.create_session(&session).await?;
    Ok(session)
}

fn browser_name(agent: &str) -> &'static str {
    for (needle, name) in [
        ("Mattermost", "Mattermost App"),
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ] {
        if agent.contains(needle) {
            return name;
        }
    }
    "Unknown"
}

fn platform_name(agent: &str) -> &'static str {
    for (needle, name) in [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Macintosh", "Macintosh"),
        ("Linux", "Linux"),
    ] {
        if agent.contains(needle) {
            return name;
        }
    }
    "Unknown"
}

/// Resolves a token (session token or personal access token) to the caller, checking
/// expiry, idle time and that the account is still active; records activity.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Actor, AppError> {
    if token.is_empty() || token.len() > 64 {
        return Err(AppError::session_expired());
    }
    let session = match state.store.get_session_by_token(token).await {
        Ok(session) => session,
        Err(StoreError::NotFound) => return authenticate_access_token(state, token).await,
        Err(other) => return Err(other.into()),
    };
    let now = now_millis();
    let idle_minutes = state
        .config()
        .service_settings
        .session_idle_timeout_in_minutes;
    let mobile = is_mobile(&session);
    let idle =
        idle_minutes > 0 && !mobile && now - session.last_activity_at > idle_minutes * 60_000;
    if session.expires_at <= now || idle {
        let _ = state.store.revoke_session(&session.id).await;
        return Err(AppError::session_expired());
    }
    let user = match state.store.get_user(&session.user_id).await {
        Ok(user) if user.delete_at == 0 => user,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::session_expired()),
        Err(other) => return Err(other.into()),
    };
    if now - session.last_activity_at > ACTIVITY_WRITE_INTERVAL_MS {
        let extend = state
            .config()
            .service_settings
            .extend_session_length_with_activity;
        let expires = extend.then(|| now + session_length_ms(state, mobile));
        if let Err(error) = state.store.touch_session(&session.id, now, expires).await {
            tracing::warn!(%error, "cannot record session activity");
        }
        crate::app::preferences::record_activity(state, &user.id).await;
    }
    Ok(Actor { user, session })
}

async fn authenticate_access_token(state: &AppState, token: &str) -> Result<Actor, AppError> {
    if !state.config().service_settings.enable_user_access_tokens {
        return Err(AppError::session_expired());
    }
    let access = match state.store.get_access_token_by_token(token).await {
        Ok(access) if access.is_active => access,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::session_expired()),
        Err(other) => return Err(other.into()),
    };
    let user = match state.store.get_user(&access.user_id).await {
        Ok(user) if user.delete_at == 0 => user,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::session_expired()),
        Err(other) => return Err(other.into()),
    };
    let mut props = StringMap::new();
    props.insert("type".into(), "UserAccessToken".into());
    props.insert("user_access_token_id".into(), access.id.clone());
    let session = Session {
        id: access.id,
        user_id: user.id.clone(),
        roles: user.roles.clone(),
        props,
        ..Session::default()
    };
    Ok(Actor { user, session })
}

/// Whether the actor signed in with a personal access token rather than a session.
pub fn is_access_token(actor: &Actor) -> bool {
    actor
        .session
        .props
        .get("type")
        .is_some_and(|t| t == "UserAccessToken")
}

/// Ends the caller's session.
pub async fn logout(state: &AppState, actor: &Actor, client: &ClientInfo) -> Result<(), AppError> {
    if !is_access_token(actor) {
        match state.store.revoke_session(&actor.session.id).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
        state
            .hub
            .end_sessions(&actor.user.id, Some(&actor.session.id));
    }
    audit::record(
        state,
        &actor.user.id,
        "logout",
        "",
        &client.ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

/// A user's sessions without their tokens.
pub async fn list_sessions(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<Vec<Session>, AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    let mut sessions = state.store.list_sessions(user_id).await?;
    for session in &mut sessions {
        session.token.clear();
        session.props.remove("csrf");
    }
    Ok(sessions)
}

/// Ends one of a user's sessions.
pub async fn revoke_session(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    session_id: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    let session = match state.store.get_session(session_id).await {
        Ok(s) if s.user_id == user_id => s,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::InvalidParam { name: "session_id" });
        }
        Err(other) => return Err(other.into()),
    };
    match state.store.revoke_session(&session.id).await {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    state.hub.end_sessions(user_id, Some(&session.id));
    audit::record(
        state,
        &actor.user.id,
        "session_revoke",
        &format!("user_id={user_id} session_id={session_id}"),
        &client.ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

/// Longest device id (push token) a session takes.
const MAX_DEVICE_ID: usize = 512;

/// `PUT /users/sessions/device`: the mobile app tells the server which device (push token)
/// the caller's session runs on. As in Mattermost, the session then lasts the mobile
/// length from now, and the user's other sessions on that device (an earlier sign-in of
/// the same phone) end, sockets and all.
pub async fn attach_device(
    state: &AppState,
    actor: &Actor,
    device_id: &str,
) -> Result<(), AppError> {
    let device_id = device_id.trim();
    if device_id.is_empty() || device_id.len() > MAX_DEVICE_ID {
        return Err(AppError::InvalidBody {
            name: "device_id",
            detail: format!("device_id must be 1 to {MAX_DEVICE_ID} characters"),
        });
    }
    let expires_at = now_millis() + session_length_ms(state, true);
    state
        .store
        .attach_session_device(&actor.session.id, device_id, expires_at)
        .await
        .map_err(|error| match error {
            // An access token is no session a device can hold.
            StoreError::NotFound => AppError::invalid(
                "api.user.attach_device_id.invalid_session.app_error",
                "Only a signed-in session can be attached to a device.",
            ),
            other => other.into(),
        })?;
    for other in state.store.list_sessions(&actor.user.id).await? {
        if other.id != actor.session.id && other.device_id == device_id {
            match state.store.revoke_session(&other.id).await {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(error) => return Err(error.into()),
            }
            state.hub.end_sessions(&actor.user.id, Some(&other.id));
        }
    }
    Ok(())
}

/// Ends all of a user's sessions.
pub async fn revoke_all_sessions(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    state.store.get_user(user_id).await.map_err(user_error)?;
    state.store.revoke_user_sessions(user_id).await?;
    state.hub.end_sessions(user_id, None);
    audit::record(
        state,
        &actor.user.id,
        "session_revoke_all",
        &format!("user_id={user_id}"),
        &client.ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

fn mfa_disabled() -> AppError {
    AppError::Denied {
        id: "api.context.mfa_disabled.app_error",
        message: "Multi-factor authentication is disabled on this server.".into(),
    }
}

/// `POST /users/mfa`: whether signing in as `login_id` needs an MFA code. Unknown
/// accounts answer `false`, as in Mattermost.
pub async fn mfa_required(state: &AppState, login_id: &str) -> Result<bool, AppError> {
    if !state
        .config()
        .service_settings
        .enable_multifactor_authentication
    {
        return Ok(false);
    }
    let Some(user) = find_login_user(state, login_id).await? else {
        return Ok(false);
    };
    Ok(state
        .store
        .get_credentials(&user.id)
        .await
        .map_err(user_error)?
        .mfa_active)
}

/// `POST /users/{id}/mfa/generate`: a new secret for the caller's own account, not yet active.
pub async fn generate_mfa(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<mfa::Provisioning, AppError> {
    if !state
        .config()
        .service_settings
        .enable_multifactor_authentication
    {
        return Err(mfa_disabled());
    }
    if actor.user.id != user_id {
        return Err(AppError::Forbidden);
    }
    let credentials = state
        .store
        .get_credentials(user_id)
        .await
        .map_err(user_error)?;
    if credentials.mfa_active {
        return Err(AppError::invalid(
            "api.user.generate_mfa_secret.already_active.app_error",
            "Multi-factor authentication is already active; deactivate it first.",
        ));
    }
    let secret = mfa::generate_secret();
    let account = if actor.user.email.is_empty() {
        &actor.user.username
    } else {
        &actor.user.email
    };
    let provisioning = mfa::provisioning(&secret, &state.config().team_settings.site_name, account)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .set_mfa(user_id, &secret, false)
        .await
        .map_err(user_error)?;
    Ok(provisioning)
}

/// `PUT /users/{id}/mfa`: activate with a code from the app (own account only), or
/// deactivate (own account, unless MFA is enforced; or an admin resetting someone's).
pub async fn update_mfa(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    activate: bool,
    code: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    if !state
        .config()
        .service_settings
        .enable_multifactor_authentication
    {
        return Err(mfa_disabled());
    }
    let own = actor.user.id == user_id;
    if activate {
        if !own {
            return Err(AppError::Forbidden);
        }
        let credentials = state
            .store
            .get_credentials(user_id)
            .await
            .map_err(user_error)?;
        if credentials.mfa_secret.is_empty() {
            return Err(AppError::invalid(
                "api.user.update_mfa.no_secret.app_error",
                "Generate a secret first (POST /users/{user_id}/mfa/generate).",
            ));
        }
        let step = mfa::verify(
            &credentials.mfa_secret,
            code,
            unix_now(),
            Some(credentials.mfa_last_step),
        )
        .map_err(|e| match e {
            MfaError::InvalidSecret | MfaError::Qr(_) => AppError::Internal(e.to_string()),
            _ => invalid_mfa(),
        })?;
        if !state
            .store
            .use_mfa_step(user_id, step)
            .await
            .map_err(user_error)?
        {
            return Err(invalid_mfa());
        }
        state
            .store
            .set_mfa(user_id, &credentials.mfa_secret, true)
            .await
            .map_err(user_error)?;
        audit::record(
            state,
            &actor.user.id,
            "mfa_activate",
            "",
            &client.ip,
            &actor.session.id,
        )
        .await;
    } else {
        let admin_reset = !own && actor.can(crate::app::permissions::perm::EDIT_OTHER_USERS);
        if !own && !admin_reset {
            return Err(AppError::Forbidden);
        }
        if own
            && state
                .config()
                .service_settings
                .enforce_multifactor_authentication
        {
            return Err(AppError::Denied {
                id: "api.user.update_mfa.enforced.app_error",
                message: "Multi-factor authentication is required on this server and cannot be turned off.".into(),
            });
        }
        state
            .store
            .set_mfa(user_id, "", false)
            .await
            .map_err(user_error)?;
        audit::record(
            state,
            &actor.user.id,
            "mfa_deactivate",
            &format!("user_id={user_id}"),
            &client.ip,
            &actor.session.id,
        )
        .await;
    }
    Ok(())
}

/// Whether this actor is held at MFA setup: the site enforces MFA and they have none.
pub fn needs_mfa_setup(state: &AppState, actor: &Actor) -> bool {
    let s = &state.config().service_settings;
    s.enable_multifactor_authentication
        && s.enforce_multifactor_authentication
        && !actor.user.mfa_active
        && !actor.user.is_bot
        && !is_access_token(actor)
}

/// `POST /users/sessions/revoke/all`: every session of every user ends (the caller's
/// too), with their sockets; `manage_system`. Recorded in the audit log.
pub async fn revoke_everyones_sessions(
    state: &AppState,
    actor: &Actor,
    client: &ClientInfo,
) -> Result<u64, AppError> {
    actor.require(crate::app::permissions::perm::MANAGE_SYSTEM)?;
    let mut after: Option<String> = None;
    let mut revoked = 0;
    loop {
        let users = state.store.scan_users(after.as_deref(), 500).await?;
        let Some(last) = users.last() else { break };
        after = Some(last.id.clone());
        for user in &users {
            revoked += state.store.revoke_user_sessions(&user.id).await?;
            state.hub.end_sessions(&user.id, None);
        }
    }
    audit::record(
        state,
        &actor.user.id,
        "session_revoke_everyone",
        &format!("sessions={revoked}"),
        &client.ip,
        &actor.session.id,
    )
    .await;
    Ok(revoked)
}
