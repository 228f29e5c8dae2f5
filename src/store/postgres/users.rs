//! `UserStore` on PostgreSQL: the `users` table.

use async_trait::async_trait;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{PgStore, big, map_err, one};
use crate::model::{User, now_millis};
use crate::store::common::like_prefix;
use crate::store::{ChangeDraft, Credentials, StoreError, UserQuery, UserSort, UserStore};

const COLUMNS: &str = "id, create_at, update_at, delete_at, username, email, email_verified,
    auth_service, auth_data, nickname, first_name, last_name, position, roles, allow_marketing,
    props, notify_props, timezone, locale, last_password_update, last_picture_update,
    failed_attempts, mfa_active, last_activity_at, last_login, is_bot, bot_description,
    disable_welcome_email";

/// The advisory lock key that makes "is this the first user?" and the insert one step
/// for concurrent sign-ups ("hearth-1st" is as good a number as any).
const FIRST_USER_LOCK: i64 = 0x6865_6172_7431;

fn json_column<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

fn user_from_row(row: &Row) -> Result<User, tokio_postgres::Error> {
    Ok(User {
        id: row.try_get(0)?,
        create_at: row.try_get(1)?,
        update_at: row.try_get(2)?,
        delete_at: row.try_get(3)?,
        username: row.try_get(4)?,
        email: row.try_get(5)?,
        email_verified: row.try_get(6)?,
        auth_service: row.try_get(7)?,
        auth_data: row.try_get::<_, Option<String>>(8)?.unwrap_or_default(),
        nickname: row.try_get(9)?,
        first_name: row.try_get(10)?,
        last_name: row.try_get(11)?,
        position: row.try_get(12)?,
        roles: row.try_get(13)?,
        allow_marketing: row.try_get(14)?,
        props: json_column(row.try_get(15)?),
        notify_props: json_column(row.try_get(16)?),
        timezone: json_column(row.try_get(17)?),
        locale: row.try_get(18)?,
        last_password_update: row.try_get(19)?,
        last_picture_update: row.try_get(20)?,
        failed_attempts: row.try_get(21)?,
        mfa_active: row.try_get(22)?,
        last_activity_at: row.try_get(23)?,
        last_login: row.try_get(24)?,
        is_bot: row.try_get(25)?,
        bot_description: row.try_get(26)?,
        disable_welcome_email: row.try_get(27)?,
        ..User::default()
    })
}

async fn user_count(client: &deadpool_postgres::ClientWrapper) -> Result<i64, StoreError> {
    let row = client
        .query_one("SELECT COUNT(*) FROM users", &[])
        .await
        .map_err(map_err)?;
    row.try_get(0).map_err(map_err)
}

fn credentials_from_row(row: &Row) -> Result<Credentials, tokio_postgres::Error> {
    Ok(Credentials {
        password_hash: row.try_get(0)?,
        failed_attempts: row.try_get(1)?,
        mfa_active: row.try_get(2)?,
        mfa_secret: row.try_get(3)?,
        mfa_last_step: row.try_get(4)?,
    })
}

fn users_from_rows(rows: &[Row]) -> Result<Vec<User>, StoreError> {
    super::from_rows(rows, user_from_row)
}

/// The one user whose `column` equals `value`, read on `client` (the primary, or a write
/// transaction's connection).
async fn select_one(
    client: &deadpool_postgres::ClientWrapper,
    column: &str,
    value: &str,
) -> Result<User, StoreError> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE {column} = $1"))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&value]).await.map_err(map_err)?;
    user_from_row(&one(rows)?).map_err(map_err)
}

async fn select_many(
    client: &deadpool_postgres::ClientWrapper,
    column: &str,
    values: &[String],
) -> Result<Vec<User>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM users WHERE {column} = ANY($1)"
        ))
        .await
        .map_err(map_err)?;
    let rows = client.query(&stmt, &[&values]).await.map_err(map_err)?;
    users_from_rows(&rows)
}

