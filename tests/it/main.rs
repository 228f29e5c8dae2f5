//! Integration tests: one binary, each module a set of user stories told through the
//! running server (or, for the store, through its public trait).

#![allow(clippy::unwrap_used, clippy::expect_used)]

/// SQLite unless `HEARTH_TEST_BACKEND=postgres`; `tests/it_postgres.rs` runs the same
/// modules on PostgreSQL.
const POSTGRES: bool = false;

mod support;

mod accounts;
mod app_startup;
mod change_feed;
mod channel_access;
mod cli_users;
mod client_bodies;
mod client_lookups;
mod compatibility;
mod config_api;
mod configuration;
mod database;
mod directory_search;
mod durability;
mod emoji;
mod errors;
mod files;
mod mfa_tokens;
mod permissions;
mod postgres_tls;
mod posts;
mod preferences;
mod private_channels;
mod python_clients;
mod rate_limit;
mod search;
mod security;
mod shutdown;
mod sidebar;
mod system;
mod team_operations;
mod teams_channels;
mod threads;
mod user_lists;
mod web_client;
mod websocket;
