//! Sidebar categories: stored categories and placements round trip, one place per channel
//! and team, deletes take their placements, favourite preferences are written in the same
//! transaction, leaving a channel forgets its place, and each write's feed rows.

use crate::model::{
    CategorySorting, CategoryType, Channel, ChannelMember, ChannelType, Preference,
    SidebarCategory, Team, TeamMember, TeamType, User, new_id, now_millis,
};
use crate::store::{CategoryWrite, Placement, SidebarEvent, SidebarWrite, Store, StoreError};

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

async fn team(store: &dyn Store, creator: &User) -> Team {
    let now = now_millis();
    let team = Team {
        id: new_id(),
        create_at: now,
        update_at: now,
        display_name: "Team".into(),
        name: format!("t{}", &new_id()[..8]),
        invite_id: new_id(),
        team_type: TeamType::Open,
        ..Team::default()
    };
    let member = TeamMember {
        team_id: team.id.clone(),
        user_id: creator.id.clone(),
        scheme_user: true,
        ..TeamMember::default()
    };
    store.create_team(&team, &member, &[]).await.unwrap()
}

async fn channel(store: &dyn Store, team: &Team, name: &str, member: &User) -> Channel {
    let now = now_millis();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        team_id: team.id.clone(),
        channel_type: ChannelType::Open,
        name: name.into(),
        display_name: name.into(),
        ..Channel::default()
    };
    let members = [ChannelMember {
        channel_id: channel.id.clone(),
        user_id: member.id.clone(),
        scheme_user: true,
        ..ChannelMember::default()
    }];
    store.create_channel(&channel, &members).await.unwrap()
}

fn custom(
    user: &User,
    team: &Team,
    name: &str,
    sort_order: i64,
    channels: &[&Channel],
) -> SidebarCategory {
    SidebarCategory {
        id: new_id(),
        user_id: user.id.clone(),
        team_id: team.id.clone(),
        kind: CategoryType::Custom,
        display_name: name.into(),
        sorting: CategorySorting::Manual,
        sort_order,
        muted: true,
        collapsed: false,
        channel_ids: channels.iter().map(|c| c.id.clone()).collect(),
    }
}

fn placement(channel: &Channel, category: &SidebarCategory, sort_order: i64) -> Placement {
    Placement {
        channel_id: channel.id.clone(),
        category_id: category.id.clone(),
        sort_order,
    }
}

fn write(categories: &[&SidebarCategory], event: SidebarEvent) -> SidebarWrite {
    SidebarWrite {
        categories: categories
            .iter()
            .map(|c| CategoryWrite {
                category: (*c).clone(),
                channels: true,
                order_only: false,
            })
            .collect(),
        event,
        ..SidebarWrite::default()
    }
}

