//! File storage. For now: the local folder (`FileSettings.Directory`) and its health
//! check; uploads, thumbnails and an S3-compatible backend arrive with the files feature.
//! Must not depend on the HTTP layer or the database.

use std::path::{Path, PathBuf};

/// Files kept in a folder on this machine.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
}

impl LocalFileStore {
    /// Uses `root`, creating it if needed.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(LocalFileStore {
            root: root.to_owned(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks the folder can be written, read back and cleaned up, as uploads will need.
    pub async fn health_check(&self) -> std::io::Result<()> {
        let probe = self
            .root
            .join(format!(".health-{}", crate::model::new_id()));
        tokio::fs::write(&probe, b"ok").await?;
        let read = tokio::fs::read(&probe).await;
        tokio::fs::remove_file(&probe).await?;
        if read? != b"ok" {
            return Err(std::io::Error::other("file store returned different bytes"));
        }
        Ok(())
    }
}
