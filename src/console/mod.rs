//! The web console at `/console/`: operators and provider staff sign in with their gateway
//! account and do the daily work in a browser. It is one more adapter over the application
//! layer: every page calls `app` operations as the signed-in `Caller`, which do the access
//! checks; the console only decodes forms, renders HTML and maps `GatewayError` to an HTTP
//! answer (in `failure`). Pages are rendered on the server by small functions (`page`),
//! the stylesheet and the one script are compiled into the binary (`assets`).

mod accounts;
mod assets;
mod certificate;
mod chart;
mod deliveries;
mod failure;
mod live;
mod options;
mod orders;
mod page;
mod policy_form;
mod providers;
mod session;
mod signin;

use std::sync::Arc;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::app::Gateway;
use crate::shutdown::Shutdown;
use live::LiveStreams;

/// What every console handler shares.
pub struct Console {
    gateway: Arc<Gateway>,
    /// Ends the live lists' streams.
    shutdown: Shutdown,
    live: LiveStreams,
}

type ConsoleState = Arc<Console>;

/// The console's routes, all under `/console/`; `shutdown` ends its long-lived responses.
pub fn router<S: Clone + Send + Sync + 'static>(
    gateway: Arc<Gateway>,
    shutdown: Shutdown,
) -> Router<S> {
    let state = Arc::new(Console {
        gateway,
        shutdown,
        live: LiveStreams::default(),
    });
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(providers::home))
        .route("/console/assets/{file}", get(assets::serve))
        .route("/console/sign-in", get(signin::form).post(signin::submit))
        .route("/console/sign-out", post(signin::sign_out))
        .route("/console/providers", get(providers::list))
        .route("/console/providers/{id}", get(providers::show))
        .route(
            "/console/providers/{id}/policies",
            post(providers::save_policies),
        )
        .route("/console/providers/{id}/approve", post(providers::approve))
        .route(
            "/console/providers/{id}/test",
            post(providers::test_endpoint),
        )
        .route("/console/deliveries", get(deliveries::list))
        .route("/console/deliveries/events", get(live::events))
        .route("/console/deliveries/{id}", get(deliveries::show))
        .route("/console/deliveries/{id}/retry", post(deliveries::retry))
        .route("/console/orders", get(orders::search))
        .route("/console/orders/{guid}", get(orders::show))
        .route(
            "/console/options",
            get(options::list).post(options::submit_definition),
        )
        .route(
            "/console/options/assignments",
            post(options::submit_assignment),
        )
        .route("/console/options/{guid}", get(options::show))
        .route(
            "/console/options/{guid}/preview",
            get(options::preview).post(options::validate_preview),
        )
        .route(
            "/console/options/{guid}/deprecate",
            post(options::deprecate),
        )
        .route("/console/options/{guid}/remove", post(options::remove))
        .route("/console/accounts", get(accounts::list))
        .route("/console/accounts/providers", post(accounts::add_provider))
        .route("/console/accounts/users", post(accounts::add_user))
        .route("/console/accounts/password", post(accounts::reset_password))
        .route("/console/accounts/revoke", post(accounts::revoke_tokens))
        .with_state(state)
}
