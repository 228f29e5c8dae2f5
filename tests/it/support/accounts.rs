//! Account helpers for tests: create users, sign in, make authenticated requests.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Server, json};

/// A signed-in user: their session token and user object.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub user: Value,
}

impl Login {
    pub fn id(&self) -> &str {
        self.user["id"].as_str().expect("user id")
    }
}

/// The password every test account gets unless a test says otherwise.
pub const PASSWORD: &str = "correct-horse-1";

impl Server {
    /// Creates `username` (e-mail `username@example.com`) with [`PASSWORD`] through
    /// `POST /users`, signed in as `by` (or anonymously); panics unless it is created.
    pub async fn create_user(&self, username: &str, by: Option<&Login>) -> Value {
        let mut request = self.post("/api/v4/users").json(&json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": PASSWORD,
        }));
        if let Some(login) = by {
            request = request.bearer_auth(&login.token);
        }
        let (status, body) = json(request.send().await.expect("request")).await;
        assert_eq!(status, 201, "creating {username}: {body}");
        body
    }

    /// Signs in; panics unless it works.
    pub async fn login(&self, login_id: &str, password: &str) -> Login {
        let response = self
            .post("/api/v4/users/login")
            .json(&json!({ "login_id": login_id, "password": password }))
            .send()
            .await
            .expect("request");
        let token = response
            .headers()
            .get("Token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let (status, user) = json(response).await;
        assert_eq!(status, 200, "login as {login_id}: {user}");
        assert_eq!(token.len(), 26, "login as {login_id} gave no Token header");
        Login { token, user }
    }

    /// Creates the first account (which becomes the system admin) and signs in as it.
    pub async fn admin(&self) -> Login {
        self.create_user("admin", None).await;
        self.login("admin", PASSWORD).await
    }

    /// Creates a user as `admin` and signs in as them.
    pub async fn user(&self, admin: &Login, username: &str) -> Login {
        self.create_user(username, Some(admin)).await;
        self.login(username, PASSWORD).await
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn as_user(&self, login: &Login, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request(method, path).bearer_auth(&login.token)
    }

    /// Sends a request as `login` (or anonymously) and returns status and JSON body.
    pub async fn call(
        &self,
        login: Option<&Login>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(login) = login {
            request = request.bearer_auth(&login.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        json(request.send().await.expect("request")).await
    }
}
