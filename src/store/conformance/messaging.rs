//! Teams, channels and reply threads: round trips, lookups, conflicts, listings with their
//! order and paging, memberships, read state, thread follows, and the change-feed rows
//! each write emits.

use serde_json::json;

use crate::model::{
    Channel, ChannelMember, ChannelType, Post, Team, TeamMember, TeamType, User, new_id, now_millis,
};
use crate::store::{
    Change, MarkUnread, Mentions, Store, StoreError, TeamChannels, ThreadCursor, ThreadQuery,
};

// ---------------------------------------------------------------------------------------
// Test data, made through the store traits.

async fn user(store: &dyn Store, name: &str) -> User {
    let now = now_millis();
    let user = User {
        id: new_id(),
        create_at: now,
        update_at: now,
        username: name.to_string(),
        email: format!("{name}@example.com"),
        roles: "system_user".into(),
        locale: "en".into(),
        ..User::default()
    };
    store.create_user(&user, "", "").await.unwrap()
}

fn new_team(name: &str, display_name: &str) -> Team {
    let now = now_millis();
    Team {
        id: new_id(),
        create_at: now,
        update_at: now,
        display_name: display_name.to_string(),
        name: name.to_string(),
        invite_id: new_id(),
        team_type: TeamType::Open,
        allow_open_invite: true,
        ..Team::default()
    }
}

fn admin_of(team: &Team, user: &User) -> TeamMember {
    TeamMember {
        team_id: team.id.clone(),
        user_id: user.id.clone(),
        scheme_user: true,
        scheme_admin: true,
        ..TeamMember::default()
    }
}

fn team_member(team: &Team, user: &User) -> TeamMember {
    TeamMember {
        team_id: team.id.clone(),
        user_id: user.id.clone(),
        scheme_user: true,
        ..TeamMember::default()
    }
}

/// A team created by `creator`, without default channels.
async fn team(store: &dyn Store, creator: &User, name: &str, display_name: &str) -> Team {
    let team = new_team(name, display_name);
    store
        .create_team(&team, &admin_of(&team, creator), &[])
        .await
        .unwrap()
}

fn new_channel(team_id: &str, name: &str, display_name: &str, kind: ChannelType) -> Channel {
    let now = now_millis();
    Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        team_id: team_id.to_string(),
        channel_type: kind,
        name: name.to_string(),
        display_name: display_name.to_string(),
        ..Channel::default()
    }
}

fn channel_member(channel: &Channel, user: &User, viewed: i64) -> ChannelMember {
    ChannelMember {
        channel_id: channel.id.clone(),
        user_id: user.id.clone(),
        scheme_user: true,
        last_viewed_at: viewed,
        ..ChannelMember::default()
    }
}

/// A channel with `members`, who have read up to its creation.
async fn channel(
    store: &dyn Store,
    team_id: &str,
    name: &str,
    display_name: &str,
    kind: ChannelType,
    members: &[&User],
) -> Channel {
    let mut channel = new_channel(team_id, name, display_name, kind);
    channel.creator_id = members.first().map(|u| u.id.clone()).unwrap_or_default();
    let members: Vec<_> = members
        .iter()
        .map(|u| channel_member(&channel, u, channel.create_at))
        .collect();
    store.create_channel(&channel, &members).await.unwrap()
}

async fn post(
    store: &dyn Store,
    channel: &Channel,
    author: &User,
    root_id: &str,
    at: i64,
    mentions: &[&User],
) -> Post {
    let post = Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        user_id: author.id.clone(),
        channel_id: channel.id.clone(),
        root_id: root_id.to_string(),
        message: format!("message at {at}"),
        ..Post::default()
    };
    let mentions = Mentions {
        user_ids: mentions.iter().map(|u| u.id.clone()).collect(),
    };
    let created = store.create_post(&post, &mentions).await.unwrap();
    assert!(created.created);
    created.post
}

/// The feed rows after `seq`.
async fn changes(store: &dyn Store, after: i64) -> Vec<Change> {
    store.changes_since(after, 1000).await.unwrap()
}

/// A feed row as (kind, entity, team, channel, user).
fn row(c: &Change) -> (&str, &str, &str, &str, &str) {
    (
        c.kind.as_str(),
        c.entity_id.as_str(),
        c.team_id.as_str(),
        c.channel_id.as_str(),
        c.user_id.as_str(),
    )
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_string()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn is_conflict(result: Result<impl std::fmt::Debug, StoreError>, name: &str) -> bool {
    matches!(result, Err(StoreError::Conflict(c)) if c == name)
}

fn is_other_conflict(result: Result<impl std::fmt::Debug, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict(c)) if c != "name")
}

fn not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::NotFound))
}

