//! Preferences, presence statuses and custom statuses: who may read and write them, what a
//! valid preference or status is, and how automatic presence follows activity.
//!
//! The plain types (`Preference`, `Status`, `CustomStatus`) live here for now because this
//! is the only public module of the feature; they belong in `model/` and should move there
//! (the store imports them from here until then). Must not depend on actix or SQL.

use serde::Deserialize;

use crate::app::Actor;
use crate::app::users::{may_edit, user_error};
use crate::error::AppError;
pub use crate::model::{CustomStatus, Preference, Presence, Status, StatusChange};
use crate::model::{is_valid_id, now_millis};
use crate::state::AppState;
use crate::store::StoreError;

/// Most preferences in one save or delete, as in Mattermost.
pub const MAX_PREFERENCES_PER_REQUEST: usize = 100;
/// Most ids in one status lookup.
pub const MAX_STATUS_LOOKUP: usize = 1000;
/// Mattermost's limits: category 1–32 bytes, name up to 32 bytes, value up to 20 000
/// characters.
const MAX_CATEGORY_BYTES: usize = 32;
const MAX_NAME_BYTES: usize = 32;
const MAX_VALUE_CHARS: usize = 20_000;
/// The latest DND end accepted (9999-12-31T23:59:59Z, in seconds): larger values are
/// almost certainly milliseconds sent by mistake.
const MAX_DND_END_TIME: i64 = 253_402_300_799;
/// Custom status text is cut to this many characters; emoji names are at most 64.
const MAX_CUSTOM_STATUS_TEXT: usize = 100;
const MAX_EMOJI_NAME: usize = 64;
const DEFAULT_CUSTOM_STATUS_EMOJI: &str = "speech_balloon";
/// Go's zero `time.Time`, which Mattermost clients send and receive for "no expiry".
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";
const CUSTOM_STATUS_DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];

/// Whether a custom status has an expiry time that has passed at `now_ms`.
pub fn custom_status_expired(status: &CustomStatus, now_ms: i64) -> bool {
    expiry_millis(&status.expires_at).is_some_and(|at| at < now_ms)
}

/// `PUT /users/{user_id}/status`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusRequest {
    pub user_id: String,
    pub status: String,
    pub dnd_end_time: Option<i64>,
}

fn invalid_preference(field: &str, message: &str) -> AppError {
    AppError::invalid(
        format!("model.preference.is_valid.{field}.app_error"),
        message,
    )
}

/// Mattermost's rules for one preference (`Preference.IsValid`).
pub fn check_preference(preference: &Preference) -> Result<(), AppError> {
    if !is_valid_id(&preference.user_id) {
        return Err(invalid_preference("id", "Invalid user id."));
    }
    if preference.category.is_empty() || preference.category.len() > MAX_CATEGORY_BYTES {
        return Err(invalid_preference(
            "category",
            "Invalid category: 1 to 32 bytes.",
        ));
    }
    if preference.name.len() > MAX_NAME_BYTES {
        return Err(invalid_preference(
            "name",
            "Invalid name: at most 32 bytes.",
        ));
    }
    if preference.value.chars().count() > MAX_VALUE_CHARS {
        return Err(invalid_preference(
            "value",
            "Invalid value: at most 20000 characters.",
        ));
    }
    if preference.category == "theme"
        && serde_json::from_str::<std::collections::HashMap<String, String>>(&preference.value)
            .is_err()
    {
        return Err(invalid_preference(
            "theme",
            "A theme must be a JSON object of strings.",
        ));
    }
    if preference.category == "sidebar_settings"
        && preference.name == "limit_visible_dms_gms"
        && !preference
            .value
            .parse::<u32>()
            .is_ok_and(|n| (1..=40).contains(&n))
    {
        return Err(invalid_preference(
            "limit_visible_dms_gms",
            "The number of visible direct messages must be between 1 and 40.",
        ));
    }
    Ok(())
}

