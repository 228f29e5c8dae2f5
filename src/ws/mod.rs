//! Real time: Mattermost's WebSocket protocol (`/api/v4/websocket`).
//!
//! `hub` keeps the live connections and the reconnect records, follows the change feed
//! and routes each event only to those allowed to see it. `event` turns committed changes
//! into Mattermost's event shapes. `session` runs one connection: authentication, the
//! `hello`, numbered events, client actions, keep-alive and back-pressure. This module
//! knows nothing about HTTP; the upgrade lives in `api::websocket`.

pub mod event;
pub mod hub;
pub mod session;

pub use hub::Hub;
