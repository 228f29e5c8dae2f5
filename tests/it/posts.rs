//! Posts as people use them, through the HTTP API: writing and reading pages of a channel,
//! threads, retried sends, bad input, edits and their history, deletes (soft: the rows
//! stay in the database), pins, reactions, and mentions counted as unread.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, assert_error, data_dir};

/// A server with one team, "garden": the admin made it and bob joined it, so both are in
/// its town-square, which starts without posts.
struct Garden {
    // Declared before `data`, so the server stops before its folder is removed.
    server: Server,
    data: tempfile::TempDir,
    admin: Login,
    bob: Login,
    team: String,
    town_square: String,
}

impl Garden {
    async fn open(env: &[(&str, &str)]) -> Garden {
        let data = data_dir();
        let server = Server::start(data.path(), env);
        let admin = server.admin().await;
        let bob = server.user(&admin, "bob").await;
        let body = json!({"name": "garden", "display_name": "Garden", "type": "O"});
        let created = server.call(Some(&admin), Method::POST, "/api/v4/teams", Some(body));
        let team = id(&check(created.await, 201));
        let mut garden = Garden {
            server,
            data,
            admin,
            bob,
            team,
            town_square: String::new(),
        };
        garden.join_team(&garden.bob).await;
        let path = format!("/teams/{}/channels/name/town-square", garden.team);
        garden.town_square = id(&check(garden.get(&garden.admin, &path).await, 200));
        garden
    }

    /// Calls `/api/v4{path}` as `who`.
    async fn call(
        &self,
        who: &Login,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let path = format!("/api/v4{path}");
        self.server.call(Some(who), method, &path, body).await
    }

    async fn get(&self, who: &Login, path: &str) -> (u16, Value) {
        self.call(who, Method::GET, path, None).await
    }

    async fn join_team(&self, user: &Login) {
        let body = json!({"team_id": self.team, "user_id": user.id()});
        let path = format!("/teams/{}/members", self.team);
        check(
            self.call(&self.admin, Method::POST, &path, Some(body))
                .await,
            201,
        );
    }

    /// A new user who is in the team (and so in its town-square).
    async fn member(&self, username: &str) -> Login {
        let user = self.server.user(&self.admin, username).await;
        self.join_team(&user).await;
        user
    }

    /// A channel the admin creates: `"O"` public, `"P"` private.
    async fn channel(&self, name: &str, kind: &str) -> String {
        let body = json!({"team_id": self.team, "name": name, "display_name": name, "type": kind});
        id(&check(
            self.call(&self.admin, Method::POST, "/channels", Some(body))
                .await,
            201,
        ))
    }

    /// `POST /posts` with this body.
    async fn create(&self, who: &Login, body: Value) -> (u16, Value) {
        self.call(who, Method::POST, "/posts", Some(body)).await
    }

    /// Posts `message` and returns the new post.
    async fn say(&self, who: &Login, channel: &str, message: &str) -> Value {
        check(
            self.create(who, json!({"channel_id": channel, "message": message}))
                .await,
            201,
        )
    }

    async fn reply(&self, who: &Login, channel: &str, root: &str, message: &str) -> Value {
        let body = json!({"channel_id": channel, "root_id": root, "message": message});
        check(self.create(who, body).await, 201)
    }

