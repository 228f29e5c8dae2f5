//! Listing, searching and autocompleting users within a team or channel, and what a
//! guest may see.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Server, data_dir};

fn usernames(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn lists_follow_team_and_channel_membership() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let gina = server.user(&admin, "gina").await;
    server.create_user("loner", Some(&admin)).await;
    let (_, team) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "core", "display_name": "Core", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap().to_string();
    for user in [&bob, &gina] {
        server
            .call(
                Some(&admin),
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": user.id()})),
            )
            .await;
    }
    let (_, channel) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/channels",
            Some(
                json!({"team_id": team_id, "name": "inner", "display_name": "Inner", "type": "O"}),
            ),
        )
        .await;
    let channel_id = channel["id"].as_str().unwrap().to_string();
    server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/channels/{channel_id}/members"),
            Some(json!({"user_id": bob.id()})),
        )
        .await;

    let list = |query: String| {
        let server = &server;
        let admin = &admin;
        async move {
            server
                .call(
                    Some(admin),
                    Method::GET,
                    &format!("/api/v4/users?{query}"),
                    None,
                )
                .await
        }
    };
    assert_eq!(
        usernames(&list(format!("in_team={team_id}")).await.1),
        ["admin", "bob", "gina"]
    );
    assert_eq!(
        usernames(&list(format!("not_in_team={team_id}")).await.1),
        ["loner"]
    );
    assert_eq!(
        usernames(&list(format!("in_channel={channel_id}")).await.1),
        ["admin", "bob"]
    );
    assert_eq!(
        usernames(
            &list(format!("in_team={team_id}&not_in_channel={channel_id}"))
                .await
                .1
        ),
        ["gina"]
    );
    assert_eq!(
        usernames(&list("without_team=true".into()).await.1),
        ["loner"]
    );

    let (_, found) = server
        .call(
            Some(&bob),
            Method::POST,
            "/api/v4/users/search",
            Some(json!({"term": "g", "team_id": team_id})),
        )
        .await;
    assert_eq!(usernames(&found), ["gina"]);
    let (_, completions) = server
        .call(Some(&bob), Method::GET, &format!("/api/v4/users/autocomplete?in_team={team_id}&team_id={team_id}&channel_id={channel_id}&name="), None)
        .await;
    assert_eq!(usernames(&completions["users"]), ["admin", "bob"]);
    assert_eq!(usernames(&completions["out_of_channel"]), ["gina"]);

    // Outsiders cannot list a team's members.
    let loner = server
        .login("loner", crate::support::accounts::PASSWORD)
        .await;
    let (status, _) = server
        .call(
            Some(&loner),
            Method::GET,
            &format!("/api/v4/users?in_team={team_id}"),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // A guest sees only the people they share a channel with.
    server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{}/roles", gina.id()),
            Some(json!({"roles": "system_guest"})),
        )
        .await;
    let (_, seen) = server
        .call(Some(&gina), Method::GET, "/api/v4/users", None)
        .await;
    assert_eq!(
        usernames(&seen),
        ["admin", "bob", "gina"],
        "town-square and off-topic are shared"
    );
    let (status, _) = server
        .call(
            Some(&gina),
            Method::GET,
            &format!("/api/v4/users/{}", loner.id()),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .call(
            Some(&gina),
            Method::GET,
            &format!("/api/v4/users/{}", bob.id()),
            None,
        )
        .await;
    assert_eq!(status, 200);
}
