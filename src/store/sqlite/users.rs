//! `UserStore` on SQLite: the `users` table.

use async_trait::async_trait;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqliteStore, map_err};
use crate::model::{User, now_millis};
use crate::store::common::like_prefix;
use crate::store::{ChangeDraft, Credentials, StoreError, UserQuery, UserSort, UserStore};

const COLUMNS: &str = "id, create_at, update_at, delete_at, username, email, email_verified,
    auth_service, auth_data, nickname, first_name, last_name, position, roles, allow_marketing,
    props, notify_props, timezone, locale, last_password_update, last_picture_update,
    failed_attempts, mfa_active, last_activity_at, last_login, is_bot, bot_description,
    disable_welcome_email";

fn json_column<T: serde::de::DeserializeOwned + Default>(text: String) -> T {
    serde_json::from_str(&text).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        username: row.get(4)?,
        email: row.get(5)?,
        email_verified: row.get(6)?,
        auth_service: row.get(7)?,
        auth_data: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
        nickname: row.get(9)?,
        first_name: row.get(10)?,
        last_name: row.get(11)?,
        position: row.get(12)?,
        roles: row.get(13)?,
        allow_marketing: row.get(14)?,
        props: json_column(row.get(15)?),
        notify_props: json_column(row.get(16)?),
        timezone: json_column(row.get(17)?),
        locale: row.get(18)?,
        last_password_update: row.get(19)?,
        last_picture_update: row.get(20)?,
        failed_attempts: row.get(21)?,
        mfa_active: row.get(22)?,
        last_activity_at: row.get(23)?,
        last_login: row.get(24)?,
        is_bot: row.get(25)?,
        bot_description: row.get(26)?,
        disable_welcome_email: row.get(27)?,
        ..User::default()
    })
}

fn select_one(conn: &Connection, filter: &str, value: &str) -> Result<User, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE {filter} = ?1"))
        .and_then(|mut stmt| stmt.query_row([value], user_from_row))
        .map_err(map_err)
}

fn select_many(
    conn: &Connection,
    column: &str,
    values: &[String],
) -> Result<Vec<User>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; values.len()].join(",");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM users WHERE {column} IN ({marks})"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), user_from_row)
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// Turns a unique-constraint failure into `Conflict("username")` or `Conflict("email")`.
fn taken(error: StoreError) -> StoreError {
    match error {
        StoreError::Conflict(detail) if detail.contains("users.username") => {
            StoreError::Conflict("username".into())
        }
        StoreError::Conflict(detail) if detail.contains("users.email") => {
            StoreError::Conflict("email".into())
        }
        other => other,
    }
}

