//! What the official clients call first: ping, client config and licence.

use crate::support::{Server, assert_error, data_dir};

#[tokio::test]
async fn ping_answers_ok() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let (status, body) = server.get_json("/api/v4/system/ping").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "OK");
    assert!(body.get("database_status").is_none());

    let (status, body) = server
        .get_json("/api/v4/system/ping?get_server_status=true")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "OK");
    assert_eq!(body["database_status"], "OK");
    assert_eq!(body["filestore_status"], "OK");
}

#[tokio::test]
async fn ping_reports_a_broken_file_store() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    // Replace the files folder by a plain file: nothing can be stored any more.
    let files = data.path().join("files");
    std::fs::remove_dir_all(&files).unwrap();
    std::fs::write(&files, b"not a folder").unwrap();

    let (status, body) = server
        .get_json("/api/v4/system/ping?get_server_status=true")
        .await;
    assert_eq!(status, 500);
    assert_eq!(body["status"], "UNHEALTHY");
    assert_eq!(body["database_status"], "OK");
    assert_eq!(body["filestore_status"], "UNHEALTHY");

    let (status, body) = server
        .get_json("/api/v4/system/ping?get_server_status=true&use_rest_semantics=true")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "UNHEALTHY");
    // A plain ping does not look at the file store.
    let (status, _) = server.get_json("/api/v4/system/ping").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn client_config_and_license_have_what_clients_read() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let (status, config) = server.get_json("/api/v4/config/client?format=old").await;
    assert_eq!(status, 200);
    for key in [
        "Version",
        "BuildNumber",
        "SiteURL",
        "SiteName",
        "EnableSignInWithEmail",
        "EnableSignInWithUsername",
        "EnableSignUpWithEmail",
        "EnableOpenServer",
        "EnableUserCreation",
        "DiagnosticsEnabled",
        "WebsocketURL",
        "WebsocketPort",
    ] {
        assert!(
            config[key].is_string(),
            "{key} missing or not a string in {config}"
        );
    }
    assert_eq!(config["Version"], "11.6.0");
    assert_eq!(config["DiagnosticsEnabled"], "false");
    // Every value is a string, as clients expect.
    assert!(config.as_object().unwrap().values().all(|v| v.is_string()));

    let (status, body) = server.get_json("/api/v4/config/client").await;
    assert_error(status, &body, 501, "api.config.client.old_format.app_error");
    let (status, body) = server.get_json("/api/v4/config/client?format=new").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );

    let (status, license) = server.get_json("/api/v4/license/client?format=old").await;
    assert_eq!(status, 200);
    assert_eq!(license["IsLicensed"], "false");
}

#[tokio::test]
async fn plugin_lists_are_empty_as_the_apps_expect() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    // The desktop app asks while it adds the server, before anyone signs in.
    let (status, plugins) = server.get_json("/api/v4/plugins/webapp").await;
    assert_eq!((status, plugins), (200, serde_json::json!([])));
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let (status, body) = server
        .call(
            Some(&bob),
            reqwest::Method::GET,
            "/api/v4/plugins/statuses",
            None,
        )
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    let (status, body) = server
        .call(
            Some(&admin),
            reqwest::Method::GET,
            "/api/v4/plugins/statuses",
            None,
        )
        .await;
    assert_eq!((status, body), (200, serde_json::json!([])));
}

#[tokio::test]
async fn product_notices_are_an_empty_list() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let team = "a".repeat(26);
    let path = format!("/api/v4/system/notices/{team}?clientVersion=2.0&client=mobile-android");
    let (status, body) = server
        .call(Some(&admin), reqwest::Method::GET, &path, None)
        .await;
    assert_eq!((status, body), (200, serde_json::json!([])));
    let (status, body) = server
        .call(
            Some(&admin),
            reqwest::Method::PUT,
            "/api/v4/system/notices/view",
            Some(serde_json::json!(["n1"])),
        )
        .await;
    assert_eq!(
        (status, &body["status"]),
        (200, &serde_json::json!("OK")),
        "{body}"
    );
    let (status, body) = server
        .call(
            Some(&admin),
            reqwest::Method::GET,
            "/api/v4/system/notices/nope",
            None,
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    // Signed-out callers are refused as for any other read.
    let (status, _) = server.get_json(&path).await;
    assert_eq!(status, 401);
}