    /// Posts each message in turn and returns their ids, oldest first. Posts made in the
    /// same millisecond have no defined order, so the posts are spaced out a little.
    async fn say_in_order(&self, who: &Login, channel: &str, messages: &[&str]) -> Vec<String> {
        let mut ids = Vec::new();
        for message in messages {
            ids.push(id(&self.say(who, channel, message).await));
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        ids
    }

    /// `GET /channels/{channel}/posts?{query}`: a PostList.
    async fn posts(&self, who: &Login, channel: &str, query: &str) -> Value {
        check(
            self.get(who, &format!("/channels/{channel}/posts?{query}"))
                .await,
            200,
        )
    }

    async fn patch(&self, who: &Login, post: &str, message: &str) -> (u16, Value) {
        let body = json!({"message": message});
        self.call(
            who,
            Method::PUT,
            &format!("/posts/{post}/patch"),
            Some(body),
        )
        .await
    }

    async fn delete(&self, who: &Login, post: &str) -> (u16, Value) {
        self.call(who, Method::DELETE, &format!("/posts/{post}"), None)
            .await
    }

    /// `POST /posts/{post}/pin` or `/unpin`.
    async fn pin(&self, who: &Login, post: &str, action: &str) -> (u16, Value) {
        let path = format!("/posts/{post}/{action}");
        self.call(who, Method::POST, &path, None).await
    }

    /// A user's unread counts in a channel.
    async fn unread(&self, who: &Login, channel: &str) -> Value {
        let path = format!("/users/{}/channels/{channel}/unread", who.id());
        check(self.get(who, &path).await, 200)
    }

    /// What the database file holds for a post, read behind the server's back: the post's
    /// own row, and its earlier versions oldest first.
    fn rows(&self, post: &str) -> (Row, Vec<Row>) {
        let rows = crate::support::sql_query(
            self.data.path(),
            "SELECT id, message, delete_at, original_id FROM posts
             WHERE id = ?1 OR original_id = ?1 ORDER BY original_id, update_at",
            &[post],
        )
        .into_iter()
        .map(|row| Row {
            id: row[0].as_str().unwrap().to_string(),
            message: row[1].as_str().unwrap().to_string(),
            delete_at: row[2].as_i64().unwrap(),
            original_id: row[3].as_str().unwrap().to_string(),
        });
        let (own, history): (Vec<Row>, Vec<Row>) = rows.partition(|row| row.id == post);
        assert!(history.iter().all(|row| row.original_id == post));
        (own.into_iter().next().expect("the post's row"), history)
    }
}

/// A row of the `posts` table.
#[derive(Debug)]
struct Row {
    id: String,
    message: String,
    delete_at: i64,
    original_id: String,
}

fn messages(rows: &[Row]) -> Vec<&str> {
    rows.iter().map(|row| row.message.as_str()).collect()
}

/// Checks the status (showing the body when it is wrong) and returns the body.
#[track_caller]
fn check((status, body): (u16, Value), expected: u16) -> Value {
    assert_eq!(status, expected, "unexpected status; body: {body}");
    body
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

fn order(list: &Value) -> Vec<String> {
    serde_json::from_value(list["order"].clone()).expect("a PostList order")
}

/// A PostList's `order` with its `prev_post_id` and `next_post_id`.
fn window(list: &Value) -> (Vec<String>, &str, &str) {
    (
        order(list),
        list["prev_post_id"].as_str().unwrap_or("?"),
        list["next_post_id"].as_str().unwrap_or("?"),
    )
}

/// `ids` picked by index, in the order given.
fn pick(ids: &[String], indexes: &[usize]) -> Vec<String> {
    indexes.iter().map(|&i| ids[i].clone()).collect()
}

fn keys(list: &Value) -> BTreeSet<String> {
    list["posts"]
        .as_object()
        .expect("posts by id")
        .keys()
        .cloned()
        .collect()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

/// A well-formed id that names nothing.
fn unknown_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..26].to_string()
}

#[tokio::test]
async fn a_channel_lists_posts_newest_first_in_pages_and_windows() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    assert_eq!(order(&g.posts(&g.bob, ts, "").await), Vec::<String>::new());

    let first = g.say(&g.bob, ts, "first light").await;
    assert_eq!(first["message"], "first light");
    assert_eq!(first["user_id"], g.bob.id());
    assert_eq!(first["channel_id"], ts);
    assert!(first["create_at"].as_i64().unwrap() > 0, "{first}");
    assert_eq!(
        (&first["edit_at"], &first["delete_at"]),
        (&json!(0), &json!(0))
    );
    let fetched = check(
        g.get(&g.admin, &format!("/posts/{}", id(&first))).await,
        200,
    );
    assert_eq!(
        (&fetched["id"], &fetched["message"]),
        (&first["id"], &first["message"])
    );

    tokio::time::sleep(Duration::from_millis(3)).await;
    let mut p = vec![id(&first)];
    p.extend(
        g.say_in_order(&g.bob, ts, &["two", "three", "four", "five"])
            .await,
    );

