//! Counting: the site statistics (`SystemStore::site_statistics`), user counts by filter
//! (`UserStore::count_matching_users`) and open connections.

use crate::model::{
    Channel, ChannelMember, ChannelType, Post, StatusChange, Team, TeamMember, TeamType, User,
    new_id, now_millis,
};
use crate::store::{DailyCount, Mentions, SiteStatistics, Store, UserQuery};

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

fn member(team: &Team, user: &User) -> TeamMember {
    TeamMember {
        team_id: team.id.clone(),
        user_id: user.id.clone(),
        scheme_user: true,
        ..TeamMember::default()
    }
}

async fn team(store: &dyn Store, creator: &User, name: &str) -> Team {
    let now = now_millis();
    let team = Team {
        id: new_id(),
        create_at: now,
        update_at: now,
        display_name: name.to_string(),
        name: name.to_string(),
        invite_id: new_id(),
        team_type: TeamType::Open,
        allow_open_invite: true,
        ..Team::default()
    };
    let admin = TeamMember {
        scheme_admin: true,
        ..member(&team, creator)
    };
    store.create_team(&team, &admin, &[]).await.unwrap()
}

async fn channel(store: &dyn Store, team_id: &str, name: &str, kind: ChannelType) -> Channel {
    let now = now_millis();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        team_id: team_id.to_string(),
        channel_type: kind,
        name: name.to_string(),
        display_name: name.to_string(),
        ..Channel::default()
    };
    store
        .create_channel(&channel, &Vec::<ChannelMember>::new())
        .await
        .unwrap()
}

async fn post(store: &dyn Store, channel: &Channel, author: &User) -> Post {
    let now = now_millis();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: author.id.clone(),
        channel_id: channel.id.clone(),
        message: "hello".into(),
        ..Post::default()
    };
    store
        .create_post(&post, &Mentions::default())
        .await
        .unwrap()
        .post
}

