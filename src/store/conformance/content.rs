//! Posts (with their counters, threads, edits, deletes, pins and reactions), preferences
//! and statuses, and file records: `PostStore`, `PreferenceStore` and `FileInfoStore`.

use std::time::Duration;

use crate::model::{
    Channel, ChannelMember, ChannelType, CustomStatus, Post, Preference, Presence, Reaction,
    StatusChange, Team, TeamMember, TeamType, User, new_id, now_millis,
};
use crate::store::{
    Change, FileInfo, FileSearch, Mentions, PostWindow, Store, StoreError, UploadSession,
};

// ---------------------------------------------------------------------------------------
// Fixtures, made through the store traits.

async fn user(store: &dyn Store, name: &str) -> User {
    let id = new_id();
    let user = User {
        username: format!("{name}-{}", &id[..8]),
        email: format!("{name}-{id}@example.com"),
        id,
        create_at: 1,
        update_at: 1,
        roles: "system_user".into(),
        ..User::default()
    };
    store.create_user(&user, "", "").await.unwrap()
}

/// A team whose channel has `n` members (the first created the team and channel).
struct Room {
    team_id: String,
    channel: Channel,
    users: Vec<User>,
}

async fn room(store: &dyn Store, n: usize) -> Room {
    let mut users = Vec::new();
    for i in 0..n {
        users.push(user(store, &format!("u{i}")).await);
    }
    let now = now_millis();
    let team_id = new_id();
    let team = Team {
        id: team_id.clone(),
        create_at: now,
        update_at: now,
        display_name: "Team".into(),
        name: format!("team-{}", &team_id[..10]),
        team_type: TeamType::Open,
        invite_id: new_id(),
        allow_open_invite: true,
        ..Team::default()
    };
    let creator = TeamMember {
        team_id: team_id.clone(),
        user_id: users[0].id.clone(),
        scheme_user: true,
        scheme_admin: true,
        ..TeamMember::default()
    };
    store.create_team(&team, &creator, &[]).await.unwrap();
    let channel = channel_in(store, &team_id, ChannelType::Open, &users).await;
    Room {
        team_id,
        channel,
        users,
    }
}

async fn channel_in(
    store: &dyn Store,
    team_id: &str,
    channel_type: ChannelType,
    users: &[User],
) -> Channel {
    let now = now_millis();
    let id = new_id();
    let channel = Channel {
        name: format!("c-{}", &id[..12]),
        id,
        create_at: now,
        update_at: now,
        team_id: team_id.to_string(),
        channel_type,
        display_name: "Channel".into(),
        creator_id: users[0].id.clone(),
        ..Channel::default()
    };
    let members: Vec<ChannelMember> = users
        .iter()
        .map(|u| ChannelMember {
            channel_id: channel.id.clone(),
            user_id: u.id.clone(),
            scheme_user: true,
            ..ChannelMember::default()
        })
        .collect();
    store.create_channel(&channel, &members).await.unwrap()
}

/// A root post by `author` in `channel` at `at` (ms).
fn post_at(channel: &Channel, author: &User, message: &str, at: i64) -> Post {
    Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        user_id: author.id.clone(),
        channel_id: channel.id.clone(),
        message: message.to_string(),
        ..Post::default()
    }
}

fn reply_at(root: &Post, author: &User, message: &str, at: i64) -> Post {
    Post {
        root_id: root.id.clone(),
        channel_id: root.channel_id.clone(),
        ..post_at(&Channel::default(), author, message, at)
    }
}

fn mentions(users: &[&User]) -> Mentions {
    Mentions {
        user_ids: users.iter().map(|u| u.id.clone()).collect(),
    }
}

async fn create(store: &dyn Store, post: &Post, mentioned: &[&User]) -> Post {
    let created = store.create_post(post, &mentions(mentioned)).await.unwrap();
    assert!(created.created);
    created.post
}

/// A time well in the past, so that the posts' own times never meet the store's clock.
fn base_time() -> i64 {
    now_millis() - 10_000_000
}

async fn window(
    store: &dyn Store,
    channel_id: &str,
    window: PostWindow,
) -> Result<Vec<Post>, StoreError> {
    store.channel_posts(channel_id, &window).await
}

async fn changes(store: &dyn Store, after: i64) -> Vec<Change> {
    store.changes_since(after, 1000).await.unwrap()
}

fn kinds(changes: &[Change]) -> Vec<(&str, &str)> {
    changes
        .iter()
        .map(|c| (c.kind.as_str(), c.entity_id.as_str()))
        .collect()
}

/// The post carried (as a JSON string) in a post change's data.
fn post_in(change: &Change) -> Post {
    serde_json::from_str(change.data["post"].as_str().unwrap()).unwrap()
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.id.as_str()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Waits until the store's clock (milliseconds) has moved on.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(3)).await;
}

// ---------------------------------------------------------------------------------------
// Preferences

fn pref(user: &User, category: &str, name: &str, value: &str) -> Preference {
    Preference {
        user_id: user.id.clone(),
        category: category.into(),
        name: name.into(),
        value: value.into(),
    }
}