fn check_batch(preferences: &[Preference]) -> Result<(), AppError> {
    if preferences.is_empty() || preferences.len() > MAX_PREFERENCES_PER_REQUEST {
        return Err(AppError::InvalidBody {
            name: "preferences",
            detail: format!("give between 1 and {MAX_PREFERENCES_PER_REQUEST} preferences"),
        });
    }
    Ok(())
}

/// Writing for another user needs that user to exist; oneself always does.
async fn check_target_exists(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<(), AppError> {
    if actor.user.id != user_id {
        state.store.get_user(user_id).await.map_err(user_error)?;
    }
    Ok(())
}

/// All of a user's preferences (the user themself or an admin).
pub async fn get_preferences(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<Vec<Preference>, AppError> {
    may_edit(actor, user_id)?;
    Ok(state.store.get_preferences(user_id).await?)
}

/// The user's preferences in one category; 404 when there are none, as in Mattermost.
pub async fn get_preferences_in_category(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    category: &str,
) -> Result<Vec<Preference>, AppError> {
    may_edit(actor, user_id)?;
    let found = state
        .store
        .get_preferences_in_category(user_id, category)
        .await?;
    if found.is_empty() {
        return Err(AppError::Missing {
            id: "api.preference.preferences_category.get.app_error",
            message: "Unable to find preferences for user.".into(),
        });
    }
    Ok(found)
}

/// One preference. A missing one is a 400 with `app.preference.get.app_error`, which is
/// what Mattermost answers.
pub async fn get_preference(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    category: &str,
    name: &str,
) -> Result<Preference, AppError> {
    may_edit(actor, user_id)?;
    match state.store.get_preference(user_id, category, name).await {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound) => Err(AppError::invalid(
            "app.preference.get.app_error",
            "Unable to find preference.",
        )),
        Err(other) => Err(other.into()),
    }
}

/// Saves preferences, all or none. Every item must belong to `user_id` (403 otherwise, as
/// in Mattermost) and be valid (400).
pub async fn save_preferences(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), AppError> {
    may_edit(actor, user_id)?;
    check_batch(preferences)?;
    if preferences.iter().any(|p| p.user_id != user_id) {
        return Err(AppError::Denied {
            id: "api.preference.update_preferences.set.app_error",
            message:
                "Unable to set preferences: every preference must belong to the user in the URL."
                    .into(),
        });
    }
    preferences.iter().try_for_each(check_preference)?;
    check_target_exists(state, actor, user_id).await?;
    state
        .store
        .save_preferences(user_id, preferences)
        .await
        .map_err(user_error)?;
    follow_favorites(state, user_id, preferences, false).await;
    Ok(())
}

/// Keeps the Favorites categories in step with `favorite_channel` preferences just saved
/// or deleted, in a transaction of their own after the preferences'. A failure here is
/// logged: the preference stays saved, and a channel placed nowhere is still shown in
/// Favorites by it, but one the user had put in another category stays there until the
/// preference or the category changes again.
async fn follow_favorites(
    state: &AppState,
    user_id: &str,
    preferences: &[Preference],
    deleted: bool,
) {
    if let Err(error) =
        crate::app::sidebar::follow_favorite_preferences(state, user_id, preferences, deleted).await
    {
        tracing::warn!(%user_id, %error, "could not move favourite channels in the sidebar");
    }
}

/// Deletes preferences by category and name (missing ones are ignored), all or none.
pub async fn delete_preferences(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    preferences: &[Preference],
) -> Result<(), AppError> {
    may_edit(actor, user_id)?;
    check_batch(preferences)?;
    if preferences.iter().any(|p| p.user_id != user_id) {
        return Err(AppError::Denied {
            id: "api.preference.delete_preferences.delete.app_error",
            message:
                "Unable to delete preferences: every preference must belong to the user in the URL."
                    .into(),
        });
    }
    state
        .store
        .delete_preferences(user_id, preferences)
        .await
        .map_err(user_error)?;
    follow_favorites(state, user_id, preferences, true).await;
    Ok(())
}

/// Ends the DND of those statuses whose end time has passed, recording the change, and
/// returns the statuses as they are now.
async fn expire_dnd(state: &AppState, statuses: Vec<Status>) -> Result<Vec<Status>, AppError> {
    let now = now_millis();
    let mut current = Vec::with_capacity(statuses.len());
    for status in statuses {
        if status.dnd_expired(now) {
            current.push(
                state
                    .store
                    .update_status(&status.user_id, StatusChange::Tick, now)
                    .await?,
            );
        } else {
            current.push(status);
        }
    }
    Ok(current)
}

/// The statuses of the existing users among `user_ids` (unknown ids are left out). Any
/// signed-in user may read anyone's status.
pub async fn get_statuses(state: &AppState, user_ids: &[String]) -> Result<Vec<Status>, AppError> {
    if user_ids.is_empty() || user_ids.len() > MAX_STATUS_LOOKUP {
        return Err(AppError::InvalidBody {
            name: "user_ids",
            detail: format!("give between 1 and {MAX_STATUS_LOOKUP} user ids"),
        });
    }
    if user_ids.iter().any(|id| !is_valid_id(id)) {
        return Err(AppError::InvalidBody {
            name: "user_ids",
            detail: "every user id must be 26 lower-case letters and digits".into(),
        });
    }
    let mut ids = user_ids.to_vec();
    ids.sort();
    ids.dedup();
    let found = state.store.get_statuses(&ids).await?;
    expire_dnd(state, found).await
}

/// One user's status; 404 `api.status.user_not_found.app_error` for an unknown user.
pub async fn get_status(state: &AppState, user_id: &str) -> Result<Status, AppError> {
    let found = state.store.get_statuses(&[user_id.to_string()]).await?;
    expire_dnd(state, found)
        .await?
        .into_iter()
        .next()
        .ok_or_else(status_user_not_found)
}

fn status_user_not_found() -> AppError {
    AppError::Missing {
        id: "api.status.user_not_found.app_error",
        message: "Unable to find the user.".into(),
    }
}

/// Sets a status by hand (the user themself or an admin). `online` makes the status
/// automatic again; `away`, `dnd` and `offline` stay until changed. `dnd_end_time` (Unix
/// seconds, in the future) applies to `dnd` only and is ignored otherwise.
pub async fn set_status(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    request: &StatusRequest,
) -> Result<Status, AppError> {
    if request.user_id != user_id {
        return Err(AppError::InvalidBody {
            name: "user_id",
            detail: "user_id in the body must match the user in the URL".into(),
        });
    }
    may_edit(actor, user_id)?;
    let presence = match Presence::parse(&request.status) {
        Some(p @ (Presence::Online | Presence::Away | Presence::Dnd | Presence::Offline)) => p,
        _ => {
            return Err(AppError::InvalidBody {
                name: "status",
                detail: "status must be online, away, dnd or offline".into(),
            });
        }
    };
    let now = now_millis();
    let dnd_end_time = match (presence, request.dnd_end_time.unwrap_or(0)) {
        (Presence::Dnd, end) if end != 0 => {
            if !(0..=MAX_DND_END_TIME).contains(&end) || end.saturating_mul(1000) <= now {
                return Err(AppError::InvalidBody {
                    name: "dnd_end_time",
                    detail: "dnd_end_time must be a future time in Unix seconds, or 0".into(),
                });
            }
            end
        }
        _ => 0,
    };
    let change = StatusChange::Chosen {
        presence,
        dnd_end_time,
    };
    state
        .store
        .update_status(user_id, change, now)
        .await
        .map_err(|e| match e {
            // The status row refers to the user: a missing user breaks that reference.
            StoreError::NotFound | StoreError::Invalid(_) => status_user_not_found(),
            other => other.into(),
        })
}

/// Records that the user made a request: automatic statuses become online and the
/// activity time moves on. Never fails the request it is called from; problems are
/// logged.
pub async fn record_activity(state: &AppState, user_id: &str) {
    record_presence(state, user_id, StatusChange::Activity).await;
}

/// Applies an automatic presence change (activity, idle, disconnect); never fails the
/// caller, since presence is advisory.
pub async fn record_presence(state: &AppState, user_id: &str, change: StatusChange) {
    if let Err(error) = state
        .store
        .update_status(user_id, change, now_millis())
        .await
    {
        tracing::warn!(%error, user_id, ?change, "cannot record the user's presence");
    }
}

/// `PUT /users/{user_id}/status/custom`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CustomStatusRequest {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    pub expires_at: Option<String>,
}