    // Everything: newest first, every post keyed by its id, nothing either side.
    let all = g.posts(&g.bob, ts, "").await;
    assert_eq!(window(&all), (pick(&p, &[4, 3, 2, 1, 0]), "", ""));
    assert_eq!(keys(&all), p.iter().cloned().collect());
    assert_eq!(all["posts"][&p[2]]["message"], "three");
    assert_eq!(all["posts"][&p[2]]["id"], p[2].as_str());

    // Pages of two, each pointing at its neighbours.
    let page = async |n: u32| g.posts(&g.bob, ts, &format!("per_page=2&page={n}")).await;
    assert_eq!(
        window(&page(0).await),
        (pick(&p, &[4, 3]), p[2].as_str(), "")
    );
    assert_eq!(
        window(&page(1).await),
        (pick(&p, &[2, 1]), p[0].as_str(), p[3].as_str())
    );
    assert_eq!(window(&page(2).await), (pick(&p, &[0]), "", p[1].as_str()));
    assert!(order(&page(3).await).is_empty());

    // Windows before and after a post.
    let query = async |q: String| g.posts(&g.bob, ts, &q).await;
    let before = query(format!("before={}&per_page=2", p[3])).await;
    assert_eq!(
        window(&before),
        (pick(&p, &[2, 1]), p[0].as_str(), p[3].as_str())
    );
    let after = query(format!("after={}&per_page=2", p[1])).await;
    assert_eq!(
        window(&after),
        (pick(&p, &[3, 2]), p[1].as_str(), p[4].as_str())
    );
    let second_page = query(format!("before={}&per_page=1&page=1", p[4])).await;
    assert_eq!(order(&second_page), pick(&p, &[2]));
    let second_page = query(format!("after={}&per_page=1&page=1", p[0])).await;
    assert_eq!(order(&second_page), pick(&p, &[2]));
    let oldest = query(format!("before={}", p[1])).await;
    assert_eq!(window(&oldest), (pick(&p, &[0]), "", p[1].as_str()));
    let newest = query(format!("after={}", p[3])).await;
    assert_eq!(window(&newest), (pick(&p, &[4]), p[3].as_str(), ""));
    // Past either end the window is empty but still points back at its anchor.
    let beyond = query(format!("before={}", p[0])).await;
    assert_eq!(window(&beyond), (vec![], "", p[0].as_str()));
    let beyond = query(format!("after={}", p[4])).await;
    assert_eq!(window(&beyond), (vec![], p[4].as_str(), ""));
}

#[tokio::test]
async fn since_returns_the_posts_changed_after_a_time_including_deleted_ones() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let p = g
        .say_in_order(&g.bob, ts, &["untouched", "to edit", "to delete"])
        .await;
    let posts = g.posts(&g.bob, ts, "").await;
    let since = p
        .iter()
        .map(|id| posts["posts"][id]["update_at"].as_i64().unwrap())
        .max()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;

    check(g.patch(&g.bob, &p[1], "edited").await, 200);
    check(g.delete(&g.bob, &p[2]).await, 200);
    let new = id(&g.say(&g.bob, ts, "new").await);

    let changed = g.posts(&g.bob, ts, &format!("since={since}")).await;
    assert_eq!(
        order(&changed).iter().collect::<BTreeSet<_>>(),
        [&p[1], &p[2], &new].into()
    );
    let posts = &changed["posts"];
    assert_eq!(posts[&p[1]]["message"], "edited", "{changed}");
    assert!(
        posts[&p[1]]["edit_at"].as_i64().unwrap() > since,
        "{changed}"
    );
    assert!(
        posts[&p[2]]["delete_at"].as_i64().unwrap() > since,
        "{changed}"
    );
    assert_eq!(posts[&new]["delete_at"], 0);
}

