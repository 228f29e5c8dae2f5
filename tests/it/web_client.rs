//! The embedded web client: served at `/`, client routes fall back to it, API paths never
//! do, and caching is right.

use crate::support::{Server, data_dir};

#[tokio::test]
async fn root_and_client_routes_serve_the_page() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);

    let response = server.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let page = response.text().await.unwrap();
    assert!(page.contains("<title>Hearth</title>"));
    assert!(page.contains(r#"<div id="root">"#), "{page}");

    // The bundle it loads is embedded too, fingerprinted and cached for good.
    let script = page
        .split(r#"src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads a script");
    assert!(script.starts_with("/assets/index-"), "{script}");
    let bundle = server.get(script).send().await.unwrap();
    assert_eq!(bundle.status(), 200);
    assert!(
        bundle.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        bundle.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(bundle.bytes().await.unwrap().len() > 10_000);

    // A client-side route gets the same page.
    let routed = server
        .get("/myteam/channels/town-square")
        .send()
        .await
        .unwrap();
    assert_eq!(routed.status(), 200);
    assert_eq!(routed.text().await.unwrap(), page);

    // Revalidation: an unchanged page is a 304 without a body.
    let again = server
        .get("/")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());

    let icon = server.get("/favicon.svg").send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");

    // A missing file is a 404, not the page.
    let missing = server.get("/static/missing.js").send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // Posting to a page is not a thing.
    let post = server.post("/").send().await.unwrap();
    assert_eq!(post.status(), 405);
}
