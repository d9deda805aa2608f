//! The console's stylesheet and script, compiled into the binary so the console works
//! offline and needs no JavaScript tool-chain.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The console's own files, and NASA's `@edsc/echoforms` bundle for form previews (built
/// from its lockfile by `scripts/build-echoforms-bundle`).
const FILES: [(&str, &str, &str); 4] = [
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("assets/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/console.js"),
    ),
    (
        "echoforms.js",
        "text/javascript; charset=utf-8",
        include_str!("../../web/vendor/echoforms/echoforms.js"),
    ),
    (
        "echoforms.css",
        "text/css; charset=utf-8",
        include_str!("../../web/vendor/echoforms/echoforms.css"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, text)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    }
}
