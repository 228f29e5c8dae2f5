//! Sidebar categories as the official apps and the web client use them: three default
//! categories holding every channel a member has, custom categories that take channels
//! from wherever they were, order, collapse and rename, favourites that follow the
//! `favorite_channel` preferences both ways, muting, and every change heard live by the
//! user's other devices.

use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::ws::WsClient;
use crate::support::{Server, assert_error, data_dir};
use crate::teams_channels::{
    add_to_channel, add_to_team, delete, get, id_of, new_channel, new_team, post, put,
};

fn base(team_id: &str) -> String {
    format!("/users/me/teams/{team_id}/channels/categories")
}

async fn sidebar(s: &Server, who: &Login, team_id: &str) -> Value {
    let (status, body) = get(s, who, &base(team_id)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The category of `kind` (or with this display name), from a sidebar answer.
fn category<'a>(sidebar: &'a Value, key: &str, value: &str) -> &'a Value {
    sidebar["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[key] == value)
        .unwrap_or_else(|| panic!("no category with {key} {value}: {sidebar}"))
}

fn channels_of(category: &Value) -> Vec<String> {
    category["channel_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Where `channel_id` is in the sidebar: the display names of the categories holding it.
fn holders(sidebar: &Value, channel_id: &str) -> Vec<String> {
    sidebar["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| channels_of(c).iter().any(|id| id == channel_id))
        .map(|c| c["display_name"].as_str().unwrap().to_string())
        .collect()
}

async fn channel_by_name(s: &Server, who: &Login, team_id: &str, name: &str) -> String {
    id_of(
        &get(s, who, &format!("/teams/{team_id}/channels/name/{name}"))
            .await
            .1,
    )
}

/// The `data` of the next `event` on `client`, checked to be addressed to the user on the
/// team.
async fn heard(client: &mut WsClient, event: &str, user_id: &str, team_id: &str) -> Value {
    let frame = client.expect_event(event).await;
    assert_eq!(frame["broadcast"]["user_id"], user_id, "{frame}");
    assert_eq!(frame["broadcast"]["team_id"], team_id, "{frame}");
    assert_eq!(frame["data"]["team_id"], team_id, "{frame}");
    frame["data"].clone()
}

struct World {
    server: Server,
    _data: tempfile::TempDir,
    admin: Login,
    bob: Login,
    team_id: String,
    town: String,
    plans: String,
    dm: String,
}

async fn world() -> World {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let team_id = new_team(s, &admin, "crew", "O").await;
    add_to_team(s, &admin, &team_id, bob.id()).await;
    let town = channel_by_name(s, &bob, &team_id, "town-square").await;
    let plans = new_channel(s, &admin, &team_id, "plans", "O").await;
    add_to_channel(s, &admin, &plans, bob.id()).await;
    let (status, dm) = post(s, &bob, "/channels/direct", json!([bob.id(), admin.id()])).await;
    assert_eq!(status, 201, "{dm}");
    World {
        dm: id_of(&dm),
        server,
        _data: data,
        admin,
        bob,
        team_id,
        town,
        plans,
    }
}

#[tokio::test]
async fn every_member_has_three_default_categories_holding_all_their_channels() {
    let w = world().await;
    let (s, bob, team_id) = (&w.server, &w.bob, w.team_id.as_str());
    let answer = sidebar(s, bob, team_id).await;
    let kinds: Vec<&str> = answer["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["favorites", "channels", "direct_messages"],
        "{answer}"
    );
    let ids: Vec<&str> = answer["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(answer["order"], json!(ids));
    let channels = category(&answer, "type", "channels");
    assert_eq!(channels["id"], format!("channels_{}_{team_id}", bob.id()));
    assert_eq!(channels["display_name"], "Channels");
    assert_eq!(channels["user_id"], bob.id());
    assert_eq!(channels["team_id"], team_id);
    for key in ["sorting", "sort_order", "muted", "collapsed"] {
        assert!(channels.get(key).is_some(), "{key} missing: {channels}");
    }
    let mine = channels_of(channels);
    for id in [&w.town, &w.plans] {
        assert!(mine.contains(id), "{id} not in Channels: {answer}");
    }
    assert_eq!(holders(&answer, &w.dm), ["Direct Messages"]);
    assert_eq!(
        category(&answer, "type", "direct_messages")["sorting"],
        "recent"
    );

    // The same through the other reads, and for an admin asking about bob.
    let (status, order) = get(s, bob, &format!("{}/order", base(team_id))).await;
    assert_eq!((status, &order), (200, &answer["order"]));
    let favorites_id = answer["order"][0].as_str().unwrap();
    let (status, one) = get(s, bob, &format!("{}/{favorites_id}", base(team_id))).await;
    assert_eq!(
        (status, one["type"].as_str()),
        (200, Some("favorites")),
        "{one}"
    );
    let as_admin = get(
        s,
        &w.admin,
        &format!("/users/{}/teams/{team_id}/channels/categories", bob.id()),
    )
    .await;
    assert_eq!(as_admin.0, 200);
    assert_eq!(as_admin.1, answer);

    // A channel bob joins lands in Channels; one he leaves is gone from his sidebar.
    let news = new_channel(s, &w.admin, team_id, "news", "O").await;
    add_to_channel(s, &w.admin, &news, bob.id()).await;
    assert_eq!(
        holders(&sidebar(s, bob, team_id).await, &news),
        ["Channels"]
    );
    let (status, _) = delete(s, bob, &format!("/channels/{news}/members/{}", bob.id())).await;
    assert_eq!(status, 200);
    assert!(holders(&sidebar(s, bob, team_id).await, &news).is_empty());
}

#[tokio::test]
async fn custom_categories_take_channels_and_every_change_is_heard_live() {
    let w = world().await;
    let (s, bob, team_id) = (&w.server, &w.bob, w.team_id.as_str());
    let mut phone = s.ws(&bob.token).await;

    // A custom category with plans in it goes first, and plans leaves Channels.
    let (status, created) = post(
        s,
        bob,
        &base(team_id),
        json!({"display_name": "Projects", "channel_ids": [w.plans], "type": null, "muted": null}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["type"], "custom");
    assert_eq!(channels_of(&created), std::slice::from_ref(&w.plans));
    let projects = id_of(&created);
    let data = heard(&mut phone, "sidebar_category_created", bob.id(), team_id).await;
    assert_eq!(data["category_id"], projects.as_str());
    let answer = sidebar(s, bob, team_id).await;
    assert_eq!(answer["order"][0], projects.as_str());
    assert_eq!(holders(&answer, &w.plans), ["Projects"]);

    // Moving town square in too, collapsing, renaming and sorting: one event with the
    // categories as they are now.
    let mut changed = created.clone();
    changed["channel_ids"] = json!([w.town, w.plans]);
    changed["collapsed"] = json!(true);
    changed["display_name"] = json!("Projects 2027");
    changed["sorting"] = json!("alpha");
    let (status, saved) = put(s, bob, &format!("{}/{projects}", base(team_id)), changed).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["display_name"], "Projects 2027");
    assert_eq!(saved["collapsed"], true);
    assert_eq!(saved["sorting"], "alpha");
    let data = heard(&mut phone, "sidebar_category_updated", bob.id(), team_id).await;
    let updated: Vec<Value> =
        serde_json::from_str(data["updatedCategories"].as_str().unwrap()).unwrap();
    let names: Vec<&str> = updated
        .iter()
        .map(|c| c["display_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Projects 2027") && names.contains(&"Channels"),
        "{names:?}"
    );
    let in_event = updated
        .iter()
        .find(|c| c["id"] == projects.as_str())
        .unwrap();
    assert_eq!(channels_of(in_event), [w.town.clone(), w.plans.clone()]);
    assert_eq!(
        holders(&sidebar(s, bob, team_id).await, &w.town),
        ["Projects 2027"]
    );

    // Default categories keep their names; a partial update changes only what it names.
    let channels_id = format!("channels_{}_{team_id}", bob.id());
    let (status, kept) = put(
        s,
        bob,
        &format!("{}/{channels_id}", base(team_id)),
        json!({"display_name": "Renamed", "collapsed": true}),
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(
        (kept["display_name"].as_str(), kept["collapsed"].as_bool()),
        (Some("Channels"), Some(true))
    );

    // The order, reversed.
    let mut order: Vec<Value> = sidebar(s, bob, team_id).await["order"]
        .as_array()
        .unwrap()
        .clone();
    order.reverse();
    let (status, saved) = put(s, bob, &format!("{}/order", base(team_id)), json!(order)).await;
    assert_eq!((status, &saved), (200, &json!(order)));
    let data = heard(
        &mut phone,
        "sidebar_category_order_updated",
        bob.id(),
        team_id,
    )
    .await;
    assert_eq!(data["order"], json!(order));
    assert_eq!(sidebar(s, bob, team_id).await["order"], json!(order));

    // Deleting the custom category puts its channels back in Channels.
    let (status, gone) = delete(s, bob, &format!("{}/{projects}", base(team_id))).await;
    assert_eq!(
        (status, gone["id"].as_str()),
        (200, Some(projects.as_str())),
        "{gone}"
    );
    let data = heard(&mut phone, "sidebar_category_deleted", bob.id(), team_id).await;
    assert_eq!(data["category_id"], projects.as_str());
    let answer = sidebar(s, bob, team_id).await;
    assert_eq!(answer["categories"].as_array().unwrap().len(), 3);
    assert_eq!(holders(&answer, &w.town), ["Channels"]);
    assert_eq!(holders(&answer, &w.plans), ["Channels"]);

    // Nobody else hears bob's sidebar.
    let mut admins = s.ws(&w.admin.token).await;
    let (status, _) = post(s, bob, &base(team_id), json!({"display_name": "Quiet"})).await;
    assert_eq!(status, 200);
    heard(&mut phone, "sidebar_category_created", bob.id(), team_id).await;
    let frames = admins.drain(std::time::Duration::from_millis(500)).await;
    assert!(
        frames
            .iter()
            .all(|f| !f["event"].as_str().unwrap_or("").starts_with("sidebar")),
        "{frames:?}"
    );
}

#[tokio::test]
async fn favourites_follow_the_favorite_channel_preferences_both_ways() {
    let w = world().await;
    let (s, bob, team_id) = (&w.server, &w.bob, w.team_id.as_str());
    let favorites_id = format!("favorites_{}_{team_id}", bob.id());
    let preference = |channel_id: &str| {
        let path = format!("/users/me/preferences/favorite_channel/name/{channel_id}");
        async move { get(s, bob, &path).await }
    };

    // Into Favorites through the category: the preference follows.
    let (status, saved) = put(
        s,
        bob,
        &format!("{}/{favorites_id}", base(team_id)),
        json!({"channel_ids": [w.plans]}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (status, pref) = preference(&w.plans).await;
    assert_eq!(
        (status, pref["value"].as_str()),
        (200, Some("true")),
        "{pref}"
    );

    // Into Favorites through the preference (as older clients do): the category follows,
    // for a team channel and for a direct message.
    let mut phone = s.ws(&bob.token).await;
    let prefs = json!([
        {"user_id": bob.id(), "category": "favorite_channel", "name": w.town, "value": "true"},
        {"user_id": bob.id(), "category": "favorite_channel", "name": w.dm, "value": "true"},
    ]);
    assert_eq!(put(s, bob, "/users/me/preferences", prefs).await.0, 200);
    heard(&mut phone, "sidebar_category_updated", bob.id(), team_id).await;
    let answer = sidebar(s, bob, team_id).await;
    let favourites = channels_of(category(&answer, "type", "favorites"));
    for id in [&w.town, &w.dm, &w.plans] {
        assert!(favourites.contains(id), "{id} not a favourite: {answer}");
    }
    assert!(
        holders(&answer, &w.town).len() == 1 && holders(&answer, &w.dm).len() == 1,
        "{answer}"
    );

    // Out again: by deleting the preference, and by setting it to false.
    let town_pref =
        json!([{"user_id": bob.id(), "category": "favorite_channel", "name": w.town, "value": ""}]);
    assert_eq!(
        post(s, bob, "/users/me/preferences/delete", town_pref)
            .await
            .0,
        200
    );
    let dm_pref = json!([{"user_id": bob.id(), "category": "favorite_channel", "name": w.dm, "value": "false"}]);
    assert_eq!(put(s, bob, "/users/me/preferences", dm_pref).await.0, 200);
    let answer = sidebar(s, bob, team_id).await;
    assert_eq!(holders(&answer, &w.town), ["Channels"]);
    assert_eq!(holders(&answer, &w.dm), ["Direct Messages"]);
    assert_eq!(holders(&answer, &w.plans), ["Favorites"]);

    // Out through the category: the preference goes.
    let (status, _) = put(
        s,
        bob,
        &format!("{}/{favorites_id}", base(team_id)),
        json!({"channel_ids": []}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        preference(&w.plans).await.0,
        400,
        "the preference is deleted"
    );
    assert_eq!(
        holders(&sidebar(s, bob, team_id).await, &w.plans),
        ["Channels"]
    );

    // A direct message is on every team's sidebar: favoured (here as older clients do,
    // by the preference) it is placed in Favorites on every team, and taken out of one
    // team's Favorites it leaves the others' too.
    let second = new_team(s, &w.admin, "second", "O").await;
    add_to_team(s, &w.admin, &second, bob.id()).await;
    let put_favorites = |team: String, ids: Value| {
        let path = format!("{}/favorites_{}_{team}", base(&team), bob.id());
        async move { put(s, bob, &path, json!({ "channel_ids": ids })).await }
    };
    let favourite = json!([{"user_id": bob.id(), "category": "favorite_channel", "name": w.dm, "value": "true"}]);
    assert_eq!(put(s, bob, "/users/me/preferences", favourite).await.0, 200);
    assert_eq!(
        holders(&sidebar(s, bob, &second).await, &w.dm),
        ["Favorites"]
    );
    assert_eq!(
        holders(&sidebar(s, bob, team_id).await, &w.dm),
        ["Favorites"]
    );
    assert_eq!(put_favorites(team_id.to_string(), json!([])).await.0, 200);
    assert_eq!(
        holders(&sidebar(s, bob, &second).await, &w.dm),
        ["Direct Messages"]
    );
    assert_eq!(
        holders(&sidebar(s, bob, team_id).await, &w.dm),
        ["Direct Messages"]
    );
}

#[tokio::test]
async fn a_muted_category_mutes_the_channels_in_it() {
    let w = world().await;
    let (s, bob, team_id) = (&w.server, &w.bob, w.team_id.as_str());
    let mark_unread = |channel_id: String| async move {
        let (status, member) = get(s, bob, &format!("/channels/{channel_id}/members/me")).await;
        assert_eq!(status, 200, "{member}");
        member["notify_props"]["mark_unread"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (status, quiet) = post(
        s,
        bob,
        &base(team_id),
        json!({"display_name": "Quiet", "channel_ids": [w.plans]}),
    )
    .await;
    assert_eq!(status, 200, "{quiet}");
    let quiet_id = id_of(&quiet);
    assert_eq!(mark_unread(w.plans.clone()).await, "all");

    let mut phone = s.ws(&bob.token).await;
    let (status, _) = put(
        s,
        bob,
        &format!("{}/{quiet_id}", base(team_id)),
        json!({"muted": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mark_unread(w.plans.clone()).await, "mention");
    let member = phone.expect_event("channel_member_updated").await;
    assert!(
        member["data"]["channelMember"]
            .as_str()
            .unwrap()
            .contains(&w.plans),
        "{member}"
    );

    // A channel moved in is muted; moved out to an unmuted category, unmuted.
    let (status, _) = put(
        s,
        bob,
        &format!("{}/{quiet_id}", base(team_id)),
        json!({"channel_ids": [w.plans, w.town]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mark_unread(w.town.clone()).await, "mention");
    let channels_id = format!("channels_{}_{team_id}", bob.id());
    let mut channels = get(s, bob, &format!("{}/{channels_id}", base(team_id)))
        .await
        .1;
    let mut ids = channels_of(&channels);
    ids.push(w.plans.clone());
    channels["channel_ids"] = json!(ids);
    let (status, _) = put(s, bob, &base(team_id), json!([channels])).await;
    assert_eq!(status, 200);
    assert_eq!(mark_unread(w.plans.clone()).await, "all");
    assert_eq!(mark_unread(w.town.clone()).await, "mention");
}

#[tokio::test]
async fn bad_category_requests_are_refused_and_change_nothing() {
    let w = world().await;
    let (s, bob, team_id) = (&w.server, &w.bob, w.team_id.as_str());
    let carol = s.user(&w.admin, "carol").await;
    let before = sidebar(s, bob, team_id).await;
    let channels_id = format!("channels_{}_{team_id}", bob.id());
    let dms_id = format!("direct_messages_{}_{team_id}", bob.id());
    let one = |id: &str| format!("{}/{id}", base(team_id));

    // Someone else's sidebar, or a team one is not in.
    let bobs = format!("/users/{}/teams/{team_id}/channels/categories", bob.id());
    let (status, body) = get(s, &carol, &bobs).await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    let (status, body) = get(s, &carol, &base(team_id)).await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");

    // Unknown categories, bad values, channels that cannot go there.
    let (status, body) = get(s, bob, &one("nosuchcategory")).await;
    assert_error(
        status,
        &body,
        404,
        "app.channel.sidebar_categories.app_error",
    );
    let (status, body) = put(s, bob, &one(&channels_id), json!({"sorting": "sideways"})).await;
    assert_error(status, &body, 400, "api.sidebar_category.sorting.app_error");
    let (status, body) = put(s, bob, &one(&channels_id), json!({"channel_ids": [w.dm]})).await;
    assert_error(
        status,
        &body,
        400,
        "api.sidebar_category.channel_type.app_error",
    );
    let (status, body) = put(s, bob, &one(&dms_id), json!({"channel_ids": [w.town]})).await;
    assert_error(
        status,
        &body,
        400,
        "api.sidebar_category.channel_type.app_error",
    );
    let (status, body) = put(s, bob, &one(&channels_id), json!({"type": "custom"})).await;
    assert_error(status, &body, 400, "api.sidebar_category.type.app_error");
    let (status, body) = post(s, bob, &base(team_id), json!({"display_name": "  "})).await;
    assert_error(
        status,
        &body,
        400,
        "model.sidebar_category.display_name.app_error",
    );
    let (status, body) = post(
        s,
        bob,
        &base(team_id),
        json!({"display_name": "x".repeat(65)}),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "model.sidebar_category.display_name.app_error",
    );
    let (status, body) = post(
        s,
        bob,
        &base(team_id),
        json!({"display_name": "Mine", "user_id": carol.id()}),
    )
    .await;
    assert_error(status, &body, 400, "api.sidebar_category.owner.app_error");
    let (status, body) = delete(s, bob, &one(&channels_id)).await;
    assert_error(
        status,
        &body,
        400,
        "api.sidebar_category.delete_default.app_error",
    );
    let (status, body) = put(
        s,
        bob,
        &format!("{}/order", base(team_id)),
        json!([channels_id]),
    )
    .await;
    assert_error(status, &body, 400, "api.sidebar_category.order.app_error");
    let (status, body) = put(s, bob, &base(team_id), json!([])).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = put(s, bob, &base(team_id), json!({"id": channels_id})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    // Two categories claiming one channel in one request.
    let favorites_id = format!("favorites_{}_{team_id}", bob.id());
    let (status, body) = put(
        s,
        bob,
        &base(team_id),
        json!([{"id": favorites_id, "channel_ids": [w.town]}, {"id": channels_id, "channel_ids": [w.town]}]),
    )
    .await;
    assert_error(status, &body, 400, "api.sidebar_category.channel.app_error");

    assert_eq!(sidebar(s, bob, team_id).await, before, "nothing changed");

    // Ids that are not bob's channels here (a private channel he is not in, one he has
    // left) are dropped: the clients send back stale ids, and nothing is revealed.
    let admins_only = new_channel(s, &w.admin, team_id, "admins", "P").await;
    let (status, spy) = post(
        s,
        bob,
        &base(team_id),
        json!({"display_name": "Spy", "channel_ids": [admins_only, w.plans]}),
    )
    .await;
    assert_eq!(status, 200, "{spy}");
    assert_eq!(channels_of(&spy), std::slice::from_ref(&w.plans));
    let answer = sidebar(s, bob, team_id).await;
    assert!(holders(&answer, &admins_only).is_empty(), "{answer}");
    assert!(
        !answer.to_string().contains(&admins_only),
        "the private channel is never named: {answer}"
    );
}
