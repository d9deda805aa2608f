//! A client of the gateway's ECHO REST API as Earthdata Search called it: `Echo-Token` with a
//! `:<client id>` suffix and `Client-Id` on every call, JSON or form bodies, answers parsed
//! as JSON (`Value::Null` for an empty body).

use serde_json::Value;

use super::TestGateway;

/// The client id Earthdata Search sends.
pub const CLIENT_ID: &str = "edsc-test";

pub struct RestClient {
    pub client: reqwest::Client,
    /// `https://127.0.0.1:<port>/echo-rest` (or another mount point).
    pub base: String,
    pub token: Option<String>,
}

impl RestClient {
    pub fn new(gateway: &TestGateway, prefix: &str) -> RestClient {
        RestClient {
            client: gateway.client.clone(),
            base: format!("{}{prefix}", gateway.url),
            token: None,
        }
    }

    /// The same API as `token`.
    pub fn with_token(&self, token: &str) -> RestClient {
        RestClient {
            client: self.client.clone(),
            base: self.base.clone(),
            token: Some(token.to_owned()),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.request(reqwest::Method::DELETE, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, "application/json", body.to_string().into_bytes())
            .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let request = self
            .request(reqwest::Method::PUT, path)
            .header("Content-Type", "application/json")
            .body(body.to_string());
        self.send(request).await
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let request = self
            .request(reqwest::Method::POST, path)
            .header("Content-Type", content_type)
            .body(body);
        self.send(request).await
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Client-Id", CLIENT_ID)
            .header("Accept", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Echo-Token", format!("{token}:{CLIENT_ID}"));
        }
        request
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request reaches the gateway");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(value) => value,
                Err(_) => Value::String(text),
            }
        };
        (status, value)
    }
}

/// Asserts an ECHO REST error: this status and a non-empty `{"errors": [..]}`; returns the
/// messages joined.
pub fn assert_errors(answer: &(u16, Value), status: u16) -> String {
    assert_eq!(answer.0, status, "{:?}", answer.1);
    let errors = answer.1["errors"].as_array().expect("an errors list");
    assert!(!errors.is_empty(), "{:?}", answer.1);
    errors
        .iter()
        .map(|e| e.as_str().expect("a message").to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}