fn custom_statuses_enabled(state: &AppState) -> Result<(), AppError> {
    if state.config().team_settings.enable_custom_user_statuses {
        Ok(())
    } else {
        Err(AppError::NotImplemented {
            id: "api.custom_status.disabled",
            message: "Custom status feature has been disabled. Please contact your system administrator for details.".into(),
        })
    }
}

fn invalid_custom_status(detail: &str) -> AppError {
    AppError::InvalidBody {
        name: "custom_status",
        detail: detail.into(),
    }
}

/// Milliseconds of an `expires_at` value; `None` for "no expiry" (empty or Go's zero time)
/// and for text that is not an RFC 3339 time.
fn expiry_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text == GO_ZERO_TIME {
        return None;
    }
    parse_rfc3339(text)
}

/// Checks and normalises a custom status as Mattermost does (`CustomStatus.PreSave` and
/// `AreDurationAndExpirationTimeValid`): emoji or text required, a known duration needs an
/// expiry that has not passed, text is cut to 100 characters.
pub fn normalise_custom_status(
    request: CustomStatusRequest,
    now_ms: i64,
) -> Result<CustomStatus, AppError> {
    let emoji = request.emoji.trim().to_string();
    if emoji.is_empty() && request.text.is_empty() {
        return Err(invalid_custom_status("give an emoji or a text"));
    }
    if emoji.chars().count() > MAX_EMOJI_NAME || emoji.contains(char::is_whitespace) {
        return Err(invalid_custom_status("emoji must be an emoji name"));
    }
    let expires_text = request.expires_at.unwrap_or_default().trim().to_string();
    let expires = match expiry_millis(&expires_text) {
        None if !(expires_text.is_empty() || expires_text == GO_ZERO_TIME) => {
            return Err(invalid_custom_status("expires_at must be an RFC 3339 time"));
        }
        other => other,
    };
    let not_past = expires.is_some_and(|at| at >= now_ms);
    let valid = if request.duration.is_empty() {
        expires.is_none() || not_past
    } else {
        CUSTOM_STATUS_DURATIONS.contains(&request.duration.as_str()) && not_past
    };
    if !valid {
        return Err(invalid_custom_status(
            "duration must be one of thirty_minutes, one_hour, four_hours, today, this_week, date_and_time (with a future expires_at), or empty",
        ));
    }
    let duration = if request.duration.is_empty() && not_past {
        "date_and_time".to_string()
    } else {
        request.duration
    };
    Ok(CustomStatus {
        emoji: if emoji.is_empty() {
            DEFAULT_CUSTOM_STATUS_EMOJI.into()
        } else {
            emoji
        },
        text: request.text.chars().take(MAX_CUSTOM_STATUS_TEXT).collect(),
        duration,
        expires_at: if expires.is_some() {
            expires_text
        } else {
            GO_ZERO_TIME.into()
        },
    })
}

