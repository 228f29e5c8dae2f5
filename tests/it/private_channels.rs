//! A private channel stays private on the WebSocket: every kind of change to it reaches
//! its members' sockets, and no frame a team member outside it receives names it, not
//! even its id. Only a change of privacy is announced to the whole team
//! (`channel_converted`, in either direction, as Mattermost does).

use serde_json::{Value, json};

use crate::support::ws::{WAIT, WsClient};
use crate::support::{Server, data_dir};
use crate::teams_channels::{
    add_to_channel, add_to_team, delete, get, id_of, new_channel, new_team, post, put, say,
};

/// One frame as received: its event name ("" for a reply) and its whole text.
struct Frame {
    event: String,
    text: String,
}

/// Every frame `client` receives up to and including the `posted` event of `post_id`.
/// Events reach a socket in the order of the changes, so the frames of everything done
/// before that post are all here.
async fn frames_until_posted(client: &mut WsClient, post_id: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    loop {
        let (value, text) = client
            .next_with_text(WAIT)
            .await
            .unwrap_or_else(|| panic!("the post {post_id} never arrived"));
        let event = value["event"].as_str().unwrap_or_default().to_string();
        let last = event == "posted" && text.contains(post_id);
        frames.push(Frame { event, text });
        if last {
            return frames;
        }
    }
}

/// Expects a 200 or 201 from a step of the story.
fn done(step: &str, reply: &(u16, Value)) {
    assert!(
        matches!(reply.0, 200 | 201),
        "{step}: {} {}",
        reply.0,
        reply.1
    );
}

