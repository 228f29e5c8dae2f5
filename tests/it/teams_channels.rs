//! Teams and channels as people use them, told through the running server: creating and
//! finding teams, joining and leaving them, channels public and private, their members,
//! direct and group messages, and the unread counts that follow posts and views.
//!
//! Expectations follow Mattermost's own handlers (v10/v11 `api4` and `app`), not Hearth's
//! code. A story does not stop at the first broken rule: [`Checks`] collects every
//! mismatch and fails the test once, at the end, with all of them.

use std::fmt::Display;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, data_dir};

/// A response: status and JSON body.
pub(crate) type Reply = (u16, Value);

/// Mismatches found while a story is told.
#[derive(Default)]
pub(crate) struct Checks(Vec<String>);

impl Checks {
    /// Expects `reply` to have `expected` status; says whether it had.
    pub(crate) fn status(&mut self, step: &str, reply: &Reply, expected: u16) -> bool {
        let ok = reply.0 == expected;
        if !ok {
            self.0.push(format!(
                "{step}: expected {expected}, got {} {}",
                reply.0, reply.1
            ));
        }
        ok
    }

    /// Expects a Mattermost error with this status and id.
    pub(crate) fn error(&mut self, step: &str, reply: &Reply, status: u16, id: &str) {
        if reply.0 != status || reply.1["id"] != id {
            self.0.push(format!(
                "{step}: expected {status} {id}, got {} {}",
                reply.0, reply.1
            ));
        }
    }

    /// Expects `ok`; `detail` says what was seen instead.
    pub(crate) fn that(&mut self, step: &str, ok: bool, detail: impl Display) {
        if !ok {
            self.0.push(format!("{step}: {detail}"));
        }
    }

    /// Fails the test with every mismatch, if there were any.
    #[track_caller]
    pub(crate) fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatch(es):\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

pub(crate) async fn get(server: &Server, who: &Login, path: &str) -> Reply {
    server
        .call(Some(who), Method::GET, &format!("/api/v4{path}"), None)
        .await
}

pub(crate) async fn post(server: &Server, who: &Login, path: &str, body: Value) -> Reply {
    server
        .call(
            Some(who),
            Method::POST,
            &format!("/api/v4{path}"),
            Some(body),
        )
        .await
}

pub(crate) async fn put(server: &Server, who: &Login, path: &str, body: Value) -> Reply {
    server
        .call(
            Some(who),
            Method::PUT,
            &format!("/api/v4{path}"),
            Some(body),
        )
        .await
}

pub(crate) async fn delete(server: &Server, who: &Login, path: &str) -> Reply {
    server
        .call(Some(who), Method::DELETE, &format!("/api/v4{path}"), None)
        .await
}

/// The `id` of a JSON object.
pub(crate) fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

/// Creates a team as `who` (`kind` is `O` or `I`); panics unless it is created.
pub(crate) async fn new_team(server: &Server, who: &Login, name: &str, kind: &str) -> String {
    let reply = post(
        server,
        who,
        "/teams",
        json!({"name": name, "display_name": name, "type": kind, "email": format!("{name}@example.com")}),
    )
    .await;
    assert_eq!(reply.0, 201, "creating team {name}: {}", reply.1);
    id_of(&reply.1)
}

/// Adds `user_id` to a team as `by`; panics unless it works.
pub(crate) async fn add_to_team(server: &Server, by: &Login, team_id: &str, user_id: &str) {
    let reply = post(
        server,
        by,
        &format!("/teams/{team_id}/members"),
        json!({"team_id": team_id, "user_id": user_id}),
    )
    .await;
    assert_eq!(reply.0, 201, "adding {user_id} to {team_id}: {}", reply.1);
}

/// Creates a channel as `who` (`kind` is `O` or `P`); panics unless it is created.
pub(crate) async fn new_channel(
    server: &Server,
    who: &Login,
    team_id: &str,
    name: &str,
    kind: &str,
) -> String {
    let reply = post(
        server,
        who,
        "/channels",
        json!({"team_id": team_id, "name": name, "display_name": name, "type": kind}),
    )
    .await;
    assert_eq!(reply.0, 201, "creating channel {name}: {}", reply.1);
    id_of(&reply.1)
}

/// Adds `user_id` to a channel as `by`; panics unless it works.
pub(crate) async fn add_to_channel(server: &Server, by: &Login, channel_id: &str, user_id: &str) {
    let reply = post(
        server,
        by,
        &format!("/channels/{channel_id}/members"),
        json!({"user_id": user_id}),
    )
    .await;
    assert_eq!(
        reply.0, 201,
        "adding {user_id} to {channel_id}: {}",
        reply.1
    );
}

/// Posts `message` as `who`; panics unless it is posted. Returns the post id.
pub(crate) async fn say(server: &Server, who: &Login, channel_id: &str, message: &str) -> String {
    let reply = post(
        server,
        who,
        "/posts",
        json!({"channel_id": channel_id, "message": message}),
    )
    .await;
    assert_eq!(reply.0, 201, "posting {message:?}: {}", reply.1);
    id_of(&reply.1)
}

/// The id of a team's channel by name, as `who` sees it; panics if it cannot be found.
async fn channel_named(server: &Server, who: &Login, team_id: &str, name: &str) -> String {
    let reply = get(
        server,
        who,
        &format!("/teams/{team_id}/channels/name/{name}"),
    )
    .await;
    assert_eq!(reply.0, 200, "finding channel {name}: {}", reply.1);
    id_of(&reply.1)
}

/// Creates a guest (`system_guest`) and signs them in.
pub(crate) async fn guest(server: &Server, admin: &Login, username: &str) -> Login {
    let user = server.create_user(username, Some(admin)).await;
    let reply = put(
        server,
        admin,
        &format!("/users/{}/roles", id_of(&user)),
        json!({"roles": "system_guest"}),
    )
    .await;
    assert_eq!(reply.0, 200, "making {username} a guest: {}", reply.1);
    server
        .login(username, crate::support::accounts::PASSWORD)
        .await
}

/// The `name`s in a JSON list of teams or channels.
fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|items| items.iter().filter_map(|i| i["name"].as_str()).collect())
        .unwrap_or_default()
}

