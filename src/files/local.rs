//! The local-folder backend: files under one root folder, uploads staged in `.staging/`
//! inside it so that committing is a rename on the same file system.

use std::io;
use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use tokio::io::AsyncSeekExt;

use super::{FileStore, Opened, clear_stale_staging};

/// The staging folder's name under the root. Mattermost's layout never starts a path with
/// a dot, so it cannot collide with a stored file.
const STAGING: &str = ".staging";

/// Files kept in a folder on this machine.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalFileStore {
    /// Uses `root`, creating it (and its staging folder) if needed.
    pub fn open(root: &Path) -> io::Result<Self> {
        let staging = root.join(STAGING);
        std::fs::create_dir_all(&staging)?;
        clear_stale_staging(&staging)?;
        Ok(LocalFileStore {
            root: root.to_owned(),
            staging,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of `path`, which must be relative and made only of plain names:
    /// no `..`, no `.`, no root or drive, no empty segments, no NUL.
    fn resolve(&self, path: &str) -> io::Result<PathBuf> {
        let invalid = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a file store path: {path:?}"),
            )
        };
        let plain = |segment: &str| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && !segment.contains(['\0', '\\'])
        };
        if !path.split('/').all(plain) || path.starts_with('.') {
            return Err(invalid());
        }
        let relative = Path::new(path);
        // Belt and braces: what the platform makes of it must be plain names too.
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(invalid());
        }
        Ok(self.root.join(relative))
    }
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl FileStore for LocalFileStore {
    fn describe(&self) -> String {
        format!("local folder {}", self.root.display())
    }

    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn health_check(&self) -> io::Result<()> {
        let probe = self
            .root
            .join(format!(".health-{}", crate::model::new_id()));
        tokio::fs::write(&probe, b"ok").await?;
        let read = tokio::fs::read(&probe).await;
        tokio::fs::remove_file(&probe).await?;
        if read? != b"ok" {
            return Err(io::Error::other("file store returned different bytes"));
        }
        Ok(())
    }

    async fn commit(&self, staged: &Path, path: &str) -> io::Result<()> {
        let target = self.resolve(path)?;
        let staged = staged.to_owned();
        tokio::task::spawn_blocking(move || {
            let dir = target
                .parent()
                .ok_or_else(|| io::Error::other("a stored file needs a folder"))?;
            std::fs::create_dir_all(dir)?;
            std::fs::rename(&staged, &target)?;
            sync_dir(dir)
        })
        .await
        .map_err(io::Error::other)?
    }

    async fn write(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let target = self.resolve(path)?;
        let temp = self
            .staging
            .join(format!("{}{}", super::TEMP_PREFIX, crate::model::new_id()));
        tokio::task::spawn_blocking(move || {
            let dir = target
                .parent()
                .ok_or_else(|| io::Error::other("a stored file needs a folder"))?;
            std::fs::create_dir_all(dir)?;
            let written = (|| {
                let mut file = std::fs::File::create(&temp)?;
                io::Write::write_all(&mut file, &bytes)?;
                file.sync_data()?;
                std::fs::rename(&temp, &target)
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
            written?;
            sync_dir(dir)
        })
        .await
        .map_err(io::Error::other)?
    }

    async fn open(&self, path: &str, offset: u64) -> io::Result<Opened> {
        let mut file = tokio::fs::File::open(self.resolve(path)?).await?;
        let len = file.metadata().await?.len();
        if offset > 0 {
            file.seek(io::SeekFrom::Start(offset)).await?;
        }
        Ok(Opened {
            len,
            reader: Box::new(file),
        })
    }

    async fn remove(&self, path: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.resolve(path)?).await {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn paths_cannot_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFileStore::open(&dir.path().join("files")).unwrap();
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a\\..\\b",
            ".staging/tmp-x",
            "a/\0b",
        ] {
            assert!(store.resolve(bad).is_err(), "{bad:?} was accepted");
            assert!(store.write(bad, b"x".to_vec()).await.is_err(), "{bad:?}");
        }
        assert!(!dir.path().join("x").exists());
        assert!(store.resolve("20240101/teams/t/a b.txt").is_ok());
    }

    #[tokio::test]
    async fn write_commit_open_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFileStore::open(dir.path()).unwrap();
        store.write("a/b/c.txt", b"hello".to_vec()).await.unwrap();
        let mut opened = store.open("a/b/c.txt", 1).await.unwrap();
        assert_eq!(opened.len, 5);
        let mut rest = String::new();
        opened.reader.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "ello");

        let staged = store.staging_dir().join("tmp-1");
        std::fs::write(&staged, b"bytes").unwrap();
        store.commit(&staged, "d/e.bin").await.unwrap();
        assert!(!staged.exists());
        assert_eq!(std::fs::read(dir.path().join("d/e.bin")).unwrap(), b"bytes");

        store.remove("d/e.bin").await.unwrap();
        store.remove("d/e.bin").await.unwrap();
        assert!(store.open("d/e.bin", 0).await.is_err());
        // Nothing is left in the staging folder.
        assert_eq!(std::fs::read_dir(store.staging_dir()).unwrap().count(), 0);
    }

    #[test]
    fn stale_one_shot_staging_files_are_cleared_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFileStore::open(dir.path()).unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for name in ["tmp-old", "tmp-live", "upload-keep"] {
            let file = std::fs::File::create(store.staging_dir().join(name)).unwrap();
            if name != "tmp-live" {
                file.set_modified(two_hours_ago).unwrap();
            }
        }
        let store = LocalFileStore::open(dir.path()).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(store.staging_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["tmp-live", "upload-keep"]);
    }
}
