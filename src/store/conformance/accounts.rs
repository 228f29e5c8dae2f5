//! Accounts: users (profiles, listing and search, credentials, pictures), sessions,
//! personal access tokens and the audit log.

use std::time::Duration;

use crate::model::{
    Audit, Channel, ChannelMember, ChannelType, Session, Team, TeamMember, Timezone, User,
    UserAccessToken, new_id, now_millis,
};
use crate::store::{Store, StoreError, UserQuery, UserSort};

const FIRST_ROLES: &str = "system_admin system_user";

fn user(name: &str) -> User {
    User {
        id: new_id(),
        create_at: 1_000,
        update_at: 1_000,
        username: name.into(),
        email: format!("{name}@example.com"),
        roles: "system_user".into(),
        locale: "en".into(),
        ..User::default()
    }
}

async fn make(store: &dyn Store, name: &str) -> User {
    store.create_user(&user(name), "hash", "").await.unwrap()
}

/// (kind, entity id, user id) of the changes after `before`.
async fn changes(store: &dyn Store, before: i64) -> Vec<(String, String, String)> {
    store
        .changes_since(before, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.kind, c.entity_id, c.user_id))
        .collect()
}

fn change(kind: &str, id: &str) -> (String, String, String) {
    (kind.into(), id.into(), id.into())
}

/// `Conflict` naming `field`, as callers turn it into "username taken" or "email taken".
#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, field: &str) {
    match result {
        Err(StoreError::Conflict(name)) if name == field => {}
        other => panic!("expected Conflict({field:?}), got {other:?}"),
    }
}

fn ids(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.id.as_str()).collect()
}

fn names(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}

fn query(limit: u32) -> UserQuery {
    UserQuery {
        limit,
        ..UserQuery::default()
    }
}

// ---------------------------------------------------------------------------------------
// Users