fn user_change(kind: &'static str, user: &User) -> ChangeDraft {
    ChangeDraft {
        kind,
        entity_id: user.id.clone(),
        user_id: user.id.clone(),
        data: serde_json::json!({ "user_id": user.id }),
        ..ChangeDraft::default()
    }
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        first_user_roles: &str,
    ) -> Result<User, StoreError> {
        let mut user = user.clone();
        let hash = password_hash.to_string();
        let first_roles = first_user_roles.to_string();
        self.writer
            .write(move |tx| {
                let count: i64 = tx
                    .conn()
                    .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
                    .map_err(map_err)?;
                if count == 0 && !first_roles.is_empty() {
                    user.roles = first_roles;
                }
                tx.conn()
                    .execute(
                        "INSERT INTO users (id, create_at, update_at, delete_at, username, email,
                            email_verified, password_hash, auth_service, auth_data, nickname,
                            first_name, last_name, position, roles, allow_marketing, props,
                            notify_props, timezone, locale, last_password_update, is_bot,
                            bot_description, disable_welcome_email)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                            ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
                        params![
                            user.id,
                            user.create_at,
                            user.update_at,
                            user.delete_at,
                            user.username,
                            user.email,
                            user.email_verified,
                            hash,
                            user.auth_service,
                            (!user.auth_data.is_empty()).then_some(&user.auth_data),
                            user.nickname,
                            user.first_name,
                            user.last_name,
                            user.position,
                            user.roles,
                            user.allow_marketing,
                            to_json(&user.props),
                            to_json(&user.notify_props),
                            to_json(&user.timezone),
                            user.locale,
                            user.last_password_update,
                            user.is_bot,
                            user.bot_description,
                            user.disable_welcome_email,
                        ],
                    )
                    .map_err(|e| taken(map_err(e)))?;
                tx.emit(user_change("new_user", &user))?;
                Ok(user)
            })
            .await
    }

    async fn get_user(&self, id: &str) -> Result<User, StoreError> {
        let id = id.to_string();
        self.read(move |conn| select_one(conn, "id", &id)).await
    }

    async fn get_user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let username = username.to_lowercase();
        self.read(move |conn| select_one(conn, "username", &username))
            .await
    }

    async fn get_user_by_email(&self, email: &str) -> Result<User, StoreError> {
        let email = email.to_lowercase();
        self.read(move |conn| select_one(conn, "email", &email))
            .await
    }

    async fn get_users_by_ids(&self, ids: &[String]) -> Result<Vec<User>, StoreError> {
        let ids = ids.to_vec();
        self.read(move |conn| select_many(conn, "id", &ids)).await
    }

    async fn get_users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>, StoreError> {
        let names: Vec<String> = usernames.iter().map(|n| n.to_lowercase()).collect();
        self.read(move |conn| select_many(conn, "username", &names))
            .await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>, StoreError> {
        let query = query.clone();
        self.read(move |conn| {
            let (filter, mut values) = user_filter(&query)?;
            let order = match query.sort {
                UserSort::Username => "username",
                UserSort::CreateAt => "create_at DESC, username",
                UserSort::LastActivityAt => "last_activity_at DESC, username",
            };
            values.push(Box::new(query.limit));
            values.push(Box::new(query.offset));
            let sql = format!(
                "SELECT {COLUMNS} FROM users {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
                values.len() - 1,
                values.len()
            );
            let mut stmt = conn.prepare(&sql).map_err(map_err)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(values.iter()), user_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn count_matching_users(&self, query: &UserQuery) -> Result<i64, StoreError> {
        let query = query.clone();
        self.read(move |conn| {
            let (filter, values) = user_filter(&query)?;
            conn.query_row(
                &format!("SELECT COUNT(*) FROM users {filter}"),
                rusqlite::params_from_iter(values.iter()),
                |row| row.get(0),
            )
            .map_err(map_err)
        })
        .await
    }

    async fn scan_users(&self, after: Option<&str>, limit: u32) -> Result<Vec<User>, StoreError> {
        let after = after.unwrap_or_default().to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"
                ))
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![after, limit], user_from_row)
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn known_user_ids(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT DISTINCT theirs.user_id FROM channel_members mine
                     JOIN channel_members theirs ON theirs.channel_id = mine.channel_id
                     WHERE mine.user_id = ?1 AND theirs.user_id <> ?1
                     ORDER BY theirs.user_id",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map([user_id], |row| row.get(0))
                .map_err(map_err)?;
            rows.collect::<Result<_, _>>().map_err(map_err)
        })
        .await
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
                .map_err(map_err)
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<User, StoreError> {
        let user = user.clone();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE users SET update_at = ?2, username = ?3, email = ?4,
                            email_verified = ?5, nickname = ?6, first_name = ?7, last_name = ?8,
                            position = ?9, locale = ?10, props = ?11, notify_props = ?12,
                            timezone = ?13, allow_marketing = ?14
                         WHERE id = ?1",
                        params![
                            user.id,
                            now_millis(),
                            user.username,
                            user.email,
                            user.email_verified,
                            user.nickname,
                            user.first_name,
                            user.last_name,
                            user.position,
                            user.locale,
                            to_json(&user.props),
                            to_json(&user.notify_props),
                            to_json(&user.timezone),
                            user.allow_marketing,
                        ],
                    )
                    .map_err(|e| taken(map_err(e)))?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_one(tx.conn(), "id", &user.id)?;
                tx.emit(user_change("user_updated", &saved))?;
                Ok(saved)
            })
            .await
    }

    async fn update_user_roles(&self, id: &str, roles: &str) -> Result<User, StoreError> {
        let (id, roles) = (id.to_string(), roles.to_string());
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE users SET roles = ?2, update_at = ?3 WHERE id = ?1",
                        params![id, roles, now_millis()],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_one(tx.conn(), "id", &id)?;
                tx.emit(ChangeDraft {
                    data: serde_json::json!({ "user_id": id, "roles": roles }),
                    ..user_change("user_role_updated", &saved)
                })?;
                Ok(saved)
            })
            .await
    }

    async fn set_user_active(&self, id: &str, active: bool) -> Result<User, StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let now = now_millis();
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE users SET delete_at = ?2, update_at = ?3 WHERE id = ?1",
                        params![id, if active { 0 } else { now }, now],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                if !active {
                    tx.conn()
                        .execute("DELETE FROM sessions WHERE user_id = ?1", [&id])
                        .map_err(map_err)?;
                    tx.conn()
                        .execute(
                            "UPDATE user_access_tokens SET is_active = 0 WHERE user_id = ?1",
                            [&id],
                        )
                        .map_err(map_err)?;
                }
                let saved = select_one(tx.conn(), "id", &id)?;
                tx.emit(user_change("user_updated", &saved))?;
                Ok(saved)
            })
            .await
    }

    async fn get_credentials(&self, id: &str) -> Result<Credentials, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.query_row(
                "SELECT password_hash, failed_attempts, mfa_active, mfa_secret, mfa_last_step
                 FROM users WHERE id = ?1",
                [id],
                |row| {
                    Ok(Credentials {
                        password_hash: row.get(0)?,
                        failed_attempts: row.get(1)?,
                        mfa_active: row.get(2)?,
                        mfa_secret: row.get(3)?,
                        mfa_last_step: row.get(4)?,
                    })
                },
            )
            .map_err(map_err)
        })
        .await
    }

    async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        let (id, hash) = (id.to_string(), hash.to_string());
        self.update_one(
            "UPDATE users SET password_hash = ?2, last_password_update = ?3, failed_attempts = 0,
                update_at = ?3 WHERE id = ?1",
            move |stmt| stmt.execute(params![id, hash, now_millis()]),
        )
        .await
    }

    async fn record_login_failure(&self, id: &str) -> Result<i64, StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                tx.conn()
                    .query_row(
                        "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = ?1
                         RETURNING failed_attempts",
                        [id],
                        |row| row.get(0),
                    )
                    .map_err(map_err)
            })
            .await
    }

    async fn record_login_success(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "UPDATE users SET failed_attempts = 0, last_login = ?2, last_activity_at = ?2
             WHERE id = ?1",
            move |stmt| stmt.execute(params![id, now_millis()]),
        )
        .await
    }

    async fn reset_failed_attempts(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.update_one(
            "UPDATE users SET failed_attempts = 0 WHERE id = ?1",
            move |stmt| stmt.execute(params![id]),
        )
        .await
    }

    async fn set_mfa(&self, id: &str, secret: &str, active: bool) -> Result<(), StoreError> {
        let (id, secret) = (id.to_string(), secret.to_string());
        self.update_one(
            "UPDATE users SET mfa_secret = ?2, mfa_active = ?3, update_at = ?4 WHERE id = ?1",
            move |stmt| stmt.execute(params![id, secret, active, now_millis()]),
        )
        .await
    }

    async fn use_mfa_step(&self, id: &str, step: i64) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE users SET mfa_last_step = ?2 WHERE id = ?1 AND mfa_last_step < ?2",
                        params![id, step],
                    )
                    .map_err(map_err)?;
                Ok(changed == 1)
            })
            .await
    }

    async fn set_picture(&self, id: &str, png: Option<Vec<u8>>) -> Result<(), StoreError> {
        let id = id.to_string();
        self.writer
            .write(move |tx| {
                let now = now_millis();
                let changed = tx
                    .conn()
                    .execute(
                        "UPDATE users SET picture = ?2, last_picture_update = ?3, update_at = ?4
                         WHERE id = ?1",
                        params![id, png, if png.is_some() { now } else { 0 }, now],
                    )
                    .map_err(map_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                let saved = select_one(tx.conn(), "id", &id)?;
                tx.emit(user_change("user_updated", &saved))?;
                Ok(())
            })
            .await
    }

    async fn get_picture(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.query_row("SELECT picture FROM users WHERE id = ?1", [id], |row| {
                row.get::<_, Option<Vec<u8>>>(0)
            })
            .optional()
            .map_err(map_err)?
            .flatten()
            .ok_or(StoreError::NotFound)
        })
        .await
    }
}

