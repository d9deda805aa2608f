//! The client's address on a request. The listener attaches it to every request of a
//! connection ([`ClientAddr`]); adapters read it through one extractor ([`PeerIp`]) to key the
//! sign-in throttle by address, whatever protocol signs in (SOAP, ECHO REST, console).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The peer of the connection a request arrived on, put there by the listener.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

/// The client's IP address, or `None` when no listener attached one (a request made inside
/// the process); never refuses a request.
#[derive(Clone, Copy, Debug)]
pub struct PeerIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(
            parts
                .extensions
                .get::<ClientAddr>()
                .map(|ClientAddr(peer)| peer.ip()),
        ))
    }
}
