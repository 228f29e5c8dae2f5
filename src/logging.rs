//! Log output, configured from `LogSettings`. Lines go to standard error, so standard
//! output stays free for what commands print (the ready URL, `config show`), and the most
//! recent ones are also kept in memory, as Mattermost-style JSON lines, for admins to read
//! through `GET /api/v4/logs` (Hearth writes no log file of its own).

use std::collections::VecDeque;
use std::fmt::Debug;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt, reload};

use crate::config::LogSettings;

/// Lines the in-memory log keeps, newest last.
pub const KEPT_LINES: usize = 10_000;
/// Bytes of lines it keeps at most, whichever limit comes first (client log messages may
/// be long).
const KEPT_BYTES: usize = 8 * 1024 * 1024;

/// The process's log: the recent lines and a handle to change the level while running.
/// Cheap to clone.
#[derive(Clone, Default)]
pub struct Logging {
    recent: Arc<Recent>,
    level: Option<reload::Handle<EnvFilter, Registry>>,
}

/// Installs the global log subscriber and returns its handle. Only the first call in a
/// process installs anything; later calls get a handle whose log stays empty.
pub fn init(settings: &LogSettings) -> Logging {
    let recent = Arc::new(Recent::default());
    let (filter, handle) = reload::Layer::new(filter(&settings.console_level));
    let console = settings.enable_console;
    let text = (console && !settings.console_json).then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(true)
    });
    let json = (console && settings.console_json).then(|| {
        fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .with_target(true)
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
        .with(RecentLayer(recent.clone()))
        .try_init()
        .is_ok();
    Logging {
        recent,
        level: installed.then_some(handle),
    }
}

/// Our own lines at the configured level; the libraries' chatter only when it matters.
fn filter(level: &str) -> EnvFilter {
    let level = level.to_ascii_lowercase();
    EnvFilter::new(format!("warn,hearth={level},actix_server=info"))
}

impl Logging {
    /// Changes the level of what is logged (`LogSettings.ConsoleLevel`) at once.
    pub fn set_level(&self, level: &str) {
        if let Some(handle) = &self.level
            && let Err(error) = handle.reload(filter(level))
        {
            tracing::warn!(%error, "cannot change the log level");
        }
    }

    /// Page `page` of the kept lines, `per_page` to a page, counted from the newest: page 0
    /// holds the newest lines. Each page is in the order the lines were written (newest
    /// last), as Mattermost reads its log file.
    pub fn page(&self, page: usize, per_page: usize) -> Vec<String> {
        self.recent.page(page, per_page)
    }
}

/// The most recent log lines, bounded in count and bytes.
#[derive(Default)]
struct Recent {
    lines: Mutex<Lines>,
}

#[derive(Default)]
struct Lines {
    kept: VecDeque<String>,
    bytes: usize,
}

impl Recent {
    fn push(&self, line: String) {
        let mut lines = self
            .lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lines.bytes += line.len();
        lines.kept.push_back(line);
        while lines.kept.len() > KEPT_LINES || (lines.bytes > KEPT_BYTES && lines.kept.len() > 1) {
            if let Some(old) = lines.kept.pop_front() {
                lines.bytes -= old.len();
            }
        }
    }

    fn page(&self, page: usize, per_page: usize) -> Vec<String> {
        let lines = self
            .lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let total = lines.kept.len();
        let end = total.saturating_sub(page.saturating_mul(per_page));
        let start = end.saturating_sub(per_page);
        lines.kept.range(start..end).cloned().collect()
    }
}

/// Formats each event as one JSON line shaped like Mattermost's log file (`timestamp`,
/// `level`, `msg`, `caller`, then the event's fields) into [`Recent`].
struct RecentLayer(Arc<Recent>);

impl<S: Subscriber> Layer<S> for RecentLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Map::new();
        event.record(&mut Fields(&mut fields));
        let mut line = Map::new();
        line.insert("timestamp".into(), Value::String(timestamp_now()));
        line.insert(
            "level".into(),
            Value::String(meta.level().as_str().to_ascii_lowercase()),
        );
        line.insert(
            "msg".into(),
            fields
                .remove("message")
                .unwrap_or(Value::String(String::new())),
        );
        let caller = match (meta.file(), meta.line()) {
            (Some(file), Some(n)) => format!("{file}:{n}"),
            _ => meta.target().to_string(),
        };
        line.insert("caller".into(), Value::String(caller));
        line.insert("target".into(), Value::String(meta.target().to_string()));
        line.extend(fields);
        self.0.push(Value::Object(line).to_string());
    }
}

/// Collects an event's fields as JSON values.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().into(), Value::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), Value::String(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
}

/// Now as Mattermost's logs write it: `2024-05-01 10:00:00.123 Z` (UTC).
fn timestamp_now() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    timestamp(millis)
}

fn timestamp(millis: i64) -> String {
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let secs = ms / 1000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03} Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms % 1000
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_mattermosts() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00.000 Z");
        assert_eq!(timestamp(951_827_696_789), "2000-02-29 12:34:56.789 Z");
        assert_eq!(timestamp(1_735_689_599_999), "2024-12-31 23:59:59.999 Z");
    }

    #[test]
    fn pages_count_back_from_the_newest() {
        let recent = Recent::default();
        for n in 0..25 {
            recent.push(format!("line {n}"));
        }
        assert_eq!(recent.page(0, 10).first().unwrap(), "line 15");
        assert_eq!(recent.page(0, 10).last().unwrap(), "line 24");
        assert_eq!(
            recent.page(2, 10),
            ["line 0", "line 1", "line 2", "line 3", "line 4"]
        );
        assert!(recent.page(3, 10).is_empty());
        assert!(recent.page(usize::MAX, usize::MAX).is_empty());
    }

    #[test]
    fn the_kept_lines_are_bounded() {
        let recent = Recent::default();
        for n in 0..KEPT_LINES + 5 {
            recent.push(n.to_string());
        }
        assert_eq!(recent.page(0, usize::MAX).len(), KEPT_LINES);
        assert_eq!(recent.page(0, 1), ["10004"]);
        recent.push("x".repeat(KEPT_BYTES));
        assert_eq!(recent.page(0, usize::MAX).len(), 1);
    }

    #[test]
    fn events_become_json_lines() {
        let recent = Arc::new(Recent::default());
        let subscriber = tracing_subscriber::registry().with(RecentLayer(recent.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(user_id = "u1", count = 3, "something \"odd\"");
        });
        let lines = recent.page(0, 10);
        let line: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["level"], "warn");
        assert_eq!(line["msg"], "something \"odd\"");
        assert_eq!(line["user_id"], "u1");
        assert_eq!(line["count"], 3);
        assert!(
            line["caller"]
                .as_str()
                .unwrap()
                .starts_with("src/logging.rs:")
        );
    }
}
