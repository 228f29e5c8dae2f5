//! Searching posts through the running server: every piece of the syntax, permissions
//! enforced by the index query, edits and deletes, a crash mid-indexing, and a rebuild
//! from scratch that equals the incrementally built index.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, assert_error, data_dir, run};
use crate::teams_channels::{add_to_channel, add_to_team, get, id_of, new_channel, new_team};

/// A team with `admin`, `bob` and `carol`; `secret` is a private channel of admin and bob.
struct World {
    server: Server,
    admin: Login,
    bob: Login,
    carol: Login,
    team_id: String,
    town: String,
    secret: String,
    data: tempfile::TempDir,
}

async fn world() -> World {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    world_on(server, data).await
}

async fn world_on(server: Server, data: tempfile::TempDir) -> World {
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team_id = new_team(&server, &admin, "find", "O").await;
    for user in [&bob, &carol] {
        add_to_team(&server, &admin, &team_id, user.id()).await;
    }
    let town = get(
        &server,
        &admin,
        &format!("/teams/{team_id}/channels/name/town-square"),
    )
    .await;
    let secret = new_channel(&server, &admin, &team_id, "secret", "P").await;
    add_to_channel(&server, &admin, &secret, bob.id()).await;
    World {
        town: id_of(&town.1),
        server,
        admin,
        bob,
        carol,
        team_id,
        secret,
        data,
    }
}

