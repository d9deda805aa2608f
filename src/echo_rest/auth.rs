//! Who is calling an ECHO REST request: the token of `Echo-Token: <token>` (Earthdata Search
//! appended `:<client id>`, which is ignored) or `Authorization: Bearer <token>`. The
//! `Client-Id` / `Echo-ClientId` headers name the client application, not the caller.

use axum::http::{HeaderMap, StatusCode, header};

use super::errors::{RestError, RestResult};

/// The token a request carries.
pub fn token(headers: &HeaderMap) -> RestResult<String> {
    let echo_token = headers.get("Echo-Token").and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = match (echo_token, bearer) {
        (Some(value), _) => value.split(':').next().unwrap_or_default(),
        (None, Some(value)) => value,
        (None, None) => "",
    }
    .trim();
    if token.is_empty() {
        return Err(RestError::new(
            StatusCode::UNAUTHORIZED,
            "a token is required: send Echo-Token or Authorization: Bearer",
        ));
    }
    Ok(token.to_owned())
}

/// The client application a request names (`Client-Id`, else `Echo-ClientId`).
pub fn client_id(headers: &HeaderMap) -> Option<String> {
    ["Client-Id", "Echo-ClientId"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn echo_token_with_a_client_suffix_bearer_and_none() {
        let suffixed = headers(&[("echo-token", "abc123:edsc-client")]);
        assert_eq!(token(&suffixed).unwrap(), "abc123");
        let bearer = headers(&[("authorization", "Bearer xyz")]);
        assert_eq!(token(&bearer).unwrap(), "xyz");
        let none = token(&headers(&[])).unwrap_err();
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        let empty = token(&headers(&[("echo-token", ":client")])).unwrap_err();
        assert_eq!(empty.status, StatusCode::UNAUTHORIZED);
    }
}
