//! Who may touch a channel: every kind of channel, for every kind of caller, through every
//! everyday channel action, gets exactly the status Mattermost gives. The rule underneath:
//! nobody outside a private channel or a direct/group message reads its posts, members,
//! pins or reactions.
//!
//! Expectations come from Mattermost's handlers (v10/v11 `api4`): reads of a public
//! channel need `read_public_channel` on the team, everything else the channel roles, the
//! team roles or the system roles (`SessionHasPermissionToChannel`). Two consequences
//! worth knowing: listing a channel's members needs `read_channel`, which plain team
//! members lack for public channels they have not joined; and team admins carry
//! `create_post`, `add_reaction` and the manage-members permissions for every channel of
//! their team (the channel-moderation permissions migration), though not the read ones.

use serde_json::json;

use crate::support::accounts::Login;
use crate::support::{Server, data_dir};
use crate::teams_channels::{
    Reply, add_to_channel, add_to_team, delete, get, guest, id_of, new_channel, new_team, post,
    put, say,
};

/// The callers, in the order of every row of expectations.
const CALLERS: [&str; 6] = [
    "member",
    "team member not in the channel",
    "outsider (not in the team)",
    "guest member",
    "team admin not in the channel",
    "system admin",
];

#[derive(Debug, Clone, Copy)]
enum Action {
    GetChannel,
    GetPosts,
    CreatePost,
    GetMembers,
    GetPinned,
    React,
    GetPost,
    GetThread,
    AddSomeoneElse,
}

/// What each caller should get for one action: member, team member, outsider, guest
/// member, team admin, system admin.
type Row = (Action, [u16; 6]);

/// A channel under test and the post everyone tries to read and react to.
struct Fixture {
    channel_id: String,
    post_id: String,
}

async fn attempt(
    server: &Server,
    caller: &Login,
    action: Action,
    fixture: &Fixture,
    target: &str,
) -> Reply {
    let (channel, post_id) = (&fixture.channel_id, &fixture.post_id);
    match action {
        Action::GetChannel => get(server, caller, &format!("/channels/{channel}")).await,
        Action::GetPosts => get(server, caller, &format!("/channels/{channel}/posts")).await,
        Action::CreatePost => {
            let body = json!({"channel_id": channel, "message": "knock knock"});
            post(server, caller, "/posts", body).await
        }
        Action::GetMembers => get(server, caller, &format!("/channels/{channel}/members")).await,
        Action::GetPinned => get(server, caller, &format!("/channels/{channel}/pinned")).await,
        Action::React => {
            let body = json!({"user_id": caller.id(), "post_id": post_id, "emoji_name": "eyes"});
            post(server, caller, "/reactions", body).await
        }
        Action::GetPost => get(server, caller, &format!("/posts/{post_id}")).await,
        Action::GetThread => get(server, caller, &format!("/posts/{post_id}/thread")).await,
        Action::AddSomeoneElse => {
            let body = json!({"user_id": target});
            post(
                server,
                caller,
                &format!("/channels/{channel}/members"),
                body,
            )
            .await
        }
    }
}

/// Posts and pins the message everyone will try to read.
async fn pinned_post(server: &Server, author: &Login, channel_id: &str) -> Fixture {
    let post_id = say(server, author, channel_id, "the plan").await;
    let reply = post(server, author, &format!("/posts/{post_id}/pin"), json!({})).await;
    assert_eq!(reply.0, 200, "pinning: {}", reply.1);
    Fixture {
        channel_id: channel_id.to_string(),
        post_id,
    }
}

