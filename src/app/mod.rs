//! Use cases: permissions, validation and business rules between the HTTP edge and the
//! store. Handlers call in here for anything with logic; plain reads may go straight to
//! the store. Must not depend on actix types beyond the error it returns.

pub mod audit;
pub mod avatar;
pub mod channels;
pub mod config;
pub mod directory;
pub mod emoji;
pub mod feed;
pub mod files;
pub mod lookups;
pub mod permissions;
pub mod posts;
pub mod preferences;
pub mod search;
pub mod sessions;
pub mod sidebar;
pub mod system;
pub mod teams;
pub mod threads;
pub mod tokens;
pub mod users;

use crate::error::AppError;
use crate::model::{Session, User};
use crate::state::AppState;
use permissions::Permission;

/// Who is making a request: a signed-in user and the session (or access token) they used.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub session: Session,
}

impl Actor {
    /// Whether the actor's system roles grant `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        permissions::roles_grant(&self.user.roles, permission)
    }

    /// `Forbidden` unless the actor has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// `Forbidden` unless the actor is `user_id` or a system admin.
    pub fn require_self_or_admin(&self, user_id: &str) -> Result<(), AppError> {
        if self.user.id == user_id || self.can(permissions::perm::MANAGE_SYSTEM) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn is_guest(&self) -> bool {
        permissions::has_role(&self.user.roles, "system_guest")
    }
}

/// Password hashing is deliberately slow (about 15 ms of CPU) and large (argon2id holds
/// 19 MiB while it runs): run it on the blocking pool so a burst of sign-ins never stalls
/// the async workers serving everyone else, and at most [`AppState::password_hashers`] at
/// once, so a burst (sixty-four anonymous sign-ins from as many addresses took the server
/// from 65 MB to 550 MB) costs waiting time, not memory. The turn moves into the blocking
/// job: a request dropped mid-hash does not free it early.
pub(crate) async fn hash_password(state: &AppState, password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    let turn = state.password_turn().await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        crate::auth::password::hash(&password)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)
}

/// See [`hash_password`].
pub(crate) async fn verify_password(
    state: &AppState,
    password: &str,
    stored: &str,
) -> crate::auth::password::Verified {
    let (password, stored) = (password.to_string(), stored.to_string());
    let Ok(turn) = state.password_turn().await else {
        return crate::auth::password::Verified::No;
    };
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        crate::auth::password::verify(&password, &stored)
    })
    .await
    .unwrap_or(crate::auth::password::Verified::No)
}