async fn post(w: &World, who: &Login, channel_id: &str, message: &str) -> Value {
    let (status, body) = w
        .server
        .call(
            Some(who),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": message})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Searches the team as `who`: the raw answer.
async fn search_raw(w: &World, who: &Login, body: Value) -> (u16, Value) {
    w.server
        .call(
            Some(who),
            Method::POST,
            &format!("/api/v4/teams/{}/posts/search", w.team_id),
            Some(body),
        )
        .await
}

/// Searches the team as `who` and returns the messages found, newest first.
async fn search(w: &World, who: &Login, terms: &str) -> Vec<String> {
    w.server.search_caught_up().await;
    let (status, body) = search_raw(
        w,
        who,
        json!({"terms": terms, "is_or_search": false, "per_page": 200}),
    )
    .await;
    if status != 200 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let logs = w.server.logs();
        let errors: Vec<&str> = logs.lines().filter(|l| l.contains("ERROR")).collect();
        panic!("{terms}: {status} {body}\nserver errors: {errors:#?}");
    }
    messages(&body)
}

fn messages(list: &Value) -> Vec<String> {
    list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            list["posts"][id.as_str().unwrap()]["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn each_piece_of_the_syntax_finds_what_it_should() {
    let w = world().await;
    post(&w, &w.admin, &w.town, "We deployed the new build").await;
    post(&w, &w.bob, &w.town, "Deploying to staging tonight").await;
    post(&w, &w.carol, &w.town, "press the green button to start").await;
    post(&w, &w.carol, &w.town, "the button is green now").await;
    post(&w, &w.admin, &w.town, "shipping #release-2 today #Ops").await;
    post(&w, &w.bob, &w.town, "Café au lait, s'il vous plaît").await;
    post(&w, &w.bob, &w.town, "明天我们在北京开会").await;
    post(&w, &w.carol, &w.town, "東京タワーに行きました").await;
    post(&w, &w.carol, &w.town, "서울에서 만나요").await;

    // Words: stemmed, case- and accent-insensitive, AND by default.
    assert_eq!(
        search(&w, &w.bob, "deploy").await,
        ["Deploying to staging tonight", "We deployed the new build"]
    );
    assert_eq!(
        search(&w, &w.bob, "DEPLOYED build").await,
        ["We deployed the new build"]
    );
    assert_eq!(
        search(&w, &w.bob, "cafe").await,
        ["Café au lait, s'il vous plaît"]
    );
    assert_eq!(
        search(&w, &w.bob, "CAFÉ").await,
        ["Café au lait, s'il vous plaît"]
    );
    assert!(
        search(&w, &w.bob, "deploy nonexistentword")
            .await
            .is_empty()
    );
    // OR.
    w.server.search_caught_up().await;
    let (_, either) = search_raw(
        &w,
        &w.bob,
        json!({"terms": "staging lait", "is_or_search": true}),
    )
    .await;
    assert_eq!(
        messages(&either),
        [
            "Café au lait, s'il vous plaît",
            "Deploying to staging tonight"
        ]
    );
    // Phrases: the words together and in order.
    assert_eq!(
        search(&w, &w.bob, "\"green button\"").await,
        ["press the green button to start"]
    );
    assert_eq!(search(&w, &w.bob, "green button").await.len(), 2);
    // Prefixes.
    assert_eq!(
        search(&w, &w.bob, "stag*").await,
        ["Deploying to staging tonight"]
    );
    assert_eq!(search(&w, &w.bob, "butt*").await.len(), 2);
    // Exclusions.
    assert_eq!(
        search(&w, &w.bob, "deploy -staging").await,
        ["We deployed the new build"]
    );
    assert_eq!(
        search(&w, &w.bob, "button -\"green button\"").await,
        ["the button is green now"]
    );
    // Hashtags, whatever their case.
    assert_eq!(
        search(&w, &w.bob, "#release-2").await,
        ["shipping #release-2 today #Ops"]
    );
    assert_eq!(search(&w, &w.bob, "#ops").await.len(), 1);
    assert!(search(&w, &w.bob, "#release").await.is_empty());
    // Who and where.
    assert_eq!(
        search(&w, &w.bob, "from:carol button").await,
        ["the button is green now", "press the green button to start"]
    );
    assert_eq!(search(&w, &w.bob, "from:@bob").await.len(), 3);
    assert_eq!(
        search(&w, &w.bob, "-from:carol from:bob deploying")
            .await
            .len(),
        1
    );
    assert_eq!(search(&w, &w.bob, "in:town-square green").await.len(), 2);
    assert!(search(&w, &w.bob, "in:off-topic green").await.is_empty());
    assert!(search(&w, &w.bob, "-in:town-square green").await.is_empty());
    // Chinese, Japanese and Korean words.
    assert_eq!(search(&w, &w.bob, "北京").await, ["明天我们在北京开会"]);
    assert_eq!(
        search(&w, &w.bob, "開会").await.len(),
        0,
        "different characters"
    );
    assert_eq!(
        search(&w, &w.bob, "東京タワー").await,
        ["東京タワーに行きました"]
    );
    assert_eq!(
        search(&w, &w.bob, "タワー").await,
        ["東京タワーに行きました"]
    );
    assert_eq!(search(&w, &w.bob, "서울").await, ["서울에서 만나요"]);

    // Dates, in the searcher's time zone: everything was posted today.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = |offset_days: i64| {
        let days = now / 86_400 + offset_days;
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    };
    w.server.search_caught_up().await;
    let dated = |terms: String| {
        let w = &w;
        async move {
            let (status, body) = search_raw(
                w,
                &w.bob,
                json!({"terms": terms, "time_zone_offset": 0, "per_page": 200}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            messages(&body).len()
        }
    };
    assert_eq!(dated(format!("deploy on:{}", day(0))).await, 2);
    assert_eq!(dated(format!("deploy on:{}", day(-1))).await, 0);
    assert_eq!(dated(format!("deploy after:{}", day(-1))).await, 2);
    assert_eq!(dated(format!("deploy after:{}", day(0))).await, 0);
    assert_eq!(dated(format!("deploy before:{}", day(1))).await, 2);
    assert_eq!(dated(format!("deploy before:{}", day(0))).await, 0);

    // `matches` lists the words to highlight, as written in each post.
    let (_, found) = search_raw(&w, &w.bob, json!({"terms": "deploy"})).await;
    let matched: Vec<Vec<String>> = found["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let words = &found["matches"][id.as_str().unwrap()];
            serde_json::from_value(words.clone()).unwrap()
        })
        .collect();
    assert_eq!(
        matched,
        [vec!["Deploying".to_string()], vec!["deployed".to_string()]]
    );
    // Everywhere, not only this team.
    let (status, all) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/posts/search",
            Some(json!({"terms": "deploy"})),
        )
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(messages(&all).len(), 2);
}

#[tokio::test]
async fn a_private_word_never_reaches_outsiders() {
    let w = world().await;
    for i in 0..70 {
        post(
            &w,
            &w.admin,
            &w.secret,
            &format!("zebra {i} in the secret room"),
        )
        .await;
    }
    for i in 0..5 {
        post(&w, &w.admin, &w.town, &format!("hello {i} everyone")).await;
    }
    // Carol is in the team but not the channel: no result, not even a count.
    assert!(search(&w, &w.carol, "zebra").await.is_empty());
    assert!(search(&w, &w.carol, "in:secret zebra").await.is_empty());
    assert!(search(&w, &w.carol, "zebra OR hello").await.is_empty());
    let (_, either) = search_raw(
        &w,
        &w.carol,
        json!({"terms": "zebra hello", "is_or_search": true}),
    )
    .await;
    assert_eq!(messages(&either).len(), 5, "only the public posts");
    // Bob, a member, pages through all 70.
    let page = |n: u32| {
        let w = &w;
        async move {
            let (status, body) = search_raw(
                w,
                &w.bob,
                json!({"terms": "zebra", "page": n, "per_page": 30}),
            )
            .await;
            assert_eq!(status, 200);
            messages(&body)
        }
    };
    let (first, second, third, fourth) =
        (page(0).await, page(1).await, page(2).await, page(3).await);
    assert_eq!(
        (first.len(), second.len(), third.len(), fourth.len()),
        (30, 30, 10, 0)
    );
    assert_eq!(first[0], "zebra 69 in the secret room", "newest first");
    // Leaving the channel takes its posts out of bob's results at once.
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::DELETE,
            &format!("/api/v4/channels/{}/members/{}", w.secret, w.bob.id()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(search(&w, &w.bob, "zebra").await.is_empty());
    // A team nobody asked about: 403 for a non-member.
    let (status, body) = w
        .server
        .call(
            Some(&w.carol),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "other", "display_name": "Other", "type": "I"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let other = body["id"].as_str().unwrap();
    let (status, body) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            &format!("/api/v4/teams/{other}/posts/search"),
            Some(json!({"terms": "zebra"})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn edits_and_deletes_are_reflected() {
    let w = world().await;
    let first = post(&w, &w.bob, &w.town, "the alpha plan").await;
    let root = post(&w, &w.bob, &w.town, "thread about gamma").await;
    let root_id = root["id"].as_str().unwrap();
    let (status, _) = w
        .server
        .call(
            Some(&w.carol),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": w.town, "root_id": root_id, "message": "a gamma reply"})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(search(&w, &w.bob, "alpha").await, ["the alpha plan"]);
    assert_eq!(search(&w, &w.bob, "gamma").await.len(), 2);

    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::PUT,
            &format!("/api/v4/posts/{}/patch", first["id"].as_str().unwrap()),
            Some(json!({"message": "the beta plan"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(search(&w, &w.bob, "alpha").await.is_empty());
    assert_eq!(search(&w, &w.bob, "beta").await, ["the beta plan"]);

    // Deleting a thread's root takes its replies out too.
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::DELETE,
            &format!("/api/v4/posts/{root_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(search(&w, &w.bob, "gamma").await.is_empty());
}

#[tokio::test]
async fn bad_queries_get_clear_answers() {
    let w = world().await;
    post(&w, &w.bob, &w.town, "an ordinary message").await;
    w.server.search_caught_up().await;
    for terms in [
        "\"unbalanced quote",
        "-",
        "*",
        "#",
        "from:",
        "\"\"",
        "in:",
        "-\"\"",
    ] {
        let (status, body) = search_raw(&w, &w.bob, json!({"terms": terms})).await;
        assert_eq!(status, 200, "{terms}: {body}");
    }
    let (_, found) = search_raw(&w, &w.bob, json!({"terms": "\"ordinary message"})).await;
    assert_eq!(messages(&found), ["an ordinary message"]);
    let (status, body) = search_raw(&w, &w.bob, json!({"terms": "from:nobody ordinary"})).await;
    assert_eq!((status, messages(&body).len()), (200, 0));
    let (status, body) = search_raw(&w, &w.bob, json!({"terms": "ordinary on:2024-13-45"})).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.search_posts.invalid_terms.app_error",
    );
    let huge = "word ".repeat(2000);
    let (status, body) = search_raw(&w, &w.bob, json!({"terms": huge})).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.search_posts.invalid_terms.app_error",
    );
    let (status, body) = search_raw(&w, &w.bob, json!({"terms": 5})).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = w
        .server
        .call(
            None,
            Method::POST,
            &format!("/api/v4/teams/{}/posts/search", w.team_id),
            Some(json!({"terms": "x"})),
        )
        .await;
    assert_eq!(status, 401);
}

/// A crash while the indexer is behind loses nothing: after a restart it catches up from
/// the position of its last commit, and the index holds exactly the database's posts.
#[tokio::test]
async fn the_index_catches_up_after_kill_9() {
    let w = world().await;
    let mut sent = Vec::new();
    for i in 0..150 {
        let post = post(&w, &w.bob, &w.town, &format!("crash test {i}")).await;
        sent.push(post["id"].as_str().unwrap().to_string());
    }
    // Kill at once: the last posts may not be indexed yet.
    let World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    } = w;
    server.kill9();
    let server = Server::start(data.path(), &[]);
    let w = World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    };
    let index = w.server.search_caught_up().await;
    assert!(index["documents"].as_u64().unwrap() >= 150, "{index}");
    let (_, found) = search_raw(&w, &w.bob, json!({"terms": "crash", "per_page": 200})).await;
    let mut found: Vec<String> = found["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    found.sort();
    sent.sort();
    assert_eq!(found, sent);
}

/// Rebuilding from the database (`hearth search reindex`, or the admin API on a running
/// server) gives the same answers as the index built change by change.
#[tokio::test]
async fn a_rebuilt_index_equals_the_incremental_one() {
    let w = world().await;
    for i in 0..40 {
        let who = if i % 2 == 0 { &w.bob } else { &w.admin };
        let channel = if i % 3 == 0 { &w.secret } else { &w.town };
        post(
            &w,
            who,
            channel,
            &format!("rebuild {i} #tag{} words", i % 4),
        )
        .await;
    }
    let edited = post(&w, &w.bob, &w.town, "rebuild before the edit").await;
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::PUT,
            &format!("/api/v4/posts/{}/patch", edited["id"].as_str().unwrap()),
            Some(json!({"message": "rebuild after the edit"})),
        )
        .await;
    assert_eq!(status, 200);
    let gone = post(&w, &w.bob, &w.town, "rebuild soon deleted").await;
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::DELETE,
            &format!("/api/v4/posts/{}", gone["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let incremental = answers(&w, QUERIES).await;
    assert_eq!(incremental[0].len(), 41);
    let documents = w.server.search_caught_up().await["documents"].clone();

    // The admin API: only for system admins; searches keep answering meanwhile.
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/bleve/purge_indexes",
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = w
        .server
        .call(
            Some(&w.admin),
            Method::POST,
            "/api/v4/bleve/purge_indexes",
            None,
        )
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(w.server.search_caught_up().await["documents"], documents);
    assert_eq!(answers(&w, QUERIES).await, incremental);

    // The command refuses while the server holds the index, then rebuilds it offline.
    let (ok, _, stderr) = run(w.data.path(), &["search", "reindex"]);
    assert!(!ok);
    assert!(stderr.contains("is the server running?"), "{stderr}");
    let World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    } = w;
    drop(server);
    let (ok, stdout, stderr) = run(data.path(), &["search", "reindex"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("posts"), "{stdout}");
    let server = Server::start(data.path(), &[]);
    let w = World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    };
    assert_eq!(w.server.search_caught_up().await["documents"], documents);
    assert_eq!(answers(&w, QUERIES).await, incremental);
}

/// Deleting the index folder costs only a rebuild at the next start.
#[tokio::test]
async fn a_lost_index_is_rebuilt_at_start() {
    let w = world().await;
    post(&w, &w.bob, &w.town, "survives the loss").await;
    assert_eq!(search(&w, &w.bob, "loss").await.len(), 1);
    let World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    } = w;
    drop(server);
    std::fs::remove_dir_all(data.path().join("index")).unwrap();
    let server = Server::start(data.path(), &[]);
    let w = World {
        server,
        admin,
        bob,
        carol,
        team_id,
        town,
        secret,
        data,
    };
    assert_eq!(search(&w, &w.bob, "loss").await, ["survives the loss"]);
}

const QUERIES: [&str; 7] = [
    "rebuild",
    "#tag1",
    "from:admin rebuild",
    "edit",
    "deleted",
    "in:secret rebuild",
    "\"after the edit\"",
];

async fn answers(w: &World, queries: [&str; 7]) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for q in queries {
        all.push(search(w, &w.bob, q).await);
    }
    all
}

/// Archived channels are searched only when the client asks (`include_deleted_channels`)
/// and `TeamSettings.ExperimentalViewArchivedChannels` allows it.
#[tokio::test]
async fn archived_channels_are_searched_only_when_allowed() {
    let w = world().await;
    post(&w, &w.bob, &w.secret, "archived wisdom").await;
    let (status, _) = w
        .server
        .call(
            Some(&w.admin),
            Method::DELETE,
            &format!("/api/v4/channels/{}", w.secret),
            None,
        )
        .await;
    assert_eq!(status, 200);
    w.server.search_caught_up().await;
    let found = |include: bool| {
        let w = &w;
        async move {
            let (status, body) = search_raw(
                w,
                &w.bob,
                json!({"terms": "wisdom", "include_deleted_channels": include}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            messages(&body)
        }
    };
    assert_eq!(found(true).await, ["archived wisdom"]);
    assert!(found(false).await.is_empty());
    // Carol never belonged to it: archived or not, nothing.
    let (_, body) = search_raw(
        &w,
        &w.carol,
        json!({"terms": "wisdom", "include_deleted_channels": true}),
    )
    .await;
    assert!(messages(&body).is_empty());

    // With the switch off, not even on request.
    let World { server, data, .. } = w;
    drop(server);
    let server = Server::start(
        data.path(),
        &[(
            "HEARTH_TEAMSETTINGS_EXPERIMENTALVIEWARCHIVEDCHANNELS",
            "false",
        )],
    );
    let bob = server
        .login("bob", crate::support::accounts::PASSWORD)
        .await;
    server.search_caught_up().await;
    let (_, team) = server
        .call(Some(&bob), Method::GET, "/api/v4/teams/name/find", None)
        .await;
    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!(
                "/api/v4/teams/{}/posts/search",
                team["id"].as_str().unwrap()
            ),
            Some(json!({"terms": "wisdom", "include_deleted_channels": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(messages(&body).is_empty());
}
