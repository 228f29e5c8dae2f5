//! The command line: `hearth serve`, `hearth version`, `hearth config …`, `hearth db …`.
//! Parses arguments, loads configuration, and hands off; the work lives elsewhere.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

mod user;

use crate::config::{self, Config, LiveConfig, Loaded};
use crate::{logging, server, version};

#[derive(Debug, Parser)]
#[command(
    name = "hearth",
    version,
    about = "Hearth: a self-hosted team chat server that speaks Mattermost's API",
    long_about = "Hearth: a self-hosted team chat server in one binary. It speaks Mattermost's REST API v4, \
WebSocket protocol and bulk-import format, so the official Mattermost apps work with it.\n\n\
Everything a site needs lives in one data folder (--data): config.json, the database, \
uploaded files and the search index. Start with `hearth serve`.",
    after_help = "Configuration keys can be overridden with environment variables: \
HEARTH_<SECTION>_<KEY>=value (e.g. HEARTH_SERVICESETTINGS_LISTENADDRESS=:9000); the MM_ \
spelling Mattermost uses works too."
)]
pub struct Cli {
    /// The data folder: config, database, files, index
    #[arg(
        long,
        global = true,
        env = "HEARTH_DATA",
        default_value = "./data",
        value_name = "DIR"
    )]
    pub data: PathBuf,

    /// The configuration file [default: DIR/config.json]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (writes a default config.json on first start)
    Serve(ServeArgs),
    /// Print the versions of Hearth, the Mattermost API it speaks, and its database schema
    Version,
    /// Show, check or change the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Database maintenance
    #[command(subcommand)]
    Db(DbCommand),
    /// Manage accounts directly on the data folder (works with the server running or not)
    #[command(subcommand)]
    User(user::UserCommand),
    /// The full-text search index
    #[command(subcommand)]
    Search(SearchCommand),
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the database, with a progress bar (stop the server
    /// first; a running server rebuilds with `POST /api/v4/bleve/purge_indexes`)
    Reindex,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen on this address instead of ServiceSettings.ListenAddress (e.g. 127.0.0.1:8065)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (defaults, file and environment) as JSON, secrets hidden
    Show,
    /// Check the configuration and say which key is wrong, if any (exit status 1)
    Validate,
    /// Set one key in the configuration file, e.g. `config set TeamSettings.SiteName "Our chat"`
    Set {
        /// The key, as Section.Key (any case)
        key: String,
        /// The new value: text, a number, true/false, or a comma-separated list
        value: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the database or bring its schema up to date, then exit; with --to, copy the
    /// whole SQLite database into an empty PostgreSQL database instead
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Copy everything (users, teams, channels, posts, reactions, unreads, files' records,
    /// the change-feed position) from this data folder's SQLite database into the empty
    /// PostgreSQL database at URL, checking every table's row count before committing.
    /// Stop the server first. Uploaded files stay where FileSettings says.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
}

impl Cli {
    fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.data.join("config.json"))
    }
}

/// Runs the parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    match dispatch(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hearth: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let path = cli.config_path();
    match &cli.command {
        Command::Serve(args) => {
            let mut loaded = load(&path, true)?;
            let mut flags: Vec<config::Flag> = Vec::new();
            if let Some(listen) = &args.listen {
                loaded.config.service_settings.listen_address = listen.clone();
                loaded.config.validate()?;
                flags.push(("ServiceSettings", "ListenAddress", listen.clone().into()));
            }
            let logging = logging::init(&loaded.config.log_settings);
            report(&loaded, &path);
            let data = cli.data.clone();
            let live = Arc::new(LiveConfig::new(loaded, path, flags));
            actix_web::rt::System::new().block_on(server::serve(live, logging, &data))
        }
        Command::Version => {
            println!("hearth {}", version::HEARTH_VERSION);
            println!("Mattermost API {}", version::MATTERMOST_VERSION);
            println!(
                "database schema {} (SQLite {})",
                crate::store::sqlite::latest_version(),
                rusqlite_version()
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Show) => {
            let loaded = load(&path, false)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&loaded.config.redacted_json())?
            );
            for (key, var) in &loaded.env_overrides {
                eprintln!("note: {key} is set by environment variable {var}");
            }
            Ok(())
        }
        Command::Config(ConfigCommand::Validate) => {
            let loaded = load(&path, false)?;
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            println!("{}: configuration is valid", path.display());
            Ok(())
        }
        Command::Config(ConfigCommand::Set { key, value }) => {
            let key = config::set_key(&path, key, value)
                .map_err(|e| anyhow::anyhow!("not changed: {e}"))?;
            println!(
                "{key} set in {}; restart Hearth for it to take effect",
                path.display()
            );
            Ok(())
        }
        Command::User(command) => {
            let mut loaded = load(&path, false)?;
            // Keep the command's own output readable: only warnings from the internals.
            loaded.config.log_settings.console_level = "WARN".into();
            let logging = logging::init(&loaded.config.log_settings);
            let data = cli.data.clone();
            let live = Arc::new(LiveConfig::new(loaded, path, Vec::new()));
            actix_web::rt::System::new().block_on(user::run(command, live, logging, &data))
        }
        Command::Search(SearchCommand::Reindex) => {
            let loaded = load(&path, false)?;
            logging::init(&loaded.config.log_settings);
            reindex(&loaded.config, &cli.data)
        }
        Command::Db(DbCommand::Migrate(args)) => {
            let loaded = load(&path, false)?;
            logging::init(&loaded.config.log_settings);
            match &args.to {
                Some(url) => copy_to_postgres(&loaded.config, &cli.data, url),
                None => migrate(&loaded.config, &cli.data),
            }
        }
    }
}