#[tokio::test]
async fn replies_travel_with_their_root_and_make_a_thread() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let root = id(&g.say(&g.bob, ts, "who is bringing cake?").await);
    g.say_in_order(&g.admin, ts, &["one", "two", "three"]).await;
    let first = id(&g.reply(&g.admin, ts, &root, "me").await);
    tokio::time::sleep(Duration::from_millis(3)).await;
    let second = g.reply(&g.bob, ts, &root, "great").await;
    assert_eq!(second["root_id"], root.as_str());
    let second = id(&second);

    // The newest page holds only the replies; their root comes along in `posts`.
    let page = g.posts(&g.bob, ts, "per_page=2").await;
    assert_eq!(order(&page), [second.as_str(), first.as_str()]);
    assert_eq!(keys(&page), set(&[&root, &first, &second]));
    assert_eq!(page["posts"][&root]["message"], "who is bringing cake?");
    assert_eq!(page["posts"][&root]["reply_count"], 2);
    // Replies carry the thread's count too, as Mattermost's do.
    assert_eq!(page["posts"][&first]["reply_count"], 2);
    assert_eq!(page["posts"][&second]["reply_count"], 2);

    // The thread, from the root or from a reply: the root and its replies, newest first.
    for from in [&root, &first] {
        let thread = check(g.get(&g.bob, &format!("/posts/{from}/thread")).await, 200);
        assert_eq!(
            order(&thread),
            [second.as_str(), first.as_str(), root.as_str()]
        );
        assert_eq!(keys(&thread), set(&[&root, &first, &second]));
    }
    let fetched = check(g.get(&g.bob, &format!("/posts/{root}")).await, 200);
    assert_eq!(fetched["reply_count"], 2, "{fetched}");
}

#[tokio::test]
async fn a_retried_send_with_the_same_pending_post_id_makes_one_post() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let send = async |who: &Login, pending: &str| {
        let body = json!({"channel_id": ts, "message": "only once", "pending_post_id": pending});
        g.create(who, body).await
    };

    // A client that lost the answer sends again: it gets the same post back.
    let pending = format!("{}:1700000000000", g.bob.id());
    let first = check(send(&g.bob, &pending).await, 201);
    let again = check(send(&g.bob, &pending).await, 201);
    assert_eq!(id(&again), id(&first));
    assert_eq!(first["pending_post_id"], pending.as_str());
    assert_eq!(order(&g.posts(&g.bob, ts, "").await), [id(&first)]);

    // Eight impatient retries at once still make one post, and every answer names it.
    let pending = format!("{}:1700000000001", g.bob.id());
    let answers = join_all((0..8).map(|_| send(&g.bob, &pending))).await;
    let ids: BTreeSet<String> = answers
        .into_iter()
        .map(|answer| id(&check(answer, 201)))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(order(&g.posts(&g.bob, ts, "").await).len(), 2);

    // The pending id is the sender's own: someone else may use the same one.
    let alice = g.member("alice").await;
    let hers = check(send(&alice, &pending).await, 201);
    assert!(!ids.contains(&id(&hers)));
    assert_eq!(hers["user_id"], alice.id());
    assert_eq!(order(&g.posts(&g.bob, ts, "").await).len(), 3);
}

