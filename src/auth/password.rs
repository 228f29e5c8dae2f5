//! Passwords: argon2id hashes for everything Hearth writes, bcrypt hashes accepted too
//! (Mattermost databases and bulk imports carry them) and upgraded at the next login, and
//! the password policy from `PasswordSettings`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::config::PasswordSettings;

/// Longest password accepted. bcrypt reads only 72 bytes and Mattermost caps passwords
/// there; argon2 has no such limit, but a cap keeps hashing cost bounded.
pub const MAX_PASSWORD_LEN: usize = 72;

/// Hashes `password` with argon2id and a fresh random salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Right password; `rehash` asks the caller to store a fresh argon2id hash (the stored
    /// one is bcrypt).
    Yes {
        rehash: bool,
    },
    No,
}

/// Checks `password` against `stored` (argon2 PHC string or bcrypt `$2a$/$2b$/$2y$`).
/// An empty or unknown hash never matches.
pub fn verify(password: &str, stored: &str) -> Verified {
    if stored.starts_with("$argon2") {
        match Argon2::default().verify_password(password.as_bytes(), stored) {
            Ok(()) => Verified::Yes { rehash: false },
            Err(_) => Verified::No,
        }
    } else if stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$")
    {
        match bcrypt::verify(password, stored) {
            Ok(true) => Verified::Yes { rehash: true },
            _ => Verified::No,
        }
    } else {
        Verified::No
    }
}

/// A password that breaks the policy: Mattermost's error id and a message saying what
/// the policy asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub id: String,
    pub message: String,
}

/// Checks `password` against the policy. The error id is built as Mattermost builds it
/// (`model.user.is_valid.pwd_lowercase_number.app_error` and so on), since clients map
/// those ids to their own translated text.
pub fn check_policy(password: &str, settings: &PasswordSettings) -> Result<(), PolicyError> {
    let min = settings.minimum_length as usize;
    let length = password.chars().count();
    let mut id = String::from("model.user.is_valid.pwd");
    let mut wants = Vec::new();
    let mut ok = length >= min && password.len() <= MAX_PASSWORD_LEN;
    type Rule = (bool, &'static str, &'static str, fn(char) -> bool);
    let rules: [Rule; 4] = [
        (
            settings.lowercase,
            "_lowercase",
            "a lowercase letter",
            |c| c.is_lowercase(),
        ),
        (
            settings.uppercase,
            "_uppercase",
            "an uppercase letter",
            |c| c.is_uppercase(),
        ),
        (settings.number, "_number", "a number", |c| {
            c.is_ascii_digit()
        }),
        (settings.symbol, "_symbol", "a symbol", |c| {
            c.is_ascii_punctuation() || c == ' '
        }),
    ];
    for (required, suffix, words, test) in rules {
        if required {
            id.push_str(suffix);
            wants.push(words);
            ok &= password.chars().any(test);
        }
    }
    if ok {
        return Ok(());
    }
    id.push_str(".app_error");
    let mut message =
        format!("Your password must contain between {min} and {MAX_PASSWORD_LEN} characters");
    if !wants.is_empty() {
        message.push_str(&format!(" and at least {}", wants.join(", ")));
    }
    message.push('.');
    Err(PolicyError { id, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(
            verify("correct horse", &stored),
            Verified::Yes { rehash: false }
        );
        assert_eq!(verify("wrong horse", &stored), Verified::No);
        // Salted: the same password hashes differently each time.
        assert_ne!(stored, hash("correct horse").unwrap());
    }

    #[test]
    fn bcrypt_hashes_verify_and_ask_for_rehash() {
        let stored = bcrypt::hash("imported", 4).unwrap();
        assert_eq!(verify("imported", &stored), Verified::Yes { rehash: true });
        assert_eq!(verify("imported!", &stored), Verified::No);
        assert_eq!(verify("anything", ""), Verified::No);
        assert_eq!(verify("anything", "plaintext"), Verified::No);
    }

    #[test]
    fn policy_ids_follow_mattermost() {
        let mut settings = PasswordSettings::default();
        assert!(check_policy("longenough", &settings).is_ok());
        let error = check_policy("short", &settings).unwrap_err();
        assert_eq!(error.id, "model.user.is_valid.pwd.app_error");
        assert!(error.message.contains("between 8 and 72"));

        settings.lowercase = true;
        settings.number = true;
        let error = check_policy("ALLUPPERCASE", &settings).unwrap_err();
        assert_eq!(
            error.id,
            "model.user.is_valid.pwd_lowercase_number.app_error"
        );
        assert!(check_policy("lower1234", &settings).is_ok());
        assert!(
            check_policy(&"a1".repeat(40), &settings).is_err(),
            "over 72 bytes"
        );
    }
}