async fn sidebar_rows_round_trip_with_one_place_per_channel(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let team = team(store, &alice).await;
    let (a, b, c) = (
        channel(store, &team, "a", &alice).await,
        channel(store, &team, "b", &alice).await,
        channel(store, &team, "c", &alice).await,
    );
    assert_eq!(
        store.sidebar_rows(&alice.id, &team.id).await.unwrap(),
        Default::default()
    );

    let work = custom(&alice, &team, "Work", 5, &[&b, &a]);
    let after = store.last_seq().await.unwrap();
    store
        .write_sidebar(
            &alice.id,
            &team.id,
            &write(&[&work], SidebarEvent::Created(work.id.clone())),
        )
        .await
        .unwrap();
    let rows = store.sidebar_rows(&alice.id, &team.id).await.unwrap();
    let stored = SidebarCategory {
        channel_ids: Vec::new(),
        ..work.clone()
    };
    assert_eq!(rows.categories, std::slice::from_ref(&stored));
    assert_eq!(
        rows.placements,
        [placement(&b, &work, 0), placement(&a, &work, 10)]
    );

    // Placing `a` in Favorites takes it out of Work; the category row is saved too.
    let mut favorites = SidebarCategory::default_for(CategoryType::Favorites, &alice.id, &team.id);
    favorites.channel_ids = vec![a.id.clone(), c.id.clone()];
    favorites.collapsed = true;
    store
        .write_sidebar(
            &alice.id,
            &team.id,
            &write(
                &[&favorites],
                SidebarEvent::Updated(vec![favorites.clone()]),
            ),
        )
        .await
        .unwrap();
    let rows = store.sidebar_rows(&alice.id, &team.id).await.unwrap();
    assert_eq!(rows.categories.len(), 2);
    assert_eq!(rows.categories[0].id, favorites.id, "in sort order");
    assert!(rows.categories[0].collapsed);
    let mut placements = rows.placements.clone();
    placements.sort_by(|x, y| x.channel_id.cmp(&y.channel_id));
    let mut expected = vec![
        placement(&b, &work, 0),
        placement(&a, &favorites, 0),
        placement(&c, &favorites, 10),
    ];
    expected.sort_by(|x, y| x.channel_id.cmp(&y.channel_id));
    assert_eq!(placements, expected);

    // A write that does not replace channels keeps them; sort orders change.
    let moved = SidebarCategory {
        sort_order: 30,
        display_name: "Work stuff".into(),
        ..stored.clone()
    };
    let only_order = SidebarWrite {
        categories: vec![CategoryWrite {
            category: moved.clone(),
            channels: false,
            order_only: false,
        }],
        event: SidebarEvent::OrderUpdated(vec![favorites.id.clone(), work.id.clone()]),
        ..SidebarWrite::default()
    };
    store
        .write_sidebar(&alice.id, &team.id, &only_order)
        .await
        .unwrap();
    let rows = store.sidebar_rows(&alice.id, &team.id).await.unwrap();
    assert_eq!(rows.categories[1], moved);
    assert!(rows.placements.contains(&placement(&b, &work, 0)));

    // An order-only write from an older snapshot (another device reordering) moves the
    // category but keeps what was changed meanwhile.
    let stale = SidebarCategory {
        sort_order: 40,
        display_name: "Work".into(),
        collapsed: true,
        ..stored.clone()
    };
    let reorder = SidebarWrite {
        categories: vec![CategoryWrite {
            category: stale,
            channels: false,
            order_only: true,
        }],
        ..SidebarWrite::default()
    };
    store
        .write_sidebar(&alice.id, &team.id, &reorder)
        .await
        .unwrap();
    let rows = store.sidebar_rows(&alice.id, &team.id).await.unwrap();
    assert_eq!(
        rows.categories[1],
        SidebarCategory {
            sort_order: 40,
            ..moved.clone()
        }
    );

    // Another user's sidebar is their own.
    assert_eq!(
        store.sidebar_rows(&bob.id, &team.id).await.unwrap(),
        Default::default()
    );
    let foreign = custom(&bob, &team, "Not mine", 0, &[]);
    let refused = store
        .write_sidebar(&alice.id, &team.id, &write(&[&foreign], SidebarEvent::None))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );

    // Deleting Work drops its placements; the feed has one row per write with an event.
    store
        .write_sidebar(
            &alice.id,
            &team.id,
            &SidebarWrite {
                delete: vec![work.id.clone()],
                event: SidebarEvent::Deleted(work.id.clone()),
                ..SidebarWrite::default()
            },
        )
        .await
        .unwrap();
    let rows = store.sidebar_rows(&alice.id, &team.id).await.unwrap();
    assert_eq!(rows.categories.len(), 1);
    assert_eq!(rows.placements.len(), 2);
    let feed = store.changes_since(after, 100).await.unwrap();
    let kinds: Vec<(&str, &str, &str)> = feed
        .iter()
        .map(|c| (c.kind.as_str(), c.user_id.as_str(), c.team_id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "sidebar_category_created",
                alice.id.as_str(),
                team.id.as_str()
            ),
            (
                "sidebar_category_updated",
                alice.id.as_str(),
                team.id.as_str()
            ),
            (
                "sidebar_category_order_updated",
                alice.id.as_str(),
                team.id.as_str()
            ),
            (
                "sidebar_category_deleted",
                alice.id.as_str(),
                team.id.as_str()
            ),
        ]
    );
    assert_eq!(feed[0].data["category_id"], work.id.as_str());
    let updated: Vec<SidebarCategory> =
        serde_json::from_str(feed[1].data["updatedCategories"].as_str().unwrap()).unwrap();
    assert_eq!(updated, [favorites.clone()]);
    assert_eq!(
        feed[2].data["order"],
        serde_json::json!([favorites.id, work.id])
    );
}

