//! The audit log: security events recorded for admins (`GET /api/v4/audits`).

use crate::model::{Audit, new_id, now_millis};
use crate::state::AppState;

/// Records one event. A failure to record is logged, never shown to the user: the action
/// it describes has already happened.
pub async fn record(
    state: &AppState,
    user_id: &str,
    action: &str,
    extra_info: &str,
    ip_address: &str,
    session_id: &str,
) {
    let audit = Audit {
        id: new_id(),
        create_at: now_millis(),
        user_id: user_id.to_string(),
        action: action.to_string(),
        extra_info: extra_info.to_string(),
        ip_address: ip_address.to_string(),
        session_id: session_id.to_string(),
    };
    tracing::info!(target: "hearth::audit", user_id, action, extra_info, ip_address, "audit");
    if let Err(error) = state.store.record_audit(&audit).await {
        tracing::error!(%error, action, "cannot record audit event");
    }
}
