//! TOTP multi-factor authentication (RFC 6238), as Google Authenticator and similar apps
//! speak it: SHA-1, 6 digits, 30-second steps, secrets as unpadded base32.
//!
//! This module owns secret generation, the `otpauth://` provisioning URL with its QR code,
//! and code verification with one step of clock drift either side and replay refusal.
//! It is pure: no I/O, no HTTP, no SQL, no clock. The caller passes the time in and stores
//! the secret and the last used step (see [`verify`]) itself.

#![forbid(unsafe_code)]

use totp_rs::{Algorithm, Builder, Secret, TotpError};

/// Length of a step in seconds, as authenticator apps assume.
const STEP_SECONDS: u64 = 30;
/// Digits in a code, as authenticator apps assume.
const DIGITS: u8 = 6;
/// Steps accepted either side of the current one, for clock drift (RFC 6238 §5.2).
const DRIFT_STEPS: u64 = 1;

/// What can go wrong setting up or checking a TOTP code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MfaError {
    /// The stored secret is not base32, or too short (under 128 bits) for RFC 4226.
    #[error("invalid MFA secret")]
    InvalidSecret,
    /// The code is not 6 digits, or not the right code for this time.
    #[error("invalid MFA code")]
    InvalidCode,
    /// The code is right but for a step already used (or older): each code works once.
    #[error("MFA code already used")]
    Replayed,
    /// The `otpauth://` URL or its QR code could not be built.
    #[error("cannot build the MFA QR code: {0}")]
    Qr(String),
}

/// A new random secret: 20 random bytes as unpadded RFC 4648 base32 (32 characters), like
/// Mattermost's.
pub fn generate_secret() -> String {
    Secret::generate().to_base32()
}

/// What a user needs to set up their authenticator app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioning {
    /// The secret in canonical form (upper-case unpadded base32), for typing in by hand.
    pub secret: String,
    /// The `otpauth://totp/...` URL the QR code encodes.
    pub otpauth_url: String,
    /// PNG image of the QR code, base64-encoded (no data: prefix)
    pub qr_code_png_base64: String,
}

/// Builds the otpauth:// URL (issuer = site name, account = the user's email or username;
/// SHA1, 6 digits, 30 s) and its QR code.
///
/// The otpauth label is `issuer:account`, so a `:` inside either is replaced with `-`; an
/// empty issuer is left out. An empty account is refused with [`MfaError::Qr`].
pub fn provisioning(secret: &str, issuer: &str, account: &str) -> Result<Provisioning, MfaError> {
    let issuer = label_part(issuer);
    let account = label_part(account);
    if account.is_empty() {
        return Err(MfaError::Qr("the account name is empty".to_owned()));
    }
    let totp = builder(secret)?
        .with_issuer((!issuer.is_empty()).then_some(issuer))
        .with_account_name(account)
        .build()
        .map_err(|e| match e {
            TotpError::SecretTooShort { .. } => MfaError::InvalidSecret,
            e => MfaError::Qr(e.to_string()),
        })?;
    let otpauth_url = totp.to_url().map_err(|e| MfaError::Qr(e.to_string()))?;
    let qr_code_png_base64 = totp
        .to_qr_base64()
        .map_err(|e| MfaError::Qr(e.to_string()))?;
    Ok(Provisioning {
        secret: totp.secret().to_base32(),
        otpauth_url,
        qr_code_png_base64,
    })
}