#[tokio::test]
async fn bad_posts_are_refused_with_clear_errors() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let elsewhere = g.channel("elsewhere", "O").await;
    let secret = g.channel("secret", "P").await;
    let foreign_root = id(&g.say(&g.admin, &elsewhere, "over here").await);
    let root = id(&g.say(&g.bob, ts, "root").await);
    let reply = id(&g.reply(&g.bob, ts, &root, "reply").await);
    let post = async |channel: &str, extra: Value| {
        let mut body = json!({"channel_id": channel, "message": "hello"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        g.create(&g.bob, body).await
    };

    let (status, body) = post(&unknown_id(), json!({})).await;
    assert!(
        status == 404 || status == 403,
        "unknown channel: {status} {body}"
    );
    let (status, body) = post("not-a-channel-id", json!({})).await;
    assert_eq!(status, 400, "malformed channel id: {body}");

    let bad_root = "api.post.create_post.root_id.app_error";
    let (status, body) = post(ts, json!({"root_id": foreign_root})).await;
    assert_error(status, &body, 400, bad_root);
    let (status, body) = post(ts, json!({"root_id": reply})).await;
    assert_error(status, &body, 400, bad_root);
    let (status, body) = post(ts, json!({"root_id": unknown_id()})).await;
    assert_error(status, &body, 400, bad_root);

    // Length counts characters, not bytes: 16383 two-byte characters are fine.
    let (status, body) = post(ts, json!({"message": "é".repeat(16384)})).await;
    assert_error(
        status,
        &body,
        400,
        "model.post.is_valid.message_length.app_error",
    );
    check(post(ts, json!({"message": "é".repeat(16383)})).await, 201);

    let (status, body) = post(ts, json!({"message": ""})).await;
    assert_eq!(status, 400, "empty message: {body}");
    let (status, body) = post(ts, json!({"message": "  \n "})).await;
    assert_eq!(status, 400, "blank message: {body}");
    let (status, body) = post(ts, json!({"type": "system_join_channel"})).await;
    assert_eq!(status, 400, "system type: {body}");

    let response = g
        .server
        .as_user(&g.bob, Method::POST, "/api/v4/posts")
        .header("Content-Type", "application/json")
        .body("channel_id=hello")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::json(response).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Bob is in the team but not in the private channel.
    let (status, body) = post(&secret, json!({})).await;
    assert_eq!(status, 403, "private channel: {body}");
    // Carol is not in the team at all.
    let carol = g.server.user(&g.admin, "carol").await;
    let (status, body) = g
        .create(&carol, json!({"channel_id": ts, "message": "hi"}))
        .await;
    assert_eq!(status, 403, "another team's channel: {body}");

    // None of it reached the channel.
    let posts = g.posts(&g.admin, ts, "").await;
    assert_eq!(order(&posts).len(), 3, "{posts}");
}

#[tokio::test]
async fn authors_edit_their_posts_and_earlier_versions_are_kept() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let post = g.say(&g.bob, ts, "helo wrld").await;
    let post_id = id(&post);
    tokio::time::sleep(Duration::from_millis(3)).await;

    let edited = check(g.patch(&g.bob, &post_id, "hello world").await, 200);
    assert_eq!(edited["message"], "hello world");
    assert!(edited["edit_at"].as_i64().unwrap() > post["create_at"].as_i64().unwrap());
    let fetched = check(g.get(&alice, &format!("/posts/{post_id}")).await, 200);
    assert_eq!(
        (&fetched["message"], &fetched["edit_at"]),
        (&edited["message"], &edited["edit_at"])
    );
    tokio::time::sleep(Duration::from_millis(3)).await;
    check(g.patch(&g.bob, &post_id, "Hello, world!").await, 200);

    // The author sees the earlier versions, newest first; nobody else may.
    let path = format!("/posts/{post_id}/edit_history");
    let history = check(g.get(&g.bob, &path).await, 200);
    let earlier: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["message"])
        .collect();
    assert_eq!(earlier, ["hello world", "helo wrld"], "{history}");
    check(g.get(&alice, &path).await, 403);

    let (status, body) = g.patch(&alice, &post_id, "not yours").await;
    assert_eq!(status, 403, "{body}");
    let fetched = check(g.get(&g.bob, &format!("/posts/{post_id}")).await, 200);
    assert_eq!(fetched["message"], "Hello, world!");

    // The database keeps both earlier versions beside the current one.
    let (current, history) = g.rows(&post_id);
    assert_eq!(current.message, "Hello, world!");
    assert_eq!(messages(&history), ["helo wrld", "hello world"]);
}

#[tokio::test]
async fn editing_can_be_switched_off() {
    let g = Garden::open(&[("HEARTH_SERVICESETTINGS_ALLOWEDITPOST", "false")]).await;
    let post = id(&g.say(&g.bob, &g.town_square, "set in stone").await);
    let (status, body) = g.patch(&g.bob, &post, "changed").await;
    assert_eq!(status, 403, "{body}");
    let fetched = check(g.get(&g.bob, &format!("/posts/{post}")).await, 200);
    assert_eq!(
        (&fetched["message"], &fetched["edit_at"]),
        (&json!("set in stone"), &json!(0))
    );
}