fn default_notify_props() -> crate::model::StringMap {
    [
        ("desktop", "default"),
        ("email", "default"),
        ("ignore_channel_mentions", "default"),
        ("mark_unread", "all"),
        ("push", "default"),
        ("channel_auto_follow_threads", "off"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

// ---------------------------------------------------------------------------------------
// Teams

async fn teams_round_trip_with_their_creator_and_default_channels(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let before = store.last_seq().await.unwrap();
    let team = Team {
        description: "ü✓ 日本語 ".repeat(20_000),
        email: "team@example.com".into(),
        team_type: TeamType::Invite,
        company_name: "Ça & Co".into(),
        allowed_domains: "example.com, exämple.org".into(),
        allow_open_invite: false,
        last_team_icon_update: 1_700_000_000_123,
        ..new_team("alpha-team", "Ünïcødé ✓ Team")
    };
    let town = new_channel(&team.id, "town-square", "Town Square", ChannelType::Open);
    let off = new_channel(&team.id, "off-topic", "Off-Topic", ChannelType::Open);
    let created = store
        .create_team(
            &team,
            &admin_of(&team, &alice),
            &[town.clone(), off.clone()],
        )
        .await
        .unwrap();
    assert_eq!(created, team);
    assert_eq!(store.get_team(&team.id).await.unwrap(), team);
    // Names are looked up lower-cased.
    assert_eq!(store.get_team_by_name("Alpha-Team").await.unwrap(), team);
    assert_eq!(
        store.get_team_by_invite_id(&team.invite_id).await.unwrap(),
        team
    );
    assert!(not_found(store.get_team(&new_id()).await));
    assert!(not_found(store.get_team_by_name("nobody").await));
    assert!(not_found(store.get_team_by_invite_id(&team.id).await));

    // The creator is an admin member, and in every default channel, read up to creation.
    let member = store.get_team_member(&team.id, &alice.id).await.unwrap();
    assert_eq!(
        member,
        TeamMember {
            team_id: team.id.clone(),
            user_id: alice.id.clone(),
            roles: "team_user team_admin".into(),
            delete_at: 0,
            scheme_user: true,
            scheme_admin: true,
            scheme_guest: false,
            explicit_roles: String::new(),
        }
    );
    for channel in [&town, &off] {
        assert_eq!(
            store.get_channel(&channel.id).await.unwrap(),
            with_empty_props(channel)
        );
        let m = store
            .get_channel_member(&channel.id, &alice.id)
            .await
            .unwrap();
        assert_eq!(m.roles, "channel_user");
        assert_eq!(m.last_viewed_at, team.create_at);
        assert_eq!(m.last_update_at, channel.create_at);
        assert_eq!((m.msg_count, m.mention_count), (0, 0));
        assert_eq!(m.notify_props, default_notify_props());
    }
    let feed = changes(store, before).await;
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [("added_to_team", &*team.id, &*team.id, "", &*alice.id)]
    );
    assert_eq!(
        feed[0].data,
        json!({ "team_id": team.id, "user_id": alice.id })
    );
}

/// A channel saved without props reads back with empty ones.
fn with_empty_props(channel: &Channel) -> Channel {
    Channel {
        props: Some(channel.props.clone().unwrap_or_default()),
        ..channel.clone()
    }
}

async fn team_creation_conflicts_and_rolls_back(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let first = team(store, &alice, "taken", "Taken").await;
    let before = store.last_seq().await.unwrap();

    let same_name = new_team("taken", "Another");
    let result = store
        .create_team(&same_name, &admin_of(&same_name, &alice), &[])
        .await;
    assert!(is_conflict(result, "name"));

    let same_invite = Team {
        invite_id: first.invite_id.clone(),
        ..new_team("other", "Other")
    };
    let result = store
        .create_team(&same_invite, &admin_of(&same_invite, &alice), &[])
        .await;
    assert!(is_other_conflict(result));

    // A default channel that cannot be made undoes the whole team.
    let doomed = new_team("doomed", "Doomed");
    let a = new_channel(&doomed.id, "same", "A", ChannelType::Open);
    let b = new_channel(&doomed.id, "same", "B", ChannelType::Open);
    let result = store
        .create_team(&doomed, &admin_of(&doomed, &alice), &[a.clone(), b])
        .await;
    assert!(is_conflict(result, "name"));
    assert!(not_found(store.get_team(&doomed.id).await));
    assert!(not_found(store.get_team_by_name("doomed").await));
    assert!(not_found(store.get_channel(&a.id).await));

    // A creator who does not exist breaks a rule the database enforces.
    let ghost = User {
        id: new_id(),
        ..User::default()
    };
    let orphan = new_team("orphan", "Orphan");
    let result = store
        .create_team(&orphan, &admin_of(&orphan, &ghost), &[])
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert!(not_found(store.get_team(&orphan.id).await));

    assert_eq!(store.last_seq().await.unwrap(), before);
}

async fn team_listings_filter_sort_and_page(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    // Byte order: upper case before lower case, non-ASCII last; ties by id.
    let beta1 = team(store, &alice, "beta-one", "Beta").await;
    let beta2 = team(store, &alice, "beta-two", "Beta").await;
    let lower = team(store, &alice, "lower", "alpha").await;
    let umlaut = team(store, &alice, "umlaut", "Ärger").await;
    let invite = {
        let t = Team {
            team_type: TeamType::Invite,
            allow_open_invite: false,
            ..new_team("invite", "Invite only")
        };
        store
            .create_team(&t, &admin_of(&t, &alice), &[])
            .await
            .unwrap()
    };
    let closed = {
        let t = Team {
            allow_open_invite: false,
            ..new_team("closed", "Open but closed")
        };
        store
            .create_team(&t, &admin_of(&t, &alice), &[])
            .await
            .unwrap()
    };
    let deleted = team(store, &alice, "deleted", "Deleted").await;
    store
        .update_team(&Team {
            delete_at: now_millis(),
            ..deleted.clone()
        })
        .await
        .unwrap();

    let (b1, b2) = if beta1.id < beta2.id {
        (&beta1, &beta2)
    } else {
        (&beta2, &beta1)
    };
    let open = store.list_teams(false, 0, 100).await.unwrap();
    assert_eq!(
        ids(&open, |t| &t.id),
        ids(&[b1, b2, &lower, &umlaut], |t| &t.id)
    );
    assert_eq!(open[0], *b1);
    let all = store.list_teams(true, 0, 100).await.unwrap();
    assert_eq!(
        ids(&all, |t| &t.id),
        ids(&[b1, b2, &invite, &closed, &lower, &umlaut], |t| &t.id)
    );
    let page = store.list_teams(true, 1, 2).await.unwrap();
    assert_eq!(ids(&page, |t| &t.id), ids(&[b2, &invite], |t| &t.id));
    assert_eq!(
        ids(&store.list_teams(true, 0, 1).await.unwrap(), |t| &t.id),
        vec![b1.id.clone()]
    );
    assert!(store.list_teams(true, 0, 0).await.unwrap().is_empty());
    assert!(store.list_teams(true, 6, 10).await.unwrap().is_empty());
    assert!(store.list_teams(false, 100, 10).await.unwrap().is_empty());

    // A user's teams: every kind, deleted ones left out.
    let mine = store.list_user_teams(&alice.id).await.unwrap();
    assert_eq!(ids(&mine, |t| &t.id), ids(&all, |t| &t.id));
    let members = store.list_user_team_members(&alice.id).await.unwrap();
    assert_eq!(ids(&members, |m| &m.team_id), sorted(ids(&all, |t| &t.id)));
    assert!(members.iter().all(|m| m.roles == "team_user team_admin"));
    assert!(store.list_user_teams(&bob.id).await.unwrap().is_empty());
    assert!(
        store
            .list_user_team_members(&bob.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn team_updates_save_fields_and_choose_their_change(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let old = Team {
        create_at: 1_000,
        update_at: 1_000,
        ..new_team("original", "Original")
    };
    store
        .create_team(&old, &admin_of(&old, &alice), &[])
        .await
        .unwrap();
    let other = team(store, &alice, "other", "Other").await;
    let before = store.last_seq().await.unwrap();

    let start = now_millis();
    let wanted = Team {
        display_name: "Rénamed ✓".into(),
        description: "d".repeat(5_000),
        email: "new@example.com".into(),
        team_type: TeamType::Invite,
        company_name: "Company".into(),
        allowed_domains: "a.example".into(),
        invite_id: new_id(),
        allow_open_invite: false,
        // Not editable here: these stay.
        name: "renamed".into(),
        create_at: 5,
        last_team_icon_update: 77,
        ..old.clone()
    };
    let saved = store.update_team(&wanted).await.unwrap();
    assert!(saved.update_at >= start);
    assert_eq!(
        saved,
        Team {
            name: old.name.clone(),
            create_at: old.create_at,
            last_team_icon_update: 0,
            update_at: saved.update_at,
            ..wanted.clone()
        }
    );
    assert_eq!(store.get_team(&old.id).await.unwrap(), saved);
    assert_eq!(
        store
            .get_team_by_invite_id(&wanted.invite_id)
            .await
            .unwrap(),
        saved
    );
    assert!(not_found(store.get_team_by_invite_id(&old.invite_id).await));

    let deleted = store
        .update_team(&Team {
            delete_at: 42,
            ..saved.clone()
        })
        .await
        .unwrap();
    assert_eq!(deleted.delete_at, 42);
    let still_deleted = store.update_team(&deleted).await.unwrap();
    let restored = store
        .update_team(&Team {
            delete_at: 0,
            ..deleted.clone()
        })
        .await
        .unwrap();
    assert_eq!(restored.delete_at, 0);

    let feed = changes(store, before).await;
    let kinds: Vec<_> = feed.iter().map(row).collect();
    let id = old.id.as_str();
    assert_eq!(
        kinds,
        [
            ("update_team", id, id, "", ""),
            ("delete_team", id, id, "", ""),
            ("delete_team", id, id, "", ""),
            ("restore_team", id, id, "", ""),
        ]
    );
    for (change, team) in feed
        .iter()
        .zip([&saved, &deleted, &still_deleted, &restored])
    {
        let sent: Team = serde_json::from_str(change.data["team"].as_str().unwrap()).unwrap();
        assert_eq!(sent, *team);
    }

    // Missing teams and taken invite ids change nothing.
    let seq = store.last_seq().await.unwrap();
    assert!(not_found(
        store
            .update_team(&Team {
                id: new_id(),
                ..restored.clone()
            })
            .await
    ));
    let result = store
        .update_team(&Team {
            invite_id: other.invite_id.clone(),
            ..restored.clone()
        })
        .await;
    assert!(is_other_conflict(result));
    assert_eq!(store.last_seq().await.unwrap(), seq);
    assert_eq!(store.get_team(&old.id).await.unwrap(), restored);
}

async fn team_icon_times_change_the_icon_time_and_nothing_else(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let t = team(store, &alice, "icons", "Icons").await;
    let before = store.last_seq().await.unwrap();
    let start = now_millis();

    let set = store
        .set_team_icon_update(&t.id, 1_700_000_000_456)
        .await
        .unwrap();
    assert!(set.update_at >= start);
    assert_eq!(
        set,
        Team {
            last_team_icon_update: 1_700_000_000_456,
            update_at: set.update_at,
            ..t.clone()
        }
    );
    assert_eq!(store.get_team(&t.id).await.unwrap(), set);
    let cleared = store.set_team_icon_update(&t.id, 0).await.unwrap();
    assert_eq!(cleared.last_team_icon_update, 0);

    // Each is an `update_team` row with the team as saved.
    let feed = changes(store, before).await;
    let id = t.id.as_str();
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [
            ("update_team", id, id, "", ""),
            ("update_team", id, id, "", "")
        ]
    );
    for (change, team) in feed.iter().zip([&set, &cleared]) {
        let sent: Team = serde_json::from_str(change.data["team"].as_str().unwrap()).unwrap();
        assert_eq!(sent, *team);
    }

    // A missing team changes nothing.
    let seq = store.last_seq().await.unwrap();
    assert!(not_found(store.set_team_icon_update(&new_id(), 5).await));
    assert_eq!(store.last_seq().await.unwrap(), seq);
}

async fn team_members_join_in_batches_all_or_none(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let dave = user(store, "dave").await;
    let t = team(store, &alice, "batch", "Batch").await;
    let town = channel(
        store,
        &t.id,
        "town-square",
        "Town",
        ChannelType::Open,
        &[&alice],
    )
    .await;
    let before = store.last_seq().await.unwrap();

    // Two at once, in the order given, each in the channels, one feed row each.
    let guest = TeamMember {
        scheme_user: false,
        scheme_guest: true,
        ..team_member(&t, &carol)
    };
    let added = store
        .add_team_members(
            &[team_member(&t, &bob), guest],
            std::slice::from_ref(&town.id),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&added, |m| &m.user_id),
        [bob.id.clone(), carol.id.clone()]
    );
    assert_eq!(
        added.iter().map(|m| m.roles.as_str()).collect::<Vec<_>>(),
        ["team_user", "team_guest"]
    );
    for (who, role) in [(&bob, "channel_user"), (&carol, "channel_guest")] {
        let m = store.get_channel_member(&town.id, &who.id).await.unwrap();
        assert_eq!(m.roles, role);
    }
    let feed = changes(store, before).await;
    let id = t.id.as_str();
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [
            ("added_to_team", id, id, "", bob.id.as_str()),
            ("added_to_team", id, id, "", carol.id.as_str()),
        ]
    );

    // One bad membership (a team that does not exist) and none is saved.
    let seq = store.last_seq().await.unwrap();
    let result = store
        .add_team_members(
            &[
                team_member(&t, &dave),
                TeamMember {
                    team_id: new_id(),
                    ..team_member(&t, &dave)
                },
            ],
            std::slice::from_ref(&town.id),
        )
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert!(not_found(store.get_team_member(&t.id, &dave.id).await));
    assert!(not_found(
        store.get_channel_member(&town.id, &dave.id).await
    ));
    assert_eq!(store.last_seq().await.unwrap(), seq);
    assert_eq!(store.team_member_counts(&t.id).await.unwrap(), (3, 3));
}

async fn team_membership_lifecycle(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let dave = user(store, "dave").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let town = channel(
        store,
        &t.id,
        "town-square",
        "Town",
        ChannelType::Open,
        &[&alice],
    )
    .await;
    let off = channel(
        store,
        &t.id,
        "off-topic",
        "Off",
        ChannelType::Open,
        &[&alice],
    )
    .await;
    let elsewhere = channel(
        store,
        &u.id,
        "town-square",
        "Town",
        ChannelType::Open,
        &[&alice],
    )
    .await;
    let dm = channel(
        store,
        "",
        "alice__bob",
        "",
        ChannelType::Direct,
        &[&alice, &bob],
    )
    .await;
    let before = store.last_seq().await.unwrap();

    // Joining puts the user in the listed channels that exist.
    let start = now_millis();
    let added = store
        .add_team_member(
            &team_member(&t, &bob),
            &[town.id.clone(), off.id.clone(), new_id()],
        )
        .await
        .unwrap();
    assert_eq!(
        added,
        TeamMember {
            roles: "team_user".into(),
            ..team_member(&t, &bob)
        }
    );
    for c in [&town, &off] {
        let m = store.get_channel_member(&c.id, &bob.id).await.unwrap();
        assert_eq!(m.roles, "channel_user");
        assert!((m.scheme_user, m.scheme_guest) == (true, false));
        assert!(m.last_viewed_at >= start && m.last_update_at == m.last_viewed_at);
        assert_eq!(m.notify_props, default_notify_props());
    }
    let guest = TeamMember {
        scheme_user: false,
        scheme_guest: true,
        ..team_member(&t, &carol)
    };
    let added = store
        .add_team_member(&guest, std::slice::from_ref(&town.id))
        .await
        .unwrap();
    assert_eq!(added.roles, "team_guest");
    let m = store.get_channel_member(&town.id, &carol.id).await.unwrap();
    assert_eq!(
        (m.roles.as_str(), m.scheme_user, m.scheme_guest),
        ("channel_guest", false, true)
    );
    store
        .add_team_member(&team_member(&u, &bob), std::slice::from_ref(&elsewhere.id))
        .await
        .unwrap();
    // Adding again updates the roles and keeps channel memberships as they are.
    let town_before = store.get_channel_member(&town.id, &bob.id).await.unwrap();
    let again = store
        .add_team_member(
            &TeamMember {
                explicit_roles: "custom_role".into(),
                ..team_member(&t, &bob)
            },
            std::slice::from_ref(&town.id),
        )
        .await
        .unwrap();
    assert_eq!(again.roles, "team_user custom_role");
    assert_eq!(again.explicit_roles, "custom_role");
    assert_eq!(
        store.get_channel_member(&town.id, &bob.id).await.unwrap(),
        town_before
    );
    let result = store
        .add_team_member(
            &TeamMember {
                team_id: new_id(),
                ..team_member(&t, &dave)
            },
            &[],
        )
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");

    // Listing, paging, counting.
    let everyone = sorted(vec![alice.id.clone(), bob.id.clone(), carol.id.clone()]);
    let listed = store.list_team_members(&t.id, 0, 100).await.unwrap();
    assert_eq!(ids(&listed, |m| &m.user_id), everyone);
    // The event audience: the same people, ids only.
    assert_eq!(
        sorted(store.team_member_ids(&t.id).await.unwrap()),
        everyone
    );
    assert!(store.team_member_ids(&new_id()).await.unwrap().is_empty());
    let page = store.list_team_members(&t.id, 1, 1).await.unwrap();
    assert_eq!(ids(&page, |m| &m.user_id), [everyone[1].clone()]);
    assert!(
        store
            .list_team_members(&t.id, 3, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_team_members(&t.id, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_team_members(&new_id(), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.team_member_counts(&t.id).await.unwrap(), (3, 3));
    store.set_user_active(&carol.id, false).await.unwrap();
    assert_eq!(store.team_member_counts(&t.id).await.unwrap(), (3, 2));
    assert_eq!(store.team_member_counts(&new_id()).await.unwrap(), (0, 0));

    // Role changes.
    let promoted = store
        .update_team_member(&TeamMember {
            scheme_admin: true,
            ..team_member(&t, &bob)
        })
        .await
        .unwrap();
    assert_eq!(promoted.roles, "team_user team_admin");
    assert_eq!(
        store.get_team_member(&t.id, &bob.id).await.unwrap(),
        promoted
    );
    assert!(not_found(
        store.update_team_member(&team_member(&t, &dave)).await
    ));

    // Leaving: the team's channels go, direct messages and other teams stay.
    let seq = store.last_seq().await.unwrap();
    store.remove_team_member(&t.id, &bob.id).await.unwrap();
    assert!(not_found(store.get_team_member(&t.id, &bob.id).await));
    assert!(not_found(store.get_channel_member(&town.id, &bob.id).await));
    assert!(not_found(store.get_channel_member(&off.id, &bob.id).await));
    store.get_channel_member(&dm.id, &bob.id).await.unwrap();
    store
        .get_channel_member(&elsewhere.id, &bob.id)
        .await
        .unwrap();
    assert!(not_found(store.remove_team_member(&t.id, &bob.id).await));
    assert!(not_found(store.remove_team_member(&t.id, &dave.id).await));
    assert!(not_found(
        store.update_team_member(&team_member(&t, &bob)).await
    ));
    assert_eq!(store.team_member_counts(&t.id).await.unwrap(), (2, 1));
    let listed = store.list_team_members(&t.id, 0, 100).await.unwrap();
    assert!(!listed.iter().any(|m| m.user_id == bob.id));
    assert!(
        !store
            .team_member_ids(&t.id)
            .await
            .unwrap()
            .contains(&bob.id)
    );
    assert_eq!(
        ids(&store.list_user_teams(&bob.id).await.unwrap(), |t| &t.id),
        vec![u.id.clone()]
    );
    assert_eq!(
        ids(&store.list_user_team_members(&bob.id).await.unwrap(), |m| {
            &m.team_id
        }),
        vec![u.id.clone()]
    );
    let left = changes(store, seq).await;
    assert_eq!(
        left.iter().map(row).collect::<Vec<_>>(),
        [("leave_team", &*t.id, &*t.id, "", &*bob.id)]
    );
    assert_eq!(left[0].data, json!({ "team_id": t.id, "user_id": bob.id }));

    // Coming back brings the membership back with the new roles.
    let back = store
        .add_team_member(&team_member(&t, &bob), &[])
        .await
        .unwrap();
    assert_eq!((back.roles.as_str(), back.delete_at), ("team_user", 0));

    // A deleted team drops out of the user's lists, not out of get_team_member.
    store
        .update_team(&Team {
            delete_at: 1,
            ..u.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        ids(&store.list_user_teams(&bob.id).await.unwrap(), |t| &t.id),
        vec![t.id.clone()]
    );
    assert_eq!(
        ids(&store.list_user_team_members(&bob.id).await.unwrap(), |m| {
            &m.team_id
        }),
        vec![t.id.clone()]
    );
    store.get_team_member(&u.id, &bob.id).await.unwrap();

    let feed = changes(store, before).await;
    let kinds: Vec<_> = feed
        .iter()
        .filter(|c| ["added_to_team", "leave_team", "memberrole_updated"].contains(&&*c.kind))
        .map(row)
        .collect();
    let (tid, uid) = (t.id.as_str(), u.id.as_str());
    assert_eq!(
        kinds,
        [
            ("added_to_team", tid, tid, "", &*bob.id),
            ("added_to_team", tid, tid, "", &*carol.id),
            ("added_to_team", uid, uid, "", &*bob.id),
            ("added_to_team", tid, tid, "", &*bob.id),
            ("memberrole_updated", tid, tid, "", &*bob.id),
            ("leave_team", tid, tid, "", &*bob.id),
            ("added_to_team", tid, tid, "", &*bob.id),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Channels

async fn channels_round_trip_with_their_members(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let before = store.last_seq().await.unwrap();

    let mut props = serde_json::Map::new();
    props.insert("ключ".into(), json!("värde ✓"));
    props.insert("n".into(), json!(1));
    let full = Channel {
        create_at: 1_000,
        update_at: 1_001,
        display_name: "Ünïcødé ✓ 频道".into(),
        header: "h€ader ".repeat(20_000),
        purpose: "purpose".into(),
        last_post_at: 5,
        last_root_post_at: 4,
        total_msg_count: 7,
        total_msg_count_root: 3,
        creator_id: alice.id.clone(),
        props: Some(props),
        extra_update_at: 9,
        ..new_channel(&t.id, "secret-plans", "", ChannelType::Private)
    };
    let admin = ChannelMember {
        scheme_admin: true,
        explicit_roles: "custom".into(),
        notify_props: [("desktop".to_string(), "all".to_string())].into(),
        ..channel_member(&full, &alice, 1_000)
    };
    let plain = channel_member(&full, &bob, 0);
    let saved = store
        .create_channel(&full, &[admin.clone(), plain])
        .await
        .unwrap();
    assert_eq!(saved, full);
    assert_eq!(store.get_channel(&full.id).await.unwrap(), full);
    assert_eq!(
        store
            .get_channel_by_name(&t.id, "secret-plans")
            .await
            .unwrap(),
        full
    );
    assert!(not_found(store.get_channel(&new_id()).await));
    assert!(not_found(
        store.get_channel_by_name(&u.id, "secret-plans").await
    ));
    assert!(not_found(
        store.get_channel_by_name("", "secret-plans").await
    ));

    // Members start with the channel's counts read.
    let a = store.get_channel_member(&full.id, &alice.id).await.unwrap();
    assert_eq!(
        a,
        ChannelMember {
            roles: "channel_user channel_admin custom".into(),
            msg_count: 7,
            msg_count_root: 3,
            last_update_at: 1_000,
            ..admin
        }
    );
    let b = store.get_channel_member(&full.id, &bob.id).await.unwrap();
    assert_eq!(b.notify_props, default_notify_props());
    assert_eq!((b.roles.as_str(), b.last_viewed_at), ("channel_user", 0));
    assert!(not_found(
        store.get_channel_member(&full.id, &new_id()).await
    ));

    // Channels without props read back with empty ones.
    let bare = channel(store, &t.id, "bare", "Bare", ChannelType::Open, &[&alice]).await;
    assert_eq!(bare.props, Some(serde_json::Map::new()));
    let dm = channel(store, "", "a__b", "", ChannelType::Direct, &[&alice, &bob]).await;
    let group = channel(
        store,
        "",
        "group-1",
        "A, B",
        ChannelType::Group,
        &[&bob, &alice],
    )
    .await;
    assert_eq!(store.get_channel_by_name("", "a__b").await.unwrap(), dm);

    let feed = changes(store, before).await;
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [
            ("channel_created", &*full.id, &*t.id, &*full.id, &*alice.id),
            ("channel_created", &*bare.id, &*t.id, &*bare.id, &*alice.id),
            ("direct_added", &*dm.id, "", &*dm.id, &*alice.id),
            ("group_added", &*group.id, "", &*group.id, &*bob.id),
        ]
    );
    assert_eq!(
        feed[0].data,
        json!({ "channel_id": full.id, "team_id": t.id })
    );
    assert_eq!(feed[2].data, json!({ "channel_id": dm.id, "team_id": "" }));

    // Names are unique within a team (and among direct and group channels); ids too.
    let seq = store.last_seq().await.unwrap();
    let dup = new_channel(&t.id, "secret-plans", "Again", ChannelType::Open);
    assert!(is_conflict(store.create_channel(&dup, &[]).await, "name"));
    let dup_dm = new_channel("", "a__b", "", ChannelType::Direct);
    assert!(is_conflict(
        store.create_channel(&dup_dm, &[]).await,
        "name"
    ));
    let dup_id = Channel {
        id: full.id.clone(),
        ..new_channel(&t.id, "fresh", "Fresh", ChannelType::Open)
    };
    assert!(is_conflict(
        store.create_channel(&dup_id, &[]).await,
        "name"
    ));
    // A member who does not exist undoes the channel.
    let lonely = new_channel(&t.id, "lonely", "Lonely", ChannelType::Open);
    let ghost = User {
        id: new_id(),
        ..User::default()
    };
    let result = store
        .create_channel(&lonely, &[channel_member(&lonely, &ghost, 0)])
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert!(not_found(store.get_channel(&lonely.id).await));
    assert_eq!(store.last_seq().await.unwrap(), seq);
    // The same name in another team is fine.
    let other = new_channel(&u.id, "secret-plans", "Elsewhere", ChannelType::Open);
    store.create_channel(&other, &[]).await.unwrap();
}

async fn channel_updates_save_fields_and_choose_their_change(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let c = channel(
        store,
        &t.id,
        "general",
        "General",
        ChannelType::Open,
        &[&alice],
    )
    .await;
    channel(store, &t.id, "taken", "Taken", ChannelType::Open, &[&alice]).await;
    let before = store.last_seq().await.unwrap();

    let start = now_millis();
    let mut props = serde_json::Map::new();
    props.insert("x".into(), json!({ "nested": [1, 2, "ü"] }));
    let wanted = Channel {
        display_name: "Général ✓".into(),
        name: "general-2".into(),
        header: "new header".into(),
        purpose: "p".repeat(1_000),
        channel_type: ChannelType::Private,
        props: Some(props),
        // Not editable here: these stay.
        create_at: 1,
        creator_id: new_id(),
        total_msg_count: 99,
        last_post_at: 99,
        ..c.clone()
    };
    let saved = store.update_channel(&wanted).await.unwrap();
    assert!(saved.update_at >= start);
    assert_eq!(
        saved,
        Channel {
            create_at: c.create_at,
            creator_id: c.creator_id.clone(),
            total_msg_count: 0,
            last_post_at: 0,
            update_at: saved.update_at,
            ..wanted.clone()
        }
    );
    assert_eq!(store.get_channel(&c.id).await.unwrap(), saved);
    assert_eq!(
        store.get_channel_by_name(&t.id, "general-2").await.unwrap(),
        saved
    );
    assert!(not_found(store.get_channel_by_name(&t.id, "general").await));

    let deleted = store
        .update_channel(&Channel {
            delete_at: 77,
            ..saved.clone()
        })
        .await
        .unwrap();
    let still = store.update_channel(&deleted).await.unwrap();
    let restored = store
        .update_channel(&Channel {
            delete_at: 0,
            ..still.clone()
        })
        .await
        .unwrap();
    assert_eq!((deleted.delete_at, restored.delete_at), (77, 0));

    let feed = changes(store, before).await;
    let id = c.id.as_str();
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [
            ("channel_updated", id, &*t.id, id, ""),
            ("channel_deleted", id, &*t.id, id, ""),
            ("channel_deleted", id, &*t.id, id, ""),
            ("channel_restored", id, &*t.id, id, ""),
        ]
    );
    for (change, channel) in feed.iter().zip([&saved, &deleted, &still, &restored]) {
        let sent: Channel = serde_json::from_str(change.data["channel"].as_str().unwrap()).unwrap();
        assert_eq!(sent, *channel);
    }

    let seq = store.last_seq().await.unwrap();
    let result = store
        .update_channel(&Channel {
            name: "taken".into(),
            ..restored.clone()
        })
        .await;
    assert!(is_conflict(result, "name"));
    assert!(not_found(
        store
            .update_channel(&Channel {
                id: new_id(),
                ..restored.clone()
            })
            .await
    ));
    assert_eq!(store.last_seq().await.unwrap(), seq);
    assert_eq!(store.get_channel(&c.id).await.unwrap(), restored);
}

async fn channel_update_rows_name_the_previous_type_only_on_a_conversion(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let c = channel(store, &t.id, "plans", "Plans", ChannelType::Open, &[&alice]).await;
    let before = store.last_seq().await.unwrap();

    let update = |channel: Channel| async move { store.update_channel(&channel).await.unwrap() };
    let c = update(Channel {
        header: "a header".into(),
        ..c
    })
    .await;
    let c = update(Channel {
        channel_type: ChannelType::Private,
        ..c
    })
    .await;
    let c = update(Channel {
        purpose: "a purpose".into(),
        ..c
    })
    .await;
    let c = update(Channel { delete_at: 5, ..c }).await;
    let c = update(Channel { delete_at: 0, ..c }).await;
    update(Channel {
        channel_type: ChannelType::Open,
        ..c
    })
    .await;

    // Only the conversions, one each way, carry the type the channel had.
    let feed = changes(store, before).await;
    let previous: Vec<_> = feed
        .iter()
        .map(|change| (change.kind.as_str(), change.data.get("previous_type")))
        .collect();
    assert_eq!(
        previous,
        [
            ("channel_updated", None),
            ("channel_updated", Some(&json!("O"))),
            ("channel_updated", None),
            ("channel_deleted", None),
            ("channel_restored", None),
            ("channel_updated", Some(&json!("P"))),
        ]
    );
}

async fn channel_listings_filter_sort_and_page(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let open = ChannelType::Open;
    let beta1 = channel(store, &t.id, "beta-1", "Beta", open, &[&alice]).await;
    let beta2 = channel(store, &t.id, "beta-2", "Beta", open, &[&alice]).await;
    let lower = channel(store, &t.id, "lower", "alpha", open, &[&alice]).await;
    let umlaut = channel(store, &t.id, "umlaut", "Ärger", open, &[]).await;
    let private = channel(
        store,
        &t.id,
        "private",
        "Private",
        ChannelType::Private,
        &[&alice],
    )
    .await;
    let old = channel(store, &t.id, "old", "Old", open, &[&alice]).await;
    let old = store
        .update_channel(&Channel {
            delete_at: 5,
            ..old
        })
        .await
        .unwrap();
    let theirs = channel(store, &u.id, "theirs", "Theirs", open, &[&alice]).await;
    let dm = channel(store, "", "a__b", "", ChannelType::Direct, &[&alice, &bob]).await;
    let group = channel(store, "", "g", "Group", ChannelType::Group, &[&alice, &bob]).await;
    let (b1, b2) = if beta1.id < beta2.id {
        (&beta1, &beta2)
    } else {
        (&beta2, &beta1)
    };

    let id = |c: &Channel| c.id.clone();
    let listed = store
        .list_team_channels(&t.id, TeamChannels::Public, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(id).collect::<Vec<_>>(),
        [b1, b2, &lower, &umlaut].map(id)
    );
    assert_eq!(listed[0], *b1);
    let archived = store
        .list_team_channels(&t.id, TeamChannels::Archived, 0, 100)
        .await
        .unwrap();
    assert_eq!(archived, vec![old.clone()]);
    let privates = store
        .list_team_channels(&t.id, TeamChannels::Private, 0, 100)
        .await
        .unwrap();
    assert_eq!(privates, vec![private.clone()]);
    let page = store
        .list_team_channels(&t.id, TeamChannels::Public, 1, 2)
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(id).collect::<Vec<_>>(),
        [b2, &lower].map(id)
    );
    assert_eq!(
        store
            .list_team_channels(&t.id, TeamChannels::Public, 0, 1)
            .await
            .unwrap()
            .iter()
            .map(id)
            .collect::<Vec<_>>(),
        [id(b1)]
    );
    assert!(
        store
            .list_team_channels(&t.id, TeamChannels::Public, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_team_channels(&t.id, TeamChannels::Public, 4, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_team_channels(&new_id(), TeamChannels::Public, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A user's channels: the team's and the direct/group ones, by display name.
    let mine = store
        .list_user_channels(&alice.id, Some(&t.id), false)
        .await
        .unwrap();
    // "" (the direct channel) sorts first.
    assert_eq!(
        mine.iter().map(id).collect::<Vec<_>>(),
        [&dm, b1, b2, &group, &private, &lower].map(id)
    );
    let with_deleted = store
        .list_user_channels(&alice.id, Some(&t.id), true)
        .await
        .unwrap();
    assert_eq!(
        with_deleted.iter().map(id).collect::<Vec<_>>(),
        [&dm, b1, b2, &group, &old, &private, &lower].map(id)
    );
    let everywhere = store
        .list_user_channels(&alice.id, None, false)
        .await
        .unwrap();
    assert_eq!(
        everywhere.iter().map(id).collect::<Vec<_>>(),
        [&dm, b1, b2, &group, &private, &theirs, &lower].map(id)
    );
    let bobs = store
        .list_user_channels(&bob.id, Some(&u.id), false)
        .await
        .unwrap();
    assert_eq!(
        bobs.iter().map(id).collect::<Vec<_>>(),
        [&dm, &group].map(id)
    );
    assert!(
        store
            .list_user_channels(&new_id(), None, true)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn scanning_team_channels_pages_through_all_of_them(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let mut expected = Vec::new();
    for (team_id, name, kind) in [
        (&t.id, "one", ChannelType::Open),
        (&t.id, "two", ChannelType::Private),
        (&u.id, "three", ChannelType::Open),
        (&u.id, "four", ChannelType::Open),
        (&t.id, "five", ChannelType::Open),
    ] {
        expected.push(channel(store, team_id, name, name, kind, &[&alice]).await);
    }
    // Archived channels are scanned too; direct and group channels are not.
    let archived = store
        .update_channel(&Channel {
            delete_at: 7,
            ..expected[4].clone()
        })
        .await
        .unwrap();
    expected[4] = archived;
    channel(store, "", "a__b", "", ChannelType::Direct, &[&alice, &bob]).await;
    channel(store, "", "g", "Group", ChannelType::Group, &[&alice, &bob]).await;
    expected.sort_by(|a, b| a.id.cmp(&b.id));

    let all = store.scan_team_channels(None, 100).await.unwrap();
    assert_eq!(all, expected);
    // Two at a time, each page after the last id seen: the same channels in the same order.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.scan_team_channels(after.as_deref(), 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        paged.extend(page);
    }
    assert_eq!(paged, expected);
    assert!(store.scan_team_channels(None, 0).await.unwrap().is_empty());
    let last = expected.last().unwrap().id.clone();
    assert!(
        store
            .scan_team_channels(Some(&last), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The System Console's listing: by display name (byte order, as the team listings),
    // archived ones and each team's
    // default channels only as asked, with the total.
    let off_topic = channel(
        store,
        &u.id,
        "off-topic",
        "Off-Topic",
        ChannelType::Open,
        &[],
    )
    .await;
    let names =
        |channels: &[Channel]| -> Vec<String> { channels.iter().map(|c| c.name.clone()).collect() };
    let all = |include_archived, exclude_default, offset, limit| {
        let filter = crate::store::AllChannels {
            include_archived,
            exclude_default,
        };
        async move {
            store
                .list_all_channels(filter, offset, limit)
                .await
                .unwrap()
        }
    };
    let (listed, total) = all(false, false, 0, 100).await;
    assert_eq!(names(&listed), ["off-topic", "four", "one", "three", "two"]);
    assert_eq!(listed[0], off_topic);
    assert_eq!(total, 5);
    let (listed, total) = all(true, true, 0, 100).await;
    assert_eq!(names(&listed), ["five", "four", "one", "three", "two"]);
    assert_eq!(total, 5);
    let (listed, total) = all(true, false, 2, 2).await;
    assert_eq!(names(&listed), ["four", "one"]);
    assert_eq!(total, 6);
    let (listed, total) = all(false, false, 10, 2).await;
    assert!(listed.is_empty());
    assert_eq!(total, 5);
}

async fn channel_membership_lifecycle(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let c = Channel {
        total_msg_count: 5,
        total_msg_count_root: 2,
        creator_id: alice.id.clone(),
        ..new_channel(&t.id, "busy", "Busy", ChannelType::Open)
    };
    let c = store
        .create_channel(&c, &[channel_member(&c, &alice, 0)])
        .await
        .unwrap();
    let other = channel(store, &u.id, "other", "Other", ChannelType::Open, &[&alice]).await;
    let dm = channel(store, "", "a__b", "", ChannelType::Direct, &[&alice, &bob]).await;
    let before = store.last_seq().await.unwrap();

    let start = now_millis();
    let added = store
        .add_channel_member(&channel_member(&c, &bob, 123))
        .await
        .unwrap();
    assert!(added.last_update_at >= start);
    assert_eq!(
        added,
        ChannelMember {
            roles: "channel_user".into(),
            msg_count: 5,
            msg_count_root: 2,
            notify_props: default_notify_props(),
            last_update_at: added.last_update_at,
            ..channel_member(&c, &bob, 123)
        }
    );
    assert_eq!(
        store.get_channel_member(&c.id, &bob.id).await.unwrap(),
        added
    );
    let seq = store.last_seq().await.unwrap();
    assert!(is_other_conflict(
        store.add_channel_member(&channel_member(&c, &bob, 0)).await
    ));
    let nowhere = new_channel(&t.id, "nowhere", "", ChannelType::Open);
    assert!(not_found(
        store
            .add_channel_member(&channel_member(&nowhere, &bob, 0))
            .await
    ));
    let ghost = User {
        id: new_id(),
        ..User::default()
    };
    let result = store
        .add_channel_member(&channel_member(&c, &ghost, 0))
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(store.last_seq().await.unwrap(), seq);
    store
        .add_channel_member(&channel_member(&c, &carol, 0))
        .await
        .unwrap();

    // Updating roles and notification settings.
    let mut notify = default_notify_props();
    notify.insert("desktop".into(), "mention".into());
    notify.insert("émoji".into(), "✓".into());
    let updated = store
        .update_channel_member(&ChannelMember {
            scheme_admin: true,
            explicit_roles: "extra more".into(),
            notify_props: notify.clone(),
            // Read state is not saved here.
            msg_count: 1_000,
            last_viewed_at: 1,
            ..added.clone()
        })
        .await
        .unwrap();
    assert!(updated.last_update_at >= added.last_update_at);
    assert_eq!(
        updated,
        ChannelMember {
            roles: "channel_user channel_admin extra more".into(),
            scheme_admin: true,
            explicit_roles: "extra more".into(),
            notify_props: notify,
            last_update_at: updated.last_update_at,
            ..added.clone()
        }
    );
    // Empty notify props mean the defaults.
    let reset = store
        .update_channel_member(&ChannelMember {
            notify_props: Default::default(),
            ..updated.clone()
        })
        .await
        .unwrap();
    assert_eq!(reset.notify_props, default_notify_props());
    assert!(not_found(
        store
            .update_channel_member(&channel_member(&other, &bob, 0))
            .await
    ));

    // Listing and counting.
    let everyone = sorted(vec![alice.id.clone(), bob.id.clone(), carol.id.clone()]);
    let listed = store.list_channel_members(&c.id, 0, 100).await.unwrap();
    assert_eq!(ids(&listed, |m| &m.user_id), everyone);
    assert_eq!(
        sorted(store.channel_member_ids(&c.id).await.unwrap()),
        everyone
    );
    assert!(
        store
            .channel_member_ids(&new_id())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(
            &store.list_channel_members(&c.id, 2, 5).await.unwrap(),
            |m| &m.user_id
        ),
        [everyone[2].clone()]
    );
    assert!(
        store
            .list_channel_members(&c.id, 3, 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_channel_members(&c.id, 0, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.channel_member_count(&c.id).await.unwrap(), 3);
    store.set_user_active(&carol.id, false).await.unwrap();
    assert_eq!(store.channel_member_count(&c.id).await.unwrap(), 2);
    assert_eq!(store.channel_member_count(&new_id()).await.unwrap(), 0);

    let cid = |m: &ChannelMember| m.channel_id.clone();
    let in_t = store
        .list_user_channel_members(&alice.id, Some(&t.id))
        .await
        .unwrap();
    assert_eq!(
        in_t.iter().map(cid).collect::<Vec<_>>(),
        sorted(vec![c.id.clone(), dm.id.clone()])
    );
    let all = store
        .list_user_channel_members(&alice.id, None)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(cid).collect::<Vec<_>>(),
        sorted(vec![c.id.clone(), dm.id.clone(), other.id.clone()])
    );
    let bob_in_u = store
        .list_user_channel_members(&bob.id, Some(&u.id))
        .await
        .unwrap();
    assert_eq!(
        bob_in_u.iter().map(cid).collect::<Vec<_>>(),
        vec![dm.id.clone()]
    );
    assert_eq!(
        bob_in_u[0],
        store.get_channel_member(&dm.id, &bob.id).await.unwrap()
    );

    // Removing.
    store.remove_channel_member(&c.id, &bob.id).await.unwrap();
    assert!(
        !store
            .channel_member_ids(&c.id)
            .await
            .unwrap()
            .contains(&bob.id)
    );
    assert!(not_found(store.get_channel_member(&c.id, &bob.id).await));
    assert!(not_found(store.remove_channel_member(&c.id, &bob.id).await));
    assert!(not_found(
        store.remove_channel_member(&new_id(), &bob.id).await
    ));
    assert_eq!(store.channel_member_count(&c.id).await.unwrap(), 1);

    let feed = changes(store, before).await;
    let feed: Vec<_> = feed.iter().filter(|c| c.kind != "user_updated").collect();
    let (ci, ti) = (c.id.as_str(), t.id.as_str());
    assert_eq!(
        feed.iter().map(|c| row(c)).collect::<Vec<_>>(),
        [
            ("user_added", ci, ti, ci, &*bob.id),
            ("user_added", ci, ti, ci, &*carol.id),
            ("channel_member_updated", ci, ti, ci, &*bob.id),
            ("channel_member_updated", ci, ti, ci, &*bob.id),
            ("user_removed", ci, ti, ci, &*bob.id),
        ]
    );
    let membership = json!({ "channel_id": c.id, "user_id": bob.id, "team_id": t.id });
    assert_eq!(feed[0].data, membership);
    assert_eq!(feed[4].data, membership);
    let sent: ChannelMember =
        serde_json::from_str(feed[2].data["channelMember"].as_str().unwrap()).unwrap();
    assert_eq!(sent, updated);
}

async fn channel_read_state_follows_views_and_unreads(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let c = channel(store, &t.id, "c", "C", ChannelType::Open, &[&alice, &bob]).await;
    let t0 = c.create_at;
    let p1 = post(store, &c, &alice, "", t0 + 10, &[]).await;
    let p2 = post(store, &c, &alice, "", t0 + 20, &[&bob]).await;
    let p3 = post(store, &c, &alice, &p1.id, t0 + 30, &[&bob]).await;
    // An edit keeps the old version as a row with the original's create_at, which
    // counts for nothing.
    store
        .edit_post(
            &Post {
                message: "edited".into(),
                ..p2.clone()
            },
            &p2,
        )
        .await
        .unwrap();

    let channel = store.get_channel(&c.id).await.unwrap();
    assert_eq!(
        (
            channel.total_msg_count,
            channel.total_msg_count_root,
            channel.last_post_at,
            channel.last_root_post_at
        ),
        (3, 2, p3.create_at, p2.create_at)
    );
    let b = store.get_channel_member(&c.id, &bob.id).await.unwrap();
    assert_eq!(
        (
            b.last_viewed_at,
            b.msg_count,
            b.mention_count,
            b.mention_count_root
        ),
        (t0, 0, 2, 1)
    );

    let before = store.last_seq().await.unwrap();
    assert_eq!(
        store.view_channel(&c.id, &bob.id, t0 + 100).await.unwrap(),
        t0
    );
    let b = store.get_channel_member(&c.id, &bob.id).await.unwrap();
    assert_eq!(
        (
            b.last_viewed_at,
            b.msg_count,
            b.msg_count_root,
            b.mention_count,
            b.mention_count_root,
            b.urgent_mention_count,
            b.last_update_at
        ),
        (t0 + 100, 3, 2, 0, 0, 0, t0 + 100)
    );
    // Viewing with an older clock never moves the read position back.
    assert_eq!(
        store.view_channel(&c.id, &bob.id, t0 + 50).await.unwrap(),
        t0 + 100
    );
    let b = store.get_channel_member(&c.id, &bob.id).await.unwrap();
    assert_eq!((b.last_viewed_at, b.last_update_at), (t0 + 100, t0 + 50));
    let seq = store.last_seq().await.unwrap();
    assert!(not_found(store.view_channel(&c.id, &carol.id, t0).await));
    assert!(not_found(store.view_channel(&new_id(), &bob.id, t0).await));
    assert_eq!(store.last_seq().await.unwrap(), seq);

    // Unread from p2 on: p2 and p3 (one root) are unread again.
    let start = now_millis();
    let unread = MarkUnread {
        post_id: p2.id.clone(),
        from: p2.create_at,
        mention_count: 1,
        mention_count_root: 1,
    };
    let marked = store
        .mark_channel_unread(&c.id, &bob.id, &unread)
        .await
        .unwrap();
    assert!(marked.last_update_at >= start);
    assert_eq!(
        (
            marked.last_viewed_at,
            marked.msg_count,
            marked.msg_count_root,
            marked.mention_count,
            marked.mention_count_root,
            marked.urgent_mention_count
        ),
        (p2.create_at - 1, 1, 1, 1, 1, 0)
    );
    assert_eq!(
        store.get_channel_member(&c.id, &bob.id).await.unwrap(),
        marked
    );
    // From before the first post: everything is unread.
    let all = store
        .mark_channel_unread(
            &c.id,
            &bob.id,
            &MarkUnread {
                post_id: p1.id.clone(),
                from: p1.create_at,
                ..MarkUnread::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (all.msg_count, all.msg_count_root, all.mention_count),
        (0, 0, 0)
    );
    let seq = store.last_seq().await.unwrap();
    assert!(not_found(
        store.mark_channel_unread(&c.id, &carol.id, &unread).await
    ));
    assert_eq!(store.last_seq().await.unwrap(), seq);

    let feed = changes(store, before).await;
    let (ci, ti, bi) = (c.id.as_str(), t.id.as_str(), bob.id.as_str());
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [
            ("channel_viewed", ci, ti, ci, bi),
            ("channel_viewed", ci, ti, ci, bi),
            ("post_unread", ci, ti, ci, bi),
            ("post_unread", ci, ti, ci, bi),
        ]
    );
    assert_eq!(
        feed[0].data,
        json!({ "channel_id": c.id, "user_id": bob.id, "team_id": t.id })
    );
    assert_eq!(
        feed[2].data,
        json!({
            "post_id": p2.id,
            "msg_count": 1,
            "msg_count_root": 1,
            "mention_count": 1,
            "mention_count_root": 1,
            "urgent_mention_count": 0,
            "last_viewed_at": p2.create_at - 1,
        })
    );
}

// ---------------------------------------------------------------------------------------
// Threads

async fn threads_list_count_follow_and_read(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let u = team(store, &alice, "you", "You").await;
    let open = ChannelType::Open;
    let c = channel(store, &t.id, "c", "C", open, &[&alice, &bob, &carol]).await;
    let d = channel(store, &u.id, "d", "D", open, &[&alice, &bob]).await;
    let dm = channel(store, "", "a__b", "", ChannelType::Direct, &[&alice, &bob]).await;
    let t0 = c.create_at;

    // r1 in team t: bob replies mentioning alice, then carol replies.
    let r1 = post(store, &c, &alice, "", t0 + 10, &[]).await;
    post(store, &c, &bob, &r1.id, t0 + 20, &[&alice]).await;
    post(store, &c, &carol, &r1.id, t0 + 30, &[]).await;
    // r2 in the direct channel (every team's), r3 in team u.
    let r2 = post(store, &dm, &bob, "", t0 + 40, &[]).await;
    post(store, &dm, &alice, &r2.id, t0 + 50, &[]).await;
    let r3 = post(store, &d, &bob, "", t0 + 60, &[]).await;
    post(store, &d, &alice, &r3.id, t0 + 70, &[]).await;
    // r4 has no replies; alice follows it by hand.
    let r4 = post(store, &c, &carol, "", t0 + 80, &[]).await;

    let before = store.last_seq().await.unwrap();
    store
        .set_thread_following(&alice.id, &r4.id, true)
        .await
        .unwrap();

    let query = |since: i64, unread_only: bool, offset: u32, limit: u32| ThreadQuery {
        unread_only,
        since,
        offset,
        limit,
        cursor: None,
    };
    let roots = |threads: &[crate::store::ThreadState]| -> Vec<String> {
        threads.iter().map(|t| t.root.id.clone()).collect()
    };

    // Threads without replies are not listed (nothing after `since`) but are counted.
    let listed = store
        .list_threads(&alice.id, &t.id, &query(0, false, 0, 10))
        .await
        .unwrap();
    assert_eq!(roots(&listed), [r2.id.clone(), r1.id.clone()]);
    let first = &listed[1];
    assert!(first.following);
    assert_eq!(
        (
            first.last_viewed,
            first.unread_mentions,
            first.unread_replies
        ),
        (0, 1, 2)
    );
    assert_eq!(first.participant_ids, [carol.id.clone(), bob.id.clone()]);
    assert_eq!(
        (first.root.reply_count, first.root.last_reply_at),
        (2, t0 + 30)
    );
    assert_eq!(first.root.message, r1.message);
    let direct = &listed[0];
    assert_eq!(
        (
            direct.last_viewed,
            direct.unread_mentions,
            direct.unread_replies
        ),
        (t0 + 50, 0, 0)
    );
    assert_eq!(direct.participant_ids, vec![alice.id.clone()]);
    assert_eq!(
        store.get_thread(&alice.id, &r1.id).await.unwrap(),
        listed[1]
    );
    assert_eq!(
        store.thread_totals(&alice.id, &t.id).await.unwrap(),
        (3, 1, 1)
    );

    // Filters and paging.
    let unread = store
        .list_threads(&alice.id, &t.id, &query(0, true, 0, 10))
        .await
        .unwrap();
    assert_eq!(roots(&unread), vec![r1.id.clone()]);
    let recent = store
        .list_threads(&alice.id, &t.id, &query(t0 + 40, false, 0, 10))
        .await
        .unwrap();
    assert_eq!(roots(&recent), vec![r2.id.clone()]);
    let (aid, tid) = (alice.id.as_str(), t.id.as_str());
    let page = move |offset: u32, limit: u32| async move {
        let query = ThreadQuery {
            offset,
            limit,
            ..ThreadQuery::default()
        };
        store.list_threads(aid, tid, &query).await
    };
    assert_eq!(roots(&page(0, 1).await.unwrap()), vec![r2.id.clone()]);
    assert_eq!(roots(&page(1, 1).await.unwrap()), vec![r1.id.clone()]);
    assert!(page(2, 10).await.unwrap().is_empty());
    assert!(page(0, 0).await.unwrap().is_empty());
    // Pages next to a thread, in the list's order (r2, then r1).
    let next_to = move |cursor: ThreadCursor, limit: u32| async move {
        let query = ThreadQuery {
            limit,
            cursor: Some(cursor),
            ..ThreadQuery::default()
        };
        store.list_threads(aid, tid, &query).await.unwrap()
    };
    let at = |thread: &Post| {
        (
            thread.id.clone(),
            t0 + if thread.id == r1.id { 30 } else { 50 },
        )
    };
    let older_than = |thread: &Post| {
        let (root_id, last_reply_at) = at(thread);
        ThreadCursor::Before {
            last_reply_at,
            root_id,
        }
    };
    let newer_than = |thread: &Post| {
        let (root_id, last_reply_at) = at(thread);
        ThreadCursor::After {
            last_reply_at,
            root_id,
        }
    };
    assert_eq!(
        roots(&next_to(older_than(&r2), 10).await),
        vec![r1.id.clone()]
    );
    assert!(next_to(older_than(&r1), 10).await.is_empty());
    assert_eq!(
        roots(&next_to(newer_than(&r1), 10).await),
        vec![r2.id.clone()]
    );
    assert!(next_to(newer_than(&r2), 10).await.is_empty());
    let in_u = store
        .list_threads(&alice.id, &u.id, &query(0, false, 0, 10))
        .await
        .unwrap();
    assert_eq!(roots(&in_u), [r3.id.clone(), r2.id.clone()]);
    assert_eq!(
        store.thread_totals(&alice.id, &u.id).await.unwrap(),
        (2, 0, 0)
    );
    assert_eq!(
        store.thread_totals(&alice.id, &new_id()).await.unwrap(),
        (1, 0, 0)
    );

    // Single threads and their followers.
    let r3_state = store.get_thread(&alice.id, &r3.id).await.unwrap();
    assert_eq!(r3_state.last_viewed, t0 + 70);
    assert!(not_found(store.get_thread(&carol.id, &r2.id).await));
    assert!(not_found(store.get_thread(&alice.id, &new_id()).await));
    assert_eq!(
        store.thread_followers(&r1.id).await.unwrap(),
        sorted(vec![alice.id.clone(), bob.id.clone(), carol.id.clone()])
    );
    assert_eq!(
        store.thread_followers(&r4.id).await.unwrap(),
        vec![alice.id.clone()]
    );
    assert!(store.thread_followers(&new_id()).await.unwrap().is_empty());

    // Unfollowing hides the thread but keeps its state.
    store
        .set_thread_following(&alice.id, &r1.id, false)
        .await
        .unwrap();
    assert_eq!(
        store.thread_followers(&r1.id).await.unwrap(),
        sorted(vec![bob.id.clone(), carol.id.clone()])
    );
    assert_eq!(roots(&page(0, 10).await.unwrap()), vec![r2.id.clone()]);
    let unfollowed = store.get_thread(&alice.id, &r1.id).await.unwrap();
    assert!(!unfollowed.following);
    assert_eq!(unfollowed.unread_mentions, 1);
    assert_eq!(
        store.thread_totals(&alice.id, &t.id).await.unwrap(),
        (2, 0, 0)
    );
    store
        .set_thread_following(&alice.id, &r1.id, true)
        .await
        .unwrap();
    // A thread that does not exist cannot be followed, and nothing is announced.
    let seq = store.last_seq().await.unwrap();
    let result = store.set_thread_following(&alice.id, &new_id(), true).await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(store.last_seq().await.unwrap(), seq);
    // Following a thread of a channel one is not in: a follower, but nothing listed.
    store
        .set_thread_following(&carol.id, &r2.id, true)
        .await
        .unwrap();
    assert!(
        store
            .thread_followers(&r2.id)
            .await
            .unwrap()
            .contains(&carol.id)
    );
    let carols = store
        .list_threads(&carol.id, &t.id, &query(0, false, 0, 10))
        .await
        .unwrap();
    assert_eq!(roots(&carols), vec![r1.id.clone()]);

    // Reading one thread.
    store
        .mark_threads_read(&alice.id, &t.id, Some(&r1.id), t0 + 100)
        .await
        .unwrap();
    let read = store.get_thread(&alice.id, &r1.id).await.unwrap();
    assert_eq!(
        (read.last_viewed, read.unread_mentions, read.unread_replies),
        (t0 + 100, 0, 0)
    );
    let seq = store.last_seq().await.unwrap();
    assert!(not_found(
        store
            .mark_threads_read(&alice.id, &t.id, Some(&new_id()), t0)
            .await
    ));
    assert!(not_found(
        store
            .mark_threads_read(&carol.id, &u.id, Some(&r3.id), t0)
            .await
    ));
    assert_eq!(store.last_seq().await.unwrap(), seq);
    // A new reply mentioning alice makes it unread again.
    post(store, &c, &bob, &r1.id, t0 + 110, &[&alice]).await;
    let again = store.get_thread(&alice.id, &r1.id).await.unwrap();
    assert_eq!((again.unread_mentions, again.unread_replies), (1, 1));
    assert_eq!(again.participant_ids, [bob.id.clone(), carol.id.clone()]);
    assert_eq!(
        store.thread_totals(&alice.id, &t.id).await.unwrap(),
        (3, 1, 1)
    );

    // Reading every thread of a team leaves other teams' threads alone.
    store
        .mark_threads_read(&alice.id, &t.id, None, t0 + 200)
        .await
        .unwrap();
    assert_eq!(
        store.thread_totals(&alice.id, &t.id).await.unwrap(),
        (3, 0, 0)
    );
    for root in [&r1, &r2, &r4] {
        let state = store.get_thread(&alice.id, &root.id).await.unwrap();
        assert_eq!(state.last_viewed, t0 + 200);
    }
    assert_eq!(
        store
            .get_thread(&alice.id, &r3.id)
            .await
            .unwrap()
            .last_viewed,
        t0 + 70
    );

    // Deleted roots and channels one has left drop out.
    store.delete_post(&r2.id, t0 + 300).await.unwrap();
    assert_eq!(roots(&page(0, 10).await.unwrap()), vec![r1.id.clone()]);
    assert_eq!(
        store.thread_totals(&alice.id, &t.id).await.unwrap(),
        (2, 0, 0)
    );
    store.remove_channel_member(&c.id, &carol.id).await.unwrap();
    assert!(
        store
            .list_threads(&carol.id, &t.id, &query(0, false, 0, 10))
            .await
            .unwrap()
            .is_empty()
    );

    // The feed rows of follows and reads.
    let feed = changes(store, before).await;
    let threads: Vec<_> = feed
        .iter()
        .filter(|c| c.kind.starts_with("thread_"))
        .collect();
    let (ai, ci, ti) = (aid, carol.id.as_str(), tid);
    assert_eq!(
        threads.iter().map(|c| row(c)).collect::<Vec<_>>(),
        [
            ("thread_follow_changed", &*r4.id, "", "", ai),
            ("thread_follow_changed", &*r1.id, "", "", ai),
            ("thread_follow_changed", &*r1.id, "", "", ai),
            ("thread_follow_changed", &*r2.id, "", "", ci),
            ("thread_read_changed", &*r1.id, ti, "", ai),
            ("thread_read_changed", "", ti, "", ai),
        ]
    );
    assert_eq!(
        threads[1].data,
        json!({ "thread_id": r1.id, "state": false })
    );
    assert_eq!(
        threads[4].data,
        json!({ "thread_id": r1.id, "timestamp": t0 + 100 })
    );
    assert_eq!(
        threads[5].data,
        json!({ "thread_id": null, "timestamp": t0 + 200 })
    );
}

async fn thread_cursors_step_through_ties_without_gaps_or_repeats(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let c = channel(store, &t.id, "c", "C", ChannelType::Open, &[&alice, &bob]).await;
    let t0 = c.create_at;
    // Four threads; the middle two were last replied to at the same moment.
    let mut roots = Vec::new();
    for (n, reply_at) in [(1, 100), (2, 200), (3, 200), (4, 300)] {
        let root = post(store, &c, &alice, "", t0 + n, &[]).await;
        post(store, &c, &bob, &root.id, t0 + reply_at, &[]).await;
        roots.push(root);
    }
    let list = |cursor: Option<ThreadCursor>, limit: u32| {
        let (aid, tid) = (alice.id.clone(), t.id.clone());
        async move {
            let query = ThreadQuery {
                limit,
                cursor,
                ..ThreadQuery::default()
            };
            let threads = store.list_threads(&aid, &tid, &query).await.unwrap();
            threads
                .into_iter()
                .map(|t| (t.root.id, t.root.last_reply_at))
                .collect::<Vec<_>>()
        }
    };
    let everything = list(None, 10).await;
    assert_eq!(everything.len(), 4);
    // One at a time, each page after the last thread seen, in both directions.
    let mut walked = list(None, 1).await;
    loop {
        let (root_id, last_reply_at) = walked.last().unwrap().clone();
        let page = list(
            Some(ThreadCursor::Before {
                last_reply_at,
                root_id,
            }),
            1,
        )
        .await;
        if page.is_empty() {
            break;
        }
        walked.extend(page);
    }
    assert_eq!(walked, everything);
    let mut back = vec![everything.last().unwrap().clone()];
    loop {
        let (root_id, last_reply_at) = back.last().unwrap().clone();
        let page = list(
            Some(ThreadCursor::After {
                last_reply_at,
                root_id,
            }),
            1,
        )
        .await;
        if page.is_empty() {
            break;
        }
        back.extend(page);
    }
    back.reverse();
    assert_eq!(back, everything);
}

async fn concurrent_channel_writes_behave_as_if_one_at_a_time(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let t = team(store, &alice, "tee", "Tee").await;
    let before = store.last_seq().await.unwrap();

    // Two people opening the same conversation at once: one wins, the others hear
    // `Conflict("name")` (the app then reads the winner).
    let attempts: Vec<Channel> = (0..6)
        .map(|_| Channel {
            creator_id: alice.id.clone(),
            ..new_channel("", "alice__bob", "", ChannelType::Direct)
        })
        .collect();
    let results = futures_util::future::join_all(attempts.iter().map(|c| {
        let members = [channel_member(c, &alice, 0), channel_member(c, &bob, 0)];
        async move { store.create_channel(c, &members).await }
    }))
    .await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(StoreError::Conflict(c)) if c == "name")),
        "{results:?}"
    );
    let dm = store.get_channel_by_name("", "alice__bob").await.unwrap();
    assert_eq!(dm, *won[0]);
    let feed = changes(store, before).await;
    assert_eq!(
        feed.iter().map(row).collect::<Vec<_>>(),
        [("direct_added", &*dm.id, "", &*dm.id, &*alice.id)]
    );

    // Views at once: exactly one of them saw the position before all of them.
    let c = channel(store, &t.id, "c", "C", ChannelType::Open, &[&alice]).await;
    let t0 = c.create_at;
    let views = (1..=8).map(|i| store.view_channel(&c.id, &alice.id, t0 + i));
    let previous: Vec<i64> = futures_util::future::join_all(views)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        previous.iter().filter(|p| **p == t0).count(),
        1,
        "{previous:?}"
    );
    let m = store.get_channel_member(&c.id, &alice.id).await.unwrap();
    assert_eq!(m.last_viewed_at, t0 + 8);

    // Joins at once: one membership, every call answered with it.
    let (joiner, defaults) = (team_member(&t, &bob), [c.id.clone()]);
    let joins = (0..6).map(|_| store.add_team_member(&joiner, &defaults));
    for joined in futures_util::future::join_all(joins).await {
        assert_eq!(joined.unwrap().roles, "team_user");
    }
    assert_eq!(store.team_member_counts(&t.id).await.unwrap(), (2, 2));
    assert_eq!(store.channel_member_count(&c.id).await.unwrap(), 2);
}

super::suite!(
    teams_round_trip_with_their_creator_and_default_channels,
    team_creation_conflicts_and_rolls_back,
    team_listings_filter_sort_and_page,
    team_updates_save_fields_and_choose_their_change,
    team_icon_times_change_the_icon_time_and_nothing_else,
    team_members_join_in_batches_all_or_none,
    team_membership_lifecycle,
    channels_round_trip_with_their_members,
    channel_updates_save_fields_and_choose_their_change,
    channel_update_rows_name_the_previous_type_only_on_a_conversion,
    channel_listings_filter_sort_and_page,
    scanning_team_channels_pages_through_all_of_them,
    channel_membership_lifecycle,
    channel_read_state_follows_views_and_unreads,
    threads_list_count_follow_and_read,
    thread_cursors_step_through_ties_without_gaps_or_repeats,
    concurrent_channel_writes_behave_as_if_one_at_a_time,
);
