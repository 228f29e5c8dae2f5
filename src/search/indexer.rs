//! Keeps the index in step with the database by following the change feed (DESIGN.md
//! principle 1): from the position stored in the index's last commit, it reads the feed's
//! post changes and applies them in batches, each committed together with the `seq` it
//! reaches. After a crash or restart it carries on from that position; re-applying a
//! change is harmless (a post is replaced by id). An empty index (new, or made by another
//! version or language) is first rebuilt from the posts table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, watch};

use super::index::{INCOMPLETE, Op, Opened, PostDoc, SearchError, SearchIndex};
use crate::model::Post;
use crate::store::{Change, Store, StoreError};

/// Feed rows read at a time while catching up; also the most changes in one commit.
const BATCH: u32 = 1000;
/// Posts read at a time while rebuilding.
const REBUILD_BATCH: u32 = 2000;

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
    rebuild: Arc<Notify>,
    progress: watch::Receiver<Progress>,
}

impl Indexer {
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Asks for the index to be rebuilt from scratch (done in the background).
    pub fn request_rebuild(&self) {
        self.rebuild.notify_one();
    }

    pub fn progress(&self) -> Progress {
        self.progress.borrow().clone()
    }
}

/// Starts following the feed on the current runtime.
pub fn start(index: Arc<SearchIndex>, opened: Opened, store: Arc<dyn Store>) -> Indexer {
    let rebuild = Arc::new(Notify::new());
    let (report, progress) = watch::channel(Progress::default());
    let indexer = Indexer {
        index: index.clone(),
        rebuild: rebuild.clone(),
        progress,
    };
    actix_web::rt::spawn(async move {
        if let Err(error) = run(&index, opened, &store, &rebuild, &report).await {
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

async fn run(
    index: &Arc<SearchIndex>,
    opened: Opened,
    store: &Arc<dyn Store>,
    rebuild: &Notify,
    report: &watch::Sender<Progress>,
) -> Result<(), IndexerError> {
    let mut live = store.subscribe();
    if opened == Opened::Empty {
        rebuild_index(index, store, |n| {
            report.send_replace(Progress {
                rebuilding: true,
                rebuilt: n,
            });
        })
        .await?;
        report.send_replace(Progress::default());
    }
    catch_up(index, store).await?;
    loop {
        tokio::select! {
            () = rebuild.notified() => {
                rebuild_index(index, store, |n| {
                    report.send_replace(Progress { rebuilding: true, rebuilt: n });
                })
                .await?;
                report.send_replace(Progress::default());
                catch_up(index, store).await?;
            }
            received = live.recv() => match received {
                Ok(change) => {
                    let mut changes = vec![change];
                    // Take whatever else is already waiting: one commit for the lot.
                    while changes.len() < BATCH as usize {
                        match live.try_recv() {
                            Ok(change) => changes.push(change),
                            Err(_) => break,
                        }
                    }
                    let last = changes.last().map_or(0, |c| c.seq);
                    if last > index.seq() {
                        let fresh: Vec<Change> =
                            changes.into_iter().filter(|c| c.seq > index.seq()).collect();
                        apply(index, store, &fresh, last).await?;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the search indexer fell behind the change feed; catching up");
                    catch_up(index, store).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// Applies every feed change after the index's position, a batch at a time.
async fn catch_up(index: &Arc<SearchIndex>, store: &Arc<dyn Store>) -> Result<(), IndexerError> {
    loop {
        let changes = store.changes_since(index.seq(), BATCH).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok(());
        };
        apply(index, store, &changes, last).await?;
    }
}

/// Turns feed changes into index operations and commits them, recording `seq`.
async fn apply(
    index: &Arc<SearchIndex>,
    store: &Arc<dyn Store>,
    changes: &[Change],
    seq: i64,
) -> Result<(), IndexerError> {
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
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.apply(&ops, seq))
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))??;
    Ok(())
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
