//! Use cases: permissions, validation and business rules between the HTTP edge and the
//! store. Handlers call in here for anything with logic; plain reads may go straight to
//! the store. Must not depend on actix types beyond the error it returns.

pub mod avatar;
pub mod system;
