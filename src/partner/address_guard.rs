//! Keeps outbound partner connections off forbidden addresses (see `forbidden_addresses`),
//! checked on the address actually used, so a name that resolves (or is rebound) to a
//! forbidden address is refused too:
//! - names are resolved by [`GuardedResolver`], which drops forbidden addresses and fails
//!   when none is left, so no connection to them is even attempted;
//! - literal-IP URLs skip name resolution: [`check_literal`] refuses them before any
//!   connection is attempted;
//! - every established connection is checked by [`PeerCheckLayer`] before the request is
//!   written, whatever path its address took.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::forbidden_addresses::current;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn refusal(address: IpAddr) -> Option<String> {
    current().forbidding(address).map(|range| {
        format!("the endpoint address {address} is in the forbidden range {range} (--forbidden-endpoint-ranges)")
    })
}

/// Refuses an endpoint URL whose host is a forbidden IP address.
pub fn check_literal(endpoint: &str) -> Result<(), String> {
    let address = match url::Url::parse(endpoint)
        .ok()
        .and_then(|url| url.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address),
        _ => return Ok(()),
    };
    refusal(address).map_or(Ok(()), Err)
}

/// The system resolver, minus forbidden addresses.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<_>, Vec<_>) = resolved
                .into_iter()
                .partition(|address| refusal(address.ip()).is_none());
            match (allowed.is_empty(), refused.first()) {
                (true, Some(refused)) => Err(format!(
                    "{host} resolves only to forbidden addresses: {}",
                    refusal(refused.ip()).unwrap_or_default()
                )
                .into()),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// Wraps reqwest's connector with [`PeerCheck`].
#[derive(Clone, Copy)]
pub struct PeerCheckLayer;

impl<S> tower::Layer<S> for PeerCheckLayer {
    type Service = PeerCheck<S>;

    fn layer(&self, inner: S) -> PeerCheck<S> {
        PeerCheck { inner }
    }
}

/// Refuses a connection whose peer address is forbidden.
#[derive(Clone)]
pub struct PeerCheck<S> {
    inner: S,
}

impl<S, R> tower::Service<R> for PeerCheck<S>
where
    S: tower::Service<R, Error = BoxError>,
    S::Response: Connection + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        Box::pin(async move {
            let connection = connecting.await?;
            let mut extras = http::Extensions::new();
            connection.connected().get_extras(&mut extras);
            let peer = extras.get::<HttpInfo>().map(|info| info.remote_addr().ip());
            match peer.and_then(refusal) {
                Some(reason) => Err(reason.into()),
                None => Ok(connection),
            }
        })
    }
}
