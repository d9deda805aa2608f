//! The application layer: every operation the gateway offers, independent of the protocol
//! that carried it. An operation takes typed inputs and the authenticated [`Caller`], checks
//! what the caller may touch, applies the domain's rules, persists through `storage` (the
//! outbox in the same transaction as its cause) and returns typed results or a
//! [`GatewayError`]. It knows no XML, no HTTP and no protocol's error format: the adapters
//! (`soap`, the CLI's `admin`) decode requests into these calls and encode their results.

pub mod accounts;
pub mod catalog;
pub mod deliveries;
pub mod delivery_signals;
pub mod guests;
pub mod oms;
pub mod options;
pub mod order_information;
pub mod order_processing;
pub mod orders;
pub mod paging;
pub mod partner_protocol;
pub mod password_checks;
pub mod preferences;
pub mod providers;
pub mod relay;
pub mod sessions;
pub mod sign_in_throttle;
pub mod stats;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::credentials;
use crate::error::{GatewayError, GatewayResult, LookupKey};
use crate::storage::Store;
use delivery_signals::DeliverySignals;
use echo_domain::account::Provider;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;
use echo_forms::{FilterCache, FormCache};
use password_checks::PasswordChecks;
use sign_in_throttle::{SignInLimits, SignInThrottle};

/// Settings the operations need.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub token_lifetime: Duration,
    pub endpoint_test_timeout: Duration,
    /// How long an inbound OrderFulfillment caller waits for the partner before POSTPONED.
    pub relay_wait: Duration,
    pub sign_in: SignInLimits,
    /// Whether guests may sign in and order (`--guest-orders`).
    pub guest_orders: bool,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            token_lifetime: Duration::from_secs(24 * 3600),
            endpoint_test_timeout: Duration::from_secs(10),
            relay_wait: Duration::from_secs(10),
            sign_in: SignInLimits::default(),
            guest_orders: true,
        }
    }
}

/// Everything an operation works with.
pub struct Gateway {
    pub store: Arc<Store>,
    pub settings: ServiceSettings,
    /// Compiled option-definition forms, by definition GUID.
    pub forms: FormCache,
    /// Compiled option-assignment filters, by filter text.
    pub filters: FilterCache,
    /// Woken when durable background work (see `maintenance`) has been queued.
    pub maintenance: Notify,
    /// Woken when deliveries to partners have been queued (see `delivery::worker`).
    pub deliveries: Notify,
    /// Deliveries made pending again, and waits for deliveries to settle.
    pub delivery_signals: DeliverySignals,
    /// Failed sign-ins per account and address.
    pub sign_in_throttle: SignInThrottle,
    /// Argon2 verifications, on their own bounded threads.
    pub password_checks: PasswordChecks,
}

impl Gateway {
    pub fn new(store: Arc<Store>, settings: ServiceSettings) -> Gateway {
        Gateway {
            store,
            forms: FormCache::new(),
            filters: FilterCache::new(),
            maintenance: Notify::new(),
            deliveries: Notify::new(),
            delivery_signals: DeliverySignals::default(),
            sign_in_throttle: SignInThrottle::new(settings.sign_in),
            password_checks: PasswordChecks::start(settings.sign_in.verifiers),
            settings,
        }
    }

    /// Resolves a request's token to the caller it stands for.
    pub fn authenticate(&self, token: &str) -> GatewayResult<Caller> {
        let redacted = credentials::redact(token);
        let stored = self
            .store
            .token(&credentials::token_digest(token))?
            .ok_or_else(|| GatewayError::TokenNotFound(redacted.clone()))?;
        if stored.expires <= Timestamp::now() {
            return Err(GatewayError::TokenExpired(redacted));
        }
        if stored.guest {
            guests::require_enabled(self)?;
            return Ok(Caller::guest(stored.user));
        }
        let user = self
            .store
            .user(stored.user.as_str())?
            .ok_or(GatewayError::TokenNotFound(redacted))?;
        Ok(Caller::of(&user, stored.acting_provider))
    }

    /// Finds a provider by GUID, or by its short ID as ECHO clients also send.
    pub fn find_provider(&self, guid_or_id: &str) -> GatewayResult<Provider> {
        let found = match self.store.provider(&guid_or_id.to_uppercase())? {
            Some(provider) => Some(provider),
            None => self.store.provider_by_id(guid_or_id)?,
        };
        let key = match Guid::parse(guid_or_id) {
            Ok(_) => LookupKey::Guid,
            Err(_) => LookupKey::Id,
        };
        found.ok_or_else(|| GatewayError::not_found_by("Provider", key, guid_or_id))
    }
}

/// Runs blocking work (storage, hashing) on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> GatewayResult<T> + Send + 'static,
) -> GatewayResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| GatewayError::Internal(e.to_string()))?
}