async fn users_keep_every_field(store: &dyn Store) {
    let before = store.last_seq().await.unwrap();
    let mut props = serde_json::Map::new();
    props.insert("bio".into(), "ünïcødé ✓ 🚀 \"quoted\" \\ ".into());
    props.insert(
        "nested".into(),
        serde_json::json!({ "a": [1, 2.5, null, true] }),
    );
    props.insert("large".into(), "x".repeat(200_000).into());
    let full = User {
        id: new_id(),
        create_at: 1_700_000_000_123,
        update_at: 1_700_000_000_456,
        delete_at: 0,
        username: "ünïcødé-user".into(),
        email: "ünï@example.com".into(),
        email_verified: true,
        auth_service: "gitlab".into(),
        auth_data: "ext-42".into(),
        nickname: "Nick 🦀".into(),
        first_name: "Zoë".into(),
        last_name: "O'Brien".into(),
        position: "Ingénieure".into(),
        roles: "system_user custom_role".into(),
        allow_marketing: true,
        props,
        notify_props: [
            ("desktop", "all"),
            ("email", "true"),
            ("mention_keys", "zoë,@zo"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        last_password_update: 1_700_000_000_789,
        locale: "fr".into(),
        timezone: Timezone {
            use_automatic_timezone: "false".into(),
            automatic_timezone: "".into(),
            manual_timezone: "Europe/Paris".into(),
        },
        is_bot: true,
        bot_description: "a bot — ✓".into(),
        disable_welcome_email: true,
        ..User::default()
    };
    // Not the first user when first roles are empty: the roles stay as given.
    let created = store.create_user(&full, "$argon2id$h", "").await.unwrap();
    assert_eq!(created, full);
    assert_eq!(store.get_user(&full.id).await.unwrap(), full);
    // Look-ups lower-case the name or address they are given (stored ones are lower case).
    assert_eq!(
        store.get_user_by_username("ÜNÏCØDÉ-USER").await.unwrap(),
        full
    );
    assert_eq!(
        store.get_user_by_email("ÜNÏ@EXAMPLE.COM").await.unwrap(),
        full
    );

    // A minimal user: no auth data (NULL in the table) comes back empty, counters at 0.
    let plain = make(store, "plain").await;
    let got = store.get_user_by_username("PLAIN").await.unwrap();
    assert_eq!(got, plain);
    assert_eq!(got.auth_data, "");
    assert_eq!(got.timezone, Timezone::default());
    assert_eq!(
        (got.failed_attempts, got.last_login, got.last_activity_at),
        (0, 0, 0)
    );
    assert_eq!(
        store
            .get_user_by_email("Plain@Example.com")
            .await
            .unwrap()
            .id,
        plain.id
    );

    // The password field is never stored: the hash is passed beside the user.
    let with_password = User {
        password: "plaintext".into(),
        ..user("secretive")
    };
    store.create_user(&with_password, "hash", "").await.unwrap();
    assert_eq!(
        store.get_user(&with_password.id).await.unwrap().password,
        ""
    );

    for missing in [
        store.get_user("nobody").await,
        store.get_user_by_username("nobody").await,
        store.get_user_by_email("nobody@example.com").await,
    ] {
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    }
    assert_eq!(store.count_users().await.unwrap(), 3);

    let feed = store.changes_since(before, 100).await.unwrap();
    assert_eq!(
        feed.iter()
            .map(|c| (c.kind.as_str(), c.entity_id.as_str(), c.user_id.as_str()))
            .collect::<Vec<_>>(),
        [
            ("new_user", full.id.as_str(), full.id.as_str()),
            ("new_user", plain.id.as_str(), plain.id.as_str()),
            (
                "new_user",
                with_password.id.as_str(),
                with_password.id.as_str()
            ),
        ]
    );
    assert_eq!(feed[0].data, serde_json::json!({ "user_id": full.id }));
    assert!(
        feed.iter()
            .all(|c| c.team_id.is_empty() && c.channel_id.is_empty())
    );
}

async fn the_first_user_alone_gets_the_first_roles(store: &dyn Store) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    // Concurrent sign-ups on an empty store: exactly one becomes the first.
    let users: Vec<User> = (0..12).map(|i| user(&format!("racer{i:02}"))).collect();
    let created = futures_util::future::join_all(
        users
            .iter()
            .map(|u| store.create_user(u, "hash", FIRST_ROLES)),
    )
    .await;
    let created: Vec<User> = created.into_iter().map(Result::unwrap).collect();
    let firsts: Vec<&User> = created.iter().filter(|u| u.roles == FIRST_ROLES).collect();
    assert_eq!(firsts.len(), 1, "{:?}", names(&created));
    assert!(
        created
            .iter()
            .filter(|u| u.id != firsts[0].id)
            .all(|u| u.roles == "system_user")
    );
    // What create returned is what was stored.
    for u in &created {
        assert_eq!(store.get_user(&u.id).await.unwrap().roles, u.roles);
    }
    assert_eq!(store.count_users().await.unwrap(), 12);
    let later = store
        .create_user(&user("later"), "hash", FIRST_ROLES)
        .await
        .unwrap();
    assert_eq!(later.roles, "system_user");
}

async fn empty_first_roles_keep_the_given_roles(store: &dyn Store) {
    let first = store.create_user(&user("first"), "hash", "").await.unwrap();
    assert_eq!(first.roles, "system_user");
    assert_eq!(
        store.get_user(&first.id).await.unwrap().roles,
        "system_user"
    );
}

async fn create_user_refusals(store: &dyn Store) {
    let alice = make(store, "alice").await;
    let before = store.last_seq().await.unwrap();
    let same_name = User {
        email: "other@example.com".into(),
        ..user("alice")
    };
    assert_conflict(store.create_user(&same_name, "h", "").await, "username");
    let same_email = User {
        email: alice.email.clone(),
        ..user("alice2")
    };
    assert_conflict(store.create_user(&same_email, "h", "").await, "email");
    let same_id = User {
        id: alice.id.clone(),
        ..user("alice3")
    };
    assert!(matches!(
        store.create_user(&same_id, "h", "").await,
        Err(StoreError::Conflict(_))
    ));
    // Usernames are 1–64 characters, e-mail addresses 1–128 (characters, not bytes).
    for (name, email) in [
        (String::new(), "e@example.com".to_string()),
        ("u".repeat(65), "e@example.com".to_string()),
        ("short".to_string(), String::new()),
        ("short".to_string(), format!("{}@x.io", "e".repeat(124))),
    ] {
        let bad = User {
            username: name,
            email,
            ..user("x")
        };
        let error = store.create_user(&bad, "h", "").await.unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    }
    assert_eq!(store.last_seq().await.unwrap(), before);
    assert_eq!(store.count_users().await.unwrap(), 1);
    // The limits count characters.
    let longest = User {
        username: "ü".repeat(64),
        email: format!("{}@x.io", "é".repeat(123)),
        ..user("x")
    };
    store.create_user(&longest, "h", "").await.unwrap();
    assert_eq!(
        store.get_user(&longest.id).await.unwrap().username,
        "ü".repeat(64)
    );
}

async fn users_by_ids_and_usernames(store: &dyn Store) {
    let a = make(store, "anna").await;
    let b = make(store, "bert").await;
    let c = make(store, "carl").await;
    assert!(store.get_users_by_ids(&[]).await.unwrap().is_empty());
    assert!(store.get_users_by_usernames(&[]).await.unwrap().is_empty());
    let found = store
        .get_users_by_ids(&[a.id.clone(), "missing".into(), c.id.clone(), a.id.clone()])
        .await
        .unwrap();
    assert_eq!(sorted(ids(&found)), sorted(vec![&a.id, &c.id]));
    assert_eq!(found.iter().find(|u| u.id == c.id).unwrap(), &c);
    let found = store
        .get_users_by_usernames(&["BERT".into(), "carl".into(), "nobody".into()])
        .await
        .unwrap();
    assert_eq!(sorted(names(&found)), ["bert", "carl"]);
    assert_eq!(found.iter().find(|u| u.id == b.id).unwrap(), &b);
    assert!(
        store
            .get_users_by_ids(&["x".into()])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn update_user_saves_the_profile_only(store: &dyn Store) {
    let original = store
        .create_user(
            &User {
                auth_data: "ext".into(),
                bot_description: "kept".into(),
                ..user("dora")
            },
            "hash",
            "",
        )
        .await
        .unwrap();
    let other = make(store, "eve").await;
    let before = store.last_seq().await.unwrap();
    let mut props = serde_json::Map::new();
    props.insert("k".into(), "välue ✓".into());
    let edit = User {
        username: "dora2".into(),
        email: "dora2@example.com".into(),
        email_verified: true,
        nickname: "Dörä".into(),
        first_name: "Do".into(),
        last_name: "Ra".into(),
        position: "Boss".into(),
        locale: "de".into(),
        props: props.clone(),
        notify_props: [("push".to_string(), "none".to_string())].into(),
        timezone: Timezone {
            use_automatic_timezone: "false".into(),
            automatic_timezone: "Asia/Tokyo".into(),
            manual_timezone: "UTC".into(),
        },
        allow_marketing: true,
        // Not profile fields: ignored.
        roles: "system_admin".into(),
        create_at: 5,
        delete_at: 7,
        auth_data: "changed".into(),
        is_bot: true,
        bot_description: "changed".into(),
        failed_attempts: 9,
        ..original.clone()
    };
    let saved = store.update_user(&edit).await.unwrap();
    assert!(saved.update_at > original.update_at);
    let expected = User {
        username: "dora2".into(),
        email: "dora2@example.com".into(),
        email_verified: true,
        nickname: "Dörä".into(),
        first_name: "Do".into(),
        last_name: "Ra".into(),
        position: "Boss".into(),
        locale: "de".into(),
        props,
        notify_props: edit.notify_props.clone(),
        timezone: edit.timezone.clone(),
        allow_marketing: true,
        update_at: saved.update_at,
        ..original.clone()
    };
    assert_eq!(saved, expected);
    assert_eq!(store.get_user(&original.id).await.unwrap(), expected);
    assert_eq!(
        store.get_user_by_username("dora2").await.unwrap().id,
        original.id
    );
    assert!(matches!(
        store.get_user_by_username("dora").await,
        Err(StoreError::NotFound)
    ));

    // Taking someone else's name or address.
    let clash = User {
        username: other.username.clone(),
        ..saved.clone()
    };
    assert_conflict(store.update_user(&clash).await, "username");
    let clash = User {
        email: other.email.clone(),
        ..saved.clone()
    };
    assert_conflict(store.update_user(&clash).await, "email");
    let bad = User {
        username: String::new(),
        ..saved.clone()
    };
    assert!(matches!(
        store.update_user(&bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.update_user(&user("ghost")).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_user(&original.id).await.unwrap(), expected);
    let feed = store.changes_since(before, 100).await.unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(
        (feed[0].kind.as_str(), &feed[0].entity_id, &feed[0].user_id),
        ("user_updated", &original.id, &original.id)
    );
    assert_eq!(feed[0].data, serde_json::json!({ "user_id": original.id }));
}

async fn update_user_roles_and_feed(store: &dyn Store) {
    let u = make(store, "fred").await;
    let before = store.last_seq().await.unwrap();
    let saved = store
        .update_user_roles(&u.id, "system_user system_admin")
        .await
        .unwrap();
    assert_eq!(saved.roles, "system_user system_admin");
    assert!(saved.update_at > u.update_at);
    assert_eq!(
        saved,
        User {
            roles: saved.roles.clone(),
            update_at: saved.update_at,
            ..u.clone()
        }
    );
    assert_eq!(store.get_user(&u.id).await.unwrap(), saved);
    assert!(matches!(
        store.update_user_roles("ghost", "system_user").await,
        Err(StoreError::NotFound)
    ));
    let feed = store.changes_since(before, 100).await.unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(
        (feed[0].kind.as_str(), &feed[0].entity_id, &feed[0].user_id),
        ("user_role_updated", &u.id, &u.id)
    );
    assert_eq!(
        feed[0].data,
        serde_json::json!({ "user_id": u.id, "roles": "system_user system_admin" })
    );
}

fn session(user_id: &str, create_at: i64) -> Session {
    Session {
        id: new_id(),
        token: new_id(),
        create_at,
        expires_at: create_at + 1_000_000,
        last_activity_at: create_at,
        user_id: user_id.into(),
        roles: "system_user".into(),
        ..Session::default()
    }
}

fn token(user_id: &str, description: &str) -> UserAccessToken {
    UserAccessToken {
        id: new_id(),
        token: new_id(),
        user_id: user_id.into(),
        description: description.into(),
        is_active: true,
    }
}

async fn deactivating_ends_sessions_and_tokens(store: &dyn Store) {
    let u = make(store, "gina").await;
    let other = make(store, "hank").await;
    for s in [session(&u.id, 1), session(&u.id, 2), session(&other.id, 3)] {
        store.create_session(&s).await.unwrap();
    }
    let t = token(&u.id, "ci");
    let kept = token(&other.id, "theirs");
    store.create_access_token(&t).await.unwrap();
    store.create_access_token(&kept).await.unwrap();
    let before = store.last_seq().await.unwrap();

    let off = store.set_user_active(&u.id, false).await.unwrap();
    assert!(off.delete_at > 0);
    assert!(off.update_at > u.update_at);
    assert_eq!(store.get_user(&u.id).await.unwrap(), off);
    assert!(store.list_sessions(&u.id).await.unwrap().is_empty());
    assert!(!store.get_access_token(&t.id).await.unwrap().is_active);
    assert_eq!(store.list_sessions(&other.id).await.unwrap().len(), 1);
    assert!(store.get_access_token(&kept.id).await.unwrap().is_active);
    // Deactivating again keeps the account deactivated.
    assert!(store.set_user_active(&u.id, false).await.unwrap().delete_at > 0);

    let on = store.set_user_active(&u.id, true).await.unwrap();
    assert_eq!(on.delete_at, 0);
    assert_eq!(store.get_user(&u.id).await.unwrap(), on);
    // Reactivating does not bring tokens back.
    assert!(!store.get_access_token(&t.id).await.unwrap().is_active);
    assert!(matches!(
        store.set_user_active("ghost", false).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_user_active("ghost", true).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        changes(store, before).await,
        [
            change("user_updated", &u.id),
            change("user_updated", &u.id),
            change("user_updated", &u.id)
        ]
    );
}

async fn credentials_and_login_counters(store: &dyn Store) {
    let u = store
        .create_user(&user("ivy"), "$argon2id$first", "")
        .await
        .unwrap();
    let before = store.last_seq().await.unwrap();
    let c = store.get_credentials(&u.id).await.unwrap();
    assert_eq!(c.password_hash, "$argon2id$first");
    assert_eq!(
        (
            c.failed_attempts,
            c.mfa_active,
            c.mfa_secret.as_str(),
            c.mfa_last_step
        ),
        (0, false, "", 0)
    );

    assert_eq!(store.record_login_failure(&u.id).await.unwrap(), 1);
    assert_eq!(store.record_login_failure(&u.id).await.unwrap(), 2);
    // Concurrent failures are all counted.
    let failures =
        futures_util::future::join_all((0..8).map(|_| store.record_login_failure(&u.id))).await;
    let mut counts: Vec<i64> = failures.into_iter().map(Result::unwrap).collect();
    counts.sort_unstable();
    assert_eq!(counts, (3..=10).collect::<Vec<_>>());
    assert_eq!(
        store.get_credentials(&u.id).await.unwrap().failed_attempts,
        10
    );
    assert_eq!(store.get_user(&u.id).await.unwrap().failed_attempts, 10);

    let t0 = now_millis();
    store.record_login_success(&u.id).await.unwrap();
    let after = store.get_user(&u.id).await.unwrap();
    assert_eq!(after.failed_attempts, 0);
    assert!(after.last_login >= t0);
    assert_eq!(after.last_activity_at, after.last_login);

    store.record_login_failure(&u.id).await.unwrap();
    store
        .set_password_hash(&u.id, "$argon2id$second ✓")
        .await
        .unwrap();
    let c = store.get_credentials(&u.id).await.unwrap();
    assert_eq!(c.password_hash, "$argon2id$second ✓");
    assert_eq!(c.failed_attempts, 0);
    let after = store.get_user(&u.id).await.unwrap();
    assert!(after.last_password_update >= t0);
    assert_eq!(after.update_at, after.last_password_update);

    store.set_mfa(&u.id, "SECRETBASE32", true).await.unwrap();
    let c = store.get_credentials(&u.id).await.unwrap();
    assert_eq!(
        (c.mfa_secret.as_str(), c.mfa_active),
        ("SECRETBASE32", true)
    );
    assert!(store.get_user(&u.id).await.unwrap().mfa_active);
    assert!(store.use_mfa_step(&u.id, 100).await.unwrap());
    assert!(!store.use_mfa_step(&u.id, 100).await.unwrap(), "a replay");
    assert!(
        !store.use_mfa_step(&u.id, 99).await.unwrap(),
        "an older code"
    );
    assert!(store.use_mfa_step(&u.id, 101).await.unwrap());
    assert_eq!(
        store.get_credentials(&u.id).await.unwrap().mfa_last_step,
        101
    );
    // Two logins racing with one code: one wins.
    let raced =
        futures_util::future::join_all((0..8).map(|_| store.use_mfa_step(&u.id, 200))).await;
    assert_eq!(
        raced.into_iter().filter(|r| *r.as_ref().unwrap()).count(),
        1
    );
    store.set_mfa(&u.id, "", false).await.unwrap();
    let c = store.get_credentials(&u.id).await.unwrap();
    assert_eq!((c.mfa_secret.as_str(), c.mfa_active), ("", false));
    assert_eq!(c.mfa_last_step, 200, "the used step is kept");

    // Unknown users.
    assert!(matches!(
        store.get_credentials("ghost").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_password_hash("ghost", "h").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.record_login_failure("ghost").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.record_login_success("ghost").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_mfa("ghost", "s", true).await,
        Err(StoreError::NotFound)
    ));
    assert!(!store.use_mfa_step("ghost", 1).await.unwrap());
    // None of this is announced.
    assert_eq!(store.last_seq().await.unwrap(), before);
}

async fn profile_pictures(store: &dyn Store) {
    let u = make(store, "jack").await;
    assert!(matches!(
        store.get_picture(&u.id).await,
        Err(StoreError::NotFound)
    ));
    let before = store.last_seq().await.unwrap();
    // Every byte value, and large.
    let png: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    store.set_picture(&u.id, Some(png.clone())).await.unwrap();
    assert_eq!(store.get_picture(&u.id).await.unwrap(), png);
    let with = store.get_user(&u.id).await.unwrap();
    assert!(with.last_picture_update > 0);
    assert_eq!(with.update_at, with.last_picture_update);
    store.set_picture(&u.id, Some(vec![0])).await.unwrap();
    assert_eq!(store.get_picture(&u.id).await.unwrap(), vec![0]);

    store.set_picture(&u.id, None).await.unwrap();
    assert!(matches!(
        store.get_picture(&u.id).await,
        Err(StoreError::NotFound)
    ));
    // (`update_at` after a clear is not pinned: see the report on SQLite setting it to 0.)
    assert_eq!(store.get_user(&u.id).await.unwrap().last_picture_update, 0);

    assert!(matches!(
        store.set_picture("ghost", Some(vec![1])).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_picture("ghost", None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_picture("ghost").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        changes(store, before).await,
        [
            change("user_updated", &u.id),
            change("user_updated", &u.id),
            change("user_updated", &u.id)
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Listing and searching users

/// Users for the listing tests: (username, first, last, nickname, create_at).
async fn cast(store: &dyn Store) -> Vec<User> {
    let rows = [
        ("amy", "Amy", "Pond", "", 3_000),
        ("a_b", "", "", "under", 2_000),
        ("a-b", "Zed", "Alpha", "", 2_000),
        ("abc", "", "", "", 1_000),
        ("bob", "Robert", "Smith", "bobby", 5_000),
        ("émile", "Émile", "Zola", "", 4_000),
        ("x100%", "Per", "Cent", "", 6_000),
    ];
    let mut users = Vec::new();
    for (name, first, last, nick, create_at) in rows {
        let u = User {
            first_name: first.into(),
            last_name: last.into(),
            nickname: nick.into(),
            create_at,
            ..user(name)
        };
        users.push(store.create_user(&u, "h", "").await.unwrap());
    }
    users
}

async fn list_users_sorts_and_pages(store: &dyn Store) {
    let users = cast(store).await;
    let all = store.list_users(&query(100)).await.unwrap();
    // Byte order, as SQLite's BINARY and the C collation give.
    assert_eq!(
        names(&all),
        ["a-b", "a_b", "abc", "amy", "bob", "x100%", "émile"]
    );
    assert_eq!(all[3], users[0]);
    let newest = store
        .list_users(&UserQuery {
            sort: UserSort::CreateAt,
            ..query(100)
        })
        .await
        .unwrap();
    // Ties on create_at go by username.
    assert_eq!(
        names(&newest),
        ["x100%", "bob", "émile", "amy", "a-b", "a_b", "abc"]
    );

    // Activity: log in, in order, so the later login is the more recent.
    for name in ["abc", "amy", "bob"] {
        let id = &users.iter().find(|u| u.username == name).unwrap().id;
        store.record_login_success(id).await.unwrap();
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let active = store
        .list_users(&UserQuery {
            sort: UserSort::LastActivityAt,
            ..query(100)
        })
        .await
        .unwrap();
    assert_eq!(
        names(&active),
        ["bob", "amy", "abc", "a-b", "a_b", "x100%", "émile"]
    );

    // Paging.
    assert!(store.list_users(&query(0)).await.unwrap().is_empty());
    let one = store.list_users(&query(1)).await.unwrap();
    assert_eq!(names(&one), ["a-b"]);
    let page = store
        .list_users(&UserQuery {
            offset: 2,
            ..query(3)
        })
        .await
        .unwrap();
    assert_eq!(names(&page), ["abc", "amy", "bob"]);
    let tail = store
        .list_users(&UserQuery {
            offset: 5,
            ..query(3)
        })
        .await
        .unwrap();
    assert_eq!(names(&tail), ["x100%", "émile"]);
    assert!(
        store
            .list_users(&UserQuery {
                offset: 7,
                ..query(3)
            })
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_users(&UserQuery {
                offset: u32::MAX,
                ..query(u32::MAX)
            })
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.list_users(&query(u32::MAX)).await.unwrap().len(), 7);
    // Every page of one, in turn, is the whole list.
    let mut paged = Vec::new();
    for offset in 0..8 {
        paged.extend(
            store
                .list_users(&UserQuery {
                    offset,
                    sort: UserSort::CreateAt,
                    ..query(1)
                })
                .await
                .unwrap(),
        );
    }
    assert_eq!(names(&paged), names(&newest));
    assert!(
        paged
            .iter()
            .all(|u| u.last_activity_at == 0 || u.last_login > 0)
    );
    assert_eq!(store.count_users().await.unwrap(), 7);
}

async fn list_users_filters_by_state_and_role(store: &dyn Store) {
    let users = cast(store).await;
    let by_name = |n: &str| users.iter().find(|u| u.username == n).unwrap().id.clone();
    store.set_user_active(&by_name("bob"), false).await.unwrap();
    store.set_user_active(&by_name("abc"), false).await.unwrap();
    let active = store
        .list_users(&UserQuery {
            active: Some(true),
            ..query(100)
        })
        .await
        .unwrap();
    assert_eq!(names(&active), ["a-b", "a_b", "amy", "x100%", "émile"]);
    let inactive = store
        .list_users(&UserQuery {
            active: Some(false),
            ..query(100)
        })
        .await
        .unwrap();
    assert_eq!(names(&inactive), ["abc", "bob"]);
    assert_eq!(store.count_users().await.unwrap(), 7, "all accounts count");

    store
        .update_user_roles(&by_name("amy"), "system_admin system_user")
        .await
        .unwrap();
    store
        .update_user_roles(&by_name("a-b"), "system_user_manager")
        .await
        .unwrap();
    store
        .update_user_roles(&by_name("émile"), "system_guest")
        .await
        .unwrap();
    let role = |r: &str| UserQuery {
        role: Some(r.into()),
        ..query(100)
    };
    assert_eq!(
        names(&store.list_users(&role("system_admin")).await.unwrap()),
        ["amy"]
    );
    // Whole role names only: system_user is not system_user_manager.
    assert_eq!(
        names(&store.list_users(&role("system_user")).await.unwrap()),
        ["a_b", "abc", "amy", "bob", "x100%"]
    );
    assert_eq!(
        names(
            &store
                .list_users(&role("system_user_manager"))
                .await
                .unwrap()
        ),
        ["a-b"]
    );
    assert!(store.list_users(&role("system")).await.unwrap().is_empty());
    assert!(store.list_users(&role("nobody")).await.unwrap().is_empty());
    // Role names compare without ASCII case, as SQLite's LIKE does.
    assert_eq!(
        names(&store.list_users(&role("SYSTEM_GUEST")).await.unwrap()),
        ["émile"]
    );
    let both = store
        .list_users(&UserQuery {
            active: Some(true),
            ..role("system_user")
        })
        .await
        .unwrap();
    assert_eq!(names(&both), ["a_b", "amy", "x100%"]);
}

async fn search_users_by_term(store: &dyn Store) {
    cast(store).await;
    let search = |term: &str, email: bool| UserQuery {
        term: Some(term.into()),
        search_email: email,
        ..query(100)
    };
    let find = |q: UserQuery| async move { names(&store.list_users(&q).await.unwrap()).join(" ") };
    // Prefix of the username, first, last or nick name; ASCII case ignored.
    assert_eq!(find(search("a", false)).await, "a-b a_b abc amy");
    assert_eq!(find(search("AM", false)).await, "amy");
    assert_eq!(find(search("rob", false)).await, "bob");
    assert_eq!(find(search("SMI", false)).await, "bob");
    assert_eq!(find(search("bobby", false)).await, "bob");
    assert_eq!(find(search("zola", false)).await, "émile");
    assert_eq!(find(search("z", false)).await, "a-b émile");
    // "first last" as one name.
    assert_eq!(find(search("amy p", false)).await, "amy");
    assert_eq!(find(search("Robert Smith", false)).await, "bob");
    // Prefixes only.
    assert_eq!(find(search("my", false)).await, "");
    assert_eq!(find(search("ond", false)).await, "");
    // A leading @ and surrounding spaces are dropped; an empty term is no filter.
    assert_eq!(find(search("  @bo ", false)).await, "bob");
    assert_eq!(find(search("   ", false)).await.split(' ').count(), 7);
    assert_eq!(find(search("", false)).await.split(' ').count(), 7);
    // LIKE wildcards are plain characters.
    assert_eq!(find(search("a_", false)).await, "a_b");
    assert_eq!(find(search("%", false)).await, "");
    assert_eq!(find(search("x100%", false)).await, "x100%");
    assert_eq!(find(search("x1%0", false)).await, "");
    assert_eq!(find(search("_", false)).await, "");
    assert_eq!(find(search("\\", false)).await, "");
    // Non-ASCII, same case.
    assert_eq!(find(search("émi", false)).await, "émile");
    // E-mail addresses only when asked.
    assert_eq!(find(search("amy@", false)).await, "");
    assert_eq!(find(search("amy@example", true)).await, "amy");
    assert_eq!(find(search("BOB@", true)).await, "bob");
    // With paging, sorting and other filters.
    let q = UserQuery {
        offset: 1,
        limit: 2,
        sort: UserSort::CreateAt,
        ..search("a", false)
    };
    assert_eq!(find(q).await, "a-b a_b");
    let q = UserQuery {
        active: Some(false),
        ..search("a", false)
    };
    assert_eq!(find(q).await, "");
}

async fn list_users_among_ids(store: &dyn Store) {
    let users = cast(store).await;
    let id = |n: &str| users.iter().find(|u| u.username == n).unwrap().id.clone();
    let among = |ids: Vec<String>| UserQuery {
        ids: Some(ids),
        ..query(100)
    };
    let find = |q: UserQuery| async move { names(&store.list_users(&q).await.unwrap()).join(" ") };
    // Only the users named, in the query's order (not the list's); unknown ids are ignored.
    assert_eq!(
        find(among(vec![id("bob"), id("amy"), new_id(), id("x100%")])).await,
        "amy bob x100%"
    );
    assert_eq!(find(among(Vec::new())).await, "");
    assert_eq!(find(among(vec![new_id()])).await, "");
    // With the other filters: all must hold.
    store.set_user_active(&id("amy"), false).await.unwrap();
    let q = UserQuery {
        active: Some(true),
        term: Some("a".into()),
        ..among(vec![id("amy"), id("abc"), id("bob"), id("a-b")])
    };
    assert_eq!(find(q).await, "a-b abc");
    // Many ids at once (more than SQLite's default limit of bound variables).
    let mut many: Vec<String> = (0..40_000).map(|_| new_id()).collect();
    many.push(id("bob"));
    assert_eq!(find(among(many)).await, "bob");
}

async fn scan_users_pages_through_everyone(store: &dyn Store) {
    let users = cast(store).await;
    store.set_user_active(&users[1].id, false).await.unwrap();
    let mut expected: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    expected.sort();
    let all = store.scan_users(None, 100).await.unwrap();
    assert_eq!(ids(&all), expected);
    assert!(
        all.iter().any(|u| u.delete_at != 0),
        "deactivated users too"
    );
    assert_eq!(
        all.iter().find(|u| u.id == users[4].id).unwrap(),
        &users[4],
        "every field"
    );
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.scan_users(after.as_deref(), 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        paged.extend(page.into_iter().map(|u| u.id));
    }
    assert_eq!(paged, expected);
    assert!(store.scan_users(None, 0).await.unwrap().is_empty());
    assert!(
        store
            .scan_users(expected.last().map(String::as_str), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Team alpha (amy, bob, a_b; abc left), its channel town (amy, bob), and team beta
/// (x100%).
async fn list_users_by_membership(store: &dyn Store) {
    let users = cast(store).await;
    let id = |n: &str| users.iter().find(|u| u.username == n).unwrap().id.clone();
    let team = Team {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        name: "alpha".into(),
        display_name: "Alpha".into(),
        invite_id: new_id(),
        ..Team::default()
    };
    let member = |team_id: &str, user: &str| TeamMember {
        team_id: team_id.into(),
        user_id: id(user),
        scheme_user: true,
        ..TeamMember::default()
    };
    store
        .create_team(&team, &member(&team.id, "amy"), &[])
        .await
        .unwrap();
    for name in ["bob", "a_b", "abc"] {
        store
            .add_team_member(&member(&team.id, name), &[])
            .await
            .unwrap();
    }
    store
        .remove_team_member(&team.id, &id("abc"))
        .await
        .unwrap();
    let other = Team {
        id: new_id(),
        name: "beta".into(),
        display_name: "Beta".into(),
        invite_id: new_id(),
        ..team.clone()
    };
    store
        .create_team(&other, &member(&other.id, "x100%"), &[])
        .await
        .unwrap();
    let channel = Channel {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        team_id: team.id.clone(),
        channel_type: ChannelType::Open,
        display_name: "Town".into(),
        name: "town".into(),
        creator_id: id("amy"),
        ..Channel::default()
    };
    let channel_member = |user: &str| ChannelMember {
        channel_id: channel.id.clone(),
        user_id: id(user),
        scheme_user: true,
        ..ChannelMember::default()
    };
    store
        .create_channel(&channel, &[channel_member("amy"), channel_member("bob")])
        .await
        .unwrap();

    let list = |q: UserQuery| async move { names(&store.list_users(&q).await.unwrap()).join(" ") };
    let q = UserQuery::default;
    let all = |q: UserQuery| UserQuery { limit: 100, ..q };
    assert_eq!(
        list(all(UserQuery {
            in_team: Some(team.id.clone()),
            ..q()
        }))
        .await,
        "a_b amy bob",
        "a removed member is not in the team"
    );
    assert_eq!(
        list(all(UserQuery {
            not_in_team: Some(team.id.clone()),
            ..q()
        }))
        .await,
        "a-b abc x100% émile"
    );
    assert_eq!(
        list(all(UserQuery {
            without_team: true,
            ..q()
        }))
        .await,
        "a-b abc émile"
    );
    assert_eq!(
        list(all(UserQuery {
            in_channel: Some(channel.id.clone()),
            ..q()
        }))
        .await,
        "amy bob"
    );
    assert_eq!(
        list(all(UserQuery {
            in_team: Some(team.id.clone()),
            not_in_channel: Some(channel.id.clone()),
            ..q()
        }))
        .await,
        "a_b"
    );
    // What a guest sees: themselves and whoever shares a channel with them.
    assert_eq!(
        list(all(UserQuery {
            sharing_channel_with: Some(id("bob")),
            ..q()
        }))
        .await,
        "amy bob"
    );
    assert_eq!(
        list(all(UserQuery {
            sharing_channel_with: Some(id("émile")),
            ..q()
        }))
        .await,
        "émile"
    );
    // Filters combine with the search term and paging.
    assert_eq!(
        list(UserQuery {
            in_team: Some(team.id.clone()),
            term: Some("a".into()),
            limit: 1,
            offset: 1,
            ..q()
        })
        .await,
        "amy"
    );
    assert_eq!(
        list(all(UserQuery {
            in_team: Some("no-such-team".into()),
            ..q()
        }))
        .await,
        ""
    );
}

// ---------------------------------------------------------------------------------------
// Sessions

async fn sessions_round_trip(store: &dyn Store) {
    let u = make(store, "kate").await;
    let other = make(store, "liam").await;
    let before = store.last_seq().await.unwrap();
    let full = Session {
        id: new_id(),
        token: "tök€n-".repeat(10),
        create_at: 1_700_000_000_000,
        expires_at: 1_800_000_000_000,
        last_activity_at: 1_700_000_000_500,
        user_id: u.id.clone(),
        device_id: "android_rn:ünï".into(),
        roles: "system_user system_admin".into(),
        is_oauth: true,
        props: [("os", "Linux ✓"), ("browser", "Firefox"), ("big", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("large".to_string(), "y".repeat(100_000))])
            .collect(),
        ..Session::default()
    };
    store.create_session(&full).await.unwrap();
    assert_eq!(store.get_session(&full.id).await.unwrap(), full);
    assert_eq!(store.get_session_by_token(&full.token).await.unwrap(), full);
    let plain = session(&u.id, 1_700_000_001_000);
    store.create_session(&plain).await.unwrap();
    assert_eq!(store.get_session(&plain.id).await.unwrap(), plain);
    let theirs = session(&other.id, 1_600_000_000_000);
    store.create_session(&theirs).await.unwrap();

    assert!(matches!(
        store.get_session("nope").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_session_by_token("nope").await,
        Err(StoreError::NotFound)
    ));
    // Newest first; only the user's.
    let listed = store.list_sessions(&u.id).await.unwrap();
    assert_eq!(listed, [plain.clone(), full.clone()]);
    assert_eq!(
        store.list_sessions(&other.id).await.unwrap(),
        std::slice::from_ref(&theirs)
    );
    assert!(store.list_sessions("ghost").await.unwrap().is_empty());

    // Refused: a token or id in use, an unknown user.
    let same_token = Session {
        token: full.token.clone(),
        ..session(&u.id, 5)
    };
    assert!(matches!(
        store.create_session(&same_token).await,
        Err(StoreError::Conflict(_))
    ));
    let same_id = Session {
        id: full.id.clone(),
        ..session(&u.id, 5)
    };
    assert!(matches!(
        store.create_session(&same_id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.create_session(&session("ghost", 5)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.list_sessions(&u.id).await.unwrap().len(), 2);
    // Sessions are not announced on the feed.
    assert_eq!(store.last_seq().await.unwrap(), before);
}

async fn a_session_gets_its_device(store: &dyn Store) {
    let u = make(store, "dora").await;
    let s = session(&u.id, 1_000);
    store.create_session(&s).await.unwrap();
    store
        .attach_session_device(&s.id, "android_rn-v2:abc", 5_000_000)
        .await
        .unwrap();
    let got = store.get_session(&s.id).await.unwrap();
    assert_eq!(
        got,
        Session {
            device_id: "android_rn-v2:abc".into(),
            expires_at: 5_000_000,
            ..s.clone()
        }
    );
    assert!(matches!(
        store.attach_session_device("ghost", "x", 1).await,
        Err(StoreError::NotFound)
    ));
}

async fn sessions_touch_and_revoke(store: &dyn Store) {
    let u = make(store, "mona").await;
    let other = make(store, "nils").await;
    let s = session(&u.id, 1_000);
    store.create_session(&s).await.unwrap();
    store.touch_session(&s.id, 2_000, None).await.unwrap();
    let got = store.get_session(&s.id).await.unwrap();
    assert_eq!(
        (got.last_activity_at, got.expires_at),
        (2_000, s.expires_at)
    );
    store
        .touch_session(&s.id, 3_000, Some(9_999_999_999_999))
        .await
        .unwrap();
    let got = store.get_session(&s.id).await.unwrap();
    assert_eq!(
        got,
        Session {
            last_activity_at: 3_000,
            expires_at: 9_999_999_999_999,
            ..s.clone()
        }
    );
    // An expiry may also be brought forward.
    store.touch_session(&s.id, 3_000, Some(0)).await.unwrap();
    assert_eq!(store.get_session(&s.id).await.unwrap().expires_at, 0);
    assert!(matches!(
        store.touch_session("ghost", 1, None).await,
        Err(StoreError::NotFound)
    ));

    store.revoke_session(&s.id).await.unwrap();
    assert!(matches!(
        store.get_session(&s.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_session_by_token(&s.token).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.revoke_session(&s.id).await,
        Err(StoreError::NotFound)
    ));

    for at in [1, 2, 3] {
        store.create_session(&session(&u.id, at)).await.unwrap();
    }
    let kept = session(&other.id, 4);
    store.create_session(&kept).await.unwrap();
    assert_eq!(store.revoke_user_sessions(&u.id).await.unwrap(), 3);
    assert_eq!(store.revoke_user_sessions(&u.id).await.unwrap(), 0);
    assert_eq!(store.revoke_user_sessions("ghost").await.unwrap(), 0);
    assert!(store.list_sessions(&u.id).await.unwrap().is_empty());
    assert_eq!(store.list_sessions(&other.id).await.unwrap(), [kept]);
}

// ---------------------------------------------------------------------------------------
// Personal access tokens

async fn access_tokens(store: &dyn Store) {
    let u = make(store, "olga").await;
    let other = make(store, "pete").await;
    let before = store.last_seq().await.unwrap();
    let first = UserAccessToken {
        description: "ünïcødé ✓ ".repeat(50),
        is_active: false,
        ..token(&u.id, "")
    };
    store.create_access_token(&first).await.unwrap();
    assert_eq!(store.get_access_token(&first.id).await.unwrap(), first);
    assert_eq!(
        store.get_access_token_by_token(&first.token).await.unwrap(),
        first
    );
    // Newest first: make sure the next ones are created later.
    tokio::time::sleep(Duration::from_millis(3)).await;
    let second = token(&u.id, "second");
    store.create_access_token(&second).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    let theirs = token(&other.id, "theirs");
    store.create_access_token(&theirs).await.unwrap();

    assert!(matches!(
        store.get_access_token("nope").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_access_token_by_token("nope").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.list_access_tokens(Some(&u.id), 0, 100).await.unwrap(),
        [second.clone(), first.clone()]
    );
    assert_eq!(
        store.list_access_tokens(None, 0, 100).await.unwrap(),
        [theirs.clone(), second.clone(), first.clone()]
    );
    assert_eq!(
        store.list_access_tokens(None, 1, 1).await.unwrap(),
        std::slice::from_ref(&second)
    );
    assert_eq!(
        store.list_access_tokens(None, 2, 5).await.unwrap(),
        std::slice::from_ref(&first)
    );
    assert!(
        store
            .list_access_tokens(None, 3, 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_access_tokens(None, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_access_tokens(Some("ghost"), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_access_tokens(Some(&u.id), u32::MAX, u32::MAX)
            .await
            .unwrap()
            .is_empty()
    );

    // Refused: a token or id in use, an unknown user.
    let same_token = UserAccessToken {
        token: first.token.clone(),
        ..token(&u.id, "dup")
    };
    assert!(matches!(
        store.create_access_token(&same_token).await,
        Err(StoreError::Conflict(_))
    ));
    let same_id = UserAccessToken {
        id: first.id.clone(),
        ..token(&u.id, "dup")
    };
    assert!(matches!(
        store.create_access_token(&same_id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.create_access_token(&token("ghost", "x")).await,
        Err(StoreError::Invalid(_))
    ));

    store
        .set_access_token_active(&first.id, true)
        .await
        .unwrap();
    assert!(store.get_access_token(&first.id).await.unwrap().is_active);
    store
        .set_access_token_active(&first.id, true)
        .await
        .unwrap();
    store
        .set_access_token_active(&second.id, false)
        .await
        .unwrap();
    assert!(!store.get_access_token(&second.id).await.unwrap().is_active);
    assert!(matches!(
        store.set_access_token_active("ghost", true).await,
        Err(StoreError::NotFound)
    ));

    store.delete_access_token(&first.id).await.unwrap();
    assert!(matches!(
        store.get_access_token(&first.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_access_token_by_token(&first.token).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_access_token(&first.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.list_access_tokens(None, 0, 100).await.unwrap(),
        [
            theirs,
            UserAccessToken {
                is_active: false,
                ..second
            }
        ]
    );
    // Tokens are not announced on the feed.
    assert_eq!(store.last_seq().await.unwrap(), before);
}

// ---------------------------------------------------------------------------------------
// Audits

async fn audit_log(store: &dyn Store) {
    let before = store.last_seq().await.unwrap();
    assert!(store.list_audits(None, 0, 10).await.unwrap().is_empty());
    let audit = |id: &str, user: &str, at: i64| Audit {
        id: id.into(),
        create_at: at,
        user_id: user.into(),
        action: "/api/v4/users/login".into(),
        extra_info: "attempt=ok ✓".into(),
        ip_address: "2001:db8::1".into(),
        session_id: "s1".into(),
    };
    // The log needs no user row: failed logins of unknown names are kept too.
    let full = Audit {
        extra_info: "ünïcødé ".repeat(10_000),
        ..audit("a3", "u1", 300)
    };
    let rows = [
        audit("b2", "u1", 200),
        full.clone(),
        audit("a2", "u1", 200),
        audit("c9", "u2", 250),
        audit("z0", "", 100),
    ];
    for row in &rows {
        store.record_audit(row).await.unwrap();
    }
    let ids = |list: Vec<Audit>| list.into_iter().map(|a| a.id).collect::<Vec<_>>().join(" ");
    // Newest first; ties by id.
    assert_eq!(
        ids(store.list_audits(None, 0, 100).await.unwrap()),
        "a3 c9 a2 b2 z0"
    );
    assert_eq!(
        ids(store.list_audits(Some("u1"), 0, 100).await.unwrap()),
        "a3 a2 b2"
    );
    assert_eq!(
        ids(store.list_audits(Some(""), 0, 100).await.unwrap()),
        "z0"
    );
    assert_eq!(
        ids(store.list_audits(Some("u1"), 1, 1).await.unwrap()),
        "a2"
    );
    assert_eq!(ids(store.list_audits(None, 4, 10).await.unwrap()), "z0");
    assert_eq!(ids(store.list_audits(None, 5, 10).await.unwrap()), "");
    assert_eq!(ids(store.list_audits(None, 0, 0).await.unwrap()), "");
    assert_eq!(
        ids(store.list_audits(None, u32::MAX, u32::MAX).await.unwrap()),
        ""
    );
    assert_eq!(
        ids(store.list_audits(Some("nobody"), 0, 9).await.unwrap()),
        ""
    );
    assert_eq!(store.list_audits(Some("u1"), 0, 1).await.unwrap(), [full]);
    assert!(matches!(
        store.record_audit(&audit("a3", "u1", 1)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.list_audits(None, 0, 100).await.unwrap().len(), 5);
    // The audit log is not announced on the feed.
    assert_eq!(store.last_seq().await.unwrap(), before);
}

super::suite!(
    users_keep_every_field,
    the_first_user_alone_gets_the_first_roles,
    empty_first_roles_keep_the_given_roles,
    create_user_refusals,
    users_by_ids_and_usernames,
    update_user_saves_the_profile_only,
    update_user_roles_and_feed,
    deactivating_ends_sessions_and_tokens,
    credentials_and_login_counters,
    profile_pictures,
    list_users_sorts_and_pages,
    list_users_filters_by_state_and_role,
    search_users_by_term,
    list_users_among_ids,
    scan_users_pages_through_everyone,
    list_users_by_membership,
    sessions_round_trip,
    sessions_touch_and_revoke,
    a_session_gets_its_device,
    access_tokens,
    audit_log,
);
