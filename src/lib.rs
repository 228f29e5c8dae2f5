//! Hearth: a self-hosted team chat server that speaks Mattermost's API.
//! See ARCHITECTURE.md for the map of these modules and the rules between them.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod connections;
pub mod error;
pub mod files;
pub mod logging;
pub mod model;
pub mod search;
pub mod server;
pub mod state;
pub mod store;
pub mod version;
pub mod webui;
pub mod ws;