/// Checks `code` against `secret` at `now_unix` (seconds), accepting the current 30-second
/// step and one step either side (clock drift).
///
/// `last_used_step` is the step of the last code this user successfully used; a code whose
/// step is not greater is refused as a replay ([`MfaError::Replayed`]), so a code seen over
/// someone's shoulder cannot be used again. Returns the matched step on success, so the
/// caller can store it. The code may carry surrounding whitespace; otherwise it must be
/// exactly 6 ASCII digits. Comparison is in constant time.
pub fn verify(
    secret: &str,
    code: &str,
    now_unix: u64,
    last_used_step: Option<i64>,
) -> Result<i64, MfaError> {
    let code = code.trim();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MfaError::InvalidCode);
    }
    // No drift of its own: each step of the window is checked separately below, so that a
    // code matching an already used step does not hide one matching a fresh step.
    let totp = builder(secret)?
        .with_skew(0)
        .build()
        .map_err(|_| MfaError::InvalidSecret)?;

    let current = now_unix / STEP_SECONDS;
    let mut fresh = None;
    let mut replayed = false;
    // Every step of the window is checked, whatever matches first, so the time taken does
    // not tell which step matched.
    for step in current.saturating_sub(DRIFT_STEPS)..=current.saturating_add(DRIFT_STEPS) {
        let Some(start) = step.checked_mul(STEP_SECONDS) else {
            continue;
        };
        if totp.check(code, start).is_none() {
            continue;
        }
        let step = i64::try_from(step).map_err(|_| MfaError::InvalidCode)?;
        if last_used_step.is_some_and(|last| step <= last) {
            replayed = true;
        } else {
            fresh = Some(step);
        }
    }
    match fresh {
        Some(step) => Ok(step),
        None if replayed => Err(MfaError::Replayed),
        None => Err(MfaError::InvalidCode),
    }
}

/// A builder holding `secret` (base32, any case, padding optional, spaces ignored) and the
/// parameters authenticator apps assume.
fn builder(secret: &str) -> Result<Builder, MfaError> {
    let normalized: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if normalized.is_empty() {
        return Err(MfaError::InvalidSecret);
    }
    let secret = Secret::try_from_base32(&normalized).map_err(|_| MfaError::InvalidSecret)?;
    Ok(Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret))
}

/// `part` made fit for one half of an otpauth label `issuer:account`, which may not hold a
/// colon of its own (totp-rs refuses one). Percent-encoding is left to totp-rs.
fn label_part(part: &str) -> String {
    part.trim().replace(':', "-")
}