async fn posts_are_counted_per_utc_day(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let red = team(store, &alice, "red").await;
    let blue = team(store, &alice, "blue").await;
    let red_open = channel(store, &red.id, "town", ChannelType::Open).await;
    let blue_open = channel(store, &blue.id, "town", ChannelType::Open).await;
    // 2026-11-24 23:59:59.999 UTC, then the next two days.
    let late_on_24th = 1_795_564_799_999;
    let at = |channel: &Channel, author: &User, create_at: i64| {
        let post = Post {
            id: new_id(),
            create_at,
            update_at: create_at,
            user_id: author.id.clone(),
            channel_id: channel.id.clone(),
            message: "hello #news".into(),
            hashtags: "#news".into(),
            ..Post::default()
        };
        async move {
            store
                .create_post(&post, &Mentions::default())
                .await
                .unwrap()
                .post
        }
    };
    at(&red_open, &alice, late_on_24th - 5).await;
    at(&red_open, &alice, late_on_24th).await;
    at(&red_open, &alice, late_on_24th + 1).await;
    at(&red_open, &bob, late_on_24th + 2).await;
    // Midnight starting the 26th.
    at(&blue_open, &bob, late_on_24th + 1 + 86_400_000).await;
    let gone = at(&blue_open, &alice, late_on_24th + 1 + 86_400_000).await;
    store.delete_post(&gone.id, now_millis()).await.unwrap();

    let per_day = |team_id: Option<&str>, since: i64, count: DailyCount| {
        let team_id = team_id.map(str::to_string);
        async move {
            let days = store.posts_per_day(team_id.as_deref(), since, count);
            let days = days.await.unwrap();
            days.iter()
                .map(|(day, n)| format!("{day}:{n}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let since = late_on_24th - 86_400_000;
    assert_eq!(
        per_day(None, since, DailyCount::Posts).await,
        "2026-11-26:1 2026-11-25:2 2026-11-24:2"
    );
    assert_eq!(
        per_day(None, since, DailyCount::Authors).await,
        "2026-11-26:1 2026-11-25:2 2026-11-24:1"
    );
    assert_eq!(
        per_day(Some(&red.id), since, DailyCount::Posts).await,
        "2026-11-25:2 2026-11-24:2"
    );
    // Only from `since` on.
    assert_eq!(
        per_day(None, late_on_24th + 1, DailyCount::Posts).await,
        "2026-11-26:1 2026-11-25:2"
    );
    let hashtag_posts = |team_id: Option<&str>| {
        let team_id = team_id.map(str::to_string);
        async move {
            let extra = store.extra_statistics(team_id.as_deref(), now_millis());
            extra.await.unwrap().hashtag_posts
        }
    };
    assert_eq!(hashtag_posts(None).await, 5);
    assert_eq!(hashtag_posts(Some(&red.id)).await, 4);
}

async fn site_statistics_count_what_exists(store: &dyn Store) {
    let empty = store.site_statistics(None, 0, 0).await.unwrap();
    assert_eq!(empty, SiteStatistics::default());

    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    let red = team(store, &alice, "red").await;
    let blue = team(store, &alice, "blue").await;
    store
        .add_team_member(&member(&red, &bob), &[])
        .await
        .unwrap();
    store
        .add_team_member(&member(&red, &carol), &[])
        .await
        .unwrap();
    let red_open = channel(store, &red.id, "town", ChannelType::Open).await;
    let red_private = channel(store, &red.id, "secret", ChannelType::Private).await;
    let blue_open = channel(store, &blue.id, "town", ChannelType::Open).await;
    for _ in 0..3 {
        post(store, &red_open, &alice).await;
    }
    post(store, &red_private, &bob).await;
    let gone = post(store, &blue_open, &alice).await;
    post(store, &blue_open, &alice).await;
    store.delete_post(&gone.id, now_millis()).await.unwrap();

    // Carol leaves the site, the blue team is archived, Bob was active a week ago.
    store.set_user_active(&carol.id, false).await.unwrap();
    let mut archived = store.get_team(&blue.id).await.unwrap();
    archived.delete_at = now_millis();
    store.update_team(&archived).await.unwrap();
    let now = now_millis();
    let week = 7 * 24 * 3600 * 1000;
    store
        .update_status(&alice.id, StatusChange::Activity, now)
        .await
        .unwrap();
    store
        .update_status(&bob.id, StatusChange::Activity, now - week)
        .await
        .unwrap();
    store
        .update_status(&carol.id, StatusChange::Activity, now)
        .await
        .unwrap();

    let day = 24 * 3600 * 1000;
    let site = store
        .site_statistics(None, now - day, now - 31 * day)
        .await
        .unwrap();
    assert_eq!(
        site,
        SiteStatistics {
            public_channels: 2,
            private_channels: 1,
            posts: 5,
            users: 2,
            inactive_users: 1,
            teams: 1,
            daily_active_users: 1,
            monthly_active_users: 2,
        }
    );
    let red_only = store
        .site_statistics(Some(&red.id), now - day, now - 31 * day)
        .await
        .unwrap();
    assert_eq!(
        red_only,
        SiteStatistics {
            public_channels: 1,
            private_channels: 1,
            posts: 4,
            // Alice and Bob; Carol's account is deactivated.
            users: 2,
            ..site
        }
    );
    let unknown = store
        .site_statistics(Some(&new_id()), now - day, now - 31 * day)
        .await
        .unwrap();
    assert_eq!(
        (unknown.public_channels, unknown.posts, unknown.users),
        (0, 0, 0)
    );
}

async fn users_are_counted_by_filter(store: &dyn Store) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let carol = user(store, "carol").await;
    store
        .update_user_roles(&alice.id, "system_user system_admin")
        .await
        .unwrap();
    let red = team(store, &alice, "red").await;
    store
        .add_team_member(&member(&red, &carol), &[])
        .await
        .unwrap();
    store.set_user_active(&carol.id, false).await.unwrap();
    let count = |query: UserQuery| async move { store.count_matching_users(&query).await.unwrap() };
    assert_eq!(count(UserQuery::default()).await, 3);
    let active = UserQuery {
        active: Some(true),
        ..UserQuery::default()
    };
    assert_eq!(count(active.clone()).await, 2);
    assert_eq!(
        count(UserQuery {
            role: Some("system_admin".into()),
            ..active.clone()
        })
        .await,
        1
    );
    assert_eq!(
        count(UserQuery {
            in_team: Some(red.id.clone()),
            ..UserQuery::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(UserQuery {
            in_team: Some(red.id.clone()),
            ..active.clone()
        })
        .await,
        1
    );
    // Paging does not limit a count.
    assert_eq!(
        count(UserQuery {
            limit: 1,
            offset: 2,
            ..UserQuery::default()
        })
        .await,
        3
    );
    let _ = bob;
}

async fn open_connections_are_counted(store: &dyn Store) {
    store.health_check().await.unwrap();
    let connections = store.connections();
    assert!(connections.primary >= 1, "{connections:?}");
    assert_eq!(connections.replicas, 0);
}

super::suite!(
    site_statistics_count_what_exists,
    posts_are_counted_per_utc_day,
    users_are_counted_by_filter,
    open_connections_are_counted,
);
