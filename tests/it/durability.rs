//! Durability under kill -9: clients post to one channel without pause while the server
//! is killed at random moments and restarted on the same data folder, over and over.
//!
//! After every restart each post whose create was acknowledged (201) is there exactly
//! once with its message. The only posts allowed that were never acknowledged are those
//! whose request was in flight at the kill: such a request may or may not have been
//! committed, but what the restarted server shows must stay, and the client's retry with
//! the same `pending_post_id` must find that post rather than make a second one. The
//! channel's message counts must agree with the posts it holds.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, data_dir};

const CLIENTS: usize = 4;
const CYCLES: usize = 20;

/// One create request: its message (unique in the whole test) and the client's pending id.
#[derive(Debug, Clone)]
struct Sent {
    message: String,
    pending_post_id: String,
    writer: usize,
}

impl Sent {
    fn body(&self, channel: &str) -> Value {
        json!({"channel_id": channel, "message": self.message, "pending_post_id": self.pending_post_id})
    }
}

/// What became of the requests one client sent while one server lived.
#[derive(Debug, Default)]
struct Outcome {
    /// Answered 201: post id → message.
    acknowledged: BTreeMap<String, String>,
    /// No complete answer before the server died: the post may or may not exist.
    in_flight: Vec<Sent>,
    /// Refused with an error status: (message, status, body).
    refused: Vec<(String, u16, String)>,
}

/// Posts numbered messages as `writer` until a request fails because the server is gone.
async fn post_until_killed(
    url: String,
    login: Login,
    writer: usize,
    channel: String,
    cycle: usize,
) -> Outcome {
    let http = reqwest::Client::new();
    let mut outcome = Outcome::default();
    for n in 0.. {
        let sent = Sent {
            message: format!("cycle {cycle} writer {writer} #{n}"),
            pending_post_id: format!("{}:{}", login.id(), cycle * 1_000_000 + n),
            writer,
        };
        let request = http
            .post(format!("{url}/api/v4/posts"))
            .bearer_auth(&login.token)
            .json(&sent.body(&channel));
        let Ok(response) = request.send().await else {
            outcome.in_flight.push(sent);
            break;
        };
        let status = response.status().as_u16();
        match response.text().await {
            Ok(body) if status == 201 => {
                let post: Value = serde_json::from_str(&body).expect("a post");
                assert_eq!(post["message"], sent.message.as_str());
                let id = post["id"].as_str().expect("post id").to_string();
                outcome.acknowledged.insert(id, sent.message);
            }
            Ok(body) => outcome.refused.push((sent.message, status, body)),
            // The answer was cut off by the kill.
            Err(_) => {
                outcome.in_flight.push(sent);
                break;
            }
        }
    }
    outcome
}

/// A tiny xorshift generator: kill moments differ per run, and the seed is printed so a
/// failing run can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Every post in the channel, newest first, read page by page: (id, message).
async fn channel_posts(server: &Server, reader: &Login, channel: &str) -> Vec<(String, String)> {
    let mut posts = Vec::new();
    for page in 0.. {
        let path = format!("/api/v4/channels/{channel}/posts?per_page=200&page={page}");
        let (status, list) = server.call(Some(reader), Method::GET, &path, None).await;
        assert_eq!(status, 200, "{list}");
        let order = list["order"].as_array().expect("order");
        for id in order {
            let post = &list["posts"][id.as_str().expect("id")];
            let message = post["message"].as_str().expect("message");
            posts.push((
                post["id"].as_str().expect("id").to_string(),
                message.to_string(),
            ));
        }
        if order.len() < 200 {
            break;
        }
    }
    posts
}

