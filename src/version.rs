//! Version strings. Hearth has its own version, and reports the Mattermost server version
//! whose API it speaks, because the official apps refuse servers older than they support.

/// Hearth's own version, from Cargo.toml.
pub const HEARTH_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Mattermost server version whose REST API, WebSocket protocol and import format
/// Hearth implements (see docs/COMPATIBILITY.md).
pub const MATTERMOST_VERSION: &str = "11.6.0";

/// Mattermost's `BuildNumber`: here it names the Hearth release, without dots so that
/// clients splitting `X-Version-Id` on `.` still find the version in the first three parts.
pub fn build_number() -> String {
    format!("hearth-{}", HEARTH_VERSION.replace('.', "-"))
}

/// The `X-Version-Id` header: `<version>.<build>.<config hash>.<licensed>`.
pub fn version_id(config_hash: &str) -> String {
    format!(
        "{MATTERMOST_VERSION}.{}.{config_hash}.false",
        build_number()
    )
}
