//! Custom emoji: `EmojiStore` (reads skip deleted emoji, names unique among the others,
//! literal search patterns, the `emoji_added` change).

use crate::model::{Emoji, User, new_id, now_millis};
use crate::store::{Store, StoreError};

async fn user(store: &dyn Store) -> User {
    let id = new_id();
    let user = User {
        username: format!("emoji-{}", &id[..8]),
        email: format!("{id}@example.com"),
        id,
        create_at: 1,
        update_at: 1,
        roles: "system_user".into(),
        ..User::default()
    };
    store.create_user(&user, "", "").await.unwrap()
}

fn emoji(creator: &User, name: &str, create_at: i64) -> Emoji {
    Emoji {
        id: new_id(),
        create_at,
        update_at: create_at,
        delete_at: 0,
        creator_id: creator.id.clone(),
        name: name.into(),
    }
}

fn names(list: &[Emoji]) -> Vec<&str> {
    list.iter().map(|e| e.name.as_str()).collect()
}

async fn emoji_round_trip_with_their_change(store: &dyn Store) {
    let alice = user(store).await;
    let before = store.last_seq().await.unwrap();
    let now = now_millis();
    let party = store
        .create_emoji(&emoji(&alice, "party", now))
        .await
        .unwrap();
    let cake = store
        .create_emoji(&emoji(&alice, "cake", now + 1))
        .await
        .unwrap();
    assert_eq!(store.get_emoji(&party.id).await.unwrap(), party);
    assert_eq!(store.get_emoji_by_name("cake").await.unwrap(), cake);
    assert!(matches!(
        store.get_emoji_by_name("Cake").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_emoji(&new_id()).await,
        Err(StoreError::NotFound)
    ));

    let found = store
        .get_emojis_by_names(&["party".into(), "nope".into(), "cake".into()])
        .await
        .unwrap();
    assert_eq!(names(&found), ["cake", "party"]);
    assert!(store.get_emojis_by_names(&[]).await.unwrap().is_empty());

    // Oldest first, or by name; paging.
    let list = store.list_emoji(false, 0, 10).await.unwrap();
    assert_eq!(names(&list), ["party", "cake"]);
    let list = store.list_emoji(true, 0, 10).await.unwrap();
    assert_eq!(names(&list), ["cake", "party"]);
    let list = store.list_emoji(true, 1, 10).await.unwrap();
    assert_eq!(names(&list), ["party"]);
    assert_eq!(store.list_emoji(true, 0, 1).await.unwrap().len(), 1);

    // One `emoji_added` per emoji, for everyone, with the emoji as a JSON string.
    let changes = store.changes_since(before, 10).await.unwrap();
    assert_eq!(changes.len(), 2);
    let change = &changes[0];
    assert_eq!(change.kind, "emoji_added");
    assert_eq!(change.entity_id, party.id);
    assert_eq!(
        (
            change.team_id.as_str(),
            change.channel_id.as_str(),
            change.user_id.as_str()
        ),
        ("", "", "")
    );
    let sent: Emoji = serde_json::from_str(change.data["emoji"].as_str().unwrap()).unwrap();
    assert_eq!(sent, party);
}

async fn emoji_names_are_free_again_once_deleted(store: &dyn Store) {
    let alice = user(store).await;
    let first = store
        .create_emoji(&emoji(&alice, "parrot", 10))
        .await
        .unwrap();
    let before = store.last_seq().await.unwrap();
    let error = store
        .create_emoji(&emoji(&alice, "parrot", 11))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    // The refused write left no change behind.
    assert_eq!(store.last_seq().await.unwrap(), before);

    let deleted = store.delete_emoji(&first.id, 20).await.unwrap();
    assert_eq!((deleted.delete_at, deleted.update_at), (20, 20));
    assert_eq!(deleted.name, "parrot");
    assert!(matches!(
        store.get_emoji(&first.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_emoji_by_name("parrot").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_emoji(&first.id, 30).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.list_emoji(true, 0, 10).await.unwrap().is_empty());

    let second = store
        .create_emoji(&emoji(&alice, "parrot", 40))
        .await
        .unwrap();
    assert_eq!(store.get_emoji_by_name("parrot").await.unwrap(), second);

    // An emoji needs a creator who exists.
    let ghost = User {
        id: new_id(),
        ..User::default()
    };
    let error = store
        .create_emoji(&emoji(&ghost, "ghost", 50))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
}

async fn emoji_search_by_prefix_or_anywhere(store: &dyn Store) {
    let alice = user(store).await;
    for (i, name) in ["party", "party_parrot", "partyxparrot", "sad-party", "a%b"]
        .iter()
        .enumerate()
    {
        store
            .create_emoji(&emoji(&alice, name, 100 + i as i64))
            .await
            .unwrap();
    }
    let gone = store
        .create_emoji(&emoji(&alice, "party-gone", 200))
        .await
        .unwrap();
    store.delete_emoji(&gone.id, 300).await.unwrap();

    let search = |term: &'static str, prefix: bool, limit: u32| async move {
        let found = store.search_emoji(term, prefix, limit).await.unwrap();
        found.into_iter().map(|e| e.name).collect::<Vec<_>>()
    };
    assert_eq!(
        search("party", true, 10).await,
        ["party", "party_parrot", "partyxparrot"]
    );
    assert_eq!(
        search("party", false, 10).await,
        ["party", "party_parrot", "partyxparrot", "sad-party"]
    );
    // `_` and `%` are literal, not wildcards.
    assert_eq!(search("party_", true, 10).await, ["party_parrot"]);
    assert_eq!(search("%", false, 10).await, ["a%b"]);
    assert_eq!(search("party", false, 2).await, ["party", "party_parrot"]);
    assert!(search("zzz", false, 10).await.is_empty());
}

super::suite!(
    emoji_round_trip_with_their_change,
    emoji_names_are_free_again_once_deleted,
    emoji_search_by_prefix_or_anywhere,
);