#[tokio::test]
async fn each_caller_gets_exactly_the_expected_status_on_each_kind_of_channel() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let owner = server.user(&admin, "owen").await;
    let member = server.user(&admin, "mia").await;
    let teammate = server.user(&admin, "tom").await;
    let outsider = server.user(&admin, "olga").await;
    let guest_member = guest(&server, &admin, "gus").await;
    let team_admin = server.user(&admin, "tara").await;
    // Whom each caller tries to add: a team member in none of the channels under test.
    // (They never sign in: logins are limited to a burst of ten per address.)
    let mut targets = Vec::new();
    for i in 0..CALLERS.len() {
        let user = server
            .create_user(&format!("target{i}"), Some(&admin))
            .await;
        targets.push(id_of(&user));
    }

    // Owen's team; the system admin and Olga are not in it.
    let team = new_team(&server, &owner, "matrix", "O").await;
    for user in [&member, &teammate, &guest_member, &team_admin]
        .into_iter()
        .map(Login::id)
        .chain(targets.iter().map(String::as_str))
    {
        add_to_team(&server, &owner, &team, user).await;
    }
    let reply = put(
        &server,
        &owner,
        &format!("/teams/{team}/members/{}/roles", team_admin.id()),
        json!({"roles": "team_user team_admin"}),
    )
    .await;
    assert_eq!(reply.0, 200, "promoting tara: {}", reply.1);
    // Guests see only people they share a channel with; share town-square with the
    // targets so that only the channel rules decide.
    let town_square = get(
        &server,
        &owner,
        &format!("/teams/{team}/channels/name/town-square"),
    )
    .await;
    let town_square = town_square.1["id"].as_str().unwrap_or_default().to_string();
    add_to_channel(&server, &owner, &town_square, guest_member.id()).await;

    // The channels: Mia and Gus are members of all of them.
    let mut fixtures = Vec::new();
    for (name, kind) in [("open-plan", "O"), ("back-office", "P"), ("old-news", "O")] {
        let channel = new_channel(&server, &owner, &team, name, kind).await;
        add_to_channel(&server, &owner, &channel, member.id()).await;
        add_to_channel(&server, &owner, &channel, guest_member.id()).await;
        fixtures.push(pinned_post(&server, &owner, &channel).await);
    }
    let archived = fixtures.pop().expect("old-news");
    let private = fixtures.pop().expect("back-office");
    let public = fixtures.pop().expect("open-plan");
    let reply = delete(
        &server,
        &owner,
        &format!("/channels/{}", archived.channel_id),
    )
    .await;
    assert_eq!(reply.0, 200, "archiving old-news: {}", reply.1);
    let direct = post(
        &server,
        &member,
        "/channels/direct",
        json!([member.id(), guest_member.id()]),
    )
    .await;
    assert_eq!(direct.0, 201, "DM: {}", direct.1);
    let direct = pinned_post(
        &server,
        &member,
        direct.1["id"].as_str().unwrap_or_default(),
    )
    .await;
    let group = post(
        &server,
        &member,
        "/channels/group",
        json!([member.id(), guest_member.id(), owner.id()]),
    )
    .await;
    assert_eq!(group.0, 201, "GM: {}", group.1);
    let group = pinned_post(&server, &member, group.1["id"].as_str().unwrap_or_default()).await;

    use Action::*;
    // Columns: member, team member, outsider, guest member, team admin, system admin.
    let expectations: [(&str, &Fixture, [Row; 9]); 5] = [
        (
            "public",
            &public,
            [
                (GetChannel, [200, 200, 403, 200, 200, 200]),
                (GetPosts, [200, 200, 403, 200, 200, 200]),
                (CreatePost, [201, 403, 403, 201, 201, 201]),
                (GetMembers, [200, 403, 403, 200, 403, 200]),
                (GetPinned, [200, 200, 403, 200, 200, 200]),
                (React, [200, 403, 403, 200, 200, 200]),
                (GetPost, [200, 200, 403, 200, 200, 200]),
                (GetThread, [200, 200, 403, 200, 200, 200]),
                (AddSomeoneElse, [201, 403, 403, 403, 201, 201]),
            ],
        ),
        (
            "private",
            &private,
            [
                (GetChannel, [200, 403, 403, 200, 403, 200]),
                (GetPosts, [200, 403, 403, 200, 403, 200]),
                (CreatePost, [201, 403, 403, 201, 201, 201]),
                (GetMembers, [200, 403, 403, 200, 403, 200]),
                (GetPinned, [200, 403, 403, 200, 403, 200]),
                (React, [200, 403, 403, 200, 200, 200]),
                (GetPost, [200, 403, 403, 200, 403, 200]),
                (GetThread, [200, 403, 403, 200, 403, 200]),
                (AddSomeoneElse, [201, 403, 403, 403, 201, 201]),
            ],
        ),
        (
            "direct",
            &direct,
            [
                (GetChannel, [200, 403, 403, 200, 403, 200]),
                (GetPosts, [200, 403, 403, 200, 403, 200]),
                (CreatePost, [201, 403, 403, 201, 403, 201]),
                (GetMembers, [200, 403, 403, 200, 403, 200]),
                (GetPinned, [200, 403, 403, 200, 403, 200]),
                (React, [200, 403, 403, 200, 403, 200]),
                (GetPost, [200, 403, 403, 200, 403, 200]),
                (GetThread, [200, 403, 403, 200, 403, 200]),
                (AddSomeoneElse, [400, 400, 400, 400, 400, 400]),
            ],
        ),
        (
            "group",
            &group,
            [
                (GetChannel, [200, 403, 403, 200, 403, 200]),
                (GetPosts, [200, 403, 403, 200, 403, 200]),
                (CreatePost, [201, 403, 403, 201, 403, 201]),
                (GetMembers, [200, 403, 403, 200, 403, 200]),
                (GetPinned, [200, 403, 403, 200, 403, 200]),
                (React, [200, 403, 403, 200, 403, 200]),
                (GetPost, [200, 403, 403, 200, 403, 200]),
                (GetThread, [200, 403, 403, 200, 403, 200]),
                (AddSomeoneElse, [400, 400, 400, 400, 400, 400]),
            ],
        ),
        (
            // Readable as before (ExperimentalViewArchivedChannels defaults to true);
            // those allowed to write are told the channel is archived (400 for posts
            // and members, 403 for reactions), the others are refused as usual.
            "archived public",
            &archived,
            [
                (GetChannel, [200, 200, 403, 200, 200, 200]),
                (GetPosts, [200, 200, 403, 200, 200, 200]),
                (CreatePost, [400, 403, 403, 400, 400, 400]),
                (GetMembers, [200, 403, 403, 200, 403, 200]),
                (GetPinned, [200, 200, 403, 200, 200, 200]),
                (React, [403, 403, 403, 403, 403, 403]),
                (GetPost, [200, 200, 403, 200, 200, 200]),
                (GetThread, [200, 200, 403, 200, 200, 200]),
                (AddSomeoneElse, [400, 403, 403, 403, 400, 400]),
            ],
        ),
    ];

    let callers = [
        &member,
        &teammate,
        &outsider,
        &guest_member,
        &team_admin,
        &admin,
    ];
    let mut failures = Vec::new();
    for (kind, fixture, rows) in &expectations {
        for (action, expected) in rows {
            for (i, caller) in callers.iter().enumerate() {
                let (status, body) = attempt(&server, caller, *action, fixture, &targets[i]).await;
                if status != expected[i] {
                    let mut body = body.to_string();
                    body.truncate(200);
                    failures.push(format!(
                        "{kind} channel, {action:?} as {}: expected {}, got {status} {body}",
                        CALLERS[i], expected[i]
                    ));
                }
                // However a refusal is worded, it must not carry the channel's content.
                if status >= 400 && body.to_string().contains("the plan") {
                    failures.push(format!(
                        "{kind} channel, {action:?} as {}: refusal leaks the post: {body}",
                        CALLERS[i]
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} channel access mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
