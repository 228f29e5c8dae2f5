//! Log output, configured from `LogSettings`. Lines go to standard error, so standard
//! output stays free for what commands print (the ready URL, `config show`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

/// Installs the global log subscriber. Safe to call once; later calls do nothing.
pub fn init(settings: &LogSettings) {
    if !settings.enable_console {
        return;
    }
    let level = settings.console_level.to_ascii_lowercase();
    // Our own lines at the configured level; the libraries' chatter only when it matters.
    let filter = EnvFilter::new(format!("warn,hearth={level},actix_server=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    let _ = if settings.console_json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