/// The `team_id`s in a JSON list of team members.
fn team_ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|items| items.iter().filter_map(|i| i["team_id"].as_str()).collect())
        .unwrap_or_default()
}

/// Whether a PostList holds a post of this `type`.
fn has_post_of_type(list: &Value, kind: &str) -> bool {
    list["posts"]
        .as_object()
        .is_some_and(|posts| posts.values().any(|p| p["type"] == kind))
}

fn roles_of(member: &Value) -> &str {
    member["roles"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_team_is_created_found_listed_patched_archived_and_restored() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let gus = guest(&server, &admin, "gus").await;
    let mut checks = Checks::default();

    // Alice creates a team: she is its admin and it starts with two channels she is in.
    let crew = new_team(&server, &alice, "hearth-crew", "O").await;
    let member = get(
        &server,
        &alice,
        &format!("/teams/{crew}/members/{}", alice.id()),
    )
    .await;
    checks.that(
        "creator's team roles",
        roles_of(&member.1).contains("team_admin"),
        &member.1,
    );
    for name in ["town-square", "off-topic"] {
        let channel = channel_named(&server, &alice, &crew, name).await;
        let membership = get(
            &server,
            &alice,
            &format!("/channels/{channel}/members/{}", alice.id()),
        )
        .await;
        checks.status(&format!("creator is in {name}"), &membership, 200);
    }

    // Names must be URL names, and display names must be there.
    for bad in ["BigTeam", "api", "x", "-x"] {
        let reply = post(
            &server,
            &alice,
            "/teams",
            json!({"name": bad, "display_name": "Bad", "type": "O"}),
        )
        .await;
        checks.status(&format!("team name {bad:?}"), &reply, 400);
    }
    let reply = post(
        &server,
        &alice,
        "/teams",
        json!({"name": "nameless", "display_name": "", "type": "O"}),
    )
    .await;
    checks.error(
        "empty display name",
        &reply,
        400,
        "model.team.is_valid.name.app_error",
    );
    let reply = post(
        &server,
        &bob,
        "/teams",
        json!({"name": "hearth-crew", "display_name": "Again", "type": "O"}),
    )
    .await;
    checks.error(
        "taken team name",
        &reply,
        400,
        "app.team.save.existing.app_error",
    );
    let reply = post(
        &server,
        &gus,
        "/teams",
        json!({"name": "guests-only", "display_name": "Guests", "type": "O"}),
    )
    .await;
    checks.status("a guest creates a team", &reply, 403);

    // An open team can be found by anyone; its invite id and e-mail are not theirs to see.
    let reply = get(&server, &bob, &format!("/teams/{crew}")).await;
    checks.status("non-member gets an open team", &reply, 200);
    checks.that(
        "non-member sees no invite id or e-mail",
        reply.1["invite_id"] == "" && reply.1["email"] == "",
        &reply.1,
    );
    let reply = get(&server, &alice, "/teams/name/hearth-crew").await;
    checks.that(
        "get team by name",
        reply.0 == 200 && reply.1["id"] == crew.as_str(),
        &reply.1,
    );
    let reply = get(&server, &bob, "/teams/name/hearth-crew/exists").await;
    checks.that("existing name exists", reply.1["exists"] == true, &reply.1);
    let reply = get(&server, &bob, "/teams/name/no-such-team/exists").await;
    checks.that(
        "unknown name does not exist",
        reply.1["exists"] == false,
        &reply.1,
    );

    // Users list open teams that take anyone; admins list every team.
    new_team(&server, &alice, "inner-circle", "I").await;
    let reply = get(&server, &bob, "/teams").await;
    checks.that(
        "a user lists open teams only",
        names(&reply.1).contains(&"hearth-crew") && !names(&reply.1).contains(&"inner-circle"),
        &reply.1,
    );
    let reply = get(&server, &admin, "/teams").await;
    checks.that(
        "an admin lists invite-only teams too",
        names(&reply.1).contains(&"hearth-crew") && names(&reply.1).contains(&"inner-circle"),
        &reply.1,
    );

    // A plain member may invite (so sees the invite id) but not manage (no e-mail);
    // the team admin sees both.
    add_to_team(&server, &bob, &crew, bob.id()).await;
    let reply = get(&server, &bob, &format!("/teams/{crew}")).await;
    checks.that(
        "plain member sees the invite id",
        reply.1["invite_id"].as_str().is_some_and(|s| s.len() == 26),
        &reply.1,
    );
    checks.that(
        "plain member does not see the team e-mail",
        reply.1["email"] == "",
        &reply.1,
    );
    let reply = get(&server, &alice, &format!("/teams/{crew}")).await;
    checks.that(
        "team admin sees invite id and e-mail",
        reply.1["email"] == "hearth-crew@example.com"
            && reply.1["invite_id"].as_str().is_some_and(|s| s.len() == 26),
        &reply.1,
    );
    let old_invite = reply.1["invite_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Team admins patch and regenerate the invite; plain members may not.
    let reply = put(
        &server,
        &alice,
        &format!("/teams/{crew}/patch"),
        json!({"display_name": "The Crew"}),
    )
    .await;
    checks.that(
        "team admin patches",
        reply.0 == 200 && reply.1["display_name"] == "The Crew",
        &reply.1,
    );
    let reply = put(
        &server,
        &bob,
        &format!("/teams/{crew}/patch"),
        json!({"display_name": "Bob's"}),
    )
    .await;
    checks.status("plain member patches", &reply, 403);
    let reply = post(
        &server,
        &alice,
        &format!("/teams/{crew}/regenerate_invite_id"),
        json!({}),
    )
    .await;
    checks.that(
        "regenerated invite id is new",
        reply.0 == 200
            && reply.1["invite_id"].as_str().is_some_and(|s| s.len() == 26)
            && reply.1["invite_id"] != old_invite.as_str(),
        &reply.1,
    );
    let reply = post(
        &server,
        &bob,
        &format!("/teams/{crew}/regenerate_invite_id"),
        json!({}),
    )
    .await;
    checks.status("plain member regenerates the invite id", &reply, 403);

    // Archiving: only for those who manage the team; afterwards the team is gone for
    // everyone but system admins, until a system admin restores it.
    let reply = delete(&server, &bob, &format!("/teams/{crew}")).await;
    checks.status("plain member archives", &reply, 403);
    let reply = delete(&server, &alice, &format!("/teams/{crew}")).await;
    checks.status("team admin archives", &reply, 200);
    let reply = get(&server, &bob, &format!("/teams/{crew}")).await;
    checks.status("member gets an archived team", &reply, 404);
    let reply = get(&server, &carol, &format!("/teams/{crew}")).await;
    checks.status("non-member gets an archived team", &reply, 404);
    let reply = get(&server, &admin, &format!("/teams/{crew}")).await;
    checks.that(
        "system admin still sees the archived team",
        reply.0 == 200 && reply.1["delete_at"].as_i64().is_some_and(|t| t > 0),
        &reply.1,
    );
    let reply = post(&server, &bob, &format!("/teams/{crew}/restore"), json!({})).await;
    checks.status("plain member restores", &reply, 403);
    let reply = post(
        &server,
        &admin,
        &format!("/teams/{crew}/restore"),
        json!({}),
    )
    .await;
    checks.that(
        "system admin restores",
        reply.0 == 200 && reply.1["delete_at"] == 0,
        &reply.1,
    );
    let reply = get(&server, &bob, &format!("/teams/{crew}")).await;
    checks.status("member gets the restored team", &reply, 200);
    checks.finish();
}

#[tokio::test]
async fn invitation_links_sign_people_up_on_a_closed_server() {
    let data = data_dir();
    // Open sign-up is off (Mattermost's default): only an invitation lets people in.
    let server = Server::start(
        data.path(),
        &[("HEARTH_TEAMSETTINGS_ENABLEOPENSERVER", "false")],
    );
    let admin = server.admin().await;
    let mut checks = Checks::default();
    let vault = new_team(&server, &admin, "vault", "I").await;
    let invite = get(&server, &admin, &format!("/teams/{vault}")).await.1["invite_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // The sign-up page can name the team without a session, and sees nothing private.
    let reply = server
        .get_json(&format!("/api/v4/teams/invite/{invite}"))
        .await;
    checks.that(
        "invite info without a session",
        reply.0 == 200
            && reply.1["id"] == vault.as_str()
            && reply.1["name"] == "vault"
            && reply.1.get("invite_id").is_none()
            && reply.1.get("email").is_none(),
        &reply.1,
    );
    let reply = server
        .get_json("/api/v4/teams/invite/zzzzzzzzzzzzzzzzzzzzzzzzzz")
        .await;
    checks.error(
        "unknown invite info",
        &reply,
        404,
        "app.team.get_by_invite_id.finding.app_error",
    );

    let form = |name: &str| json!({"username": name, "email": format!("{name}@example.com"), "password": crate::support::accounts::PASSWORD});
    // Without the invitation: closed.
    let reply = crate::support::json(
        server
            .post("/api/v4/users")
            .json(&form("dora"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    checks.error(
        "sign-up without an invitation",
        &reply,
        403,
        "api.user.create_user.no_open_server",
    );
    // A wrong or malformed invite id creates no one.
    for (iid, status) in [("zzzzzzzzzzzzzzzzzzzzzzzzzz", 404), ("nope", 400)] {
        let reply = crate::support::json(
            server
                .post(&format!("/api/v4/users?iid={iid}"))
                .json(&form("dora"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        checks.status(&format!("sign-up with invite id {iid}"), &reply, status);
    }
    // With it: the account is made and is in the team and its default channels.
    let reply = crate::support::json(
        server
            .post(&format!("/api/v4/users?iid={invite}"))
            .json(&form("dora"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    checks.status("sign-up through the invitation link", &reply, 201);
    let dora = server
        .login("dora", crate::support::accounts::PASSWORD)
        .await;
    let reply = get(&server, &dora, "/users/me/teams").await;
    checks.that(
        "the new account is in the team",
        reply
            .1
            .as_array()
            .is_some_and(|teams| teams.len() == 1 && teams[0]["id"] == vault.as_str()),
        &reply.1,
    );
    let reply = get(&server, &dora, &format!("/users/me/teams/{vault}/channels")).await;
    checks.that(
        "and in town-square",
        names(&reply.1).contains(&"town-square"),
        &reply.1,
    );
    // E-mailed invitation tokens need e-mail, which is not built: refused.
    let reply = crate::support::json(
        server
            .post("/api/v4/users?t=sometoken")
            .json(&form("erin"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    checks.error(
        "sign-up with an e-mail token",
        &reply,
        400,
        "api.user.create_user.invalid_invitation_type.app_error",
    );
    checks.finish();
}

#[tokio::test]
async fn people_join_leave_and_are_managed_in_teams() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mut checks = Checks::default();
    let makers = new_team(&server, &alice, "makers", "O").await;
    let vault = new_team(&server, &alice, "vault", "I").await;

    // Bob joins an open team himself and lands in its two default channels.
    let reply = post(
        &server,
        &bob,
        &format!("/teams/{makers}/members"),
        json!({"team_id": makers, "user_id": bob.id()}),
    )
    .await;
    checks.status("self-join an open team", &reply, 201);
    let reply = get(&server, &bob, &format!("/users/me/teams/{makers}/channels")).await;
    checks.that(
        "a new member is in town-square and off-topic",
        names(&reply.1).contains(&"town-square") && names(&reply.1).contains(&"off-topic"),
        &reply.1,
    );

    // An invite-only team needs its invite id.
    let reply = post(
        &server,
        &bob,
        &format!("/teams/{vault}/members"),
        json!({"team_id": vault, "user_id": bob.id()}),
    )
    .await;
    checks.status("self-join an invite-only team", &reply, 403);
    let invite = get(&server, &alice, &format!("/teams/{vault}")).await.1["invite_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let reply = post(
        &server,
        &bob,
        &format!("/teams/members/invite?invite_id={invite}"),
        json!({}),
    )
    .await;
    checks.that(
        "join by invite id",
        reply.0 == 201 && reply.1["team_id"] == vault.as_str(),
        &reply.1,
    );
    let reply = post(
        &server,
        &carol,
        "/teams/members/invite?invite_id=not-an-invite",
        json!({}),
    )
    .await;
    checks.status("malformed invite id", &reply, 400);
    let reply = post(
        &server,
        &carol,
        "/teams/members/invite?invite_id=zzzzzzzzzzzzzzzzzzzzzzzzzz",
        json!({}),
    )
    .await;
    checks.error(
        "unknown invite id",
        &reply,
        404,
        "app.team.get_by_invite_id.finding.app_error",
    );

    // The team admin adds Carol; stats count three members.
    let reply = post(
        &server,
        &alice,
        &format!("/teams/{makers}/members"),
        json!({"team_id": makers, "user_id": carol.id()}),
    )
    .await;
    checks.status("team admin adds someone", &reply, 201);
    let reply = get(&server, &bob, &format!("/teams/{makers}/stats")).await;
    checks.that(
        "stats count three members",
        reply.0 == 200 && reply.1["total_member_count"] == 3 && reply.1["active_member_count"] == 3,
        &reply.1,
    );

    // Roles: a plain member may not change them; the team admin may.
    let path = format!("/teams/{makers}/members/{}/roles", carol.id());
    let reply = put(
        &server,
        &bob,
        &path,
        json!({"roles": "team_user team_admin"}),
    )
    .await;
    checks.status("plain member promotes", &reply, 403);
    let reply = put(
        &server,
        &alice,
        &path,
        json!({"roles": "team_user team_admin"}),
    )
    .await;
    checks.status("team admin promotes", &reply, 200);
    let reply = get(
        &server,
        &alice,
        &format!("/teams/{makers}/members/{}", carol.id()),
    )
    .await;
    checks.that(
        "promoted member is team admin",
        roles_of(&reply.1).contains("team_admin"),
        &reply.1,
    );
    let reply = put(&server, &alice, &path, json!({"roles": "team_user"})).await;
    checks.status("team admin demotes", &reply, 200);

    // Removing others is for team admins; anyone may leave.
    let carol_membership = format!("/teams/{makers}/members/{}", carol.id());
    let reply = delete(&server, &bob, &carol_membership).await;
    checks.status("plain member removes someone", &reply, 403);
    let reply = delete(&server, &alice, &carol_membership).await;
    checks.status("team admin removes someone", &reply, 200);
    let reply = get(&server, &carol, "/users/me/teams").await;
    checks.that(
        "a removed member no longer has the team",
        !names(&reply.1).contains(&"makers"),
        &reply.1,
    );
    let town_square = channel_named(&server, &alice, &makers, "town-square").await;
    let reply = delete(
        &server,
        &bob,
        &format!("/teams/{makers}/members/{}", bob.id()),
    )
    .await;
    checks.status("member leaves", &reply, 200);
    let reply = get(
        &server,
        &admin,
        &format!("/channels/{town_square}/members/{}", bob.id()),
    )
    .await;
    checks.status("leaving a team leaves its channels", &reply, 404);

    // What Bob's own lists say now.
    let reply = get(&server, &bob, "/users/me/teams").await;
    checks.that("my teams", names(&reply.1) == ["vault"], &reply.1);
    let reply = get(&server, &bob, "/users/me/teams/members").await;
    checks.that(
        "my team memberships",
        team_ids(&reply.1) == [vault.as_str()],
        &reply.1,
    );
    let reply = get(&server, &alice, &format!("/teams/{makers}/stats")).await;
    checks.that(
        "stats after two left",
        reply.1["total_member_count"] == 1,
        &reply.1,
    );
    checks.finish();
}

#[tokio::test]
async fn a_full_team_refuses_another_member() {
    let data = data_dir();
    let server = Server::start(data.path(), &[("HEARTH_TEAMSETTINGS_MAXUSERSPERTEAM", "2")]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team = new_team(&server, &alice, "pair", "O").await;
    add_to_team(&server, &bob, &team, bob.id()).await;
    let reply = post(
        &server,
        &carol,
        &format!("/teams/{team}/members"),
        json!({"team_id": team, "user_id": carol.id()}),
    )
    .await;
    let mut checks = Checks::default();
    checks.error(
        "third member of a two-person team",
        &reply,
        400,
        "app.team.join_user_to_team.max_accounts.app_error",
    );
    checks.finish();
}

#[tokio::test]
async fn channels_are_created_found_patched_archived_and_restored() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let mut checks = Checks::default();
    let studio = new_team(&server, &alice, "studio", "O").await;
    add_to_team(&server, &bob, &studio, bob.id()).await;
    add_to_team(&server, &dave, &studio, dave.id()).await;

    // Bob creates a public and a private channel and is admin of both.
    let general = new_channel(&server, &bob, &studio, "general-chat", "O").await;
    let secret = new_channel(&server, &bob, &studio, "secret-plans", "P").await;
    for (name, channel) in [("public", &general), ("private", &secret)] {
        let reply = get(&server, &bob, &format!("/channels/{channel}/members/me")).await;
        checks.that(
            &format!("creator of a {name} channel is its admin"),
            roles_of(&reply.1).contains("channel_admin"),
            &reply.1,
        );
    }

    // What a channel may not be.
    let long_name = "a".repeat(65);
    let long_header = "h".repeat(1025);
    let bad = [
        (
            "name with a space",
            json!({"name": "Bad Name", "display_name": "Bad"}),
        ),
        (
            "name with __",
            json!({"name": "a__b", "display_name": "Bad"}),
        ),
        (
            "65-character name",
            json!({"name": long_name, "display_name": "Bad"}),
        ),
        (
            "empty display name",
            json!({"name": "no-title", "display_name": ""}),
        ),
        (
            "1025-character header",
            json!({"name": "loud", "display_name": "Loud", "header": long_header}),
        ),
    ];
    for (what, mut body) in bad {
        body["team_id"] = json!(studio);
        body["type"] = json!("O");
        let reply = post(&server, &bob, "/channels", body).await;
        checks.status(what, &reply, 400);
    }
    let reply = post(
        &server,
        &alice,
        "/channels",
        json!({"team_id": studio, "name": "general-chat", "display_name": "Again", "type": "O"}),
    )
    .await;
    checks.error(
        "duplicate name in a team",
        &reply,
        400,
        "store.sql_channel.save_channel.exists.app_error",
    );
    let annex = new_team(&server, &alice, "annex", "O").await;
    let reply = post(
        &server,
        &alice,
        "/channels",
        json!({"team_id": annex, "name": "general-chat", "display_name": "Annex", "type": "O"}),
    )
    .await;
    checks.status("same name in another team", &reply, 201);
    let reply = post(
        &server,
        &carol,
        "/channels",
        json!({"team_id": studio, "name": "intruder", "display_name": "Intruder", "type": "O"}),
    )
    .await;
    checks.status("non-member of the team creates a channel", &reply, 403);

    // Finding a channel by name, by team id or team name.
    for path in [
        format!("/teams/{studio}/channels/name/general-chat"),
        "/teams/name/studio/channels/name/general-chat".to_string(),
    ] {
        let reply = get(&server, &bob, &path).await;
        checks.that(
            &format!("GET {path}"),
            reply.0 == 200 && reply.1["id"] == general.as_str(),
            &reply.1,
        );
    }

    // A new header is announced in the channel.
    let reply = put(
        &server,
        &bob,
        &format!("/channels/{general}/patch"),
        json!({"header": "Agenda: ship it"}),
    )
    .await;
    checks.that(
        "patch the header",
        reply.0 == 200 && reply.1["header"] == "Agenda: ship it",
        &reply.1,
    );
    let reply = get(&server, &bob, &format!("/channels/{general}/posts")).await;
    checks.that(
        "header change is posted",
        has_post_of_type(&reply.1, "system_header_change"),
        &reply.1,
    );
    let town_square = channel_named(&server, &alice, &studio, "town-square").await;
    let reply = put(
        &server,
        &alice,
        &format!("/channels/{town_square}/patch"),
        json!({"name": "plaza"}),
    )
    .await;
    checks.error(
        "rename town-square",
        &reply,
        400,
        "api.channel.update_channel.tried.app_error",
    );

    // Archiving: read-only, still readable (ExperimentalViewArchivedChannels is on by
    // default) and listed with the team's archived channels.
    let reply = delete(&server, &bob, &format!("/channels/{general}")).await;
    checks.status("archive a channel", &reply, 200);
    let reply = post(
        &server,
        &bob,
        "/posts",
        json!({"channel_id": general, "message": "anyone?"}),
    )
    .await;
    checks.error(
        "post to an archived channel",
        &reply,
        400,
        "api.post.create_post.can_not_post_to_deleted.error",
    );
    let reply = post(
        &server,
        &dave,
        &format!("/channels/{general}/members"),
        json!({"user_id": dave.id()}),
    )
    .await;
    checks.error(
        "join an archived channel",
        &reply,
        400,
        "api.channel.add_user_to_channel.deleted.app_error",
    );
    let reply = get(&server, &bob, &format!("/channels/{general}")).await;
    checks.that(
        "archived channel is readable",
        reply.0 == 200 && reply.1["delete_at"].as_i64().is_some_and(|t| t > 0),
        &reply.1,
    );
    let reply = get(&server, &bob, &format!("/channels/{general}/posts")).await;
    checks.status("archived channel's posts are readable", &reply, 200);
    let reply = get(&server, &bob, &format!("/teams/{studio}/channels/deleted")).await;
    checks.that(
        "archived channel is listed as archived",
        names(&reply.1).contains(&"general-chat"),
        &reply.1,
    );
    // The System Console's list of private channels: admins see every one, members of
    // none of them too; anyone else is refused.
    let reply = get(
        &server,
        &admin,
        &format!("/teams/{studio}/channels/private"),
    )
    .await;
    checks.that(
        "system admin lists the team's private channels",
        reply.0 == 200 && names(&reply.1) == ["secret-plans"],
        &reply.1,
    );
    let reply = get(&server, &bob, &format!("/teams/{studio}/channels/private")).await;
    checks.error(
        "a member lists private channels",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    // And its list of every team's channels, with the team's names.
    let ids_in = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|all| all.iter().map(id_of).collect())
            .unwrap_or_default()
    };
    let reply = get(&server, &admin, "/channels?per_page=200").await;
    let listed = names(&reply.1);
    checks.that(
        "system admin lists all channels but archived and direct ones",
        reply.0 == 200
            && listed.contains(&"secret-plans")
            && listed.contains(&"town-square")
            && !ids_in(&reply.1).contains(&general)
            && reply
                .1
                .as_array()
                .is_some_and(|all| all.iter().all(|c| c["type"] == "O" || c["type"] == "P")),
        &reply.1,
    );
    let plans = reply
        .1
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "secret-plans"));
    checks.that(
        "each channel carries its team's names",
        plans.is_some_and(|c| c["team_name"] == "studio" && c["team_display_name"].is_string()),
        &reply.1,
    );
    let reply = get(
        &server,
        &admin,
        "/channels?include_deleted=true&exclude_default_channels=true&include_total_count=true",
    )
    .await;
    let listed = names(&reply.1["channels"]);
    checks.that(
        "archived on request, default channels left out, with the total",
        reply.0 == 200
            && ids_in(&reply.1["channels"]).contains(&general)
            && !listed.contains(&"town-square")
            && !listed.contains(&"off-topic")
            && reply.1["total_count"] == listed.len(),
        &reply.1,
    );
    let reply = get(&server, &bob, "/channels").await;
    checks.error(
        "a member lists all channels",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = delete(&server, &alice, &format!("/channels/{town_square}")).await;
    checks.error(
        "archive town-square",
        &reply,
        400,
        "api.channel.delete_channel.cannot.app_error",
    );
    let reply = post(
        &server,
        &bob,
        &format!("/channels/{general}/restore"),
        json!({}),
    )
    .await;
    checks.status("plain team member restores", &reply, 403);
    let reply = post(
        &server,
        &alice,
        &format!("/channels/{general}/restore"),
        json!({}),
    )
    .await;
    checks.that(
        "team admin restores",
        reply.0 == 200 && reply.1["delete_at"] == 0,
        &reply.1,
    );
    let reply = post(
        &server,
        &bob,
        "/posts",
        json!({"channel_id": general, "message": "back again"}),
    )
    .await;
    checks.status("post to a restored channel", &reply, 201);

    // Privacy: team admins make channels private, never town-square.
    let path = format!("/channels/{general}/privacy");
    let reply = put(&server, &bob, &path, json!({"privacy": "P"})).await;
    checks.status(
        "channel admin (not team admin) makes it private",
        &reply,
        403,
    );
    let reply = put(&server, &alice, &path, json!({"privacy": "P"})).await;
    checks.that(
        "team admin makes it private",
        reply.0 == 200 && reply.1["type"] == "P",
        &reply.1,
    );
    let reply = put(
        &server,
        &alice,
        &format!("/channels/{town_square}/privacy"),
        json!({"privacy": "P"}),
    )
    .await;
    checks.status("town-square made private", &reply, 400);
    let reply = get(&server, &bob, &format!("/channels/{secret}")).await;
    checks.status("private channel readable by its member", &reply, 200);
    checks.finish();
}

#[tokio::test]
async fn people_join_leave_and_manage_channel_memberships() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let olga = server.user(&admin, "olga").await;
    let mut checks = Checks::default();
    let guild = new_team(&server, &alice, "guild", "O").await;
    add_to_team(&server, &bob, &guild, bob.id()).await;
    add_to_team(&server, &carol, &guild, carol.id()).await;
    let lounge = new_channel(&server, &alice, &guild, "lounge", "O").await;
    let backroom = new_channel(&server, &alice, &guild, "backroom", "P").await;

    // Bob joins a public channel himself; the channel hears about it.
    let reply = post(
        &server,
        &bob,
        &format!("/channels/{lounge}/members"),
        json!({"user_id": bob.id()}),
    )
    .await;
    checks.status("self-join a public channel", &reply, 201);
    let reply = get(&server, &alice, &format!("/channels/{lounge}/posts")).await;
    checks.that(
        "join is posted",
        has_post_of_type(&reply.1, "system_join_channel"),
        &reply.1,
    );

    // Only team members can be channel members.
    let reply = post(
        &server,
        &alice,
        &format!("/channels/{lounge}/members"),
        json!({"user_id": olga.id()}),
    )
    .await;
    checks.error(
        "add someone from outside the team",
        &reply,
        404,
        "app.team.get_member.missing.app_error",
    );

    // Members of a private channel bring in other team members.
    add_to_channel(&server, &alice, &backroom, bob.id()).await;
    let reply = post(
        &server,
        &bob,
        &format!("/channels/{backroom}/members"),
        json!({"user_id": carol.id()}),
    )
    .await;
    checks.status(
        "a member adds a team member to a private channel",
        &reply,
        201,
    );
    let reply = get(&server, &carol, &format!("/channels/{backroom}/posts")).await;
    checks.that(
        "the addition is posted and readable by the new member",
        reply.0 == 200 && has_post_of_type(&reply.1, "system_add_to_channel"),
        &reply.1,
    );

    // Leaving, and the one channel nobody leaves.
    let reply = delete(
        &server,
        &bob,
        &format!("/channels/{lounge}/members/{}", bob.id()),
    )
    .await;
    checks.status("leave a channel", &reply, 200);
    let reply = get(&server, &alice, &format!("/channels/{lounge}/posts")).await;
    checks.that(
        "leaving is posted",
        has_post_of_type(&reply.1, "system_leave_channel"),
        &reply.1,
    );
    let town_square = channel_named(&server, &bob, &guild, "town-square").await;
    let reply = delete(
        &server,
        &bob,
        &format!("/channels/{town_square}/members/{}", bob.id()),
    )
    .await;
    checks.error(
        "leave town-square",
        &reply,
        400,
        "api.channel.remove.default.app_error",
    );

    // Channel roles: for those who manage them.
    let roles = format!("/channels/{backroom}/members/{}/roles", bob.id());
    let promote = json!({"roles": "channel_user channel_admin"});
    let reply = put(&server, &carol, &roles, promote.clone()).await;
    checks.status("plain channel member promotes", &reply, 403);
    let reply = put(&server, &alice, &roles, promote).await;
    checks.status("channel admin promotes", &reply, 200);
    let reply = get(
        &server,
        &bob,
        &format!("/channels/{backroom}/members/{}", bob.id()),
    )
    .await;
    checks.that(
        "promoted member is channel admin",
        roles_of(&reply.1).contains("channel_admin"),
        &reply.1,
    );

    // Members see who else is in the channel, not when the others last read it.
    let reply = get(&server, &bob, &format!("/channels/{backroom}/members")).await;
    let others_read_state = reply.1.as_array().is_some_and(|members| {
        members.iter().any(|m| {
            m["user_id"] != bob.id()
                && (m.get("last_viewed_at").is_some() || m.get("last_update_at").is_some())
        })
    });
    checks.that(
        "others' last_viewed_at/last_update_at are left out",
        reply.0 == 200 && !others_read_state,
        &reply.1,
    );

    // Notification settings: one's own, with known values only.
    let props = format!("/channels/{backroom}/members/{}/notify_props", bob.id());
    let reply = put(
        &server,
        &bob,
        &props,
        json!({"desktop": "mention", "mark_unread": "mention"}),
    )
    .await;
    checks.status("set notify props", &reply, 200);
    let reply = get(&server, &bob, &format!("/channels/{backroom}/members/me")).await;
    checks.that(
        "notify props are kept",
        reply.1["notify_props"]["desktop"] == "mention"
            && reply.1["notify_props"]["mark_unread"] == "mention",
        &reply.1,
    );
    let reply = put(&server, &bob, &props, json!({"desktop": "loud"})).await;
    checks.status("unknown notify value", &reply, 400);
    let reply = put(&server, &carol, &props, json!({"desktop": "none"})).await;
    checks.status("someone else's notify props", &reply, 403);

    // Viewing a channel marks it read and says when.
    let reply = post(
        &server,
        &bob,
        "/channels/members/me/view",
        json!({"channel_id": backroom}),
    )
    .await;
    checks.that(
        "view a channel",
        reply.0 == 200
            && reply.1["status"] == "OK"
            && reply.1["last_viewed_at_times"][&backroom]
                .as_i64()
                .is_some_and(|t| t > 0),
        &reply.1,
    );
    checks.finish();
}

#[tokio::test]
async fn direct_and_group_messages_are_found_again_not_duplicated() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mut checks = Checks::default();
    let (a, b, c) = (alice.id(), bob.id(), carol.id());

    // One direct channel per pair, named after both ids, smaller first.
    let first = post(&server, &alice, "/channels/direct", json!([a, b])).await;
    let expected_name = if a < b {
        format!("{a}__{b}")
    } else {
        format!("{b}__{a}")
    };
    checks.that(
        "a direct channel",
        first.0 == 201 && first.1["type"] == "D" && first.1["name"] == expected_name.as_str(),
        &first.1,
    );
    let dm = first.1["id"].as_str().unwrap_or_default().to_string();
    let again = post(&server, &alice, "/channels/direct", json!([a, b])).await;
    checks.that(
        "asking again finds the same channel",
        again.1["id"] == dm.as_str(),
        &again.1,
    );
    let reversed = post(&server, &bob, "/channels/direct", json!([b, a])).await;
    checks.that(
        "ids in the other order find the same channel",
        reversed.1["id"] == dm.as_str(),
        &reversed.1,
    );
    say(&server, &alice, &dm, "hi bob").await;
    let reply = get(&server, &bob, &format!("/channels/{dm}/posts")).await;
    checks.status("the other party reads the DM", &reply, 200);
    let reply = get(&server, &carol, &format!("/channels/{dm}/posts")).await;
    checks.status("a third user reads the DM", &reply, 403);

    // With oneself, and never with someone who cannot answer.
    let reply = post(&server, &alice, "/channels/direct", json!([a, a])).await;
    checks.that(
        "a direct channel with oneself",
        reply.0 == 201 && reply.1["type"] == "D" && reply.1["name"] == format!("{a}__{a}").as_str(),
        &reply.1,
    );
    let zed = server.create_user("zed", Some(&admin)).await;
    let zed_id = zed["id"].as_str().unwrap_or_default();
    let reply = put(
        &server,
        &admin,
        &format!("/users/{zed_id}/active"),
        json!({"active": false}),
    )
    .await;
    assert_eq!(reply.0, 200, "deactivating zed: {}", reply.1);
    let reply = post(&server, &alice, "/channels/direct", json!([a, zed_id])).await;
    checks.status("a DM with a deactivated user", &reply, 400);
    let reply = post(
        &server,
        &alice,
        "/channels/direct",
        json!([a, "zzzzzzzzzzzzzzzzzzzzzzzzzz"]),
    )
    .await;
    checks.status("a DM with an unknown user", &reply, 400);

    // Group messages: 3 to 8 people, one channel per set of people.
    let group = post(&server, &alice, "/channels/group", json!([a, b, c])).await;
    let group_name = group.1["name"].as_str().unwrap_or_default();
    checks.that(
        "a group channel",
        group.0 == 201
            && group.1["type"] == "G"
            && group_name.len() == 40
            && group_name.chars().all(|ch| ch.is_ascii_hexdigit()),
        &group.1,
    );
    let shuffled = post(&server, &carol, "/channels/group", json!([c, a, b])).await;
    checks.that(
        "the same people in another order find the same group",
        shuffled.1["id"] == group.1["id"] && shuffled.1["id"].is_string(),
        &shuffled.1,
    );
    let reply = post(&server, &alice, "/channels/group", json!([a, b])).await;
    checks.error(
        "a group of two",
        &reply,
        400,
        "api.channel.create_group.bad_size.app_error",
    );
    let mut nine = vec![a.to_string(), b.to_string(), c.to_string()];
    for name in ["gm4", "gm5", "gm6", "gm7", "gm8", "gm9"] {
        let user = server.create_user(name, Some(&admin)).await;
        nine.push(user["id"].as_str().unwrap_or_default().to_string());
    }
    let reply = post(&server, &alice, "/channels/group", json!(nine)).await;
    checks.error(
        "a group of nine",
        &reply,
        400,
        "api.channel.create_group.bad_size.app_error",
    );
    checks.finish();
}

#[tokio::test]
async fn restricted_direct_messages_need_a_shared_team() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[("HEARTH_TEAMSETTINGS_RESTRICTDIRECTMESSAGE", "team")],
    );
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team = new_team(&server, &alice, "neighbours", "O").await;
    add_to_team(&server, &bob, &team, bob.id()).await;
    let mut checks = Checks::default();
    let reply = post(
        &server,
        &alice,
        "/channels/direct",
        json!([alice.id(), bob.id()]),
    )
    .await;
    checks.status("a DM within a shared team", &reply, 201);
    let reply = post(
        &server,
        &alice,
        "/channels/direct",
        json!([alice.id(), carol.id()]),
    )
    .await;
    checks.status("a DM with someone sharing no team", &reply, 403);
    checks.finish();
}

#[tokio::test]
async fn unread_counts_follow_posts_mentions_replies_and_views() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let mut checks = Checks::default();
    let team = new_team(&server, &alice, "readers", "O").await;
    add_to_team(&server, &bob, &team, bob.id()).await;
    let town_square = channel_named(&server, &alice, &team, "town-square").await;
    let reply = post(
        &server,
        &alice,
        "/channels/members/me/view",
        json!({"channel_id": town_square}),
    )
    .await;
    assert_eq!(reply.0, 200, "alice views town-square: {}", reply.1);

    // Bob writes three messages, one of them to Alice, then replies to the first.
    let first = say(&server, &bob, &town_square, "morning all").await;
    say(&server, &bob, &town_square, "@alice can you look at this?").await;
    say(&server, &bob, &town_square, "thanks").await;
    let alice_unread = format!("/users/{}/channels/{town_square}/unread", alice.id());
    let reply = get(&server, &alice, &alice_unread).await;
    checks.that(
        "three messages, one mention",
        reply.0 == 200
            && reply.1["msg_count"] == 3
            && reply.1["mention_count"] == 1
            && reply.1["msg_count_root"] == 3,
        &reply.1,
    );
    let reply = post(
        &server,
        &bob,
        "/posts",
        json!({"channel_id": town_square, "message": "(late reply)", "root_id": first}),
    )
    .await;
    checks.status("reply", &reply, 201);
    let reply = get(&server, &alice, &alice_unread).await;
    checks.that(
        "a reply counts as a message but not as a root",
        reply.1["msg_count"] == 4 && reply.1["msg_count_root"] == 3,
        &reply.1,
    );

    // The team sums its channels.
    let reply = get(&server, &alice, "/users/me/teams/unread").await;
    let summary = reply.1.as_array().and_then(|teams| {
        teams
            .iter()
            .find(|t| t["team_id"] == team.as_str())
            .cloned()
    });
    checks.that(
        "team unread sums its channels",
        summary
            .as_ref()
            .is_some_and(|t| t["msg_count"] == 4 && t["mention_count"] == 1),
        &reply.1,
    );

    // A direct message always mentions its receiver.
    let dm = post(
        &server,
        &bob,
        "/channels/direct",
        json!([bob.id(), alice.id()]),
    )
    .await;
    let dm = dm.1["id"].as_str().unwrap_or_default().to_string();
    say(&server, &bob, &dm, "psst").await;
    let reply = get(
        &server,
        &alice,
        &format!("/users/{}/channels/{dm}/unread", alice.id()),
    )
    .await;
    checks.that(
        "a DM counts as a mention",
        reply.1["msg_count"] == 1 && reply.1["mention_count"] == 1,
        &reply.1,
    );

    // The sender has read his own messages.
    let reply = get(
        &server,
        &bob,
        &format!("/users/{}/channels/{town_square}/unread", bob.id()),
    )
    .await;
    checks.that(
        "the sender's counts stay at zero",
        reply.1["msg_count"] == 0 && reply.1["mention_count"] == 0,
        &reply.1,
    );

    // Viewing the channel clears it, and the team with it.
    let reply = post(
        &server,
        &alice,
        "/channels/members/me/view",
        json!({"channel_id": town_square}),
    )
    .await;
    checks.status("view town-square", &reply, 200);
    let reply = get(&server, &alice, &alice_unread).await;
    checks.that(
        "viewing clears the channel",
        reply.1["msg_count"] == 0 && reply.1["mention_count"] == 0,
        &reply.1,
    );
    let reply = get(&server, &alice, "/users/me/teams/unread").await;
    let cleared = reply.1.as_array().is_some_and(|teams| {
        teams.iter().any(|t| {
            t["team_id"] == team.as_str() && t["msg_count"] == 0 && t["mention_count"] == 0
        })
    });
    checks.that("viewing clears the team", cleared, &reply.1);
    checks.finish();
}
