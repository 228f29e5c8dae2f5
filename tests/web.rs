//! The web client's own tests, run from `cargo test` so one command tests everything: its
//! unit tests (Vitest) and the end-to-end stories, which drive this build's `hearth`
//! with Debian's headless Chromium (`/usr/bin/chromium`, or `CHROMIUM_PATH`).
//!
//! `build.rs` has already installed the client's npm packages and built it into the
//! binary. Screenshots go to `target/screenshots/` unless `HEARTH_SCREENSHOTS` names
//! another folder (`HEARTH_SCREENSHOTS=docs/screenshots` refreshes the documentation's).

use std::path::{Path, PathBuf};
use std::process::Command;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// Runs `npm run <script>` in `web/` with `env`; fails the test with its output unless
/// it succeeds.
fn npm_run(script: &str, env: &[(&str, String)]) {
    let output = Command::new("npm")
        .args(["run", "--silent", script])
        .current_dir(web_dir())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap_or_else(|error| panic!("cannot run npm (Node.js 20+ is needed): {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Shown by the test harness when the test fails (or with --nocapture).
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "`npm run {script}` failed ({}); its output is above",
        output.status
    );
}

#[test]
fn client_logic_unit_tests() {
    npm_run("test", &[]);
}

#[test]
fn end_to_end_in_chromium() {
    let screenshots = std::env::var("HEARTH_SCREENSHOTS")
        .map(|dir| Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"));
    npm_run(
        "e2e",
        &[
            ("HEARTH_BIN", env!("CARGO_BIN_EXE_hearth").to_string()),
            ("HEARTH_SCREENSHOTS", screenshots.display().to_string()),
        ],
    );
}
