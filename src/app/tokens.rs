//! Personal access tokens: long-lived tokens for scripts and bots, used like a session
//! token (`Authorization: Bearer`).

use crate::app::permissions::perm;
use crate::app::users::user_error;
use crate::app::{Actor, audit};
use crate::error::AppError;
use crate::model::{UserAccessToken, new_id};
use crate::state::AppState;
use crate::store::StoreError;

const MAX_DESCRIPTION: usize = 255;

fn disabled() -> AppError {
    AppError::Denied {
        id: "api.user.create_user_access_token.disabled",
        message: "Personal access tokens are disabled on this server. Please contact your system administrator for details.".into(),
    }
}

fn not_found() -> AppError {
    AppError::Missing {
        id: "app.user_access_token.get_by_user.app_error",
        message: "Unable to find the personal access token.".into(),
    }
}

/// Creating a token for oneself needs `create_user_access_token`; for someone else, also
/// `edit_other_users`.
fn may_manage(
    actor: &Actor,
    user_id: &str,
    permission: crate::app::permissions::Permission,
) -> Result<(), AppError> {
    actor.require(permission)?;
    if actor.user.id != user_id {
        actor.require(perm::EDIT_OTHER_USERS)?;
    }
    Ok(())
}

/// Creates a token; its secret is in the returned value, and only there.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    description: &str,
    ip: &str,
) -> Result<UserAccessToken, AppError> {
    if !state.config().service_settings.enable_user_access_tokens {
        return Err(disabled());
    }
    may_manage(actor, user_id, perm::CREATE_USER_ACCESS_TOKEN)?;
    let description = description.trim();
    if description.is_empty() {
        return Err(AppError::InvalidBody {
            name: "description",
            detail: "a token needs a description".into(),
        });
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::invalid(
            "model.user_access_token.is_valid.description.app_error",
            "Invalid description, must be 1 to 255 characters.",
        ));
    }
    let user = state.store.get_user(user_id).await.map_err(user_error)?;
    if user.delete_at != 0 {
        return Err(AppError::invalid(
            "api.user.create_user_access_token.inactive",
            "The user is deactivated.",
        ));
    }
    let token = UserAccessToken {
        id: new_id(),
        token: new_id(),
        user_id: user_id.to_string(),
        description: description.to_string(),
        is_active: true,
    };
    state.store.create_access_token(&token).await?;
    audit::record(
        state,
        &actor.user.id,
        "user_access_token_create",
        &format!("user_id={user_id} token_id={}", token.id),
        ip,
        &actor.session.id,
    )
    .await;
    Ok(token)
}

/// One token (without its secret), if the actor may read it.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    token_id: &str,
) -> Result<UserAccessToken, AppError> {
    let mut token = match state.store.get_access_token(token_id).await {
        Ok(token) => token,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    may_manage(actor, &token.user_id, perm::READ_USER_ACCESS_TOKEN)?;
    token.token.clear();
    Ok(token)
}

/// A user's tokens, or everyone's for an admin (`user_id` = `None`), without secrets.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    user_id: Option<&str>,
    offset: u32,
    limit: u32,
) -> Result<Vec<UserAccessToken>, AppError> {
    match user_id {
        Some(id) => may_manage(actor, id, perm::READ_USER_ACCESS_TOKEN)?,
        None => actor.require(perm::MANAGE_SYSTEM)?,
    }
    let mut tokens = state
        .store
        .list_access_tokens(user_id, offset, limit)
        .await?;
    for token in &mut tokens {
        token.token.clear();
    }
    Ok(tokens)
}

/// Revokes (deletes), disables or enables a token.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    token_id: &str,
    action: TokenAction,
    ip: &str,
) -> Result<(), AppError> {
    let token = match state.store.get_access_token(token_id).await {
        Ok(token) => token,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    let permission = match action {
        TokenAction::Enable => perm::CREATE_USER_ACCESS_TOKEN,
        TokenAction::Revoke | TokenAction::Disable => perm::REVOKE_USER_ACCESS_TOKEN,
    };
    may_manage(actor, &token.user_id, permission)?;
    match action {
        TokenAction::Revoke => state.store.delete_access_token(token_id).await?,
        TokenAction::Disable => state.store.set_access_token_active(token_id, false).await?,
        TokenAction::Enable => state.store.set_access_token_active(token_id, true).await?,
    }
    let name = match action {
        TokenAction::Revoke => "user_access_token_revoke",
        TokenAction::Disable => "user_access_token_disable",
        TokenAction::Enable => "user_access_token_enable",
    };
    audit::record(
        state,
        &actor.user.id,
        name,
        &format!("user_id={} token_id={token_id}", token.user_id),
        ip,
        &actor.session.id,
    )
    .await;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum TokenAction {
    Revoke,
    Disable,
    Enable,
}

/// `POST /users/tokens/search` (System Console): tokens whose id, description or owner's
/// username starts with `term` (case aside), newest first; the secrets are never shown.
/// Filters the full listing in memory, which is enough for an admin's search.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    term: &str,
) -> Result<Vec<UserAccessToken>, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    let term = term.trim().to_lowercase();
    if term.is_empty() || term.chars().count() > 64 {
        return Err(AppError::InvalidBody {
            name: "term",
            detail: "give a search term of 1 to 64 characters".into(),
        });
    }
    let all = list(state, actor, None, 0, u32::MAX).await?;
    let owners: std::collections::HashMap<String, String> = state
        .store
        .get_users_by_ids(&all.iter().map(|t| t.user_id.clone()).collect::<Vec<_>>())
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let starts = |text: &str| text.to_lowercase().starts_with(&term);
    Ok(all
        .into_iter()
        .filter(|t| {
            starts(&t.id)
                || starts(&t.description)
                || owners.get(&t.user_id).is_some_and(|name| starts(name))
        })
        .collect())
}
