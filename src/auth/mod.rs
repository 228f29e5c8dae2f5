//! Authentication building blocks with no HTTP and no SQL in them: password hashing and
//! policy, TOTP multi-factor codes. The `app` layer combines them with the store.

pub mod mfa;
pub mod password;
