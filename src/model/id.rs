//! Mattermost-style identifiers: 26 lowercase base32 characters over 128 random bits.

use std::sync::LazyLock;

use data_encoding::Encoding;

/// Mattermost's base32 alphabet (z-base-32 ordering). Ids made with it sort like text and
/// contain no padding, so they are safe in URLs and file names.
static ENCODING: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ybndrfg8ejkmcpqxot1uwisza345h769");
    match spec.encoding() {
        Ok(encoding) => encoding,
        // The specification above is a constant; it cannot fail at run time.
        Err(error) => unreachable!("invalid base32 specification: {error}"),
    }
});

/// Length of every id Mattermost clients expect.
pub const ID_LEN: usize = 26;

/// A new random id, like Mattermost's `model.NewId()`.
pub fn new_id() -> String {
    let encoded = ENCODING.encode(uuid::Uuid::new_v4().as_bytes());
    // 16 bytes encode to 26 characters when unpadded.
    debug_assert_eq!(encoded.len(), ID_LEN);
    encoded
}

/// Whether `s` has the shape of an id: 26 characters of `[a-z0-9]`.
///
/// Mattermost accepts any lowercase alphanumerics here (ids imported from other systems
/// need not come from the base32 alphabet), so this does the same.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Milliseconds since the Unix epoch, the unit of every Mattermost timestamp.
pub fn now_millis() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_have_mattermost_shape_and_differ() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(is_valid_id(id), "{id} is not a valid id");
            assert!(
                id.bytes()
                    .all(|c| b"ybndrfg8ejkmcpqxot1uwisza345h769".contains(&c))
            );
        }
    }

    #[test]
    fn invalid_ids_are_rejected() {
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        assert!(!is_valid_id("abcdefghijklmnopqrstuvwxy"));
        assert!(!is_valid_id("abcdefghijklmnopqrstuvwxy_"));
        assert!(is_valid_id("abcdefghijklmnopqrstuvwxyz"));
    }

    #[test]
    fn timestamps_are_milliseconds() {
        // 2020-01-01 in ms; a seconds value would be far smaller.
        assert!(now_millis() > 1_577_836_800_000);
    }
}
