//! Request bodies are received whole before any route sees them, bounded in size
//! (`--max-body-bytes`, HTTP 413 beyond it) and in time (`--read-timeout`, HTTP 408): this is
//! the one place the body limit is enforced, for every route.

use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// Bounds on one request body.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub read_timeout: Duration,
}

/// Reads the whole body of `request`; the refusal is the response to send instead.
pub async fn receive<B>(
    request: Request<B>,
    limits: BodyLimits,
) -> Result<Request<Body>, Response<Body>>
where
    B: HttpBody<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_bytes as u64) {
        return Err(too_large(limits.max_bytes));
    }
    let collected = tokio::time::timeout(
        limits.read_timeout,
        Limited::new(body, limits.max_bytes).collect(),
    )
    .await;
    match collected {
        Ok(Ok(body)) => Ok(Request::from_parts(parts, Body::from(body.to_bytes()))),
        Ok(Err(error)) if error.is::<LengthLimitError>() => Err(too_large(limits.max_bytes)),
        Ok(Err(error)) => {
            tracing::debug!(%error, "request body unreadable");
            Err(refusal(
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n".into(),
            ))
        }
        Err(_) => Err(refusal(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s\n",
                limits.read_timeout.as_secs()
            ),
        )),
    }
}

fn too_large(max_bytes: usize) -> Response<Body> {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {max_bytes} bytes (--max-body-bytes)\n"),
    )
}

/// A plain-text refusal; the connection is closed after it, since the rest of the body
/// may still be on its way.
fn refusal(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: BodyLimits = BodyLimits {
        max_bytes: 10,
        read_timeout: Duration::from_secs(5),
    };

    fn request(body: &'static str) -> Request<http_body_util::Full<Bytes>> {
        Request::new(http_body_util::Full::new(body.into()))
    }

    #[tokio::test]
    async fn a_body_at_the_limit_passes_and_one_byte_more_is_413() {
        let passed = receive(request("0123456789"), LIMITS).await.unwrap();
        let bytes = passed.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len(), 10);
        let refused = receive(request("0123456789X"), LIMITS).await.unwrap_err();
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
