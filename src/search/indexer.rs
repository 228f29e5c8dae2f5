//! Keeps the index in step with the database by following the change feed (DESIGN.md
//! principle 1): from the position stored in the index's last commit, it reads the feed's
//! post changes and applies them in batches, each committed together with the `seq` it
//! reaches. After a crash or restart it carries on from that position; re-applying a
//! change is harmless (a post is replaced by id). An empty index (new, or made by another
//! version or language) is first rebuilt from the posts table.
//!
//! The same loop keeps the in-memory [`Directory`] of user and channel names current: it
//! is filled from the users and channels tables at start (and after a rebuild), and each
//! user or channel change after that re-reads the user or channel and replaces its entry.
//! A failure there is logged and costs only freshness of names; it never stops the posts
//! index.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, watch};

use super::directory::Directory;
use super::index::{INCOMPLETE, Op, Opened, PostDoc, SearchError, SearchIndex};
use crate::model::{Channel, Post};
use crate::store::{Change, Store, StoreError};

/// Feed rows read at a time while catching up; also the most changes in one commit.
const BATCH: u32 = 1000;
/// How long the indexer waits for more changes before committing what it has.
const COMMIT_DELAY: Duration = Duration::from_millis(250);
/// Posts read at a time while rebuilding.
const REBUILD_BATCH: u32 = 2000;
/// Users or channels read at a time while filling the directory.
const DIRECTORY_BATCH: u32 = 1000;

/// What the indexer is doing, for the status endpoint and the reindex command.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Progress {
    /// True while rebuilding from the posts table.
    pub rebuilding: bool,
    /// Posts indexed so far in the current rebuild.
    pub rebuilt: u64,
}

/// A running indexer: ask it to rebuild, or watch what it is doing.
#[derive(Clone)]
pub struct Indexer {
    index: Arc<SearchIndex>,
    directory: Arc<Directory>,
    rebuild: Arc<Notify>,
    progress: watch::Receiver<Progress>,
}

impl Indexer {
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Users and channels by name, for user and channel search.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    /// Asks for the index to be rebuilt from scratch (done in the background).
    pub fn request_rebuild(&self) {
        self.rebuild.notify_one();
    }

    pub fn progress(&self) -> Progress {
        self.progress.borrow().clone()
    }
}

/// Starts following the feed on the current runtime, into the posts index and the
/// directory.
pub fn start(
    index: Arc<SearchIndex>,
    opened: Opened,
    directory: Arc<Directory>,
    store: Arc<dyn Store>,
) -> Indexer {
    let rebuild = Arc::new(Notify::new());
    let (report, progress) = watch::channel(Progress::default());
    let indexer = Indexer {
        index: index.clone(),
        directory: directory.clone(),
        rebuild: rebuild.clone(),
        progress,
    };
    actix_web::rt::spawn(async move {
        let followed = Followed {
            index,
            directory,
            store,
        };
        if let Err(error) = run(&followed, opened, &rebuild, &report).await {
            tracing::error!(%error, "the search indexer stopped; search results will be out of date until a restart");
        }
    });
    indexer
}

/// Why indexing stopped.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("indexing task failed: {0}")]
    Task(String),
}

/// What the indexer keeps in step with the feed, and where it reads from.
struct Followed {
    index: Arc<SearchIndex>,
    directory: Arc<Directory>,
    store: Arc<dyn Store>,
}

