//! Builds the web client (`web/`, TypeScript) into `assets/web/`, which `src/webui.rs`
//! embeds in the binary, so `cargo build` alone makes a complete server.
//!
//! Runs `npm ci` (when `web/node_modules` is missing or older than `package-lock.json`)
//! and `npm run build`, and only when something under `web/` changed. Builders without
//! Node.js or network access build the client elsewhere, copy it to `assets/web/`, and
//! set `HEARTH_WEB_PREBUILT=1`: then nothing is run and the copy is embedded as it is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const PREBUILT: &str = "HEARTH_WEB_PREBUILT";

fn main() {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| fail("CARGO_MANIFEST_DIR is not set: run through cargo"));
    let web = root.join("web");
    let out = root.join("assets").join("web");

    println!("cargo:rerun-if-env-changed={PREBUILT}");
    for input in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        // A path that does not exist would make cargo run this every time.
        if web.join(input).exists() {
            println!("cargo:rerun-if-changed=web/{input}");
        }
    }

    if std::env::var_os(PREBUILT).is_some_and(|v| !v.is_empty() && v != "0") {
        if !out.join("index.html").is_file() {
            fail(&format!(
                "{PREBUILT} is set but {} has no index.html: build the web client \
                 (`cd web && npm ci && npm run build`) and copy its output there first",
                out.display()
            ));
        }
        return;
    }

    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    match Command::new(npm).arg("--version").output() {
        Ok(output) if output.status.success() => {}
        _ => fail(&format!(
            "building Hearth's web client needs Node.js 20 or newer with npm on the PATH \
             (Debian: `apt-get install nodejs npm`). Without them, build the client on \
             another machine (`cd web && npm ci && npm run build`), copy {} here, and \
             set {PREBUILT}=1",
            out.display()
        )),
    }

    let _lock = Lock::take(&web.join(".build.lock"));
    if needs_install(&web) {
        run(npm, &["ci", "--no-audit", "--no-fund"], &web);
    }
    run(npm, &["run", "build"], &web);
    if !out.join("index.html").is_file() {
        fail(&format!(
            "`npm run build` finished but wrote no {}",
            out.join("index.html").display()
        ));
    }
}

/// `npm ci` is due when there is no install, or `package-lock.json` changed since it.
fn needs_install(web: &Path) -> bool {
    let installed = web.join("node_modules").join(".package-lock.json");
    match (
        modified(&installed),
        modified(&web.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => lock > installed,
        _ => true,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn run(program: &str, args: &[&str], dir: &Path) {
    let shown = format!("{program} {}", args.join(" "));
    match Command::new(program).args(args).current_dir(dir).status() {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!(
            "`{shown}` in {} failed ({status}); its output is above",
            dir.display()
        )),
        Err(error) => fail(&format!("cannot run `{shown}`: {error}")),
    }
}

/// Stops the build with `message` (a panic, so the npm lock is released on the way out).
fn fail(message: &str) -> ! {
    panic!("{message}");
}

/// Keeps two cargo runs at once (say `cargo clippy` beside `cargo test`) from running
/// npm in the same folder together. A lock older than ten minutes is from a run that
/// was killed, and is taken over.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Lock {
        let started = SystemTime::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => return Lock(path.to_owned()),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = modified(path)
                        .and_then(|at| at.elapsed().ok())
                        .is_some_and(|age| age > Duration::from_secs(600));
                    if stale {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    if started.elapsed().unwrap_or_default() > Duration::from_secs(900) {
                        fail(&format!("{} is held for too long", path.display()));
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(error) => fail(&format!("cannot create {}: {error}", path.display())),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