/// The TOTP for `secret`, for tests that need codes at other times.
#[cfg(test)]
fn totp(secret: &str) -> Result<totp_rs::Totp, MfaError> {
    builder(secret)?
        .build()
        .map_err(|_| MfaError::InvalidSecret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use totp_rs::Totp;

    /// The RFC 6238 SHA-1 secret, ASCII "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn code_at(secret: &str, time: u64) -> String {
        totp(secret).unwrap().generate(time).to_string()
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 Appendix B gives 8 digits; a 6-digit code is the last 6 of them.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, time), code, "T={time}");
            let step = i64::try_from(time / 30).unwrap();
            assert_eq!(verify(RFC_SECRET, code, time, None), Ok(step), "T={time}");
        }
    }

    #[test]
    fn secret_is_read_in_any_case_with_or_without_padding() {
        let padded = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ========"; // 20 bytes need no padding
        for secret in [
            RFC_SECRET.to_lowercase().as_str(),
            padded,
            "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
        ] {
            assert_eq!(verify(secret, "287082", 59, None), Ok(1), "{secret}");
        }
        // 16 bytes: 26 characters, padded to 32 as "...======".
        let short = totp_rs::Secret::from(vec![7_u8; 16]).to_base32();
        let padded = format!("{short}======");
        assert_eq!(verify(&padded, &code_at(&short, 90), 90, None), Ok(3));
    }

    #[test]
    fn bad_secrets_are_refused() {
        for secret in ["", "   ", "not base32!", "GEZDGNBV"] {
            assert_eq!(
                verify(secret, "123456", 59, None),
                Err(MfaError::InvalidSecret),
                "{secret:?}"
            );
        }
    }

    #[test]
    fn one_step_of_drift_either_side() {
        let now = 1_700_000_015;
        let current = i64::try_from(now / 30).unwrap();
        // Codes for RFC_SECRET at now-60 .. now+60: 276857 921300 732303 136087 253938.
        assert_eq!(code_at(RFC_SECRET, now - 30), "921300");
        assert_eq!(verify(RFC_SECRET, "732303", now, None), Ok(current));
        assert_eq!(verify(RFC_SECRET, "921300", now, None), Ok(current - 1));
        assert_eq!(verify(RFC_SECRET, "136087", now, None), Ok(current + 1));
        assert_eq!(
            verify(RFC_SECRET, "276857", now, None),
            Err(MfaError::InvalidCode)
        );
        assert_eq!(
            verify(RFC_SECRET, "253938", now, None),
            Err(MfaError::InvalidCode)
        );
    }

    #[test]
    fn replays_are_refused() {
        let now = 1_111_111_109;
        let step = i64::try_from(now / 30).unwrap();
        assert_eq!(verify(RFC_SECRET, "081804", now, None), Ok(step));
        assert_eq!(
            verify(RFC_SECRET, "081804", now, Some(step)),
            Err(MfaError::Replayed)
        );
        assert_eq!(
            verify(RFC_SECRET, "081804", now, Some(step + 1)),
            Err(MfaError::Replayed)
        );
        // The previous step's code, after the current one was used.
        let previous = code_at(RFC_SECRET, now - 30);
        assert_eq!(
            verify(RFC_SECRET, &previous, now, Some(step)),
            Err(MfaError::Replayed)
        );
        // The next step's code is still fresh.
        let next = code_at(RFC_SECRET, now + 30);
        assert_eq!(verify(RFC_SECRET, &next, now, Some(step)), Ok(step + 1));
        // A wrong code stays wrong, not a replay.
        assert_eq!(
            verify(RFC_SECRET, "000000", now, Some(step)),
            Err(MfaError::InvalidCode)
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert_eq!(verify(RFC_SECRET, " 287082\n", 59, None), Ok(1));
        for code in [
            "",
            "28708",
            "2870820",
            "28708a",
            "+28708",
            "-28708",
            "287 082",
            "２８７０８２",
        ] {
            assert_eq!(
                verify(RFC_SECRET, code, 59, None),
                Err(MfaError::InvalidCode),
                "{code:?}"
            );
        }
    }

    #[test]
    fn generated_secrets_are_32_base32_chars_and_differ() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert_ne!(a, b);
        assert!(totp(&a).is_ok());
    }

    #[test]
    fn provisioning_gives_url_and_png() {
        let secret = generate_secret();
        let p = provisioning(&secret.to_lowercase(), "Hearth Chat", "alice@example.com").unwrap();
        assert_eq!(p.secret, secret);
        assert!(
            p.otpauth_url.starts_with("otpauth://totp/"),
            "{}",
            p.otpauth_url
        );
        assert!(
            p.otpauth_url.contains("issuer=Hearth%20Chat"),
            "{}",
            p.otpauth_url
        );
        assert!(
            p.otpauth_url.contains(&format!("secret={secret}")),
            "{}",
            p.otpauth_url
        );
        assert!(
            p.otpauth_url.contains("alice%40example.com"),
            "{}",
            p.otpauth_url
        );
        let png = data_encoding::BASE64
            .decode(p.qr_code_png_base64.as_bytes())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // The URL reads back to the same parameters.
        let read = Totp::from_url(&p.otpauth_url).unwrap();
        assert_eq!(read.issuer(), Some("Hearth Chat"));
        assert_eq!(read.account_name(), "alice@example.com");
        assert_eq!(read.generate(59), totp(&secret).unwrap().generate(59));
    }

    #[test]
    fn provisioning_handles_colons_and_empty_names() {
        let secret = generate_secret();
        let p = provisioning(&secret, "Acme: Chat", "a:b").unwrap();
        let read = Totp::from_url(&p.otpauth_url).unwrap();
        assert_eq!(read.issuer(), Some("Acme- Chat"));
        assert_eq!(read.account_name(), "a-b");

        let p = provisioning(&secret, "", "bob").unwrap();
        assert!(!p.otpauth_url.contains("issuer="), "{}", p.otpauth_url);

        assert!(matches!(
            provisioning(&secret, "Hearth", " "),
            Err(MfaError::Qr(_))
        ));
        for bad in ["!!", "GEZDGNBV"] {
            assert_eq!(
                provisioning(bad, "Hearth", "bob"),
                Err(MfaError::InvalidSecret)
            );
        }
    }
}