/// Turns a unique-constraint failure into `Conflict("username")` or `Conflict("email")`,
/// as the SQLite engine reports them.
fn taken(error: StoreError) -> StoreError {
    match error {
        StoreError::Conflict(constraint) if constraint == "users_username_key" => {
            StoreError::Conflict("username".into())
        }
        StoreError::Conflict(constraint) if constraint == "users_email_key" => {
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

type Param = Box<dyn ToSql + Sync + Send>;

/// The WHERE, ORDER BY and paging of a user listing, with its parameters.
fn list_sql(query: &UserQuery) -> (String, Vec<Param>) {
    let (filter, mut values) = user_filter(query);
    // COLLATE "C": byte order, as on SQLite, whatever the database's locale.
    let order = match query.sort {
        UserSort::Username => r#"username COLLATE "C""#,
        UserSort::CreateAt => r#"create_at DESC, username COLLATE "C""#,
        UserSort::LastActivityAt => r#"last_activity_at DESC, username COLLATE "C""#,
    };
    values.push(Box::new(big(query.limit)));
    values.push(Box::new(big(query.offset)));
    let sql = format!(
        "SELECT {COLUMNS} FROM users {filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
        values.len() - 1,
        values.len()
    );
    (sql, values)
}

/// The `WHERE` clause (possibly empty) and its values for a user query's filters; paging
/// and order are the caller's.
fn user_filter(query: &UserQuery) -> (String, Vec<Param>) {
    let mut filters: Vec<String> = Vec::new();
    let mut values: Vec<Param> = Vec::new();
    match query.active {
        Some(true) => filters.push("delete_at = 0".into()),
        Some(false) => filters.push("delete_at != 0".into()),
        None => {}
    }
    let memberships: [(&Option<String>, &str); 4] = [
        (
            &query.in_team,
            "id IN (SELECT user_id FROM team_members WHERE team_id = ${} AND delete_at = 0)",
        ),
        (
            &query.not_in_team,
            "id NOT IN (SELECT user_id FROM team_members WHERE team_id = ${} AND delete_at = 0)",
        ),
        (
            &query.in_channel,
            "id IN (SELECT user_id FROM channel_members WHERE channel_id = ${})",
        ),
        (
            &query.not_in_channel,
            "id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = ${})",
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
            "(id = ${n} OR id IN (SELECT m.user_id FROM channel_members m WHERE m.channel_id IN
                (SELECT channel_id FROM channel_members WHERE user_id = ${n})))"
        ));
    }
    if let Some(role) = &query.role {
        // SQLite's LIKE ignores ASCII case; ILIKE keeps that.
        values.push(Box::new(role.clone()));
        filters.push(format!(
            "(' ' || roles || ' ') ILIKE ('% ' || ${}::text || ' %')",
            values.len()
        ));
    }
    if let Some(ids) = &query.ids {
        values.push(Box::new(ids.clone()));
        filters.push(format!("id = ANY(${})", values.len()));
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
            .map(|c| format!("{c} ILIKE ${n} ESCAPE '\\'"))
            .collect();
        any.push(format!(
            "(first_name || ' ' || last_name) ILIKE ${n} ESCAPE '\\'"
        ));
        filters.push(format!("({})", any.join(" OR ")));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    (filter, values)
}

#[async_trait]
impl UserStore for PgStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        first_user_roles: &str,
    ) -> Result<User, StoreError> {
        let mut user = user.clone();
        let mut tx = self.begin().await?;
        if !first_user_roles.is_empty() {
            // Users are never removed, so once there is one, no one else can be first.
            // Otherwise concurrent sign-ups take turns, and each counts again (a new
            // statement sees the rows committed before it) once it holds the lock.
            if user_count(tx.client()).await? == 0 {
                tx.client()
                    .execute("SELECT pg_advisory_xact_lock($1)", &[&FIRST_USER_LOCK])
                    .await
                    .map_err(map_err)?;
                if user_count(tx.client()).await? == 0 {
                    user.roles = first_user_roles.to_string();
                }
            }
        }
        tx.client()
            .execute(
                "INSERT INTO users (id, create_at, update_at, delete_at, username, email,
                    email_verified, password_hash, auth_service, auth_data, nickname,
                    first_name, last_name, position, roles, allow_marketing, props,
                    notify_props, timezone, locale, last_password_update, is_bot,
                    bot_description, disable_welcome_email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                    $16, $17, $18, $19, $20, $21, $22, $23, $24)",
                &[
                    &user.id,
                    &user.create_at,
                    &user.update_at,
                    &user.delete_at,
                    &user.username,
                    &user.email,
                    &user.email_verified,
                    &password_hash,
                    &user.auth_service,
                    &(!user.auth_data.is_empty()).then_some(&user.auth_data),
                    &user.nickname,
                    &user.first_name,
                    &user.last_name,
                    &user.position,
                    &user.roles,
                    &user.allow_marketing,
                    &to_json(&user.props),
                    &to_json(&user.notify_props),
                    &to_json(&user.timezone),
                    &user.locale,
                    &user.last_password_update,
                    &user.is_bot,
                    &user.bot_description,
                    &user.disable_welcome_email,
                ],
            )
            .await
            .map_err(|e| taken(map_err(e)))?;
        tx.emit(user_change("new_user", &user))?;
        tx.commit().await?;
        Ok(user)
    }

    async fn get_user(&self, id: &str) -> Result<User, StoreError> {
        let client = self.client().await?;
        select_one(&client, "id", id).await
    }

    async fn get_user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let client = self.client().await?;
        select_one(&client, "username", &username.to_lowercase()).await
    }

    async fn get_user_by_email(&self, email: &str) -> Result<User, StoreError> {
        let client = self.client().await?;
        select_one(&client, "email", &email.to_lowercase()).await
    }

    async fn get_users_by_ids(&self, ids: &[String]) -> Result<Vec<User>, StoreError> {
        let client = self.client().await?;
        select_many(&client, "id", ids).await
    }

    async fn get_users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>, StoreError> {
        let names: Vec<String> = usernames.iter().map(|n| n.to_lowercase()).collect();
        let client = self.client().await?;
        select_many(&client, "username", &names).await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>, StoreError> {
        let (sql, values) = list_sql(query);
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
        let client = self.replica().await?;
        let stmt = client.prepare_cached(&sql).await.map_err(map_err)?;
        let rows = client.query(&stmt, &params).await.map_err(map_err)?;
        users_from_rows(&rows)
    }

    async fn count_matching_users(&self, query: &UserQuery) -> Result<i64, StoreError> {
        let (filter, values) = user_filter(query);
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
        let client = self.replica().await?;
        let row = client
            .query_one(&format!("SELECT COUNT(*) FROM users {filter}"), &params)
            .await
            .map_err(map_err)?;
        row.try_get(0).map_err(map_err)
    }

    async fn scan_users(&self, after: Option<&str>, limit: u32) -> Result<Vec<User>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2"
            ))
            .await
            .map_err(map_err)?;
        let rows = client
            .query(&stmt, &[&after.unwrap_or_default(), &big(limit)])
            .await
            .map_err(map_err)?;
        users_from_rows(&rows)
    }

    async fn known_user_ids(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let client = self.replica().await?;
        let rows = client
            .query(
                "SELECT DISTINCT theirs.user_id FROM channel_members mine
                 JOIN channel_members theirs ON theirs.channel_id = mine.channel_id
                 WHERE mine.user_id = $1 AND theirs.user_id <> $1
                 ORDER BY theirs.user_id",
                &[&user_id],
            )
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        // The primary: "no users yet" lets the first sign-up through, so it must be current.
        user_count(&*self.client().await?).await
    }

    async fn update_user(&self, user: &User) -> Result<User, StoreError> {
        let mut tx = self.begin().await?;
        let rows = tx
            .client()
            .query(
                &format!(
                    "UPDATE users SET update_at = $2, username = $3, email = $4,
                        email_verified = $5, nickname = $6, first_name = $7, last_name = $8,
                        position = $9, locale = $10, props = $11, notify_props = $12,
                        timezone = $13, allow_marketing = $14
                     WHERE id = $1 RETURNING {COLUMNS}"
                ),
                &[
                    &user.id,
                    &now_millis(),
                    &user.username,
                    &user.email,
                    &user.email_verified,
                    &user.nickname,
                    &user.first_name,
                    &user.last_name,
                    &user.position,
                    &user.locale,
                    &to_json(&user.props),
                    &to_json(&user.notify_props),
                    &to_json(&user.timezone),
                    &user.allow_marketing,
                ],
            )
            .await
            .map_err(|e| taken(map_err(e)))?;
        let saved = user_from_row(&one(rows)?).map_err(map_err)?;
        tx.emit(user_change("user_updated", &saved))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn update_user_roles(&self, id: &str, roles: &str) -> Result<User, StoreError> {
        let mut tx = self.begin().await?;
        let rows = tx
            .client()
            .query(
                &format!(
                    "UPDATE users SET roles = $2, update_at = $3 WHERE id = $1 RETURNING {COLUMNS}"
                ),
                &[&id, &roles, &now_millis()],
            )
            .await
            .map_err(map_err)?;
        let saved = user_from_row(&one(rows)?).map_err(map_err)?;
        tx.emit(ChangeDraft {
            data: serde_json::json!({ "user_id": id, "roles": roles }),
            ..user_change("user_role_updated", &saved)
        })?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn set_user_active(&self, id: &str, active: bool) -> Result<User, StoreError> {
        let now = now_millis();
        let delete_at = if active { 0 } else { now };
        let mut tx = self.begin().await?;
        let rows = tx
            .client()
            .query(
                &format!(
                    "UPDATE users SET delete_at = $2, update_at = $3 WHERE id = $1
                     RETURNING {COLUMNS}"
                ),
                &[&id, &delete_at, &now],
            )
            .await
            .map_err(map_err)?;
        let saved = user_from_row(&one(rows)?).map_err(map_err)?;
        if !active {
            tx.client()
                .execute("DELETE FROM sessions WHERE user_id = $1", &[&id])
                .await
                .map_err(map_err)?;
            tx.client()
                .execute(
                    "UPDATE user_access_tokens SET is_active = FALSE WHERE user_id = $1",
                    &[&id],
                )
                .await
                .map_err(map_err)?;
        }
        tx.emit(user_change("user_updated", &saved))?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn get_credentials(&self, id: &str) -> Result<Credentials, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT password_hash, failed_attempts, mfa_active, mfa_secret, mfa_last_step
                 FROM users WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(map_err)?;
        credentials_from_row(&one(rows)?).map_err(map_err)
    }

    async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE users SET password_hash = $2, last_password_update = $3, failed_attempts = 0,
                update_at = $3 WHERE id = $1",
            &[&id, &hash, &now_millis()],
        )
        .await
    }

    async fn record_login_failure(&self, id: &str) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = $1
                 RETURNING failed_attempts",
                &[&id],
            )
            .await
            .map_err(map_err)?;
        one(rows)?.try_get(0).map_err(map_err)
    }

    async fn record_login_success(&self, id: &str) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE users SET failed_attempts = 0, last_login = $2, last_activity_at = $2
             WHERE id = $1",
            &[&id, &now_millis()],
        )
        .await
    }

    async fn reset_failed_attempts(&self, id: &str) -> Result<(), StoreError> {
        self.update_one("UPDATE users SET failed_attempts = 0 WHERE id = $1", &[&id])
            .await
    }

    async fn set_mfa(&self, id: &str, secret: &str, active: bool) -> Result<(), StoreError> {
        self.update_one(
            "UPDATE users SET mfa_secret = $2, mfa_active = $3, update_at = $4 WHERE id = $1",
            &[&id, &secret, &active, &now_millis()],
        )
        .await
    }

    async fn use_mfa_step(&self, id: &str, step: i64) -> Result<bool, StoreError> {
        let client = self.client().await?;
        // One statement: two logins racing with one code cannot both move the step.
        let changed = client
            .execute(
                "UPDATE users SET mfa_last_step = $2 WHERE id = $1 AND mfa_last_step < $2",
                &[&id, &step],
            )
            .await
            .map_err(map_err)?;
        Ok(changed == 1)
    }

    async fn set_picture(&self, id: &str, png: Option<Vec<u8>>) -> Result<(), StoreError> {
        let now = now_millis();
        let updated = if png.is_some() { now } else { 0 };
        let mut tx = self.begin().await?;
        let rows = tx
            .client()
            .query(
                &format!(
                    "UPDATE users SET picture = $2, last_picture_update = $3, update_at = $4
                     WHERE id = $1 RETURNING {COLUMNS}"
                ),
                &[&id, &png, &updated, &now],
            )
            .await
            .map_err(map_err)?;
        let saved = user_from_row(&one(rows)?).map_err(map_err)?;
        tx.emit(user_change("user_updated", &saved))?;
        tx.commit().await
    }

    async fn get_picture(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT picture FROM users WHERE id = $1", &[&id])
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        row.try_get::<_, Option<Vec<u8>>>(0)
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)
    }
}