/// Sets the user's custom status (the user themself or an admin).
pub async fn set_custom_status(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    request: CustomStatusRequest,
) -> Result<CustomStatus, AppError> {
    custom_statuses_enabled(state)?;
    let status = normalise_custom_status(request, now_millis())?;
    may_edit(actor, user_id)?;
    check_target_exists(state, actor, user_id).await?;
    state
        .store
        .set_custom_status(user_id, &status)
        .await
        .map_err(user_error)?;
    // The status is set; the recent list is a convenience, so a failure there is logged.
    if let Err(error) = remember_recent_custom_status(state, user_id, &status).await {
        tracing::warn!(%user_id, %error, "could not update the recent custom statuses");
    }
    Ok(status)
}

async fn remember_recent_custom_status(
    state: &AppState,
    user_id: &str,
    status: &CustomStatus,
) -> Result<(), AppError> {
    let mut recent = recent_custom_statuses(state, user_id).await?;
    recent.retain(|r| !same_custom_status(r, status));
    recent.insert(0, status.clone());
    recent.truncate(MAX_RECENT_CUSTOM_STATUSES);
    save_recent_custom_statuses(state, user_id, &recent).await
}

/// Where Mattermost keeps a user's recent custom statuses: a preference holding a JSON
/// list, newest first, which the clients read to offer them again.
const RECENT_CUSTOM_STATUS_CATEGORY: &str = "custom_status";
const RECENT_CUSTOM_STATUS_NAME: &str = "recent_custom_statuses";
const MAX_RECENT_CUSTOM_STATUSES: usize = 5;

