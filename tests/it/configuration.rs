//! The configuration file, its environment overrides and its checks, as an admin meets them.

use serde_json::json;

use crate::support::{Server, data_dir, read_config, run, write_config};

#[tokio::test]
async fn first_start_writes_the_defaults() {
    let data = data_dir();
    assert!(!data.path().join("config.json").exists());
    let server = Server::start(data.path(), &[]);

    let config = read_config(data.path());
    assert_eq!(config["ServiceSettings"]["ListenAddress"], ":8065");
    assert_eq!(config["ServiceSettings"]["MaximumPayloadSizeBytes"], 300000);
    assert_eq!(config["SqlSettings"]["DriverName"], "sqlite3");
    assert_eq!(config["SqlSettings"]["DataSource"], "hearth.db");
    assert_eq!(config["TeamSettings"]["SiteName"], "Hearth");
    assert_eq!(config["FileSettings"]["Directory"], "files");
    for section in [
        "EmailSettings",
        "RateLimitSettings",
        "PrivacySettings",
        "SupportSettings",
        "LogSettings",
    ] {
        assert!(
            config[section].is_object(),
            "{section} missing from {config}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("config.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "config.json may hold secrets");
    }
    // The database file (SQLite; a PostgreSQL run keeps its data in the server).
    assert_eq!(
        data.path().join("hearth.db").exists(),
        !crate::support::on_postgres()
    );
    assert!(data.path().join("files").is_dir());
    assert!(server.logged("wrote a default configuration file").await);
}

#[tokio::test]
async fn environment_overrides_the_file() {
    let data = data_dir();
    write_config(
        data.path(),
        &json!({"TeamSettings": {"SiteName": "From the file"}}),
    );

    let server = Server::start(
        data.path(),
        &[
            ("HEARTH_TEAMSETTINGS_SITENAME", "From Hearth env"),
            ("MM_TEAMSETTINGS_SITENAME", "From MM env"),
        ],
    );
    let (_, config) = server.get_json("/api/v4/config/client?format=old").await;
    assert_eq!(config["SiteName"], "From Hearth env");
    drop(server);

    // Mattermost admins' spelling works on its own.
    let server = Server::start(data.path(), &[("MM_TEAMSETTINGS_SITENAME", "From MM env")]);
    let (_, config) = server.get_json("/api/v4/config/client?format=old").await;
    assert_eq!(config["SiteName"], "From MM env");
    drop(server);

    // Without overrides the file wins, and overrides were never written into it.
    let server = Server::start(data.path(), &[]);
    let (_, config) = server.get_json("/api/v4/config/client?format=old").await;
    assert_eq!(config["SiteName"], "From the file");
    assert_eq!(
        read_config(data.path())["TeamSettings"]["SiteName"],
        "From the file"
    );
}

#[tokio::test]
async fn invalid_configuration_is_refused_naming_the_key() {
    let data = data_dir();
    write_config(
        data.path(),
        &json!({"ServiceSettings": {"ListenAddress": "nowhere"}}),
    );
    // `--listen` is not given here: the file's value must be checked.
    let (ok, _, stderr) = run(data.path(), &["serve"]);
    assert!(!ok);
    assert!(stderr.contains("ServiceSettings.ListenAddress"), "{stderr}");
    assert!(stderr.contains("nowhere"), "{stderr}");

    write_config(
        data.path(),
        &json!({"FileSettings": {"MaxFileSize": "huge"}}),
    );
    let failure = Server::try_start(data.path(), &[]).err().expect("refused");
    assert!(!failure.status.unwrap().success());
    assert!(
        failure.output.contains("FileSettings.MaxFileSize"),
        "{}",
        failure.output
    );

    write_config(data.path(), &json!({}));
    let failure = Server::try_start(
        data.path(),
        &[("HEARTH_TEAMSETTINGS_TEAMMATENAMEDISPLAY", "nick")],
    )
    .err()
    .expect("refused");
    assert!(
        failure.output.contains("TeamSettings.TeammateNameDisplay"),
        "{}",
        failure.output
    );
    assert!(
        failure
            .output
            .contains("HEARTH_TEAMSETTINGS_TEAMMATENAMEDISPLAY"),
        "{}",
        failure.output
    );

    std::fs::write(data.path().join("config.json"), "{ not json").unwrap();
    let failure = Server::try_start(data.path(), &[]).err().expect("refused");
    assert!(
        failure.output.contains("config.json is not valid JSON"),
        "{}",
        failure.output
    );
    // Nothing was created next to a configuration that was refused.
    assert!(!data.path().join("hearth.db").exists());
}

#[test]
fn config_commands_show_validate_and_set() {
    let data = data_dir();
    let (ok, stdout, _) = run(
        data.path(),
        &["config", "set", "teamsettings.sitename", "Our chat"],
    );
    assert!(ok);
    assert!(stdout.contains("TeamSettings.SiteName set"), "{stdout}");
    let (ok, _, stderr) = run(
        data.path(),
        &["config", "set", "EmailSettings.SMTPPassword", "s3cret"],
    );
    assert!(ok, "{stderr}");

    let (ok, stdout, _) = run(data.path(), &["config", "show"]);
    assert!(ok);
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["TeamSettings"]["SiteName"], "Our chat");
    assert_eq!(
        shown["EmailSettings"]["SMTPPassword"],
        "********************************"
    );
    assert!(!stdout.contains("s3cret"));

    let (ok, stdout, _) = run(data.path(), &["config", "validate"]);
    assert!(ok);
    assert!(stdout.contains("configuration is valid"));

    // A bad value is refused and the file keeps its old value.
    let (ok, _, stderr) = run(
        data.path(),
        &["config", "set", "SqlSettings.MaxOpenConns", "0"],
    );
    assert!(!ok);
    assert!(stderr.contains("SqlSettings.MaxOpenConns"), "{stderr}");
    let (ok, _, stderr) = run(data.path(), &["config", "set", "SqlSettings.Nope", "1"]);
    assert!(!ok);
    assert!(stderr.contains("not a configuration key"), "{stderr}");
    assert_eq!(read_config(data.path())["SqlSettings"]["MaxOpenConns"], 8);

    write_config(
        data.path(),
        &json!({"LogSettings": {"ConsoleLevel": "LOUD"}}),
    );
    let (ok, _, stderr) = run(data.path(), &["config", "validate"]);
    assert!(!ok);
    assert!(stderr.contains("LogSettings.ConsoleLevel"), "{stderr}");
}

#[test]
fn help_and_version_are_helpful() {
    let data = data_dir();
    let (ok, stdout, _) = run(data.path(), &["--help"]);
    assert!(ok);
    for command in ["serve", "version", "config", "db"] {
        assert!(
            stdout.contains(command),
            "{command} missing from --help: {stdout}"
        );
    }
    // --data is accepted after the subcommand too.
    let (ok, stdout, _) = run(data.path(), &["config", "--help"]);
    assert!(ok);
    assert!(stdout.contains("--data"));
    let (ok, stdout, _) = run(data.path(), &["version"]);
    assert!(ok);
    assert!(stdout.contains("Mattermost API 11.6.0"), "{stdout}");
}