/// The `WHERE` clause (possibly empty) and its values for a user query's filters; paging
/// and order are the caller's.
fn user_filter(query: &UserQuery) -> Result<(String, Vec<Box<dyn ToSql>>), StoreError> {
    let mut filters: Vec<String> = Vec::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    match query.active {
        Some(true) => filters.push("delete_at = 0".into()),
        Some(false) => filters.push("delete_at != 0".into()),
        None => {}
    }
    let memberships: [(&Option<String>, &str); 4] = [
        (
            &query.in_team,
            "id IN (SELECT user_id FROM team_members WHERE team_id = ?{} AND delete_at = 0)",
        ),
        (
            &query.not_in_team,
            "id NOT IN (SELECT user_id FROM team_members WHERE team_id = ?{} AND delete_at = 0)",
        ),
        (
            &query.in_channel,
            "id IN (SELECT user_id FROM channel_members WHERE channel_id = ?{})",
        ),
        (
            &query.not_in_channel,
            "id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = ?{})",
        ),
    ];
    for (value, filter) in memberships {
        if let Some(value) = value {
            values.push(Box::new(value.clone()));
            filters.push(filter.replace("{}", &values.len().to_string()));
        }
    }
    if query.without_team {
        filters.push("id NOT IN (SELECT user_id FROM team_members WHERE delete_at = 0)".into());
    }
    if let Some(viewer) = &query.sharing_channel_with {
        values.push(Box::new(viewer.clone()));
        let n = values.len();
        filters.push(format!(
            "(id = ?{n} OR id IN (SELECT m.user_id FROM channel_members m WHERE m.channel_id IN
                (SELECT channel_id FROM channel_members WHERE user_id = ?{n})))"
        ));
    }
    if let Some(role) = &query.role {
        values.push(Box::new(role.clone()));
        filters.push(format!(
            "(' ' || roles || ' ') LIKE ('% ' || ?{} || ' %')",
            values.len()
        ));
    }
    if let Some(ids) = &query.ids {
        // One JSON array parameter, however many ids: no limit on bound variables.
        let list = serde_json::to_string(ids).map_err(|e| StoreError::Other(e.to_string()))?;
        values.push(Box::new(list));
        filters.push(format!(
            "id IN (SELECT value FROM json_each(?{}))",
            values.len()
        ));
    }
    if let Some(term) = query
        .term
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        values.push(Box::new(like_prefix(term.trim_start_matches('@'))));
        let n = values.len();
        let mut columns = vec!["username", "first_name", "last_name", "nickname"];
        if query.search_email {
            columns.push("email");
        }
        let mut any: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE ?{n} ESCAPE '\\'"))
            .collect();
        any.push(format!(
            "(first_name || ' ' || last_name) LIKE ?{n} ESCAPE '\\'"
        ));
        filters.push(format!("({})", any.join(" OR ")));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    Ok((filter, values))
}
