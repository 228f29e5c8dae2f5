//! TOTP multi-factor authentication (being written).
