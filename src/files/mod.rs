//! File storage: the [`FileStore`] trait (where uploaded bytes live), its local-folder
//! backend ([`LocalFileStore`], `FileSettings.Directory`), the staging of uploads in
//! progress, and image processing (thumbnails, previews) in [`image`].
//!
//! Paths handed to a store are relative and use `/` (Mattermost's layout,
//! `YYYYMMDD/teams/…/channels/…/users/…/{file_id}/{name}`); the store refuses any path that
//! could leave its root. An S3-compatible backend would implement the same trait, staging
//! uploads in a local folder and sending them on `commit`.
//!
//! Must not depend on the HTTP layer or the database.

pub mod image;
mod local;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use local::LocalFileStore;

use crate::config::FileSettings;

/// How many leading bytes of an upload are kept in memory to detect its type.
pub const HEAD_LEN: usize = 64;

/// Buffer between the request stream and the staging file.
const STAGING_BUFFER: usize = 256 * 1024;

/// A file store opened for reading.
pub struct Opened {
    /// The whole file's length in bytes.
    pub len: u64,
    /// The bytes from the requested offset to the end.
    pub reader: Box<dyn AsyncRead + Send + Unpin>,
}

/// Where uploaded files are kept.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Where the files are, for logs and messages.
    fn describe(&self) -> String;
    /// A local folder for uploads in progress; [`FileStore::commit`] takes files from it.
    fn staging_dir(&self) -> &Path;
    /// Checks the store can be written, read back and cleaned up.
    async fn health_check(&self) -> io::Result<()>;
    /// Moves the finished upload `staged` (a file in [`FileStore::staging_dir`]) to
    /// `path`, durably: once this returns, the bytes survive a crash.
    async fn commit(&self, staged: &Path, path: &str) -> io::Result<()>;
    /// Writes `bytes` to `path` (thumbnails, previews) durably, replacing any file there.
    async fn write(&self, path: &str, bytes: Vec<u8>) -> io::Result<()>;
    /// Opens `path` and positions it at byte `offset`.
    async fn open(&self, path: &str, offset: u64) -> io::Result<Opened>;
    /// Removes `path`; a missing file is not an error.
    async fn remove(&self, path: &str) -> io::Result<()>;
}

/// How many image decodes may wait for a turn, per decoder; past that an upload is
/// refused at once ([`DecodeRefused::Busy`]) rather than queued.
const WAITING_PER_DECODER: usize = 16;
/// Longest an upload waits for a turn to decode before it is refused.
const DECODE_WAIT: Duration = Duration::from_secs(30);

/// Why an image was not decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeRefused {
    /// Every decoder is busy and the queue is full, or the turn did not come in time.
    Busy,
    /// The server is stopping, or the decode panicked.
    Failed,
}

/// The server's file store with what every backend shares: a limit on how many images
/// are decoded at once, because each decode may hold up to `MaxImageResolution` pixels
/// in memory, and on how many wait (their uploads are on disk, not in memory).
pub struct Files {
    store: Arc<dyn FileStore>,
    decoders: Arc<Semaphore>,
    /// Decodes running or waiting for a turn.
    admitted: Arc<AtomicUsize>,
    max_admitted: usize,
}

impl std::ops::Deref for Files {
    type Target = dyn FileStore;

    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

impl Files {
    /// Opens the backend `settings.DriverName` names at `dir` (the resolved
    /// `FileSettings.Directory`), creating the folder if needed and clearing staging files
    /// left by an earlier run.
    pub fn open(settings: &FileSettings, dir: &Path) -> io::Result<Self> {
        let store = LocalFileStore::open(dir)?;
        let decoders = match usize::try_from(settings.max_image_decoder_concurrency) {
            Ok(n) if n > 0 => n,
            _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(Files {
            store: Arc::new(store),
            decoders: Arc::new(Semaphore::new(decoders)),
            admitted: Arc::new(AtomicUsize::new(0)),
            max_admitted: decoders * (1 + WAITING_PER_DECODER),
        })
    }

    /// Runs `job` (which decodes an image, through [`image::open_decoder`]) on a blocking
    /// thread when a decoder is free: at most `MaxImageDecoderConcurrency` run at once,
    /// a bounded number wait, each for a bounded time, and the rest are refused.
    ///
    /// The turn and the count move into the blocking job and are given back only when it
    /// ends: a client that hangs up drops the request's future, but not a decode already
    /// running, which must go on counting against the limit.
    pub async fn decode<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DecodeRefused> {
        let admitted = self.admit().ok_or(DecodeRefused::Busy)?;
        let permit: OwnedSemaphorePermit =
            match tokio::time::timeout(DECODE_WAIT, self.decoders.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) => return Err(DecodeRefused::Failed),
                Err(_) => return Err(DecodeRefused::Busy),
            };
        tokio::task::spawn_blocking(move || {
            let _held = (admitted, permit);
            job()
        })
        .await
        .map_err(|_| DecodeRefused::Failed)
    }

