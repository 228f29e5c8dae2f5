//! The integration suite again, with every server under test on PostgreSQL: the same
//! modules as `tests/it/`, compiled into a second binary whose servers get
//! `SqlSettings.DriverName = postgres` and a fresh database per data folder (see
//! `support::hearth`). PostgreSQL comes from `HEARTH_TEST_POSTGRES_URL` or a throwaway
//! cluster (`tests/pg-cluster.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

const POSTGRES: bool = true;

#[path = "it/accounts.rs"]
mod accounts;
#[path = "it/app_startup.rs"]
mod app_startup;
#[path = "it/change_feed.rs"]
mod change_feed;
#[path = "it/channel_access.rs"]
mod channel_access;
#[path = "it/cli_users.rs"]
mod cli_users;
#[path = "it/client_lookups.rs"]
mod client_lookups;
#[path = "it/config_api.rs"]
mod config_api;
#[path = "it/configuration.rs"]
mod configuration;
#[path = "it/database.rs"]
mod database;
#[path = "it/directory_search.rs"]
mod directory_search;
#[path = "it/durability.rs"]
mod durability;
#[path = "it/emoji.rs"]
mod emoji;
#[path = "it/errors.rs"]
mod errors;
#[path = "it/files.rs"]
mod files;
#[path = "it/mfa_tokens.rs"]
mod mfa_tokens;
#[path = "it/permissions.rs"]
mod permissions;
#[path = "it/postgres_tls.rs"]
mod postgres_tls;
#[path = "it/posts.rs"]
mod posts;
#[path = "it/preferences.rs"]
mod preferences;
#[path = "it/private_channels.rs"]
mod private_channels;
#[path = "it/rate_limit.rs"]
mod rate_limit;
#[path = "it/search.rs"]
mod search;
#[path = "it/shutdown.rs"]
mod shutdown;
#[path = "it/sidebar.rs"]
mod sidebar;
#[path = "it/support/mod.rs"]
mod support;
#[path = "it/system.rs"]
mod system;
#[path = "it/team_operations.rs"]
mod team_operations;
#[path = "it/teams_channels.rs"]
mod teams_channels;
#[path = "it/threads.rs"]
mod threads;
#[path = "it/user_lists.rs"]
mod user_lists;
#[path = "it/web_client.rs"]
mod web_client;
#[path = "it/websocket.rs"]
mod websocket;
