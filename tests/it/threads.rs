//! Collapsed reply threads and saved posts, as a user follows a conversation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, data_dir};

async fn post(
    server: &Server,
    who: &Login,
    channel_id: &str,
    message: &str,
    root_id: &str,
) -> Value {
    let (status, body) = server
        .call(
            Some(who),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": message, "root_id": root_id})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn following_a_thread_tracks_its_unread_replies_and_mentions() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let alice = server.admin().await;
    let bob = server.user(&alice, "bob").await;
    let (_, team) = server
        .call(
            Some(&alice),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "crew", "display_name": "Crew", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = server
        .call(
            Some(&alice),
            Method::POST,
            &format!("/api/v4/teams/{team_id}/members"),
            Some(json!({"team_id": team_id, "user_id": bob.id()})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, town) = server
        .call(
            Some(&alice),
            Method::GET,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
            None,
        )
        .await;
    let channel_id = town["id"].as_str().unwrap().to_string();

    let root = post(&server, &alice, &channel_id, "release plan?", "").await;
    let root_id = root["id"].as_str().unwrap().to_string();
    post(&server, &bob, &channel_id, "looks good @admin", &root_id).await;
    post(&server, &bob, &channel_id, "one more thing", &root_id).await;

    let threads_path = format!("/api/v4/users/me/teams/{team_id}/threads");
    let (status, threads) = server
        .call(Some(&alice), Method::GET, &threads_path, None)
        .await;
    assert_eq!(status, 200, "{threads}");
    assert_eq!(
        (
            threads["total"].clone(),
            threads["total_unread_threads"].clone(),
            threads["total_unread_mentions"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    let thread = &threads["threads"][0];
    assert_eq!(thread["id"], root_id.as_str());
    assert_eq!(thread["reply_count"], 2);
    assert_eq!(thread["unread_replies"], 2);
    assert_eq!(thread["unread_mentions"], 1);
    assert_eq!(thread["participants"][0]["username"], "bob");

    // Bob replied, so he follows too, with nothing unread of his own.
    let (_, bobs) = server
        .call(Some(&bob), Method::GET, &threads_path, None)
        .await;
    assert_eq!(bobs["threads"][0]["unread_replies"], 0);
    // Other participants are shown to him as anyone sees other users: no private fields.
    post(&server, &alice, &channel_id, "noted", &root_id).await;
    let (_, bobs) = server
        .call(Some(&bob), Method::GET, &threads_path, None)
        .await;
    let others: Vec<&Value> = bobs["threads"][0]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["id"] != bob.id())
        .collect();
    assert!(!others.is_empty(), "{bobs}");
    for other in &others {
        assert!(other.get("password").is_none_or(|p| p == ""), "{other}");
        assert!(
            other
                .get("notify_props")
                .is_none_or(|p| p.as_object().is_none_or(|m| m.is_empty())),
            "{other}"
        );
        assert!(other.get("last_login").is_none_or(|t| t == 0), "{other}");
        assert!(other.get("mfa_secret").is_none(), "{other}");
    }

    // Reading the thread clears it.
    let now = chrono_now();
    let (status, read) = server
        .call(
            Some(&alice),
            Method::PUT,
            &format!("{threads_path}/{root_id}/read/{now}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        (
            read["unread_replies"].clone(),
            read["unread_mentions"].clone()
        ),
        (json!(0), json!(0))
    );
    let (_, unread_only) = server
        .call(
            Some(&alice),
            Method::GET,
            &format!("{threads_path}?unread=true"),
            None,
        )
        .await;
    assert_eq!(unread_only["threads"], json!([]));

    // Unfollowing hides it; following again brings it back.
    let (status, _) = server
        .call(
            Some(&alice),
            Method::DELETE,
            &format!("{threads_path}/{root_id}/following"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, after) = server
        .call(Some(&alice), Method::GET, &threads_path, None)
        .await;
    assert_eq!(after["total"], 0);
    server
        .call(
            Some(&alice),
            Method::PUT,
            &format!("{threads_path}/{root_id}/following"),
            None,
        )
        .await;
    let (_, again) = server
        .call(Some(&alice), Method::GET, &threads_path, None)
        .await;
    assert_eq!(again["total"], 1);

    // Someone else's threads are private.
    let (status, _) = server
        .call(
            Some(&bob),
            Method::GET,
            &format!("/api/v4/users/{}/teams/{team_id}/threads", alice.id()),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // Saved posts are the `flagged_post` preferences, listed as a PostList.
    let (status, _) = server
        .call(Some(&bob), Method::PUT, "/api/v4/users/me/preferences", Some(json!([{"user_id": bob.id(), "category": "flagged_post", "name": root_id, "value": "true"}])))
        .await;
    assert_eq!(status, 200);
    let (status, flagged) = server
        .call(
            Some(&bob),
            Method::GET,
            "/api/v4/users/me/posts/flagged",
            None,
        )
        .await;
    assert_eq!(status, 200, "{flagged}");
    assert_eq!(flagged["order"], json!([root_id]));
    // What Mattermost's client sends: empty filters are no filters; a team filter keeps
    // that team's posts and drops other teams'.
    for (query, expected) in [
        ("?channel_id=&team_id=&page=0&per_page=60", json!([root_id])),
        (&*format!("?team_id={team_id}"), json!([root_id])),
        ("?team_id=aaaaaaaaaaaaaaaaaaaaaaaaaa", json!([])),
    ] {
        let (status, filtered) = server
            .call(
                Some(&bob),
                Method::GET,
                &format!("/api/v4/users/me/posts/flagged{query}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{query}: {filtered}");
        assert_eq!(filtered["order"], expected, "{query}");
    }
    let (status, _) = server
        .call(
            Some(&bob),
            Method::GET,
            "/api/v4/users/me/posts/flagged?team_id=nope",
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (_, none) = server
        .call(
            Some(&alice),
            Method::GET,
            "/api/v4/users/me/posts/flagged",
            None,
        )
        .await;
    assert_eq!(none["order"], json!([]));
}

fn chrono_now() -> i64 {
    hearth::model::now_millis()
}

/// Mattermost's clients page the threads list with `before` / `after` (a thread id) and
/// `per_page`, not with `page`.
#[tokio::test]
async fn the_threads_list_pages_by_neighbouring_thread() {
    use crate::teams_channels::{add_to_team, get, id_of, new_team};
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let alice = server.admin().await;
    let bob = server.user(&alice, "bob").await;
    let team_id = new_team(&server, &alice, "pager", "O").await;
    add_to_team(&server, &alice, &team_id, bob.id()).await;
    let town = get(
        &server,
        &alice,
        &format!("/teams/{team_id}/channels/name/town-square"),
    )
    .await;
    let channel_id = id_of(&town.1);
    // Five threads, replied to in order: the list shows the last one first.
    let mut roots = Vec::new();
    for n in 1..=5 {
        let root = post(&server, &alice, &channel_id, &format!("topic {n}"), "").await;
        let root_id = root["id"].as_str().unwrap().to_string();
        post(&server, &bob, &channel_id, &format!("reply {n}"), &root_id).await;
        roots.push(root_id);
    }
    let newest_first: Vec<String> = roots.iter().rev().cloned().collect();
    let list = |query: String| {
        let (server, alice, team_id) = (&server, &alice, &team_id);
        async move {
            let path = format!("/users/me/teams/{team_id}/threads?{query}");
            let (status, body) = get(server, alice, &path).await;
            assert_eq!(status, 200, "{body}");
            body["threads"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };

    // Walking back with `before`, two at a time, visits each thread once, in order.
    let mut walked = list("per_page=2".into()).await;
    loop {
        let last = walked.last().unwrap().clone();
        let page = list(format!("per_page=2&before={last}")).await;
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        walked.extend(page);
    }
    assert_eq!(walked, newest_first);
    // `after` gives the nearest newer threads, still newest first.
    assert_eq!(
        list(format!("per_page=2&after={}", roots[1])).await,
        [roots[3].clone(), roots[2].clone()]
    );
    assert!(list(format!("after={}", roots[4])).await.is_empty());
    // A thread unfollowed meanwhile still marks the place; one the user was never in has
    // no neighbours (the totals stay); bad ids are refused.
    let threads_path = format!("/users/me/teams/{team_id}/threads");
    let unfollow = format!("/api/v4{threads_path}/{}/following", roots[2]);
    let (status, _) = server
        .call(Some(&alice), Method::DELETE, &unfollow, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        list(format!("per_page=1&before={}", roots[2])).await,
        [roots[1].clone()]
    );
    let bobs = post(&server, &bob, &channel_id, "bob's own", "").await;
    let path = format!("{threads_path}?before={}", bobs["id"].as_str().unwrap());
    let (status, body) = get(&server, &alice, &path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["threads"], json!([]));
    assert_eq!(body["total"], 4, "{body}");
    for query in [
        "before=nope".to_string(),
        format!("before={}&after={}", roots[3], roots[1]),
    ] {
        let path = format!("/users/me/teams/{team_id}/threads?{query}");
        let (status, body) = get(&server, &alice, &path).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["status_code"], 400, "{body}");
    }
}
