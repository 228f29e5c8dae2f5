//! Hearth driven by real third-party clients: the user story in
//! `tests/clients/mattermostdriver_story.py`, told with mattermostdriver from PyPI (the
//! most used Python client; `pip install mattermostdriver`, which `.ci/run` does).

use std::process::Command;

use crate::support::accounts::PASSWORD;
use crate::support::{Server, data_dir};

#[tokio::test]
async fn mattermostdriver_signs_in_posts_uploads_and_listens() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let installed = Command::new(&python)
        .args(["-c", "import mattermostdriver"])
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        installed,
        "mattermostdriver is not installed for {python}: `pip install mattermostdriver` (README, Run the whole test suite)"
    );
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    server.admin().await;
    let story = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/mattermostdriver_story.py"
    );
    let url = server.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([story, &url, "admin", PASSWORD])
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("mattermostdriver story: ok"),
        "the story failed ({}):\n{stdout}\n{stderr}\nserver:\n{}",
        output.status,
        server.logs()
    );
}