    /// Counts a decode in, unless as many as may be are running or waiting.
    fn admit(&self) -> Option<Admitted> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_admitted).then_some(n + 1)
            })
            .ok()
            .map(|_| Admitted(self.admitted.clone()))
    }

    /// A new staging file for a one-shot upload; removed unless it is finished and kept.
    pub async fn stage(&self) -> io::Result<Staging> {
        let path = self
            .staging_dir()
            .join(format!("{TEMP_PREFIX}{}", crate::model::new_id()));
        let file = tokio::fs::File::create(&path).await?;
        Ok(Staging::new(path, file, 0, true))
    }

    /// The staging file of resumable upload `id`, cut back to the `offset` bytes already
    /// recorded (a request that broke off may have written more) and opened for appending.
    /// If the file holds less than `offset` (it was lost), it continues from what it
    /// holds: [`Staging::len`] says where. It stays when dropped, for the next request.
    pub async fn resume(&self, id: &str, offset: u64) -> io::Result<Staging> {
        let path = self.session_path(id);
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .await?;
        let offset = offset.min(file.metadata().await?.len());
        file.set_len(offset).await?;
        let mut file = file;
        tokio::io::AsyncSeekExt::seek(&mut file, io::SeekFrom::Start(offset)).await?;
        let head = if offset > 0 {
            let mut head = vec![0; HEAD_LEN.min(usize::try_from(offset).unwrap_or(HEAD_LEN))];
            let mut reader = tokio::fs::File::open(&path).await?;
            tokio::io::AsyncReadExt::read_exact(&mut reader, &mut head).await?;
            head
        } else {
            Vec::new()
        };
        let mut staging = Staging::new(path, file, offset, false);
        staging.head = head;
        Ok(staging)
    }

    /// Removes the staging file of resumable upload `id`, if any.
    pub async fn discard_session(&self, id: &str) {
        let _ = tokio::fs::remove_file(self.session_path(id)).await;
    }

    fn session_path(&self, id: &str) -> PathBuf {
        self.staging_dir().join(format!("{SESSION_PREFIX}{id}"))
    }
}

/// A decode counted in [`Files::admit`]; counted out when dropped.
struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Staging files of one-shot uploads; any left at start-up belong to a crashed run.
const TEMP_PREFIX: &str = "tmp-";
/// Staging files of resumable uploads, kept across requests and restarts.
const SESSION_PREFIX: &str = "upload-";

/// An upload being written to a staging file.
pub struct Staging {
    path: PathBuf,
    file: tokio::io::BufWriter<tokio::fs::File>,
    written: u64,
    head: Vec<u8>,
    /// Remove the file when dropped unfinished (one-shot uploads).
    temporary: bool,
}

impl Staging {
    fn new(path: PathBuf, file: tokio::fs::File, written: u64, temporary: bool) -> Self {
        Staging {
            path,
            file: tokio::io::BufWriter::with_capacity(STAGING_BUFFER, file),
            written,
            head: Vec::new(),
            temporary,
        }
    }