fn load(path: &Path, create: bool) -> anyhow::Result<Loaded> {
    config::load(path, std::env::vars(), create)
        .map_err(|e| anyhow::anyhow!("invalid configuration in {}: {e}", path.display()))
}

fn report(loaded: &Loaded, path: &Path) {
    if loaded.created {
        tracing::info!(path = %path.display(), "wrote a default configuration file");
    }
    for (key, var) in &loaded.env_overrides {
        tracing::info!(%key, variable = %var, "configuration set from the environment");
    }
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
}

fn migrate(config: &Config, data: &Path) -> anyhow::Result<()> {
    let store = actix_web::rt::System::new().block_on(server::open_store(config, data))?;
    let status = store.schema_status();
    if status.applied.is_empty() {
        println!(
            "database schema is up to date at version {}",
            status.version
        );
    } else {
        println!(
            "database schema migrated from version {} to {}: applied {}",
            status.previous_version,
            status.version,
            status.applied.join(", ")
        );
    }
    Ok(())
}

/// Shows the copy's progress on standard error: one bar over all rows, naming the table.
struct CopyBar {
    bar: indicatif::ProgressBar,
    table: String,
    table_rows: u64,
}

impl crate::store::copy::Progress for CopyBar {
    fn start(&mut self, total_rows: u64) {
        self.bar.set_length(total_rows);
    }

    fn advance(&mut self, table: &str, rows: u64) {
        if self.table != table {
            self.table = table.to_string();
            self.table_rows = 0;
            self.bar.set_message(table.to_string());
        }
        self.bar.inc(rows.saturating_sub(self.table_rows));
        self.table_rows = rows;
    }
}

fn copy_to_postgres(config: &Config, data: &Path, url: &str) -> anyhow::Result<()> {
    use crate::store::postgres::PgStore;
    use crate::store::sqlite::SqliteStore;
    if config.sql_settings.driver_name != "sqlite3" {
        anyhow::bail!(
            "this data folder's configuration uses {}, not SQLite; --to copies from SQLite",
            config.sql_settings.driver_name
        );
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        anyhow::bail!("--to needs a postgres:// URL");
    }
    let source = config.database_path(data);
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {percent:>3}% {pos}/{len} rows ({per_sec}, {eta} left) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut progress = CopyBar {
        bar: bar.clone(),
        table: String::new(),
        table_rows: 0,
    };
    let copied = actix_web::rt::System::new().block_on(crate::store::copy::sqlite_to_postgres(
        &source,
        url,
        &mut progress,
    ));
    let report = match copied {
        Ok(report) => {
            bar.finish_and_clear();
            report
        }
        Err(error) => {
            bar.abandon();
            anyhow::bail!("copy to {} failed: {error}", PgStore::describe(url));
        }
    };
    println!(
        "copied {} into {}:",
        SqliteStore::describe(&source),
        PgStore::describe(url)
    );
    for (table, rows) in &report.tables {
        println!("  {table:<20} {rows:>10} rows (checked)");
    }
    println!("  change feed continues after seq {}", report.last_seq);
    println!(
        "to run on PostgreSQL from now on:\n  hearth config set SqlSettings.DriverName postgres\n  hearth config set SqlSettings.DataSource '<the URL>'"
    );
    Ok(())
}

fn reindex(config: &Config, data: &Path) -> anyhow::Result<()> {
    use crate::search::index::SearchIndex;
    use crate::search::indexer::rebuild_index;
    let dir = config.index_dir(data);
    let language = config.search_settings.language.clone();
    actix_web::rt::System::new().block_on(async {
        let store = server::open_store(config, data).await?;
        let open_dir = dir.clone();
        let (index, _) =
            tokio::task::spawn_blocking(move || SearchIndex::open(&open_dir, &language))
                .await?
                .map_err(|e| {
                    anyhow::anyhow!("cannot use the search index in {}: {e}", dir.display())
                })?;
        let index = std::sync::Arc::new(index);
        let total = store.count_posts().await?;
        let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0)).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {percent:>3}% {pos}/{len} posts ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let started = std::time::Instant::now();
        let done = rebuild_index(&index, &store, |n| bar.set_position(n))
            .await
            .map_err(|e| anyhow::anyhow!("reindexing failed: {e}"))?;
        bar.finish_and_clear();
        println!(
            "search index rebuilt in {}: {done} posts in {:.1} s, at change-feed position {}",
            dir.display(),
            started.elapsed().as_secs_f64(),
            index.seq()
        );
        Ok(())
    })
}

fn rusqlite_version() -> &'static str {
    crate::store::sqlite::sqlite_library_version()
}