/// Two custom statuses are the same recent one when emoji, text and duration agree.
fn same_custom_status(a: &CustomStatus, b: &CustomStatus) -> bool {
    a.emoji == b.emoji && a.text == b.text && a.duration == b.duration
}

async fn recent_custom_statuses(
    state: &AppState,
    user_id: &str,
) -> Result<Vec<CustomStatus>, AppError> {
    match state
        .store
        .get_preference(
            user_id,
            RECENT_CUSTOM_STATUS_CATEGORY,
            RECENT_CUSTOM_STATUS_NAME,
        )
        .await
    {
        // A list another version wrote in a shape this one cannot read starts again.
        Ok(p) => Ok(serde_json::from_str(&p.value).unwrap_or_default()),
        Err(StoreError::NotFound) => Ok(Vec::new()),
        Err(other) => Err(other.into()),
    }
}

async fn save_recent_custom_statuses(
    state: &AppState,
    user_id: &str,
    recent: &[CustomStatus],
) -> Result<(), AppError> {
    let value = serde_json::to_string(recent).map_err(|e| AppError::Internal(e.to_string()))?;
    let preference = Preference {
        user_id: user_id.to_string(),
        category: RECENT_CUSTOM_STATUS_CATEGORY.into(),
        name: RECENT_CUSTOM_STATUS_NAME.into(),
        value,
    };
    state
        .store
        .save_preferences(user_id, std::slice::from_ref(&preference))
        .await
        .map_err(user_error)
}

/// `DELETE /users/{id}/status/custom/recent` (and `POST …/recent/delete`): takes one
/// status out of the recent ones (the user themself or an admin); 400 when it is not
/// among them.
pub async fn remove_recent_custom_status(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    request: CustomStatusRequest,
) -> Result<(), AppError> {
    custom_statuses_enabled(state)?;
    may_edit(actor, user_id)?;
    let gone = CustomStatus {
        emoji: request.emoji,
        text: request.text,
        duration: request.duration,
        expires_at: String::new(),
    };
    let mut recent = recent_custom_statuses(state, user_id).await?;
    let before = recent.len();
    recent.retain(|r| !same_custom_status(r, &gone));
    if recent.len() == before {
        return Err(AppError::invalid(
            "api.custom_status.recent_custom_statuses.delete.app_error",
            "That custom status is not among the recent ones.",
        ));
    }
    save_recent_custom_statuses(state, user_id, &recent).await
}

