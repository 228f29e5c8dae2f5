//! `hearth user …`: account administration on the data folder, for when no admin can sign
//! in (the first account, a locked-out admin) or for scripts. It works whether or not the
//! server is running: SQLite lets both write the same database, one transaction at a time,
//! and the server's followers pick the changes up from the change feed.

use std::path::Path;
use std::sync::Arc;

use clap::Subcommand;

use crate::app::users::{self, user_error};
use crate::app::{Actor, sessions};
use crate::config::LiveConfig;
use crate::logging::Logging;
use crate::model::{Session, User, is_valid_id, new_id};
use crate::server;
use crate::state::AppState;
use crate::store::UserQuery;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (the first account on a server is a system admin)
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// The password; if omitted, a random one is made and printed
        #[arg(long)]
        password: Option<String>,
        /// Make the account a system admin
        #[arg(long)]
        system_admin: bool,
    },
    /// List accounts, 200 at a time
    List {
        /// Page number, from 0
        #[arg(long, default_value_t = 0)]
        page: u32,
        /// Only deactivated accounts
        #[arg(long)]
        inactive: bool,
    },
    /// Find accounts whose username, name, nickname or e-mail starts with TERM
    Search { term: String },
    /// Let a deactivated account sign in again
    Activate {
        /// Username, e-mail address or id
        user: String,
    },
    /// Stop an account from signing in and end its sessions
    Deactivate {
        /// Username, e-mail address or id
        user: String,
    },
    /// Set a new password (also unlocks an account locked by failed sign-ins)
    ResetPassword {
        /// Username, e-mail address or id
        user: String,
        /// The new password; if omitted, a random one is made and printed
        #[arg(long)]
        password: Option<String>,
    },
    /// Give an account the system admin role
    MakeAdmin {
        /// Username, e-mail address or id
        user: String,
    },
}

/// The command line acts as a system admin of its own ("local mode" in Mattermost terms):
/// whoever can read the data folder already controls the site.
fn local_actor() -> Actor {
    Actor {
        user: User {
            username: "hearth-cli".into(),
            roles: "system_admin system_user".into(),
            ..User::default()
        },
        session: Session {
            id: "cli".into(),
            ..Session::default()
        },
    }
}

const LOCAL_IP: &str = "local";

fn random_password() -> String {
    // Two ids: 52 characters of base32 from 256 random bits.
    format!("{}{}", new_id(), new_id())
}

async fn find(state: &AppState, who: &str) -> anyhow::Result<User> {
    let found = if is_valid_id(who) {
        state.store.get_user(who).await
    } else if who.contains('@') {
        state.store.get_user_by_email(who).await
    } else {
        state.store.get_user_by_username(who).await
    };
    found.map_err(|e| anyhow::anyhow!("{who}: {}", user_error(e)))
}

fn show(user: &User) -> String {
    let status = if user.delete_at == 0 {
        "active"
    } else {
        "deactivated"
    };
    format!(
        "{}  {:<24} {:<32} {:<28} {status}",
        user.id, user.username, user.email, user.roles
    )
}

fn app_error(error: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

/// Runs one `hearth user` command.
pub async fn run(
    command: &UserCommand,
    config: Arc<LiveConfig>,
    logging: Logging,
    data: &Path,
) -> anyhow::Result<()> {
    let state = server::build_state(config, logging, data).await?;
    let actor = local_actor();
    match command {
        UserCommand::Create {
            username,
            email,
            password,
            system_admin,
        } => {
            let chosen = password.clone().unwrap_or_else(random_password);
            let input = User {
                username: username.clone(),
                email: email.clone(),
                password: chosen.clone(),
                email_verified: true,
                ..User::default()
            };
            let mut user =
                users::create_user(&state, Some(&actor), input, LOCAL_IP, users::SignUp::Plain)
                    .await
                    .map_err(app_error)?;
            if *system_admin && !crate::app::permissions::has_role(&user.roles, "system_admin") {
                user = users::update_roles(
                    &state,
                    &actor,
                    &user.id,
                    "system_admin system_user",
                    LOCAL_IP,
                )
                .await
                .map_err(app_error)?;
            }
            println!("created {}", show(&user));
            if password.is_none() {
                println!("password: {chosen}");
            }
        }
        UserCommand::List { page, inactive } => {
            let users = state
                .store
                .list_users(&UserQuery {
                    active: Some(!inactive),
                    offset: page.saturating_mul(200),
                    limit: 200,
                    ..UserQuery::default()
                })
                .await?;
            for user in &users {
                println!("{}", show(user));
            }
            eprintln!("{} account(s)", users.len());
        }
        UserCommand::Search { term } => {
            let users = state
                .store
                .list_users(&UserQuery {
                    term: Some(term.clone()),
                    search_email: true,
                    limit: 200,
                    ..UserQuery::default()
                })
                .await?;
            for user in &users {
                println!("{}", show(user));
            }
            eprintln!("{} account(s)", users.len());
        }
        UserCommand::Activate { user } | UserCommand::Deactivate { user } => {
            let active = matches!(command, UserCommand::Activate { .. });
            let target = find(&state, user).await?;
            let saved = users::set_active(&state, &actor, &target.id, active, LOCAL_IP)
                .await
                .map_err(app_error)?;
            println!("{}", show(&saved));
        }
        UserCommand::ResetPassword { user, password } => {
            let target = find(&state, user).await?;
            let chosen = password.clone().unwrap_or_else(random_password);
            users::change_password(&state, &actor, &target.id, "", &chosen, LOCAL_IP)
                .await
                .map_err(app_error)?;
            // A reset password ends every session: whoever knew the old one is out.
            sessions::revoke_all_sessions(
                &state,
                &actor,
                &target.id,
                &sessions::ClientInfo::default(),
            )
            .await
            .map_err(app_error)?;
            println!(
                "password of {} reset; their sessions were ended",
                target.username
            );
            if password.is_none() {
                println!("password: {chosen}");
            }
        }
        UserCommand::MakeAdmin { user } => {
            let target = find(&state, user).await?;
            let mut roles: Vec<&str> = target.roles.split_whitespace().collect();
            if !roles.contains(&"system_admin") {
                roles.push("system_admin");
            }
            let saved = users::update_roles(&state, &actor, &target.id, &roles.join(" "), LOCAL_IP)
                .await
                .map_err(app_error)?;
            println!("{}", show(&saved));
        }
    }
    Ok(())
}