async fn sidebar_writes_carry_favourite_preferences_and_leaving_forgets_places(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let team = team(store, &alice).await;
    let a = channel(store, &team, "a", &alice).await;
    let mut favorites = SidebarCategory::default_for(CategoryType::Favorites, &alice.id, &team.id);
    favorites.channel_ids = vec![a.id.clone()];
    let pref = |value: &str| Preference {
        user_id: alice.id.clone(),
        category: "favorite_channel".into(),
        name: a.id.clone(),
        value: value.into(),
    };
    let after = store.last_seq().await.unwrap();
    let mut with_pref = write(
        &[&favorites],
        SidebarEvent::Updated(vec![favorites.clone()]),
    );
    with_pref.save_preferences = vec![pref("true")];
    store
        .write_sidebar(&alice.id, &team.id, &with_pref)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_preference(&alice.id, "favorite_channel", &a.id)
            .await
            .unwrap()
            .value,
        "true"
    );

    // A write that fails leaves nothing behind: not the category, not the preference.
    favorites.channel_ids.clear();
    // (The preference of another user fails after the placements were replaced.)
    let mut failing = write(&[&favorites], SidebarEvent::None);
    failing.save_preferences = vec![Preference {
        user_id: new_id(),
        ..pref("true")
    }];
    assert!(
        store
            .write_sidebar(&alice.id, &team.id, &failing)
            .await
            .is_err()
    );
    assert_eq!(
        store
            .sidebar_rows(&alice.id, &team.id)
            .await
            .unwrap()
            .placements
            .len(),
        1
    );
    assert!(
        store
            .get_preference(&alice.id, "favorite_channel", &a.id)
            .await
            .is_ok()
    );

    let mut unfavourite = write(
        &[&favorites],
        SidebarEvent::Updated(vec![favorites.clone()]),
    );
    unfavourite.delete_preferences = vec![pref("")];
    store
        .write_sidebar(&alice.id, &team.id, &unfavourite)
        .await
        .unwrap();
    assert!(matches!(
        store
            .get_preference(&alice.id, "favorite_channel", &a.id)
            .await,
        Err(StoreError::NotFound)
    ));
    let kinds: Vec<String> = store
        .changes_since(after, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "preferences_changed",
            "sidebar_category_updated",
            "preferences_deleted",
            "sidebar_category_updated"
        ]
    );

    // Leaving a channel forgets where it was placed.
    favorites.channel_ids = vec![a.id.clone()];
    store
        .write_sidebar(
            &alice.id,
            &team.id,
            &write(&[&favorites], SidebarEvent::None),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .sidebar_rows(&alice.id, &team.id)
            .await
            .unwrap()
            .placements
            .len(),
        1
    );
    store.remove_channel_member(&a.id, &alice.id).await.unwrap();
    assert!(
        store
            .sidebar_rows(&alice.id, &team.id)
            .await
            .unwrap()
            .placements
            .is_empty()
    );
}

super::suite!(
    sidebar_rows_round_trip_with_one_place_per_channel,
    sidebar_writes_carry_favourite_preferences_and_leaving_forgets_places,
);
