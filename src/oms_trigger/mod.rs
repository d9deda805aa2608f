//! The OMS trigger worker: wakes each OMS whose feed gained events it did not cause itself.
//!
//! Calls are **coalesced** (at most one in flight per OMS; events arriving during a call cause
//! exactly one more call after it), **retried** on connection errors, timeouts, 429 and 5xx
//! with exponential backoff and jitter (honouring `Retry-After`) up to
//! [`TriggerSettings::attempts`] calls, after which the OMS is marked failing (`oms show`)
//! until a later call succeeds, and **signed** as Standard Webhooks do. What is owed lives in storage (`TriggerState`, written
//! in the transaction of the change), so a restart neither loses a pending trigger nor fires
//! more than one call per OMS.

mod call;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::{Gateway, blocking};
use crate::error::GatewayResult;
use crate::shutdown::Shutdown;
use crate::storage::now_micros;
use echo_domain::oms::Oms;
use echo_domain::oms_feed::TriggerState;

/// How often the durable trigger state is looked at. Triggers are owed by transactions all
/// over the gateway (SOAP, partners, the API); polling one small table keeps them unaware.
const POLL: Duration = Duration::from_millis(200);

/// Retry limits and timeouts of trigger calls (`serve --oms-trigger-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerSettings {
    /// Calls per batch of changes before the OMS is marked failing (at least 1).
    pub attempts: u32,
    /// The first retry waits this long; each further one twice as long (plus jitter).
    pub first_retry: Duration,
    /// The longest wait between retries (also the cap on `Retry-After`).
    pub max_wait: Duration,
    /// Timeout of one call, connecting included.
    pub timeout: Duration,
}

impl Default for TriggerSettings {
    fn default() -> Self {
        TriggerSettings {
            attempts: 8,
            first_retry: Duration::from_millis(500),
            max_wait: Duration::from_secs(300),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Runs until shutdown.
pub async fn run(gateway: Arc<Gateway>, settings: TriggerSettings, mut shutdown: Shutdown) {
    let client = match call::client(settings.timeout) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "OMS triggers disabled: no HTTP client");
            return;
        }
    };
    let in_flight: Arc<Mutex<HashSet<u64>>> = Arc::default();
    loop {
        match due(&gateway).await {
            Ok(due) => {
                for (oms, state) in due {
                    let claimed = in_flight.lock().map(|mut set| set.insert(oms.id)).ok();
                    if claimed.unwrap_or(false) {
                        let task = fire(gateway.clone(), client.clone(), settings, oms, state);
                        let in_flight = in_flight.clone();
                        tokio::spawn(async move {
                            let id = task.await;
                            if let Ok(mut set) = in_flight.lock() {
                                set.remove(&id);
                            }
                        });
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read OMS trigger state"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.wait() => return,
        }
    }
}

/// The OMSes with a trigger owed now.
async fn due(gateway: &Arc<Gateway>) -> GatewayResult<Vec<(Oms, TriggerState)>> {
    let gateway = gateway.clone();
    blocking(move || {
        let omses = gateway.store.omses()?;
        let now = now_micros();
        Ok(gateway
            .store
            .oms_trigger_states()?
            .into_iter()
            .filter(|(_, state)| state.pending() && state.not_before_micros <= now)
            .filter_map(|(id, state)| {
                let oms = omses.iter().find(|o| o.id == id && o.trigger.is_some())?;
                Some((oms.clone(), state))
            })
            .collect())
    })
    .await
}

/// One call and its durable outcome; returns the OMS id.
async fn fire(
    gateway: Arc<Gateway>,
    client: reqwest::Client,
    settings: TriggerSettings,
    oms: Oms,
    state: TriggerState,
) -> u64 {
    let id = oms.id;
    let covered = state.requested;
    let last_sequence = {
        let gateway = gateway.clone();
        blocking(move || Ok(gateway.store.oms_last_sequence(id)?))
            .await
            .unwrap_or(covered)
    };
    let outcome = call::send(&client, &oms, last_sequence.max(covered)).await;
    let attempts = state.attempts + 1;
    let record = move |s: &mut TriggerState| match outcome.clone() {
        call::Outcome::Delivered => {
            s.delivered = s.delivered.max(covered);
            s.attempts = 0;
            s.failing = false;
            s.last_error = None;
            s.not_before_micros = 0;
        }
        call::Outcome::Retry { error, retry_after } if attempts < settings.attempts => {
            s.attempts = attempts;
            s.last_error = Some(error);
            let wait = retry_after
                .unwrap_or_else(|| backoff(&settings, attempts))
                .min(settings.max_wait);
            let wait_micros = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
            s.not_before_micros = now_micros().saturating_add(wait_micros);
        }
        call::Outcome::Retry { error, .. } | call::Outcome::GiveUp { error } => {
            // This batch is given up; the next change tries again with fresh attempts.
            s.delivered = s.delivered.max(covered);
            s.attempts = 0;
            s.failing = true;
            s.last_error = Some(error);
        }
    };
    let stored = blocking(move || Ok(gateway.store.update_oms_trigger_state(id, record)?)).await;
    if let Err(error) = stored {
        tracing::warn!(oms = id, %error, "cannot record the trigger outcome");
    }
    id
}

/// `first_retry × 2^(attempt-1)` (at most `max_wait`), with ±25 % jitter so many OMSes do not
/// retry in step.
fn backoff(settings: &TriggerSettings, attempt: u32) -> Duration {
    let exponential = settings
        .first_retry
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let jitter = 0.75 + rand::random::<f64>() * 0.5;
    exponential.min(settings.max_wait).mul_f64(jitter)
}