#[tokio::test]
async fn edits_are_refused_after_the_time_limit() {
    let g = Garden::open(&[("HEARTH_SERVICESETTINGS_POSTEDITTIMELIMIT", "1")]).await;
    let ts = g.town_square.as_str();
    let mine = id(&g.say(&g.bob, ts, "quick").await);
    let admins = id(&g.say(&g.admin, ts, "announcement").await);
    check(g.patch(&g.bob, &mine, "quick fix").await, 200);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // As in Mattermost, the limit holds for everyone, system admins included.
    for (who, post) in [(&g.bob, &mine), (&g.admin, &admins)] {
        let (status, body) = g.patch(who, post, "too late").await;
        let id = "api.post.update_post.permissions_time_limit.app_error";
        assert_error(status, &body, 400, id);
    }
    let fetched = check(g.get(&g.bob, &format!("/posts/{mine}")).await, 200);
    assert_eq!(fetched["message"], "quick fix");
}

#[tokio::test]
async fn a_deleted_post_vanishes_from_the_api_but_its_rows_stay() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let oops = id(&g.say(&g.bob, ts, "oops").await);
    check(g.patch(&g.bob, &oops, "oops, wrong channel").await, 200);
    tokio::time::sleep(Duration::from_millis(3)).await;
    let kept = id(&g.say(&alice, ts, "still here").await);

    check(g.delete(&g.bob, &oops).await, 200);
    assert_eq!(order(&g.posts(&alice, ts, "").await), [kept.as_str()]);
    for who in [&g.bob, &alice] {
        let (status, body) = g.get(who, &format!("/posts/{oops}")).await;
        assert_error(status, &body, 404, "app.post.get.app_error");
    }
    let (status, body) = g.delete(&g.bob, &oops).await;
    assert_eq!(status, 404, "deleting twice: {body}");

    // Soft delete: the post and its edit history are still in the database.
    let (post, history) = g.rows(&oops);
    assert_eq!(post.message, "oops, wrong channel");
    assert!(post.delete_at > 0, "delete_at is set: {post:?}");
    assert_eq!(messages(&history), ["oops"]);
}

#[tokio::test]
async fn deleting_a_reply_or_a_root_updates_the_thread() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let root = id(&g.say(&g.bob, ts, "plans for friday?").await);
    let first = id(&g.reply(&alice, ts, &root, "hike").await);
    tokio::time::sleep(Duration::from_millis(3)).await;
    let second = id(&g.reply(&g.bob, ts, &root, "picnic").await);

    // A deleted reply leaves the thread and the root's count.
    check(g.delete(&alice, &first).await, 200);
    let thread = check(g.get(&g.bob, &format!("/posts/{root}/thread")).await, 200);
    assert_eq!(order(&thread), [second.as_str(), root.as_str()]);
    assert_eq!(thread["posts"][&root]["reply_count"], 1, "{thread}");

    // A deleted root takes the rest of its thread with it.
    check(g.delete(&g.bob, &root).await, 200);
    assert!(order(&g.posts(&alice, ts, "").await).is_empty());
    for post in [&root, &second] {
        check(g.get(&alice, &format!("/posts/{post}")).await, 404);
        check(g.get(&alice, &format!("/posts/{post}/thread")).await, 404);
        let (row, _) = g.rows(post);
        assert!(row.delete_at > 0, "a soft-deleted row: {row:?}");
    }
}

#[tokio::test]
async fn only_authors_and_team_admins_delete_a_post() {
    let g = Garden::open(&[]).await;
    let alice = g.member("alice").await;
    let post = id(&g.say(&g.bob, &g.town_square, "mine").await);

    let (status, body) = g.delete(&alice, &post).await;
    assert_eq!(status, 403, "{body}");
    check(g.get(&alice, &format!("/posts/{post}")).await, 200);

    let roles = json!({"roles": "team_user team_admin"});
    let path = format!("/teams/{}/members/{}/roles", g.team, alice.id());
    check(g.call(&g.admin, Method::PUT, &path, Some(roles)).await, 200);
    check(g.delete(&alice, &post).await, 200);
    check(g.get(&g.bob, &format!("/posts/{post}")).await, 404);
}

#[tokio::test]
async fn deleting_can_be_switched_off() {
    let g = Garden::open(&[("HEARTH_SERVICESETTINGS_ALLOWDELETEPOST", "false")]).await;
    let post = id(&g.say(&g.bob, &g.town_square, "forever").await);
    for who in [&g.bob, &g.admin] {
        let (status, body) = g.delete(who, &post).await;
        assert_eq!(status, 403, "{body}");
    }
    check(g.get(&g.bob, &format!("/posts/{post}")).await, 200);
}