/// Clears the user's custom status (the user themself or an admin); clearing none is fine.
pub async fn remove_custom_status(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<(), AppError> {
    custom_statuses_enabled(state)?;
    may_edit(actor, user_id)?;
    state
        .store
        .delete_custom_status(user_id)
        .await
        .map_err(user_error)
}

/// The user's custom status unless none is set or it has expired, for showing it as the
/// user's `props.customStatus` (a JSON string, as Mattermost does).
pub async fn current_custom_status(
    state: &AppState,
    user_id: &str,
) -> Result<Option<CustomStatus>, AppError> {
    match state.store.get_custom_status(user_id).await {
        Ok(status) if !custom_status_expired(&status, now_millis()) => Ok(Some(status)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Parses an RFC 3339 time (`2025-05-01T12:00:00Z`, `2025-05-01T14:00:00.250+02:00`) into
/// milliseconds since the Unix epoch.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<i64> {
        let part = bytes.get(from..to)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if bytes.len() < 20
        || separators.iter().any(|&(at, c)| bytes[at] != c)
        || !matches!(bytes[10], b'T' | b't')
    {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = &bytes[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, digit) in fraction[..digits.min(3)].iter().enumerate() {
            millis += i64::from(digit - b'0') * [100, 10, 1][i];
        }
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            sign * (hours * 60 + minutes)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "abcdefghijklmnopqrstuvwxyz";

    fn pref(category: &str, name: &str, value: &str) -> Preference {
        Preference {
            user_id: ID.into(),
            category: category.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    fn rule_id(result: Result<(), AppError>) -> String {
        match result {
            Err(AppError::Invalid { id, .. }) => id.into_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn preference_rules() {
        assert!(check_preference(&pref("display_settings", "use_military_time", "true")).is_ok());
        assert!(check_preference(&pref("theme", "", r##"{"sidebarBg":"#145dbf"}"##)).is_ok());
        assert!(check_preference(&pref(&"c".repeat(32), &"n".repeat(32), "")).is_ok());
        assert!(check_preference(&pref("x", "y", &"é".repeat(20_000))).is_ok());
        for (bad, field) in [
            (pref("", "n", "v"), "category"),
            (pref(&"c".repeat(33), "n", "v"), "category"),
            (pref("c", &"n".repeat(33), "v"), "name"),
            (pref("c", "n", &"v".repeat(20_001)), "value"),
            (pref("theme", "", "not json"), "theme"),
            (pref("theme", "", r#"{"sidebarBg":1}"#), "theme"),
            (
                pref("sidebar_settings", "limit_visible_dms_gms", "41"),
                "limit_visible_dms_gms",
            ),
            (
                Preference {
                    user_id: "me".into(),
                    ..pref("c", "n", "v")
                },
                "id",
            ),
        ] {
            assert_eq!(
                rule_id(check_preference(&bad)),
                format!("model.preference.is_valid.{field}.app_error"),
                "{bad:?}"
            );
        }
    }

    fn status(presence: Presence, manual: bool, dnd_end_time: i64) -> Status {
        Status {
            status: presence,
            manual,
            dnd_end_time,
            last_activity_at: 5,
            ..Status::offline(ID)
        }
    }

    #[test]
    fn activity_makes_automatic_statuses_online_and_leaves_chosen_ones() {
        let now = 1_000_000;
        for (before, expected) in [
            (status(Presence::Offline, false, 0), Presence::Online),
            (status(Presence::Away, false, 0), Presence::Online),
            (status(Presence::Away, true, 0), Presence::Away),
            (status(Presence::Offline, true, 0), Presence::Offline),
            (status(Presence::Dnd, true, 0), Presence::Dnd),
            (status(Presence::Dnd, true, 2000), Presence::Dnd),
            // DND that ended a second ago no longer holds.
            (status(Presence::Dnd, true, 999), Presence::Online),
        ] {
            let after = before.after(StatusChange::Activity, now);
            assert_eq!(after.status, expected, "{before:?}");
            assert_eq!(after.last_activity_at, now);
        }
    }

    #[test]
    fn chosen_statuses_are_manual_except_online() {
        let now = 1_000_000;
        let start = Status::offline(ID);
        let dnd = start.after(
            StatusChange::Chosen {
                presence: Presence::Dnd,
                dnd_end_time: 2000,
            },
            now,
        );
        assert_eq!(
            (
                dnd.status,
                dnd.manual,
                dnd.dnd_end_time,
                dnd.last_activity_at
            ),
            (Presence::Dnd, true, 2000, 0)
        );
        let away = dnd.after(
            StatusChange::Chosen {
                presence: Presence::Away,
                dnd_end_time: 2000,
            },
            now,
        );
        assert_eq!(
            (away.status, away.manual, away.dnd_end_time),
            (Presence::Away, true, 0)
        );
        let online = away.after(
            StatusChange::Chosen {
                presence: Presence::Online,
                dnd_end_time: 0,
            },
            now,
        );
        assert_eq!(
            (online.status, online.manual, online.last_activity_at),
            (Presence::Online, false, now)
        );
        // Only time passing ends an expired DND and changes nothing else.
        assert_eq!(dnd.after(StatusChange::Tick, 1_999_999), dnd);
        let ended = dnd.after(StatusChange::Tick, 2_000_000);
        assert_eq!(
            (ended.status, ended.manual, ended.dnd_end_time),
            (Presence::Online, false, 0)
        );
    }

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:34:56.789Z"),
            Some(1_709_210_096_789)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T14:34:56.7891+02:00"),
            Some(1_709_210_096_789)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:00:00-01:00"), Some(0));
        assert_eq!(parse_rfc3339(GO_ZERO_TIME), Some(-62_135_596_800_000));
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+2:00",
            "2024-01-01T00:00:00Zjunk",
            "２024-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    fn request(
        emoji: &str,
        text: &str,
        duration: &str,
        expires: Option<&str>,
    ) -> CustomStatusRequest {
        CustomStatusRequest {
            emoji: emoji.into(),
            text: text.into(),
            duration: duration.into(),
            expires_at: expires.map(String::from),
        }
    }

    #[test]
    fn custom_status_rules() {
        let now = parse_rfc3339("2025-06-01T12:00:00Z").unwrap();
        let later = "2025-06-01T13:00:00Z";
        let earlier = "2025-06-01T11:00:00Z";

        let plain = normalise_custom_status(request("", "In a meeting", "", None), now).unwrap();
        assert_eq!(plain.emoji, "speech_balloon");
        assert_eq!(plain.duration, "");
        assert_eq!(plain.expires_at, GO_ZERO_TIME);
        assert!(!custom_status_expired(&plain, now));

        let timed =
            normalise_custom_status(request("calendar", "", "one_hour", Some(later)), now).unwrap();
        assert_eq!(
            (timed.duration.as_str(), timed.expires_at.as_str()),
            ("one_hour", later)
        );
        assert!(!custom_status_expired(&timed, now));
        assert!(custom_status_expired(&timed, now + 3_600_001));

        let dated = normalise_custom_status(request("x", "", "", Some(later)), now).unwrap();
        assert_eq!(dated.duration, "date_and_time");
        let long = normalise_custom_status(request("x", &"é".repeat(150), "", None), now).unwrap();
        assert_eq!(long.text.chars().count(), 100);

        for bad in [
            request("", "", "", None),
            request("x", "", "fortnight", Some(later)),
            request("x", "", "today", None),
            request("x", "", "today", Some(earlier)),
            request("x", "", "", Some(earlier)),
            request("x", "", "", Some("tomorrow")),
            request("two words", "", "", None),
        ] {
            assert!(
                matches!(
                    normalise_custom_status(bad.clone(), now),
                    Err(AppError::InvalidBody {
                        name: "custom_status",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }
}