async fn run(
    f: &Followed,
    opened: Opened,
    rebuild: &Notify,
    report: &watch::Sender<Progress>,
) -> Result<(), IndexerError> {
    let (index, store) = (&f.index, &f.store);
    let mut live = f.store.subscribe();
    // Names first: filling the directory takes moments, rebuilding the posts may take
    // minutes.
    let mut directory_seq = fill_directory(&f.directory, store).await;
    if opened == Opened::Empty {
        rebuild_index(index, store, |n| {
            report.send_replace(Progress {
                rebuilding: true,
                rebuilt: n,
            });
        })
        .await?;
        report.send_replace(Progress::default());
        // The rebuild moved the index past changes the directory has not seen.
        directory_seq = fill_directory(&f.directory, store).await;
    }
    catch_up(f, &mut directory_seq).await?;
    loop {
        tokio::select! {
            () = rebuild.notified() => {
                rebuild_index(index, store, |n| {
                    report.send_replace(Progress { rebuilding: true, rebuilt: n });
                })
                .await?;
                report.send_replace(Progress::default());
                directory_seq = fill_directory(&f.directory, store).await;
                catch_up(f, &mut directory_seq).await?;
            }
            received = live.recv() => match received {
                Ok(change) => {
                    let mut changes = vec![change];
                    // Gather what arrives in the next moments too: one commit for the lot
                    // (a commit per post would cost a segment and an fsync each).
                    let deadline = tokio::time::Instant::now() + COMMIT_DELAY;
                    let mut lagged = false;
                    while changes.len() < BATCH as usize {
                        match tokio::time::timeout_at(deadline, live.recv()).await {
                            Ok(Ok(change)) => changes.push(change),
                            Ok(Err(RecvError::Lagged(_))) => {
                                lagged = true;
                                break;
                            }
                            Ok(Err(RecvError::Closed)) | Err(_) => break,
                        }
                    }
                    let last = changes.last().map_or(0, |c| c.seq);
                    if last > index.seq() {
                        let fresh: Vec<Change> =
                            changes.into_iter().filter(|c| c.seq > index.seq()).collect();
                        apply(f, &mut directory_seq, &fresh, last).await?;
                    }
                    if lagged {
                        catch_up(f, &mut directory_seq).await?;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the search indexer fell behind the change feed; catching up");
                    catch_up(f, &mut directory_seq).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// Applies every feed change after the index's position, a batch at a time.
async fn catch_up(f: &Followed, directory_seq: &mut i64) -> Result<(), IndexerError> {
    loop {
        let changes = f.store.changes_since(f.index.seq(), BATCH).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok(());
        };
        apply(f, directory_seq, &changes, last).await?;
    }
}

/// Turns feed changes into index operations and commits them, recording `seq`; brings
/// the directory up to date with those after `directory_seq` (and moves it on).
async fn apply(
    f: &Followed,
    directory_seq: &mut i64,
    changes: &[Change],
    seq: i64,
) -> Result<(), IndexerError> {
    let (index, store) = (&f.index, &f.store);
    let newer: Vec<&Change> = changes.iter().filter(|c| c.seq > *directory_seq).collect();
    if !newer.is_empty() {
        match update_directory(&f.directory, store, &newer).await {
            Ok(()) => *directory_seq = seq.max(*directory_seq),
            // Later changes still apply; this entity is refreshed by its next change or
            // the next start.
            Err(error) => tracing::warn!(%error, "could not update the user and channel directory"),
        }
    }
    let mut ops = Vec::new();
    let mut posts = Vec::new();
    for change in changes {
        match change.kind.as_str() {
            "posted" | "post_edited" => {
                if let Some(post) = change
                    .data
                    .get("post")
                    .and_then(|p| p.as_str())
                    .and_then(|p| serde_json::from_str::<Post>(p).ok())
                {
                    posts.push(ops.len());
                    ops.push(Op::Upsert(doc(&post, Vec::new())));
                }
            }
            "post_deleted" => ops.push(Op::Delete(change.entity_id.clone())),
            _ => {}
        }
    }
    // File names come from the store: an edit's event does not carry them.
    let with_files: Vec<String> = posts
        .iter()
        .filter_map(|&i| match &ops[i] {
            Op::Upsert(post) if post_has_files(changes, &post.id) => Some(post.id.clone()),
            _ => None,
        })
        .collect();
    if !with_files.is_empty() {
        for info in store.file_infos_for_posts(&with_files, false).await? {
            for &i in &posts {
                if let Op::Upsert(post) = &mut ops[i]
                    && post.id == info.post_id
                {
                    post.file_names.push(info.name.clone());
                }
            }
        }
    }
    if ops.is_empty() {
        // Nothing for the index (statuses, preferences, …): no commit. The position moves
        // on in memory; after a restart these changes are read again, which is harmless.
        index.pass(seq);
        return Ok(());
    }
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.apply(&ops, seq))
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))??;
    Ok(())
}

/// Re-reads the users and channels `changes` are about and replaces their entries. The
/// store, not the event, is the source: the entry is what the database holds now.
async fn update_directory(
    directory: &Arc<Directory>,
    store: &Arc<dyn Store>,
    changes: &[&Change],
) -> Result<(), IndexerError> {
    let mut user_ids: Vec<String> = Vec::new();
    let mut channel_ids: Vec<String> = Vec::new();
    let mut new_teams: Vec<(String, String)> = Vec::new();
    for change in changes {
        let id = change.entity_id.clone();
        match change.kind.as_str() {
            "new_user" | "user_updated" | "user_role_updated" => user_ids.push(id),
            "channel_created" | "channel_updated" | "channel_deleted" | "channel_restored" => {
                channel_ids.push(id);
            }
            // Direct and group channels are not in the directory (their names are user
            // ids); clients find them through the users.
            "direct_added" | "group_added" => {}
            // A new team's default channels are written with the team, without channel
            // changes: its creator's first `added_to_team` brings them in.
            "added_to_team" => new_teams.push((change.team_id.clone(), change.user_id.clone())),
            _ => {}
        }
    }
    user_ids.sort();
    user_ids.dedup();
    channel_ids.sort();
    channel_ids.dedup();
    let users = if user_ids.is_empty() {
        Vec::new()
    } else {
        store.get_users_by_ids(&user_ids).await?
    };
    let mut channels: Vec<Channel> = Vec::new();
    for id in &channel_ids {
        match store.get_channel(id).await {
            Ok(channel) => channels.push(channel),
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    for (team_id, user_id) in new_teams {
        if team_id.is_empty() || known_team(directory, &team_id).await? {
            continue;
        }
        channels.extend(
            store
                .list_user_channels(&user_id, Some(&team_id), true)
                .await?
                .into_iter()
                .filter(|c| c.team_id == team_id),
        );
    }
    if users.is_empty() && channels.is_empty() {
        return Ok(());
    }
    on_directory(directory, move |d| d.update(&users, &channels)).await
}

async fn known_team(directory: &Arc<Directory>, team_id: &str) -> Result<bool, IndexerError> {
    let team_id = team_id.to_string();
    on_directory(directory, move |d| d.knows_team(&team_id)).await
}

/// Refills the directory from the users and channels tables. Returns the feed position
/// it reflects (changes up to it need not be applied again), or, when it failed (logged;
/// the directory keeps what it had), 0 so every later change is applied.
async fn fill_directory(directory: &Arc<Directory>, store: &Arc<dyn Store>) -> i64 {
    let started = Instant::now();
    match refill(directory, store).await {
        Ok(seq) => {
            let (users, channels) = directory.counts();
            tracing::info!(
                users,
                channels,
                seconds = started.elapsed().as_secs_f64(),
                "user and channel directory filled"
            );
            seq
        }
        Err(error) => {
            tracing::error!(%error, "could not fill the user and channel directory; user and channel search will miss names until a restart");
            if let Err(error) = on_directory(directory, |d| d.rollback()).await {
                tracing::error!(%error, "could not undo a partly filled directory");
            }
            0
        }
    }
}

async fn refill(directory: &Arc<Directory>, store: &Arc<dyn Store>) -> Result<i64, IndexerError> {
    // Read before the scan: what changes during it is applied again, harmlessly.
    let seq = store.last_seq().await?;
    on_directory(directory, |d| d.begin_rebuild()).await?;
    let mut after: Option<String> = None;
    loop {
        let users = store.scan_users(after.as_deref(), DIRECTORY_BATCH).await?;
        let Some(last) = users.last() else { break };
        after = Some(last.id.clone());
        on_directory(directory, move |d| d.add(&users, &[])).await?;
    }
    let mut after: Option<String> = None;
    loop {
        let channels = store
            .scan_team_channels(after.as_deref(), DIRECTORY_BATCH)
            .await?;
        let Some(last) = channels.last() else { break };
        after = Some(last.id.clone());
        on_directory(directory, move |d| d.add(&[], &channels)).await?;
    }
    on_directory(directory, |d| d.commit()).await?;
    Ok(seq)
}

/// Runs `work` on the directory on the blocking pool.
async fn on_directory<T: Send + 'static>(
    directory: &Arc<Directory>,
    work: impl FnOnce(&Directory) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, IndexerError> {
    let directory = directory.clone();
    tokio::task::spawn_blocking(move || work(&directory))
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))?
        .map_err(IndexerError::from)
}

fn post_has_files(changes: &[Change], post_id: &str) -> bool {
    changes.iter().any(|c| {
        c.entity_id == post_id
            && c.data
                .get("post")
                .and_then(|p| p.as_str())
                .is_some_and(|p| p.contains("\"file_ids\":[\""))
    })
}

/// The index's view of a post.
pub fn doc(post: &Post, file_names: Vec<String>) -> PostDoc {
    PostDoc {
        id: post.id.clone(),
        channel_id: post.channel_id.clone(),
        user_id: post.user_id.clone(),
        root_id: post.root_id.clone(),
        create_at: post.create_at,
        message: post.message.clone(),
        hashtags: post
            .hashtags
            .split_whitespace()
            .map(|t| t.trim_start_matches('#').to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
        file_names,
    }
}

/// Rebuilds the index from the posts table: empties it, reads every post, and commits
/// with the feed position read before the scan (changes after it are applied next, and
/// re-applying is harmless). `progress` hears the number of posts done.
pub async fn rebuild_index(
    index: &Arc<SearchIndex>,
    store: &Arc<dyn Store>,
    mut progress: impl FnMut(u64),
) -> Result<u64, IndexerError> {
    let started = Instant::now();
    let seq = store.last_seq().await?;
    blocking(index, |i| i.clear()).await?;
    let mut after = None;
    let mut done = 0u64;
    let mut since_commit = Instant::now();
    loop {
        let posts = store.scan_posts(after.clone(), REBUILD_BATCH).await?;
        let Some(last) = posts.last() else {
            break;
        };
        after = Some((last.create_at, last.id.clone()));
        let ids: Vec<String> = posts
            .iter()
            .filter(|p| !p.file_ids.is_empty())
            .map(|p| p.id.clone())
            .collect();
        let files = if ids.is_empty() {
            Vec::new()
        } else {
            store.file_infos_for_posts(&ids, false).await?
        };
        let docs: Vec<PostDoc> = posts
            .iter()
            .map(|p| {
                let names = files
                    .iter()
                    .filter(|f| f.post_id == p.id)
                    .map(|f| f.name.clone())
                    .collect();
                doc(p, names)
            })
            .collect();
        done += docs.len() as u64;
        blocking(index, move |i| i.add(&docs)).await?;
        // Commit now and then so a long rebuild does not hold everything in memory,
        // marked incomplete: a crash before the end means rebuilding again.
        if since_commit.elapsed() > Duration::from_secs(10) {
            blocking(index, |i| i.commit_at(INCOMPLETE)).await?;
            since_commit = Instant::now();
        }
        progress(done);
    }
    blocking(index, move |i| i.commit_at(seq)).await?;
    tracing::info!(
        posts = done,
        seconds = started.elapsed().as_secs_f64(),
        "search index rebuilt"
    );
    Ok(done)
}

/// Runs `work` on the index on the blocking pool.
async fn blocking(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> Result<(), SearchError> + Send + 'static,
) -> Result<(), IndexerError> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || work(&index))
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))?
        .map_err(IndexerError::from)
}