async fn preferences_round_trip_in_order_with_their_changes(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    assert!(store.get_preferences(&alice.id).await.unwrap().is_empty());
    let big = "ü✓".repeat(100_000);
    let saved = vec![
        pref(&alice, "theme", "", r##"{"sidebarBg":"#145dbf"}"##),
        pref(&alice, "display_settings", "use_military_time", "true"),
        pref(&alice, "display_settings", "channel_display_mode", "full"),
        pref(&alice, "flagged_post", "p1", "true"),
        pref(&alice, "ünïcødé", "名前", &big),
    ];
    let before = store.last_seq().await.unwrap();
    store.save_preferences(&alice.id, &saved).await.unwrap();
    store
        .save_preferences(&bob.id, &[pref(&bob, "theme", "", "bob's")])
        .await
        .unwrap();

    // By category, then name (byte order).
    let all = store.get_preferences(&alice.id).await.unwrap();
    let mut expected = saved.clone();
    expected.sort_by(|a, b| (&a.category, &a.name).cmp(&(&b.category, &b.name)));
    assert_eq!(all, expected);
    assert_eq!(
        store
            .get_preferences_in_category(&alice.id, "display_settings")
            .await
            .unwrap(),
        vec![saved[2].clone(), saved[1].clone()]
    );
    assert!(
        store
            .get_preferences_in_category(&alice.id, "nothing")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .get_preference(&alice.id, "ünïcødé", "名前")
            .await
            .unwrap()
            .value,
        big
    );
    assert_eq!(
        store.get_preference(&alice.id, "theme", "").await.unwrap(),
        saved[0]
    );
    assert!(matches!(
        store.get_preference(&alice.id, "theme", "x").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_preference(&bob.id, "flagged_post", "p1").await,
        Err(StoreError::NotFound)
    ));

    // Saving again replaces; a name given twice keeps its last value.
    store
        .save_preferences(
            &alice.id,
            &[
                pref(&alice, "theme", "", "first"),
                pref(&alice, "theme", "", "second"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get_preference(&alice.id, "theme", "")
            .await
            .unwrap()
            .value,
        "second"
    );
    assert_eq!(store.get_preferences(&alice.id).await.unwrap().len(), 5);

    // Deleting ignores values and skips what is not there.
    let deleted = vec![
        pref(&alice, "flagged_post", "p1", "whatever"),
        pref(&alice, "flagged_post", "missing", ""),
    ];
    store.delete_preferences(&alice.id, &deleted).await.unwrap();
    assert!(matches!(
        store.get_preference(&alice.id, "flagged_post", "p1").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_preferences(&alice.id).await.unwrap().len(), 4);
    assert_eq!(store.get_preferences(&bob.id).await.unwrap().len(), 1);

    // One change per call, addressed to the user, carrying the list as a JSON string.
    let feed = changes(store, before).await;
    assert_eq!(
        kinds(&feed),
        [
            ("preferences_changed", alice.id.as_str()),
            ("preferences_changed", bob.id.as_str()),
            ("preferences_changed", alice.id.as_str()),
            ("preferences_deleted", alice.id.as_str()),
        ]
    );
    assert!(feed.iter().all(|c| c.user_id == c.entity_id));
    assert!(
        feed.iter()
            .all(|c| c.team_id.is_empty() && c.channel_id.is_empty())
    );
    let carried: Vec<Preference> =
        serde_json::from_str(feed[0].data["preferences"].as_str().unwrap()).unwrap();
    assert_eq!(carried, saved);
    let carried: Vec<Preference> =
        serde_json::from_str(feed[3].data["preferences"].as_str().unwrap()).unwrap();
    assert_eq!(carried, deleted);

    // An empty list still records its change.
    let before = store.last_seq().await.unwrap();
    store.save_preferences(&alice.id, &[]).await.unwrap();
    store.delete_preferences(&alice.id, &[]).await.unwrap();
    let feed = changes(store, before).await;
    assert_eq!(feed.len(), 2);
    assert_eq!(feed[0].data["preferences"], "[]");
}

async fn refused_preferences_change_nothing(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    store
        .save_preferences(&alice.id, &[pref(&alice, "theme", "", "kept")])
        .await
        .unwrap();
    let before = store.last_seq().await.unwrap();
    // One preference of another user spoils the whole call.
    let error = store
        .save_preferences(
            &alice.id,
            &[
                pref(&alice, "theme", "", "changed"),
                pref(&bob, "theme", "", "x"),
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    // A user that does not exist.
    let ghost = User {
        id: new_id(),
        ..User::default()
    };
    let error = store
        .save_preferences(&ghost.id, &[pref(&ghost, "theme", "", "x")])
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    // Categories are 1–32 characters, names at most 32.
    for bad in [
        pref(&alice, "", "n", "v"),
        pref(&alice, &"c".repeat(33), "n", "v"),
        pref(&alice, "c", &"n".repeat(33), "v"),
    ] {
        let error = store.save_preferences(&alice.id, &[bad]).await.unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    }
    store
        .save_preferences(
            &alice.id,
            &[pref(&alice, &"c".repeat(32), &"ñ".repeat(32), "v")],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get_preference(&alice.id, "theme", "")
            .await
            .unwrap()
            .value,
        "kept"
    );
    let feed = changes(store, before).await;
    assert_eq!(kinds(&feed), [("preferences_changed", alice.id.as_str())]);
}

// ---------------------------------------------------------------------------------------
// Statuses

async fn statuses_follow_activity_and_choices(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    assert!(store.get_statuses(&[]).await.unwrap().is_empty());
    // Nobody seen yet: offline, not manual; unknown users are left out.
    let mut found = store
        .get_statuses(&[alice.id.clone(), new_id(), bob.id.clone()])
        .await
        .unwrap();
    found.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    let mut expected = vec![
        crate::model::Status::offline(&alice.id),
        crate::model::Status::offline(&bob.id),
    ];
    expected.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(found, expected);

    let t = 1_700_000_000_000_i64;
    let before = store.last_seq().await.unwrap();
    // Time passing changes nothing for someone never seen.
    let status = store
        .update_status(&alice.id, StatusChange::Tick, t)
        .await
        .unwrap();
    assert_eq!(status, crate::model::Status::offline(&alice.id));
    let online = store
        .update_status(&alice.id, StatusChange::Activity, t)
        .await
        .unwrap();
    assert_eq!(online.status, Presence::Online);
    assert!(!online.manual);
    assert_eq!(online.last_activity_at, t);
    // More activity: a write (the time) but no change of status, so no feed row.
    let again = store
        .update_status(&alice.id, StatusChange::Activity, t + 5)
        .await
        .unwrap();
    assert_eq!(again.last_activity_at, t + 5);
    // DND until t/1000 + 60 (seconds): activity does not end it, time does.
    let dnd_end = t / 1000 + 60;
    let dnd = store
        .update_status(
            &alice.id,
            StatusChange::Chosen {
                presence: Presence::Dnd,
                dnd_end_time: dnd_end,
            },
            t + 10,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            dnd.status,
            dnd.manual,
            dnd.dnd_end_time,
            dnd.last_activity_at
        ),
        (Presence::Dnd, true, dnd_end, t + 5)
    );
    let still = store
        .update_status(&alice.id, StatusChange::Activity, t + 20)
        .await
        .unwrap();
    assert_eq!((still.status, still.manual), (Presence::Dnd, true));
    // Choosing the same status again records a change anyway.
    store
        .update_status(
            &alice.id,
            StatusChange::Chosen {
                presence: Presence::Dnd,
                dnd_end_time: dnd_end,
            },
            t + 25,
        )
        .await
        .unwrap();
    let ended = store
        .update_status(&alice.id, StatusChange::Tick, dnd_end * 1000)
        .await
        .unwrap();
    assert_eq!(
        (ended.status, ended.manual, ended.dnd_end_time),
        (Presence::Online, false, 0)
    );
    let away = store
        .update_status(&alice.id, StatusChange::Idle, dnd_end * 1000 + 1)
        .await
        .unwrap();
    assert_eq!(away.status, Presence::Away);
    let gone = store
        .update_status(&alice.id, StatusChange::Disconnected, dnd_end * 1000 + 2)
        .await
        .unwrap();
    assert_eq!(gone.status, Presence::Offline);
    // Bob chooses away: manual, so going idle or disconnecting keeps it.
    store
        .update_status(
            &bob.id,
            StatusChange::Chosen {
                presence: Presence::Away,
                dnd_end_time: 99,
            },
            t,
        )
        .await
        .unwrap();
    let kept = store
        .update_status(&bob.id, StatusChange::Disconnected, t + 1)
        .await
        .unwrap();
    assert_eq!(
        (kept.status, kept.manual, kept.dnd_end_time),
        (Presence::Away, true, 0)
    );

    let mut found = store
        .get_statuses(&[alice.id.clone(), bob.id.clone()])
        .await
        .unwrap();
    found.sort_by_key(|s| s.user_id != alice.id);
    assert_eq!(found, vec![gone.clone(), kept.clone()]);

    let feed = changes(store, before).await;
    let statuses: Vec<(&str, &str)> = feed
        .iter()
        .map(|c| {
            assert_eq!(c.kind, "status_change");
            assert_eq!(c.entity_id, c.user_id);
            assert_eq!(c.data["user_id"], c.user_id.as_str());
            (c.user_id.as_str(), c.data["status"].as_str().unwrap())
        })
        .collect();
    let (a, b) = (alice.id.as_str(), bob.id.as_str());
    assert_eq!(
        statuses,
        [
            (a, "online"),
            (a, "dnd"),
            (a, "dnd"),
            (a, "online"),
            (a, "away"),
            (a, "offline"),
            (b, "away"),
        ]
    );

    // Someone who does not exist: a change that writes is refused, one that does not is not.
    let ghost = new_id();
    let before = store.last_seq().await.unwrap();
    let error = store
        .update_status(&ghost, StatusChange::Activity, t)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    assert_eq!(
        store
            .update_status(&ghost, StatusChange::Idle, t)
            .await
            .unwrap(),
        crate::model::Status::offline(&ghost)
    );
    assert_eq!(store.last_seq().await.unwrap(), before);
}

async fn concurrent_status_updates_apply_one_after_another(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let t = 1_700_000_000_000_i64;
    let before = store.last_seq().await.unwrap();
    // The first to run takes the status from offline to online (one change); every other
    // sees it online already.
    let updates = (0..12).map(|i| store.update_status(&alice.id, StatusChange::Activity, t + i));
    for result in futures_util::future::join_all(updates).await {
        assert_eq!(result.unwrap().status, Presence::Online);
    }
    let feed = changes(store, before).await;
    assert_eq!(kinds(&feed), [("status_change", alice.id.as_str())]);
    let status = store
        .get_statuses(std::slice::from_ref(&alice.id))
        .await
        .unwrap();
    assert_eq!(status[0].status, Presence::Online);
    assert!((t..t + 12).contains(&status[0].last_activity_at));
}

async fn custom_statuses_round_trip(store: &dyn Store) {
    let alice = user(store, "alice").await;
    assert!(matches!(
        store.get_custom_status(&alice.id).await,
        Err(StoreError::NotFound)
    ));
    let before = store.last_seq().await.unwrap();
    let status = CustomStatus {
        emoji: "palm_tree".into(),
        text: "Ünïcødé 🌴 vacation".into(),
        duration: "date_and_time".into(),
        expires_at: "2030-01-02T03:04:05Z".into(),
    };
    store.set_custom_status(&alice.id, &status).await.unwrap();
    assert_eq!(store.get_custom_status(&alice.id).await.unwrap(), status);
    let replaced = CustomStatus {
        emoji: "calendar".into(),
        text: "x".repeat(10_000),
        duration: String::new(),
        expires_at: "0001-01-01T00:00:00Z".into(),
    };
    store.set_custom_status(&alice.id, &replaced).await.unwrap();
    assert_eq!(store.get_custom_status(&alice.id).await.unwrap(), replaced);
    store.delete_custom_status(&alice.id).await.unwrap();
    assert!(matches!(
        store.get_custom_status(&alice.id).await,
        Err(StoreError::NotFound)
    ));
    // Clearing what is not there records nothing.
    store.delete_custom_status(&alice.id).await.unwrap();
    let error = store
        .set_custom_status(&new_id(), &status)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    let a = alice.id.as_str();
    let feed = changes(store, before).await;
    assert_eq!(
        kinds(&feed),
        [
            ("user_updated", a),
            ("user_updated", a),
            ("user_updated", a)
        ]
    );
    assert!(
        feed.iter()
            .all(|c| c.user_id == a && c.data["user_id"] == a)
    );
}

// ---------------------------------------------------------------------------------------
// File records

fn file(creator_id: &str, channel_id: &str, name: &str, at: i64) -> FileInfo {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    FileInfo {
        id: new_id(),
        creator_id: creator_id.into(),
        channel_id: channel_id.into(),
        create_at: at,
        update_at: at,
        path: format!("20240101/teams/noteam/channels/{channel_id}/users/{creator_id}/x/{name}"),
        name: name.into(),
        extension: extension.unwrap_or_default(),
        size: 10,
        mime_type: "application/octet-stream".into(),
        ..FileInfo::default()
    }
}

async fn file_infos_round_trip(store: &dyn Store) {
    let t = base_time();
    let image = FileInfo {
        post_id: String::new(),
        thumbnail_path: "a/ünï_thumb.jpg".into(),
        preview_path: "a/ünï_preview.jpg".into(),
        size: 5_000_000_000,
        mime_type: "image/png".into(),
        width: 4000,
        height: 3000,
        has_preview_image: true,
        mini_preview: Some((0..=255u8).cycle().take(2000).collect()),
        ..file(&new_id(), &new_id(), "ünïcødé 文件.png", t)
    };
    let deleted = FileInfo {
        post_id: new_id(),
        delete_at: t + 9,
        update_at: t + 9,
        mini_preview: None,
        ..file(&new_id(), &new_id(), "notes.txt", t + 1)
    };
    let empty_preview = FileInfo {
        mini_preview: Some(Vec::new()),
        ..file(&new_id(), &new_id(), "e", t + 2)
    };
    let before = store.last_seq().await.unwrap();
    for info in [&image, &deleted, &empty_preview] {
        store.save_file_info(info).await.unwrap();
    }
    assert_eq!(store.get_file_info(&image.id).await.unwrap(), image);
    assert_eq!(store.get_file_info(&deleted.id).await.unwrap(), deleted);
    assert_eq!(
        store.get_file_info(&empty_preview.id).await.unwrap(),
        empty_preview
    );
    assert!(matches!(
        store.get_file_info(&new_id()).await,
        Err(StoreError::NotFound)
    ));
    let error = store
        .save_file_info(&FileInfo {
            name: "again".into(),
            ..image.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert_eq!(
        store.get_file_info(&image.id).await.unwrap().name,
        image.name
    );

    let mut found = store
        .get_file_infos(&[deleted.id.clone(), new_id(), image.id.clone()])
        .await
        .unwrap();
    found.sort_by_key(|f| f.id != deleted.id);
    assert_eq!(found, vec![deleted.clone(), image.clone()]);
    assert!(store.get_file_infos(&[]).await.unwrap().is_empty());
    assert!(store.get_file_infos(&[new_id()]).await.unwrap().is_empty());
    // Deleted files only when asked; no posts, no files.
    assert!(
        store
            .file_infos_for_posts(std::slice::from_ref(&deleted.post_id), false)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .file_infos_for_posts(std::slice::from_ref(&deleted.post_id), true)
            .await
            .unwrap(),
        vec![deleted.clone()]
    );
    assert!(
        store
            .file_infos_for_posts(&[], true)
            .await
            .unwrap()
            .is_empty()
    );
    // File records are not announced.
    assert_eq!(store.last_seq().await.unwrap(), before);
}

async fn upload_sessions_complete_into_a_file(store: &dyn Store) {
    let (user_id, channel_id) = (new_id(), new_id());
    let session = UploadSession {
        id: new_id(),
        kind: "attachment".into(),
        create_at: base_time(),
        user_id: user_id.clone(),
        channel_id: channel_id.clone(),
        filename: "ünïcødé big.bin".into(),
        file_size: 8_000_000_000,
        file_offset: 0,
    };
    store.create_upload_session(&session).await.unwrap();
    assert_eq!(
        store.get_upload_session(&session.id).await.unwrap(),
        session
    );
    let error = store.create_upload_session(&session).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert!(matches!(
        store.get_upload_session(&new_id()).await,
        Err(StoreError::NotFound)
    ));
    store
        .set_upload_offset(&session.id, 4_294_967_297)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_upload_session(&session.id)
            .await
            .unwrap()
            .file_offset,
        4_294_967_297
    );
    assert!(matches!(
        store.set_upload_offset(&new_id(), 1).await,
        Err(StoreError::NotFound)
    ));

    let info = FileInfo {
        id: session.id.clone(),
        size: session.file_size,
        ..file(&user_id, &channel_id, &session.filename, base_time())
    };
    // Completing a session that is not there records no file.
    let stray = FileInfo {
        id: new_id(),
        ..info.clone()
    };
    assert!(matches!(
        store.complete_upload_session(&new_id(), &stray).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_file_info(&stray.id).await,
        Err(StoreError::NotFound)
    ));
    store
        .complete_upload_session(&session.id, &info)
        .await
        .unwrap();
    assert_eq!(store.get_file_info(&info.id).await.unwrap(), info);
    assert!(matches!(
        store.get_upload_session(&session.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.complete_upload_session(&session.id, &info).await,
        Err(StoreError::NotFound)
    ));
    // A file that cannot be recorded keeps the session.
    let second = UploadSession {
        id: new_id(),
        ..session.clone()
    };
    store.create_upload_session(&second).await.unwrap();
    let error = store
        .complete_upload_session(&second.id, &info)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert_eq!(store.get_upload_session(&second.id).await.unwrap(), second);
}

async fn posts_attach_files_all_or_nothing(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let other = channel_in(store, &room.team_id, ChannelType::Open, &room.users).await;
    let ch = room.channel.id.as_str();
    let t = base_time();
    let f1 = file(&alice.id, ch, "one.png", t);
    let f2 = file(&alice.id, ch, "two.txt", t + 1);
    let f3 = file(&alice.id, ch, "three.pdf", t + 2);
    let f4 = file(&alice.id, ch, "raced.txt", t + 3);
    let of_bob = file(&bob.id, ch, "bob.txt", t);
    let elsewhere = file(&alice.id, &other.id, "elsewhere.txt", t);
    let gone = FileInfo {
        delete_at: t,
        ..file(&alice.id, ch, "gone.txt", t)
    };
    for info in [&f1, &f2, &f3, &f4, &of_bob, &elsewhere, &gone] {
        store.save_file_info(info).await.unwrap();
    }

    let before = store.last_seq().await.unwrap();
    let mut post = post_at(&room.channel, alice, "with files", t + 100);
    post.update_at = t + 101;
    post.file_ids = vec![f3.id.clone(), f1.id.clone()];
    let post = create(store, &post, &[]).await;
    assert_eq!(
        store.get_post(&post.id).await.unwrap().file_ids,
        post.file_ids
    );
    for f in [&f1, &f3] {
        let attached = store.get_file_info(&f.id).await.unwrap();
        assert_eq!(
            attached,
            FileInfo {
                post_id: post.id.clone(),
                update_at: post.update_at,
                ..f.clone()
            }
        );
    }
    // Oldest first.
    let listed = store
        .file_infos_for_posts(std::slice::from_ref(&post.id), false)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        [f1.id.as_str(), f3.id.as_str()]
    );
    // The `posted` change carries the files, in the post's order.
    let feed = changes(store, before).await;
    assert_eq!(kinds(&feed), [("posted", post.id.as_str())]);
    let announced = post_in(&feed[0]);
    let files = announced.metadata.unwrap()["files"].clone();
    let announced: Vec<FileInfo> = serde_json::from_value(files).unwrap();
    assert_eq!(
        announced.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        [f3.id.as_str(), f1.id.as_str()]
    );

    // Any file that is not the author's, not in the channel, taken, deleted, missing or
    // named twice: no post, nothing attached, nothing announced.
    let before = store.last_seq().await.unwrap();
    let channel_before = store.get_channel(ch).await.unwrap();
    for file_ids in [
        vec![f2.id.clone(), of_bob.id.clone()],
        vec![f2.id.clone(), elsewhere.id.clone()],
        vec![f2.id.clone(), f1.id.clone()],
        vec![f2.id.clone(), gone.id.clone()],
        vec![f2.id.clone(), new_id()],
        vec![f2.id.clone(), f2.id.clone()],
    ] {
        let refused = Post {
            file_ids,
            ..post_at(&room.channel, alice, "refused", t + 200)
        };
        let error = store
            .create_post(&refused, &Mentions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
        assert!(matches!(
            store.get_post(&refused.id).await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(store.get_file_info(&f2.id).await.unwrap(), f2);
    assert_eq!(store.get_file_info(&f1.id).await.unwrap().post_id, post.id);
    assert_eq!(store.last_seq().await.unwrap(), before);
    assert_eq!(store.get_channel(ch).await.unwrap(), channel_before);

    // Two posts racing for one file: exactly one gets it.
    let none = Mentions::default();
    let racers: Vec<Post> = (0..2)
        .map(|i| Post {
            file_ids: vec![f4.id.clone()],
            ..post_at(&room.channel, alice, "race", t + 300 + i)
        })
        .collect();
    let results =
        futures_util::future::join_all(racers.iter().map(|p| store.create_post(p, &none))).await;
    let winners: Vec<&Post> = results
        .iter()
        .zip(&racers)
        .filter_map(|(r, p)| r.is_ok().then_some(p))
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Invalid(_))))
    );
    assert_eq!(
        store.get_file_info(&f4.id).await.unwrap().post_id,
        winners[0].id
    );

    // A reply's files go with it when its root is deleted.
    let reply = Post {
        file_ids: vec![of_bob.id.clone()],
        ..reply_at(&post, bob, "reply", t + 400)
    };
    let reply = create(store, &reply, &[]).await;
    store.delete_post(&post.id, t + 500).await.unwrap();
    let post_ids = vec![post.id.clone(), reply.id.clone()];
    assert!(
        store
            .file_infos_for_posts(&post_ids, false)
            .await
            .unwrap()
            .is_empty()
    );
    let all = store.file_infos_for_posts(&post_ids, true).await.unwrap();
    // Oldest first; f1 and Bob's file share a time, so the smaller id first.
    let (tie_first, tie_second) = if f1.id < of_bob.id {
        (&f1, &of_bob)
    } else {
        (&of_bob, &f1)
    };
    assert_eq!(
        all.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        [
            tie_first.id.as_str(),
            tie_second.id.as_str(),
            f3.id.as_str()
        ]
    );
    assert!(
        all.iter()
            .all(|f| f.delete_at == t + 500 && f.update_at == t + 500)
    );
    // Files that were never attached are not touched.
    assert_eq!(store.get_file_info(&f2.id).await.unwrap(), f2);
}

async fn file_search_filters_sorts_and_pages(store: &dyn Store) {
    let (u1, u2) = (new_id(), new_id());
    let (ch1, ch2) = (new_id(), new_id());
    let t = base_time();
    let attached = |info: FileInfo| FileInfo {
        post_id: new_id(),
        ..info
    };
    let a = attached(file(&u1, &ch1, "Report_2024.PDF", t + 1));
    let b = attached(file(&u2, &ch1, "report-final.pdf", t + 2));
    let c = attached(file(&u1, &ch1, "holiday photo.JPG", t + 3));
    let d = attached(file(&u1, &ch1, "100%_done.txt", t + 4));
    let e = attached(file(&u1, &ch1, "1000 done.txt", t + 4));
    let f = attached(file(&u1, &ch2, "report.pdf", t + 5));
    let unicode = attached(file(&u2, &ch1, "Ünïcødé report.pdf", t + 6));
    let slash = attached(file(&u2, &ch1, "back\\slash.txt", t + 7));
    let unattached = file(&u1, &ch1, "report unattached.pdf", t + 8);
    let deleted = FileInfo {
        delete_at: t + 9,
        ..attached(file(&u1, &ch1, "report deleted.pdf", t + 9))
    };
    for info in [
        &a,
        &b,
        &c,
        &d,
        &e,
        &f,
        &unicode,
        &slash,
        &unattached,
        &deleted,
    ] {
        store.save_file_info(info).await.unwrap();
    }
    // d and e share a time: the larger id first.
    let (de_first, de_second) = if d.id > e.id { (&d, &e) } else { (&e, &d) };

    let search = |query: FileSearch| async move {
        store
            .search_file_infos(&query)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
    };
    let names = |files: &[&FileInfo]| files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    let base = FileSearch {
        channel_ids: vec![ch1.clone()],
        limit: 100,
        ..FileSearch::default()
    };
    let terms = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // Everything attached and undeleted in the channels, newest first.
    assert_eq!(
        search(base.clone()).await,
        names(&[&slash, &unicode, de_first, de_second, &c, &b, &a])
    );
    assert!(
        search(FileSearch {
            channel_ids: Vec::new(),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    // Terms: all of them by default, case-insensitive for ASCII.
    assert_eq!(
        search(FileSearch {
            terms: terms(&["REPORT"]),
            ..base.clone()
        })
        .await,
        names(&[&unicode, &b, &a])
    );
    assert_eq!(
        search(FileSearch {
            terms: terms(&["report", "PdF"]),
            ..base.clone()
        })
        .await,
        names(&[&unicode, &b, &a])
    );
    assert!(
        search(FileSearch {
            terms: terms(&["2024", "final"]),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        search(FileSearch {
            terms: terms(&["2024", "final"]),
            any_term: true,
            ..base.clone()
        })
        .await,
        names(&[&b, &a])
    );
    // Non-ASCII letters match as they are.
    assert_eq!(
        search(FileSearch {
            terms: terms(&["Ünïcødé"]),
            ..base.clone()
        })
        .await,
        names(&[&unicode])
    );
    assert!(
        search(FileSearch {
            terms: terms(&["ünïcødé"]),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    // Wildcards and the escape character are plain characters.
    assert_eq!(
        search(FileSearch {
            terms: terms(&["%"]),
            ..base.clone()
        })
        .await,
        names(&[&d])
    );
    assert_eq!(
        search(FileSearch {
            terms: terms(&["_"]),
            ..base.clone()
        })
        .await,
        names(&[&d, &a])
    );
    assert_eq!(
        search(FileSearch {
            terms: terms(&["0%_D"]),
            ..base.clone()
        })
        .await,
        names(&[&d])
    );
    assert_eq!(
        search(FileSearch {
            terms: terms(&["\\"]),
            ..base.clone()
        })
        .await,
        names(&[&slash])
    );
    // Exclusions, extensions, uploaders, several channels.
    assert_eq!(
        search(FileSearch {
            terms: terms(&["report"]),
            excluded: terms(&["FINAL", "ü"]),
            ..base.clone()
        })
        .await,
        names(&[&unicode, &a])
    );
    assert_eq!(
        search(FileSearch {
            extensions: terms(&["txt", "jpg"]),
            excluded: terms(&["slash"]),
            ..base.clone()
        })
        .await,
        names(&[de_first, de_second, &c])
    );
    assert_eq!(
        search(FileSearch {
            user_ids: vec![u2.clone()],
            ..base.clone()
        })
        .await,
        names(&[&slash, &unicode, &b])
    );
    assert!(
        search(FileSearch {
            user_ids: vec![new_id()],
            ..base.clone()
        })
        .await
        .is_empty()
    );
    let everywhere = FileSearch {
        channel_ids: vec![ch1.clone(), ch2.clone()],
        terms: terms(&["report"]),
        ..base.clone()
    };
    assert_eq!(
        search(everywhere.clone()).await,
        names(&[&unicode, &f, &b, &a])
    );
    // Paging.
    let page = |offset, limit| FileSearch {
        offset,
        limit,
        ..everywhere.clone()
    };
    assert_eq!(search(page(0, 1)).await, names(&[&unicode]));
    assert_eq!(search(page(1, 2)).await, names(&[&f, &b]));
    assert_eq!(search(page(3, 2)).await, names(&[&a]));
    assert!(search(page(4, 2)).await.is_empty());
    assert!(search(page(100, 2)).await.is_empty());
    assert!(search(page(0, 0)).await.is_empty());
}

// ---------------------------------------------------------------------------------------
// Posts

async fn posts_are_created_with_their_counters_and_change(store: &dyn Store) {
    let room = room(store, 3).await;
    let (alice, bob, carol) = (&room.users[0], &room.users[1], &room.users[2]);
    let ch = room.channel.id.as_str();
    let t = base_time();
    let before = store.last_seq().await.unwrap();

    let mut props = serde_json::Map::new();
    props.insert("from_webhook".into(), "true".into());
    props.insert(
        "nested".into(),
        serde_json::json!({"n": 1.5, "list": [1, "ü", null]}),
    );
    let root = Post {
        props,
        hashtags: "#ünï #code".into(),
        pending_post_id: format!("{}:1234", alice.id),
        post_type: String::new(),
        ..post_at(&room.channel, alice, &"ü✓ 名前 ".repeat(2000), t)
    };
    let created = store
        .create_post(&root, &mentions(&[bob, alice]))
        .await
        .unwrap();
    assert!(created.created);
    assert_eq!(created.post, root);
    assert_eq!(store.get_post(&root.id).await.unwrap(), root);
    let channel = store.get_channel(ch).await.unwrap();
    assert_eq!(
        (
            channel.total_msg_count,
            channel.total_msg_count_root,
            channel.last_post_at,
            channel.last_root_post_at
        ),
        (1, 1, t, t)
    );
    // The sender has read their post; the mentioned member (not the sender) has a mention.
    let member = |user: &User| {
        let user_id = user.id.clone();
        async move { store.get_channel_member(ch, &user_id).await }
    };
    let a = member(alice).await.unwrap();
    assert_eq!(
        (
            a.msg_count,
            a.msg_count_root,
            a.mention_count,
            a.last_viewed_at
        ),
        (1, 1, 0, t)
    );
    let b = member(bob).await.unwrap();
    assert_eq!(
        (b.msg_count, b.mention_count, b.mention_count_root),
        (0, 1, 1)
    );
    assert_eq!(member(carol).await.unwrap().mention_count, 0);

    // A reply: the root's count, thread follows, and the counters of replies.
    let reply = reply_at(&root, bob, "a reply", t + 10);
    create(store, &reply, &[carol]).await;
    let saved_root = store.get_post(&root.id).await.unwrap();
    assert_eq!(
        (saved_root.reply_count, saved_root.last_reply_at),
        (1, t + 10)
    );
    let channel = store.get_channel(ch).await.unwrap();
    assert_eq!(
        (
            channel.total_msg_count,
            channel.total_msg_count_root,
            channel.last_post_at,
            channel.last_root_post_at
        ),
        (2, 1, t + 10, t)
    );
    let b = member(bob).await.unwrap();
    assert_eq!(
        (
            b.msg_count,
            b.msg_count_root,
            b.mention_count,
            b.last_viewed_at
        ),
        (2, 1, 1, t + 10)
    );
    let c = member(carol).await.unwrap();
    assert_eq!((c.mention_count, c.mention_count_root), (1, 0));
    assert_eq!(
        store.thread_followers(&root.id).await.unwrap(),
        sorted(vec![alice.id.clone(), bob.id.clone(), carol.id.clone()])
    );
    assert_eq!(
        store
            .get_thread(&carol.id, &root.id)
            .await
            .unwrap()
            .unread_mentions,
        1
    );
    assert_eq!(
        store
            .get_thread(&alice.id, &root.id)
            .await
            .unwrap()
            .unread_mentions,
        0
    );
    // A second reply that mentions the root's author.
    let reply2 = reply_at(&root, carol, "again", t + 20);
    create(store, &reply2, &[alice]).await;
    assert_eq!(
        store
            .get_thread(&alice.id, &root.id)
            .await
            .unwrap()
            .unread_mentions,
        1
    );
    assert_eq!(store.get_post(&root.id).await.unwrap().reply_count, 2);

    // One `posted` change each, addressed to the channel and team.
    let feed = changes(store, before).await;
    assert_eq!(
        kinds(&feed),
        [
            ("posted", root.id.as_str()),
            ("posted", reply.id.as_str()),
            ("posted", reply2.id.as_str())
        ]
    );
    for (change, author) in feed.iter().zip([alice, bob, carol]) {
        assert_eq!(change.team_id, room.team_id);
        assert_eq!(change.channel_id, ch);
        assert_eq!(change.user_id, author.id);
    }
    assert_eq!(post_in(&feed[0]), root);
    assert_eq!(post_in(&feed[1]), reply);
    let mentioned: Vec<String> =
        serde_json::from_str(feed[0].data["mentions"].as_str().unwrap()).unwrap();
    assert_eq!(mentioned, vec![bob.id.clone(), alice.id.clone()]);
    assert_eq!(
        feed[1].data["mentions"],
        serde_json::json!(format!("[\"{}\"]", carol.id))
    );

    // Refused: a reply to nothing, a channel that does not exist, an id already used.
    let before = store.last_seq().await.unwrap();
    let orphan = Post {
        root_id: new_id(),
        ..post_at(&room.channel, alice, "orphan", t + 30)
    };
    assert!(matches!(
        store.create_post(&orphan, &Mentions::default()).await,
        Err(StoreError::NotFound)
    ));
    let nowhere = Post {
        channel_id: new_id(),
        ..post_at(&room.channel, alice, "nowhere", t + 30)
    };
    let error = store
        .create_post(&nowhere, &Mentions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    let twice = Post {
        message: "same id".into(),
        pending_post_id: String::new(),
        ..root.clone()
    };
    let error = store
        .create_post(&twice, &Mentions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    for id in [&orphan.id, &nowhere.id] {
        assert!(matches!(
            store.get_post(id).await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(
        store.get_post(&root.id).await.unwrap().message,
        root.message
    );
    assert_eq!(store.last_seq().await.unwrap(), before);
    assert_eq!(store.get_channel(ch).await.unwrap().total_msg_count, 3);

    // Direct channels have no team.
    let direct = channel_in(
        store,
        "",
        ChannelType::Direct,
        &[alice.clone(), bob.clone()],
    )
    .await;
    let before = store.last_seq().await.unwrap();
    let dm = create(store, &post_at(&direct, alice, "psst", t + 40), &[]).await;
    let feed = changes(store, before).await;
    assert_eq!(kinds(&feed), [("posted", dm.id.as_str())]);
    assert_eq!(
        (feed[0].team_id.as_str(), feed[0].channel_id.as_str()),
        ("", direct.id.as_str())
    );

    // get_posts_by_ids: the ones that exist, in any order.
    let mut found = store
        .get_posts_by_ids(&[reply.id.clone(), new_id(), dm.id.clone()])
        .await
        .unwrap();
    found.sort_by_key(|p| p.id != reply.id);
    assert_eq!(found, vec![reply.clone(), dm.clone()]);
    assert!(store.get_posts_by_ids(&[]).await.unwrap().is_empty());
    assert!(matches!(
        store.get_post(&new_id()).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_retried_send_returns_the_first_post(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let ch = room.channel.id.as_str();
    let t = base_time();
    let before = store.last_seq().await.unwrap();
    let first = Post {
        pending_post_id: format!("{}:1", alice.id),
        ..post_at(&room.channel, alice, "hello", t)
    };
    create(store, &first, &[bob]).await;
    let retry = Post {
        id: new_id(),
        create_at: t + 5,
        message: "hello (retried)".into(),
        ..first.clone()
    };
    let again = store.create_post(&retry, &mentions(&[bob])).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.post, first);
    assert!(matches!(
        store.get_post(&retry.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_channel(ch).await.unwrap().total_msg_count, 1);
    assert_eq!(
        store
            .get_channel_member(ch, &bob.id)
            .await
            .unwrap()
            .mention_count,
        1
    );
    // Another author's pending id is theirs.
    let bobs = Post {
        id: new_id(),
        user_id: bob.id.clone(),
        ..first.clone()
    };
    create(store, &bobs, &[]).await;
    assert_eq!(
        kinds(&changes(store, before).await),
        [("posted", first.id.as_str()), ("posted", bobs.id.as_str())]
    );

    // Retries racing each other: one post, one change, one count.
    let before = store.last_seq().await.unwrap();
    let pending = format!("{}:2", alice.id);
    let none = Mentions::default();
    let racers: Vec<Post> = (0..6)
        .map(|i| Post {
            pending_post_id: pending.clone(),
            ..post_at(&room.channel, alice, "racing", t + 10 + i)
        })
        .collect();
    let results =
        futures_util::future::join_all(racers.iter().map(|p| store.create_post(p, &none))).await;
    let results: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
    let winner = &results.iter().find(|r| r.created).unwrap().post;
    assert!(results.iter().all(|r| r.post == *winner));
    assert_eq!(
        kinds(&changes(store, before).await),
        [("posted", winner.id.as_str())]
    );
    assert_eq!(store.get_channel(ch).await.unwrap().total_msg_count, 3);
}

async fn channel_posts_windows(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let ch = room.channel.id.as_str();
    let t = base_time();
    let mut posts = Vec::new();
    for (i, at) in [t, t + 1, t + 1, t + 2, t + 3].into_iter().enumerate() {
        let author = if i % 2 == 0 { alice } else { bob };
        posts.push(
            create(
                store,
                &post_at(&room.channel, author, &format!("m{i}"), at),
                &[],
            )
            .await,
        );
    }
    // Another channel's posts never show.
    let other = channel_in(store, &room.team_id, ChannelType::Private, &room.users).await;
    create(store, &post_at(&other, alice, "elsewhere", t + 1), &[]).await;
    // Newest first; a tie in time goes by id, larger first.
    let mut newest_first = posts.clone();
    newest_first.sort_by(|a, b| (b.create_at, &b.id).cmp(&(a.create_at, &a.id)));
    let expected = ids(&newest_first);
    let page = |offset, limit| window(store, ch, PostWindow::Page { offset, limit });

    assert_eq!(ids(&page(0, 100).await.unwrap()), expected);
    assert_eq!(page(0, 100).await.unwrap(), newest_first);
    assert_eq!(ids(&page(0, 2).await.unwrap()), expected[..2]);
    assert_eq!(ids(&page(2, 2).await.unwrap()), expected[2..4]);
    assert_eq!(ids(&page(4, 2).await.unwrap()), expected[4..]);
    assert!(page(5, 2).await.unwrap().is_empty());
    assert!(page(1000, 2).await.unwrap().is_empty());
    assert!(page(0, 0).await.unwrap().is_empty());
    assert_eq!(ids(&page(1, 1).await.unwrap()), expected[1..2]);
    assert!(
        store
            .channel_posts(
                &new_id(),
                &PostWindow::Page {
                    offset: 0,
                    limit: 10
                }
            )
            .await
            .unwrap()
            .is_empty()
    );

    // Before and after a post (the middle of the tie), newest first.
    let anchor = newest_first[2].id.clone();
    let before = |limit| {
        window(
            store,
            ch,
            PostWindow::Before {
                post_id: anchor.clone(),
                limit,
            },
        )
    };
    assert_eq!(ids(&before(10).await.unwrap()), expected[3..]);
    assert_eq!(ids(&before(1).await.unwrap()), expected[3..4]);
    assert!(before(0).await.unwrap().is_empty());
    let after = |limit| {
        window(
            store,
            ch,
            PostWindow::After {
                post_id: anchor.clone(),
                limit,
            },
        )
    };
    assert_eq!(ids(&after(10).await.unwrap()), expected[..2]);
    // The one just after, not the newest.
    assert_eq!(ids(&after(1).await.unwrap()), expected[1..2]);
    assert!(after(0).await.unwrap().is_empty());
    let oldest = newest_first[4].id.clone();
    assert!(
        store
            .channel_posts(
                ch,
                &PostWindow::Before {
                    post_id: oldest,
                    limit: 5
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    for window in [
        PostWindow::Before {
            post_id: new_id(),
            limit: 5,
        },
        PostWindow::After {
            post_id: new_id(),
            limit: 5,
        },
    ] {
        assert!(matches!(
            store.channel_posts(ch, &window).await,
            Err(StoreError::NotFound)
        ));
    }

    // Deleted posts leave the pages but not `Since`, which skips edit history.
    // `gone` is one of the tie at t+1: only its deletion brings it into `Since(t + 1)`.
    let (gone, edited) = (&newest_first[2], &newest_first[4]);
    store.delete_post(&gone.id, t + 50).await.unwrap();
    let new_version = Post {
        message: "edited".into(),
        ..edited.clone()
    };
    store.edit_post(&new_version, edited).await.unwrap();
    let listed = page(0, 100).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|p| p.id != gone.id));
    assert_eq!(
        listed.iter().find(|p| p.id == edited.id).unwrap().message,
        "edited"
    );
    let since = store
        .channel_posts(ch, &PostWindow::Since(t + 1))
        .await
        .unwrap();
    // Updated after t+1: the two newest, the deleted one (t+50), the edited one (now).
    let mut expected: Vec<&Post> = newest_first
        .iter()
        .filter(|p| p.create_at > t + 1 || p.id == gone.id || p.id == edited.id)
        .collect();
    expected.dedup_by_key(|p| p.id.clone());
    assert_eq!(
        ids(&since),
        expected.iter().map(|p| p.id.as_str()).collect::<Vec<_>>()
    );
    let deleted = since.iter().find(|p| p.id == gone.id).unwrap();
    assert_eq!((deleted.delete_at, deleted.update_at), (t + 50, t + 50));
    assert!(since.iter().all(|p| p.original_id.is_empty()));
    assert!(
        store
            .channel_posts(ch, &PostWindow::Since(now_millis() + 60_000))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn threads_list_root_and_replies(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let t = base_time();
    let root = create(store, &post_at(&room.channel, alice, "root", t), &[]).await;
    let r1 = create(store, &reply_at(&root, bob, "one", t + 1), &[]).await;
    let r2 = create(store, &reply_at(&root, alice, "two", t + 2), &[]).await;
    let r3 = create(store, &reply_at(&root, bob, "three", t + 3), &[]).await;
    let unrelated = create(store, &post_at(&room.channel, bob, "other", t + 1), &[]).await;
    create(store, &reply_at(&unrelated, bob, "other reply", t + 2), &[]).await;
    let thread = store.thread_posts(&root.id).await.unwrap();
    assert_eq!(ids(&thread), [&root.id, &r1.id, &r2.id, &r3.id]);
    assert_eq!(thread[0].reply_count, 3);
    assert_eq!(thread[0].last_reply_at, t + 3);
    assert_eq!(thread[2], r2);
    // Channel pages hold the replies too.
    assert_eq!(
        store
            .channel_posts(
                &room.channel.id,
                &PostWindow::Page {
                    offset: 0,
                    limit: 100
                }
            )
            .await
            .unwrap()
            .len(),
        6
    );

    store.delete_post(&r2.id, t + 10).await.unwrap();
    let thread = store.thread_posts(&root.id).await.unwrap();
    assert_eq!(ids(&thread), [&root.id, &r1.id, &r3.id]);
    assert_eq!(thread[0].reply_count, 2);
    // Asking for a reply's id gives that reply (it is not a root).
    assert_eq!(ids(&store.thread_posts(&r1.id).await.unwrap()), [&r1.id]);
    assert!(store.thread_posts(&new_id()).await.unwrap().is_empty());
}

async fn edits_keep_history(store: &dyn Store) {
    let room = room(store, 1).await;
    let alice = &room.users[0];
    let t = base_time();
    let original = Post {
        pending_post_id: format!("{}:9", alice.id),
        hashtags: "#one".into(),
        ..post_at(&room.channel, alice, "version one ü", t)
    };
    let original = create(store, &original, &[]).await;
    store.set_post_pinned(&original.id, true).await.unwrap();
    let pinned = store.get_post(&original.id).await.unwrap();
    let before = store.last_seq().await.unwrap();

    let mut props = serde_json::Map::new();
    props.insert("edited".into(), serde_json::json!(["ü", 2]));
    let second = Post {
        message: "version two ✓".into(),
        hashtags: "#two".into(),
        props,
        file_ids: vec!["not-checked-on-edit".into()],
        ..pinned.clone()
    };
    let saved = store.edit_post(&second, &pinned).await.unwrap();
    assert!(saved.edit_at > t);
    assert_eq!(saved.update_at, saved.edit_at);
    assert_eq!(
        saved,
        Post {
            edit_at: saved.edit_at,
            update_at: saved.edit_at,
            ..second.clone()
        }
    );
    assert_eq!(store.get_post(&original.id).await.unwrap(), saved);

    tick().await;
    let third = Post {
        message: "version three".into(),
        ..saved.clone()
    };
    let saved3 = store.edit_post(&third, &saved).await.unwrap();
    assert!(saved3.edit_at > saved.edit_at);

    // Earlier versions, newest first: deleted copies under new ids that name the post.
    let history = store.post_edit_history(&original.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>(),
        ["version two ✓", "version one ü"]
    );
    for (old, version) in history.iter().zip([&saved, &pinned]) {
        assert_ne!(old.id, original.id);
        assert_eq!(old.original_id, original.id);
        assert!(old.delete_at > 0);
        assert_eq!(old.update_at, old.delete_at);
        assert!(old.pending_post_id.is_empty());
        assert!(!old.is_pinned);
        assert_eq!(
            *old,
            Post {
                id: old.id.clone(),
                original_id: original.id.clone(),
                delete_at: old.delete_at,
                update_at: old.update_at,
                pending_post_id: String::new(),
                is_pinned: false,
                ..version.clone()
            }
        );
    }
    assert!(history[0].update_at >= history[1].update_at);
    assert!(store.post_edit_history(&new_id()).await.unwrap().is_empty());
    // History rows stay out of lists.
    let page = store
        .channel_posts(
            &room.channel.id,
            &PostWindow::Page {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(page, vec![saved3.clone()]);
    assert_eq!(
        store.pinned_posts(&room.channel.id).await.unwrap(),
        vec![saved3.clone()]
    );

    let feed = changes(store, before).await;
    assert_eq!(
        kinds(&feed),
        [
            ("post_edited", original.id.as_str()),
            ("post_edited", original.id.as_str())
        ]
    );
    assert_eq!(post_in(&feed[0]), saved);
    assert_eq!(post_in(&feed[1]), saved3);
    assert!(
        feed.iter()
            .all(|c| c.team_id == room.team_id && c.channel_id == room.channel.id)
    );

    // Editing what is missing or deleted: NotFound, and no history, no change.
    let before = store.last_seq().await.unwrap();
    let ghost = post_at(&room.channel, alice, "ghost", t);
    assert!(matches!(
        store.edit_post(&ghost, &ghost).await,
        Err(StoreError::NotFound)
    ));
    store.delete_post(&original.id, t + 100).await.unwrap();
    let before_delete = store.last_seq().await.unwrap();
    assert!(matches!(
        store.edit_post(&third, &saved3).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.post_edit_history(&original.id).await.unwrap().len(),
        2
    );
    assert!(store.post_edit_history(&ghost.id).await.unwrap().is_empty());
    assert_eq!(store.last_seq().await.unwrap(), before_delete);
    assert_eq!(
        kinds(&changes(store, before).await),
        [("post_deleted", original.id.as_str())]
    );
}

async fn deletes_are_soft_and_take_the_thread(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let t = base_time();
    let root = create(store, &post_at(&room.channel, alice, "root", t), &[]).await;
    let x = create(store, &reply_at(&root, bob, "x", t + 1), &[]).await;
    let y = create(store, &reply_at(&root, bob, "y", t + 2), &[]).await;
    let z = create(store, &reply_at(&root, alice, "z", t + 3), &[]).await;
    assert_eq!(store.get_post(&root.id).await.unwrap().reply_count, 3);

    let before = store.last_seq().await.unwrap();
    store.delete_post(&x.id, t + 100).await.unwrap();
    let deleted_x = store.get_post(&x.id).await.unwrap();
    assert_eq!(
        deleted_x,
        Post {
            delete_at: t + 100,
            update_at: t + 100,
            ..x.clone()
        }
    );
    assert_eq!(store.get_post(&root.id).await.unwrap().reply_count, 2);
    assert!(matches!(
        store.delete_post(&x.id, t + 101).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_post(&new_id(), t + 101).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_post(&x.id).await.unwrap().delete_at, t + 100);

    // Concurrent deletes of one post: one wins, the count drops once.
    let results =
        futures_util::future::join_all((0..4).map(|i| store.delete_post(&z.id, t + 150 + i))).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::NotFound)))
    );
    assert_eq!(store.get_post(&root.id).await.unwrap().reply_count, 1);

    // A root takes its remaining replies with it; earlier deletes keep their time.
    store.delete_post(&root.id, t + 200).await.unwrap();
    let after: Vec<Post> = store
        .get_posts_by_ids(&[root.id.clone(), x.id.clone(), y.id.clone()])
        .await
        .unwrap();
    let time_of = |id: &str| after.iter().find(|p| p.id == id).unwrap().delete_at;
    assert_eq!(time_of(&root.id), t + 200);
    assert_eq!(time_of(&y.id), t + 200);
    assert_eq!(time_of(&x.id), t + 100);
    assert_eq!(store.get_post(&root.id).await.unwrap().reply_count, 1);
    assert!(store.thread_posts(&root.id).await.unwrap().is_empty());
    assert!(
        store
            .channel_posts(
                &room.channel.id,
                &PostWindow::Page {
                    offset: 0,
                    limit: 10
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    // Counters are history: deleting does not take them back.
    assert_eq!(
        store
            .get_channel(&room.channel.id)
            .await
            .unwrap()
            .total_msg_count,
        4
    );

    let feed = changes(store, before).await;
    assert_eq!(
        kinds(&feed),
        [
            ("post_deleted", x.id.as_str()),
            ("post_deleted", z.id.as_str()),
            ("post_deleted", root.id.as_str())
        ]
    );
    assert_eq!(post_in(&feed[0]), deleted_x);
    assert_eq!(post_in(&feed[2]).delete_at, t + 200);
    assert!(
        feed.iter()
            .all(|c| c.team_id == room.team_id && c.channel_id == room.channel.id)
    );
    assert_eq!(feed[0].user_id, bob.id);
}

async fn pins_are_listed_newest_first(store: &dyn Store) {
    let room = room(store, 1).await;
    let alice = &room.users[0];
    let t = base_time();
    let p1 = create(store, &post_at(&room.channel, alice, "one", t), &[]).await;
    let p2 = create(store, &post_at(&room.channel, alice, "two", t + 1), &[]).await;
    assert!(
        store
            .pinned_posts(&room.channel.id)
            .await
            .unwrap()
            .is_empty()
    );

    let before = store.last_seq().await.unwrap();
    let pinned1 = store.set_post_pinned(&p1.id, true).await.unwrap();
    assert!(pinned1.is_pinned);
    assert!(pinned1.update_at > t + 1000);
    assert_eq!(
        pinned1,
        Post {
            is_pinned: true,
            update_at: pinned1.update_at,
            ..p1.clone()
        }
    );
    let pinned2 = store.set_post_pinned(&p2.id, true).await.unwrap();
    // Pinning twice is harmless.
    let pinned2 = Post {
        update_at: store.set_post_pinned(&p2.id, true).await.unwrap().update_at,
        ..pinned2
    };
    assert_eq!(
        store.pinned_posts(&room.channel.id).await.unwrap(),
        vec![pinned2.clone(), pinned1.clone()]
    );
    let unpinned = store.set_post_pinned(&p1.id, false).await.unwrap();
    assert!(!unpinned.is_pinned);
    assert_eq!(
        ids(&store.pinned_posts(&room.channel.id).await.unwrap()),
        [&p2.id]
    );
    assert!(store.pinned_posts(&new_id()).await.unwrap().is_empty());

    // Deleted posts are not listed and cannot be pinned; neither can missing ones.
    store.delete_post(&p2.id, t + 100).await.unwrap();
    assert!(
        store
            .pinned_posts(&room.channel.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.set_post_pinned(&p2.id, false).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_post_pinned(&new_id(), true).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.get_post(&p2.id).await.unwrap().is_pinned);

    let feed = changes(store, before).await;
    let p = |p: &Post| ("post_edited", p.id.clone());
    assert_eq!(
        feed.iter()
            .map(|c| (c.kind.as_str(), c.entity_id.clone()))
            .collect::<Vec<_>>(),
        [
            p(&p1),
            p(&p2),
            p(&p2),
            p(&p1),
            ("post_deleted", p2.id.clone())
        ]
    );
    assert!(post_in(&feed[0]).is_pinned);
    assert!(!post_in(&feed[3]).is_pinned);
    assert_eq!(feed[0].team_id, room.team_id);
}

async fn reactions_are_idempotent_and_mark_posts(store: &dyn Store) {
    let room = room(store, 2).await;
    let (alice, bob) = (&room.users[0], &room.users[1]);
    let ch = room.channel.id.clone();
    let t = base_time();
    let p1 = create(store, &post_at(&room.channel, alice, "one", t), &[]).await;
    let p2 = create(store, &post_at(&room.channel, alice, "two", t + 1), &[]).await;
    let reaction = |user: &User, post: &Post, emoji: &str, at: i64| Reaction {
        user_id: user.id.clone(),
        post_id: post.id.clone(),
        emoji_name: emoji.into(),
        create_at: at,
        channel_id: ch.clone(),
        ..Reaction::default()
    };
    let before = store.last_seq().await.unwrap();
    let r1 = reaction(bob, &p1, "+1", t + 10);
    let saved = store.save_reaction(&r1).await.unwrap();
    assert_eq!(
        saved,
        Reaction {
            update_at: t + 10,
            ..r1.clone()
        }
    );
    let post = store.get_post(&p1.id).await.unwrap();
    assert!(post.has_reactions);
    assert!(post.update_at > t + 1000);
    // Again, later: the first time is kept.
    let again = store
        .save_reaction(&reaction(bob, &p1, "+1", t + 20))
        .await
        .unwrap();
    assert_eq!(again, saved);
    let r2 = store
        .save_reaction(&reaction(alice, &p1, "ünïcødé_emoji", t + 11))
        .await
        .unwrap();
    let r3 = store
        .save_reaction(&reaction(alice, &p2, "smile", t + 5))
        .await
        .unwrap();
    // By time.
    assert_eq!(
        store
            .reactions_for_posts(std::slice::from_ref(&p1.id))
            .await
            .unwrap(),
        vec![saved.clone(), r2.clone()]
    );
    assert_eq!(
        store
            .reactions_for_posts(&[p1.id.clone(), p2.id.clone(), new_id()])
            .await
            .unwrap(),
        vec![r3.clone(), saved.clone(), r2.clone()]
    );
    assert!(store.reactions_for_posts(&[]).await.unwrap().is_empty());
    assert!(
        store
            .reactions_for_posts(&[new_id()])
            .await
            .unwrap()
            .is_empty()
    );

    // Removing: the flag goes when the last one does.
    store.delete_reaction(&r1).await.unwrap();
    assert!(store.get_post(&p1.id).await.unwrap().has_reactions);
    store.delete_reaction(&r2).await.unwrap();
    assert!(!store.get_post(&p1.id).await.unwrap().has_reactions);
    assert!(matches!(
        store.delete_reaction(&r2).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .reactions_for_posts(&[p1.id.clone(), p2.id.clone()])
            .await
            .unwrap(),
        vec![r3.clone()]
    );

    let feed = changes(store, before).await;
    let p1_id = p1.id.as_str();
    assert_eq!(
        kinds(&feed),
        [
            ("reaction_added", p1_id),
            ("reaction_added", p1_id),
            ("reaction_added", p1_id),
            ("reaction_added", p2.id.as_str()),
            ("reaction_removed", p1_id),
            ("reaction_removed", p1_id),
        ]
    );
    let reaction_in = |c: &Change| -> Reaction {
        serde_json::from_str(c.data["reaction"].as_str().unwrap()).unwrap()
    };
    assert_eq!(reaction_in(&feed[0]), saved);
    assert_eq!(reaction_in(&feed[1]), saved);
    assert_eq!(reaction_in(&feed[4]), r1);
    assert_eq!(
        (feed[0].user_id.as_str(), feed[2].user_id.as_str()),
        (bob.id.as_str(), alice.id.as_str())
    );
    assert!(
        feed.iter()
            .all(|c| c.team_id == room.team_id && c.channel_id == ch)
    );

    // Refused: a post that does not exist, a channel that does not exist.
    let before = store.last_seq().await.unwrap();
    let ghost_post = Reaction {
        post_id: new_id(),
        ..r1.clone()
    };
    let error = store.save_reaction(&ghost_post).await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    let ghost_channel = Reaction {
        channel_id: new_id(),
        ..reaction(bob, &p2, "ghost", t)
    };
    assert!(matches!(
        store.save_reaction(&ghost_channel).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .reactions_for_posts(std::slice::from_ref(&p2.id))
            .await
            .unwrap(),
        vec![r3.clone()]
    );
    assert_eq!(store.last_seq().await.unwrap(), before);
}

super::suite!(
    preferences_round_trip_in_order_with_their_changes,
    refused_preferences_change_nothing,
    statuses_follow_activity_and_choices,
    concurrent_status_updates_apply_one_after_another,
    custom_statuses_round_trip,
    file_infos_round_trip,
    upload_sessions_complete_into_a_file,
    posts_attach_files_all_or_nothing,
    file_search_filters_sorts_and_pages,
    posts_are_created_with_their_counters_and_change,
    a_retried_send_returns_the_first_post,
    channel_posts_windows,
    threads_list_root_and_replies,
    edits_keep_history,
    deletes_are_soft_and_take_the_thread,
    pins_are_listed_newest_first,
    reactions_are_idempotent_and_mark_posts,
);