    /// Appends `chunk`.
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        if self.head.len() < HEAD_LEN {
            let take = (HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.file.write_all(chunk).await?;
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Bytes in the file so far.
    pub fn len(&self) -> u64 {
        self.written
    }

    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    /// Writes out what is buffered and makes it durable, leaving the file in place (a
    /// resumable upload between requests).
    pub async fn pause(mut self) -> io::Result<u64> {
        self.file.flush().await?;
        self.file.get_ref().sync_data().await?;
        self.temporary = false;
        Ok(self.written)
    }

    /// Finishes writing: everything is flushed and on disk.
    pub async fn finish(mut self) -> io::Result<Staged> {
        self.file.flush().await?;
        self.file.get_ref().sync_data().await?;
        // From here the `Staged` owns the file and removes it unless it is committed.
        self.temporary = false;
        Ok(Staged {
            path: self.path.clone(),
            size: self.written,
            head: std::mem::take(&mut self.head),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.temporary {
            // An abandoned upload (too large, cut off): its partial bytes are worthless.
            // Unlinking is quick and does not wait on the disk.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A complete upload in the staging folder. Removed when dropped: committing moves it
/// away first.
pub struct Staged {
    path: PathBuf,
    /// Its length in bytes.
    pub size: u64,
    /// Its first bytes (up to [`HEAD_LEN`]), to detect the type.
    pub head: Vec<u8>,
}

impl Staged {
    /// The local file, for image processing.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How long a one-shot staging file must have been left alone before it counts as a
/// crashed run's leftover. Not zero: the CLI opens the store too, while a server may be
/// in the middle of an upload.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes one-shot staging files a crashed run left behind.
fn clear_stale_staging(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let idle = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|idle| idle > STALE_AFTER);
        if idle && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Files {
        Files::open(&FileSettings::default(), dir).unwrap()
    }

    fn staged_names(files: &Files) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(files.staging_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// Files with a single image decoder, in a folder of their own.
    fn one_decoder() -> (tempfile::TempDir, Arc<Files>) {
        let dir = tempfile::tempdir().unwrap();
        let settings = FileSettings {
            max_image_decoder_concurrency: 1,
            ..FileSettings::default()
        };
        let files = Arc::new(Files::open(&settings, dir.path()).unwrap());
        (dir, files)
    }

    #[tokio::test]
    async fn decodes_past_the_running_and_waiting_ones_are_refused() {
        let (_dir, files) = one_decoder();
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        // One running and WAITING_PER_DECODER waiting fill it.
        let mut tasks = Vec::new();
        for _ in 0..=WAITING_PER_DECODER {
            let (files, hold) = (files.clone(), hold.clone());
            tasks.push(tokio::spawn(async move {
                files
                    .decode(move || {
                        let _ = hold.lock().unwrap().recv();
                        7
                    })
                    .await
            }));
        }
        while files.admitted.load(Ordering::Acquire) <= WAITING_PER_DECODER {
            tokio::task::yield_now().await;
        }
        assert_eq!(files.decode(|| 1).await, Err(DecodeRefused::Busy));
        for _ in 0..=WAITING_PER_DECODER {
            release.send(()).unwrap();
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(7));
        }
        assert_eq!(files.decode(|| 1).await, Ok(1));
        assert_eq!(files.admitted.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn a_decode_whose_request_went_away_still_counts_until_it_ends() {
        let (_dir, files) = one_decoder();
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let task = {
            let files = files.clone();
            tokio::spawn(async move {
                files
                    .decode(move || {
                        started.send(()).unwrap();
                        let _ = hold.recv();
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || running.recv().unwrap())
            .await
            .unwrap();
        // The client hangs up: the request's future is dropped mid-decode.
        task.abort();
        let _ = task.await;
        assert_eq!(files.admitted.load(Ordering::Acquire), 1);
        assert_eq!(files.decoders.available_permits(), 0);
        release.send(()).unwrap();
        while files.admitted.load(Ordering::Acquire) > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(files.decoders.available_permits(), 1);
    }

    #[tokio::test]
    async fn abandoned_and_refused_uploads_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(dir.path());
        let mut staging = files.stage().await.unwrap();
        staging.write(b"partial").await.unwrap();
        drop(staging);
        let mut staging = files.stage().await.unwrap();
        staging.write(b"complete").await.unwrap();
        let staged = staging.finish().await.unwrap();
        assert_eq!((staged.size, staged.head.as_slice()), (8, &b"complete"[..]));
        drop(staged);
        assert!(staged_names(&files).is_empty());

        let mut staging = files.stage().await.unwrap();
        staging.write(b"kept").await.unwrap();
        let staged = staging.finish().await.unwrap();
        files.commit(staged.path(), "a/kept.txt").await.unwrap();
        drop(staged);
        assert!(staged_names(&files).is_empty());
        assert_eq!(
            std::fs::read(dir.path().join("a/kept.txt")).unwrap(),
            b"kept"
        );
    }

    #[tokio::test]
    async fn resumed_uploads_continue_from_the_recorded_offset() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(dir.path());
        let mut staging = files.resume("u1", 0).await.unwrap();
        staging.write(b"hello world").await.unwrap();
        assert_eq!(staging.pause().await.unwrap(), 11);
        // Only 5 bytes were recorded (the request broke off): the rest is cut.
        let mut staging = files.resume("u1", 5).await.unwrap();
        assert_eq!(staging.len(), 5);
        staging.write(b", there").await.unwrap();
        assert_eq!(staging.pause().await.unwrap(), 12);
        assert_eq!(staged_names(&files), ["upload-u1"]);
        let staging = files.resume("u1", 12).await.unwrap();
        assert_eq!(staging.len(), 12);
        let staged = staging.finish().await.unwrap();
        assert_eq!(staged.head, b"hello, there");
        drop(staged);
        // Lost data: the upload continues from what is there.
        let staging = files.resume("u2", 100).await.unwrap();
        assert_eq!(staging.len(), 0);
        files.discard_session("u2").await;
        assert!(staged_names(&files).is_empty());
    }
}
