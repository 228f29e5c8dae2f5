//! Real time: Mattermost's WebSocket protocol (`/api/v4/websocket`).
//!
//! `hub` keeps the live connections and the reconnect records, follows the change feed
//! and routes each event only to those allowed to see it. `event` turns committed changes
//! into Mattermost's event shapes. `session` runs one connection: authentication, the
//! `hello`, numbered events, client actions, keep-alive and back-pressure, over a
//! `socket` (frames on the bare stream). `upgrade` takes the stream over from the HTTP
//! server once `api::websocket` has accepted the request.

pub mod event;
pub mod hub;
pub mod session;
pub mod socket;
pub mod upgrade;

pub use hub::Hub;