#[tokio::test]
async fn pinned_posts_are_marked_and_listed() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let p = g
        .say_in_order(&g.bob, ts, &["rules: be kind", "chatter"])
        .await;
    let pinned =
        async |who: &Login| check(g.get(who, &format!("/channels/{ts}/pinned")).await, 200);

    check(g.pin(&g.bob, &p[0], "pin").await, 200);
    let post = check(g.get(&alice, &format!("/posts/{}", p[0])).await, 200);
    assert_eq!(post["is_pinned"], true);
    let list = pinned(&alice).await;
    assert_eq!(order(&list), [p[0].as_str()]);
    assert_eq!(list["posts"][&p[0]]["message"], "rules: be kind");
    let all = g.posts(&alice, ts, "").await;
    assert_eq!(
        (
            &all["posts"][&p[0]]["is_pinned"],
            &all["posts"][&p[1]]["is_pinned"]
        ),
        (&json!(true), &json!(false))
    );

    check(g.pin(&g.bob, &p[0], "unpin").await, 200);
    let post = check(g.get(&alice, &format!("/posts/{}", p[0])).await, 200);
    assert_eq!(post["is_pinned"], false);
    assert!(order(&pinned(&alice).await).is_empty());
}

#[tokio::test]
async fn reactions_are_added_listed_and_removed() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let p = g.say_in_order(&g.bob, ts, &["we shipped!", "lunch?"]).await;
    let react = async |who: &Login, user: &str, emoji: &str| {
        let body = json!({"user_id": user, "post_id": p[0], "emoji_name": emoji});
        g.call(who, Method::POST, "/reactions", Some(body)).await
    };
    let reactions = async || {
        let list = check(
            g.get(&g.bob, &format!("/posts/{}/reactions", p[0])).await,
            200,
        );
        let mut found: Vec<(String, String)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["user_id"].as_str().unwrap().into(),
                    r["emoji_name"].as_str().unwrap().into(),
                )
            })
            .collect();
        found.sort();
        found
    };

    let (status, tada) = react(&alice, alice.id(), "tada").await;
    assert!(status == 200 || status == 201, "{status} {tada}");
    assert_eq!(
        (&tada["user_id"], &tada["post_id"], &tada["emoji_name"]),
        (&json!(alice.id()), &json!(p[0]), &json!("tada"))
    );
    assert!(tada["create_at"].as_i64().unwrap() > 0, "{tada}");
    let (status, body) = react(&g.bob, g.bob.id(), "+1").await;
    assert!(status == 200 || status == 201, "{status} {body}");

    let mut expected = vec![
        (alice.id().to_string(), "tada".to_string()),
        (g.bob.id().to_string(), "+1".to_string()),
    ];
    expected.sort();
    assert_eq!(reactions().await, expected);
    let post = check(g.get(&alice, &format!("/posts/{}", p[0])).await, 200);
    assert_eq!(post["has_reactions"], true, "{post}");
    assert_eq!(
        post["metadata"]["reactions"].as_array().map(Vec::len),
        Some(2),
        "{post}"
    );
    let listed = g.posts(&alice, ts, "").await;
    assert_eq!(
        listed["posts"][&p[0]]["metadata"]["reactions"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let bulk = json!([p[0], p[1]]);
    let by_post = check(
        g.call(&alice, Method::POST, "/posts/ids/reactions", Some(bulk))
            .await,
        200,
    );
    assert_eq!(
        by_post[&p[0]].as_array().map(Vec::len),
        Some(2),
        "{by_post}"
    );
    assert_eq!(by_post[&p[1]], json!([]), "{by_post}");

    // Nobody reacts on someone else's behalf, and emoji names are names.
    let (status, body) = react(&g.bob, alice.id(), "smile").await;
    assert_eq!(status, 400, "reacting as alice: {body}");
    let (status, body) = react(&g.bob, g.bob.id(), "Party Parrot!").await;
    assert_eq!(status, 400, "bad emoji name: {body}");
    assert_eq!(reactions().await, expected);

    let remove = async |who: &Login, emoji: &str| {
        let path = format!("/users/me/posts/{}/reactions/{emoji}", p[0]);
        g.call(who, Method::DELETE, &path, None).await
    };
    check(remove(&alice, "tada").await, 200);
    assert_eq!(
        reactions().await,
        [(g.bob.id().to_string(), "+1".to_string())]
    );
    check(remove(&g.bob, "+1").await, 200);
    assert!(reactions().await.is_empty());
    let post = check(g.get(&alice, &format!("/posts/{}", p[0])).await, 200);
    assert!(post["has_reactions"] != true, "{post}");
    assert!(post["metadata"]["reactions"].is_null(), "{post}");
}

#[tokio::test]
async fn posts_by_ids_leaves_out_what_the_caller_may_not_read() {
    let g = Garden::open(&[]).await;
    let secret = g.channel("secret", "P").await;
    let hidden = id(&g.say(&g.admin, &secret, "salaries").await);
    let public = id(&g.say(&g.bob, &g.town_square, "hello").await);
    let ids = json!([public, hidden]);

    let seen = async |who: &Login| {
        let list = check(
            g.call(who, Method::POST, "/posts/ids", Some(ids.clone()))
                .await,
            200,
        );
        list.as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(seen(&g.bob).await, set(&[&public]));
    assert_eq!(seen(&g.admin).await, set(&[&public, &hidden]));

    // The same goes for the hidden post's reactions, and for the post itself.
    let react = async |who: &Login, post: &str| {
        let body = json!({"user_id": who.id(), "post_id": post, "emoji_name": "eyes"});
        g.call(who, Method::POST, "/reactions", Some(body)).await.0
    };
    assert!(matches!(react(&g.admin, &hidden).await, 200 | 201));
    assert!(matches!(react(&g.bob, &public).await, 200 | 201));
    assert_eq!(react(&g.bob, &hidden).await, 403);
    let bulk = check(
        g.call(
            &g.bob,
            Method::POST,
            "/posts/ids/reactions",
            Some(ids.clone()),
        )
        .await,
        200,
    );
    assert_eq!(
        bulk.as_object().unwrap().keys().collect::<Vec<_>>(),
        [&public],
        "{bulk}"
    );
    check(g.get(&g.bob, &format!("/posts/{hidden}")).await, 403);
    check(
        g.get(&g.bob, &format!("/posts/{hidden}/reactions")).await,
        403,
    );
}

#[tokio::test]
async fn mentions_count_as_unread_mentions() {
    let g = Garden::open(&[]).await;
    let ts = g.town_square.as_str();
    let alice = g.member("alice").await;
    let mentions = async |who: &Login| g.unread(who, ts).await["mention_count"].as_i64().unwrap();
    assert_eq!(mentions(&alice).await, 0);

    g.say(&g.bob, ts, "@alice could you review?").await;
    assert_eq!(mentions(&alice).await, 1);
    assert_eq!(mentions(&g.admin).await, 0);

    g.say(&g.bob, ts, "@channel cake in the kitchen").await;
    assert_eq!(mentions(&alice).await, 2);
    assert_eq!(mentions(&g.admin).await, 1);
    assert_eq!(mentions(&g.bob).await, 0, "the author is not mentioned");

    // A word becomes a mention once alice makes it one of her mention keys.
    g.say(&g.bob, ts, "the deploy is done").await;
    assert_eq!(mentions(&alice).await, 2);
    let patch = json!({"notify_props": {"mention_keys": "deploy"}});
    check(
        g.call(&alice, Method::PUT, "/users/me/patch", Some(patch))
            .await,
        200,
    );
    g.say(&g.bob, ts, "the deploy is done, again").await;
    assert_eq!(mentions(&alice).await, 3);
    assert_eq!(mentions(&g.admin).await, 1);
    let unread = g.unread(&alice, ts).await;
    assert_eq!(unread["msg_count"], 4, "{unread}");
    let unread = g.unread(&g.bob, ts).await;
    assert_eq!(
        unread["msg_count"], 0,
        "the author has read their own posts: {unread}"
    );
}
