//! Preferences and statuses through the running server (being written).