#[tokio::test]
async fn no_event_names_a_private_channel_to_team_members_outside_it() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    // The admin owns the team and the private channel; bob is in it; carol is only in the
    // team; dave joins the channel for a while and is removed again.
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let carol = s.user(&admin, "carol").await;
    let dave = s.user(&admin, "dave").await;
    let team_id = new_team(s, &admin, "ops", "O").await;
    for user in [&bob, &carol, &dave] {
        add_to_team(s, &admin, &team_id, user.id()).await;
    }
    let town = id_of(
        &get(
            s,
            &admin,
            &format!("/teams/{team_id}/channels/name/town-square"),
        )
        .await
        .1,
    );
    let secret = new_channel(s, &admin, &team_id, "secret", "P").await;
    add_to_channel(s, &admin, &secret, bob.id()).await;
    let plans = new_channel(s, &admin, &team_id, "plans", "O").await;

    let mut bobs = s.ws(&bob.token).await;
    let mut carols = s.ws(&carol.token).await;
    let mut daves = s.ws(&dave.token).await;
    let path = |rest: &str| format!("/channels/{secret}{rest}");

    // The channel's properties, by patch and by update.
    for patch in [
        json!({"header": "the new header"}),
        json!({"purpose": "the new purpose"}),
        json!({"display_name": "Secret Plans"}),
    ] {
        done(
            "patching the channel",
            &put(s, &admin, &path("/patch"), patch).await,
        );
    }
    let (_, mut channel) = get(s, &admin, &path("")).await;
    channel["header"] = json!("updated header");
    channel["purpose"] = json!("updated purpose");
    done(
        "updating the channel",
        &put(s, &admin, &path(""), channel).await,
    );

    // Members: dave joins and follows a thread by replying.
    add_to_channel(s, &admin, &secret, dave.id()).await;
    let root = say(s, &bob, &secret, "a secret thread").await;
    let reply = json!({"channel_id": secret, "root_id": root, "message": "dave replies"});
    done("dave replying", &post(s, &dave, "/posts", reply).await);

    // A member's roles, notification settings and read state.
    let member = |rest: &str| path(&format!("/members/{}{rest}", bob.id()));
    let roles = json!({"roles": "channel_user channel_admin"});
    done(
        "bob's roles",
        &put(s, &admin, &member("/roles"), roles).await,
    );
    let notify = json!({"desktop": "mention", "mark_unread": "all"});
    done(
        "bob's notify props",
        &put(s, &bob, &member("/notify_props"), notify).await,
    );
    let view = json!({"channel_id": secret});
    done(
        "bob viewing",
        &post(s, &bob, "/channels/members/me/view", view).await,
    );
    let unread = format!("/users/me/posts/{root}/set_unread");
    done(
        "bob marking unread",
        &post(s, &bob, &unread, json!({})).await,
    );

    // Posts: edit, pin, reactions.
    let edit = json!({"message": "a secret thread, edited"});
    done(
        "editing",
        &put(s, &bob, &format!("/posts/{root}/patch"), edit).await,
    );
    done(
        "pinning",
        &post(s, &bob, &format!("/posts/{root}/pin"), json!({})).await,
    );
    let reaction = json!({"user_id": bob.id(), "post_id": root, "emoji_name": "tada"});
    done("reacting", &post(s, &bob, "/reactions", reaction).await);
    let reaction = format!("/users/me/posts/{root}/reactions/tada");
    done("unreacting", &delete(s, &bob, &reaction).await);

    // Dave is removed; the thread he follows goes on without him.
    done(
        "removing dave",
        &delete(s, &admin, &path(&format!("/members/{}", dave.id()))).await,
    );
    let reply = json!({"channel_id": secret, "root_id": root, "message": "after dave"});
    let (status, later) = post(s, &admin, "/posts", reply).await;
    assert_eq!(status, 201, "{later}");
    done(
        "deleting",
        &delete(s, &admin, &format!("/posts/{}", id_of(&later))).await,
    );

    // Archived and restored.
    done("archiving", &delete(s, &admin, &path("")).await);
    done(
        "restoring",
        &post(s, &admin, &path("/restore"), json!({})).await,
    );

    // Another channel goes private and back: the team hears both conversions.
    let privacy = format!("/channels/{plans}/privacy");
    done(
        "plans to private",
        &put(s, &admin, &privacy, json!({"privacy": "P"})).await,
    );
    done(
        "plans to public",
        &put(s, &admin, &privacy, json!({"privacy": "O"})).await,
    );

    // Last, a post everyone sees: the frames of all the above arrived before it.
    let sentinel = say(s, &admin, &town, "that is all").await;
    let to_bob = frames_until_posted(&mut bobs, &sentinel).await;
    let to_carol = frames_until_posted(&mut carols, &sentinel).await;
    let to_dave = frames_until_posted(&mut daves, &sentinel).await;

    // Carol hears the conversions of the other channel, so such events do reach her...
    let converted: Vec<&Frame> = to_carol
        .iter()
        .filter(|f| f.event == "channel_converted")
        .collect();
    assert_eq!(converted.len(), 2, "carol's frames: {:?}", texts(&to_carol));
    for frame in converted {
        let value: Value = serde_json::from_str(&frame.text).unwrap();
        assert_eq!(
            value["data"],
            json!({"channel_id": plans}),
            "{}",
            frame.text
        );
    }
    // ...but not one frame of hers names the private channel.
    let leaked: Vec<&str> = to_carol
        .iter()
        .filter(|f| f.text.contains(&secret))
        .map(|f| f.text.as_str())
        .collect();
    assert!(leaked.is_empty(), "carol is not in {secret}: {leaked:#?}");

    // Bob, a member, hears every kind of change, each naming the channel.
    let kinds = [
        "channel_updated",
        "posted",
        "user_added",
        "thread_updated",
        "channel_member_updated",
        "multiple_channels_viewed",
        "post_unread",
        "post_edited",
        "reaction_added",
        "reaction_removed",
        "user_removed",
        "post_deleted",
        "channel_deleted",
        "channel_restored",
    ];
    let heard = |kind: &str| {
        to_bob
            .iter()
            .filter(|f| f.event == kind && f.text.contains(&secret))
            .count()
    };
    for kind in kinds {
        assert!(heard(kind) > 0, "bob heard no {kind}: {:?}", texts(&to_bob));
    }
    // Three patches and an update: four updates, none of them a conversion.
    assert!(heard("channel_updated") >= 4, "{:?}", texts(&to_bob));
    assert_eq!(heard("channel_converted"), 0, "{:?}", texts(&to_bob));

    // Dave heard the channel while he was in it, and nothing of it after his removal.
    let removed = to_dave
        .iter()
        .position(|f| f.event == "user_removed" && f.text.contains(&secret))
        .unwrap_or_else(|| panic!("dave heard no removal: {:?}", texts(&to_dave)));
    assert!(
        to_dave[..removed]
            .iter()
            .any(|f| f.event == "posted" && f.text.contains(&secret)),
        "{:?}",
        texts(&to_dave)
    );
    let after: Vec<&str> = to_dave[removed + 1..]
        .iter()
        .filter(|f| f.text.contains(&secret))
        .map(|f| f.text.as_str())
        .collect();
    assert!(after.is_empty(), "dave left {secret}: {after:#?}");
}

fn texts(frames: &[Frame]) -> Vec<&str> {
    frames.iter().map(|f| f.text.as_str()).collect()
}
