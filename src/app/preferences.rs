//! Preferences and statuses (being written).