/// Checks the channel holds every `known` post exactly once, nothing else but posts from
/// `in_flight` requests, and counts what it holds; returns what it holds: id → message.
async fn verify(
    server: &Server,
    reader: &Login,
    channel: &str,
    known: &BTreeMap<String, String>,
    in_flight: &[Sent],
    context: &str,
) -> BTreeMap<String, String> {
    let found = channel_posts(server, reader, channel).await;
    let mut copies: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, message) in &found {
        *copies.entry(message.as_str()).or_default() += 1;
    }
    let duplicated: Vec<_> = copies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicated.is_empty(),
        "{context}: posts stored twice: {duplicated:?}"
    );
    let by_id: BTreeMap<String, String> = found.iter().cloned().collect();
    assert_eq!(by_id.len(), found.len(), "{context}: an id listed twice");

    let lost: Vec<_> = known
        .iter()
        .filter(|(id, message)| by_id.get(*id) != Some(message))
        .collect();
    assert!(
        lost.is_empty(),
        "{context}: acknowledged posts lost or changed: {lost:?}"
    );
    let unexplained: Vec<_> = by_id
        .iter()
        .filter(|(id, message)| {
            !known.contains_key(*id) && !in_flight.iter().any(|sent| sent.message == **message)
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "{context}: posts nobody was told about: {unexplained:?}"
    );

    let path = format!("/api/v4/channels/{channel}");
    let (status, stored) = server.call(Some(reader), Method::GET, &path, None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(
        stored["total_msg_count"],
        found.len(),
        "{context}: {stored}"
    );
    assert_eq!(
        stored["total_msg_count_root"],
        found.len(),
        "{context}: {stored}"
    );
    by_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_posts_survive_kill_9_exactly_once() {
    let seed = uuid::Uuid::new_v4().as_u64_pair().0 | 1;
    eprintln!("kill moments from xorshift seed {seed}");
    let mut random = XorShift(seed);
    let started = Instant::now();

    let data = data_dir();
    let mut server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let mut writers = Vec::new();
    for n in 0..CLIENTS {
        writers.push(server.user(&admin, &format!("writer{n}")).await);
    }
    let body = json!({"name": "durable", "display_name": "Durable", "type": "O"});
    let (status, team) = server
        .call(Some(&admin), Method::POST, "/api/v4/teams", Some(body))
        .await;
    assert_eq!(status, 201, "{team}");
    let team = team["id"].as_str().unwrap().to_string();
    for writer in &writers {
        let body = json!({"team_id": team, "user_id": writer.id()});
        let path = format!("/api/v4/teams/{team}/members");
        let (status, member) = server
            .call(Some(&admin), Method::POST, &path, Some(body))
            .await;
        assert_eq!(status, 201, "{member}");
    }
    // Joining a team puts its members in town-square without any system message, so
    // every post in it comes from the writers below.
    let path = format!("/api/v4/teams/{team}/channels/name/town-square");
    let (_, channel) = server.call(Some(&admin), Method::GET, &path, None).await;
    let channel = channel["id"].as_str().expect("town-square").to_string();

    // The posts that must be there from now on: id → message.
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let (mut acknowledged, mut in_flight_total, mut committed_unanswered) = (0, 0, 0);
    for cycle in 0..CYCLES {
        let clients: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(n, writer)| {
                let url = server.url.clone();
                tokio::spawn(post_until_killed(
                    url,
                    writer.clone(),
                    n,
                    channel.clone(),
                    cycle,
                ))
            })
            .collect();
        let delay = random.between(50, 400);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        // kill(1) and wait(2) block; keep them off the workers the clients run on.
        tokio::task::spawn_blocking(move || server.kill9())
            .await
            .unwrap();

        let mut in_flight = Vec::new();
        for client in clients {
            let outcome = tokio::time::timeout(Duration::from_secs(20), client)
                .await
                .expect("a client noticed the kill")
                .unwrap();
            assert!(
                outcome.refused.is_empty(),
                "cycle {cycle}: refused while up: {:?}",
                outcome.refused
            );
            acknowledged += outcome.acknowledged.len();
            known.extend(outcome.acknowledged);
            in_flight.extend(outcome.in_flight);
        }
        in_flight_total += in_flight.len();

        server = Server::start(data.path(), &[]);
        let context = format!("cycle {cycle} (killed after {delay} ms, seed {seed})");
        let found = verify(&server, &admin, &channel, &known, &in_flight, &context).await;

        // Each client retries what it never heard back about, as Mattermost clients do:
        // the same pending id finds the post if it was committed, or makes it now.
        for sent in &in_flight {
            let committed = found
                .iter()
                .find(|(_, m)| **m == sent.message)
                .map(|(id, _)| id);
            let body = sent.body(&channel);
            let (status, post) = server
                .call(
                    Some(&writers[sent.writer]),
                    Method::POST,
                    "/api/v4/posts",
                    Some(body),
                )
                .await;
            assert_eq!(status, 201, "{context}: retrying {sent:?}: {post}");
            let id = post["id"].as_str().unwrap().to_string();
            if let Some(committed) = committed {
                assert_eq!(
                    &id, committed,
                    "{context}: the retry of {sent:?} made a second post"
                );
                committed_unanswered += 1;
            }
            known.insert(id, sent.message.clone());
        }
        // What the restarted server showed is now as binding as an acknowledgement.
        known.extend(found);
    }
    verify(
        &server,
        &admin,
        &channel,
        &known,
        &[],
        "after the last retries",
    )
    .await;

    eprintln!(
        "{CYCLES} kills in {:?}: {acknowledged} posts acknowledged, {in_flight_total} in flight \
         of which {committed_unanswered} had been committed, {} stored",
        started.elapsed(),
        known.len(),
    );
    assert!(
        acknowledged >= CYCLES,
        "the clients hardly posted: {acknowledged}"
    );
}
