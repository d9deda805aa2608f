//! Reading request bodies and paths: JSON bodies into typed requests (a body that is not the
//! expected JSON is a 400 naming the problem), form-encoded lists, and the `.json` suffix
//! most paths carry.

use serde::de::DeserializeOwned;

use super::errors::{RestError, RestResult};

/// Parses a JSON body into `T`.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> RestResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| RestError::bad_request(format!("the request body is not valid JSON: {e}")))
}

/// The values of a form-encoded field sent as `name[]=…` or `name=…`, in order.
pub fn form_values(body: &[u8], name: &str) -> Vec<String> {
    let list_name = format!("{name}[]");
    url::form_urlencoded::parse(body)
        .filter(|(key, _)| key == name || *key == list_name)
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// An id from the path without its optional `.json` suffix.
pub fn path_id(segment: &str) -> &str {
    segment.strip_suffix(".json").unwrap_or(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_lists_and_suffixes() {
        let body = b"catalog_item_id%5B%5D=G1-A&catalog_item_id[]=G2-A&other=x&catalog_item_id=G3";
        assert_eq!(
            form_values(body, "catalog_item_id"),
            vec!["G1-A", "G2-A", "G3"]
        );
        assert_eq!(path_id("ABC.json"), "ABC");
        assert_eq!(path_id("ABC"), "ABC");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let error = json::<serde_json::Value>(b"{\"order\": ").unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
