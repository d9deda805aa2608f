//! One delivery attempt: build the request from the stored order and policy, send it to the
//! partner with the policy's TLS rules, and record what came of it — the answer's effect on the
//! order and the delivery status commit together; a failure is recorded with the next try's
//! time, or, after the last try, with the provider order's `*_FAILED` state.

use std::sync::Arc;
use std::time::Duration;

use crate::app::Gateway;
use crate::app::partner_protocol::PartnerProtocol;
use crate::error::{GatewayError, GatewayResult};
use crate::partner::client::describe;
use crate::partner::client_cache::ClientCache;
use crate::storage::{OrderChange, StoredRelay};
use echo_domain::delivery::{
    AfterFailure, Attempt, Delivery, DeliveryState, DeliveryStatus, apply_answer, apply_failure,
};
use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentRequest};
use echo_domain::order::Order;
use echo_domain::outbox::OutboxEntry;
use echo_domain::policy::{PolicyRecord, ProviderPolicies, RetryPolicy, Transaction};
use echo_domain::timestamp::Timestamp;

/// Largest partner answer read, in bytes.
const MAX_ANSWER_BYTES: usize = 4 << 20;

/// What every attempt shares.
pub struct AttemptContext {
    pub gateway: Arc<Gateway>,
    pub protocol: Arc<dyn PartnerProtocol>,
    pub clients: ClientCache,
    pub timeout: Duration,
}

/// A delivery's plan, and whether it relays an inbound request (read once per attempt: a
/// relayed answer settles only the delivery, an order's also changes the order).
struct Prepared {
    relayed: bool,
    preparation: Preparation,
}

/// What the stored state says to do with a due delivery.
enum Preparation {
    /// Send `body`, as the partner's protocol writes it.
    Send {
        body: String,
        record: Box<PolicyRecord>,
    },
    /// Ordering is suspended: wait, without counting a try.
    WaitUntil(Timestamp),
    /// The delivery cannot be built; counts as a failed try.
    Unsendable(String),
}

/// What an attempt left of its delivery.
enum After {
    /// Still pending: the next try is due then.
    Pending(Timestamp),
    /// Settled, or found settled already; with the partner's answer when this attempt got it
    /// and the delivery is done, so a relay caller gets it without reading the store.
    Settled(Option<FulfillmentAnswer>),
}

/// A failed try.
struct TryFailure {
    http_status: Option<u16>,
    error: String,
}

/// How long a delivery whose attempt could not be recorded waits before the next try.
const AFTER_RECORDING_FAILED_SECONDS: i64 = 1;

/// Makes one attempt of delivery `id` and records its outcome, calling `exchanged` once the
/// exchange with the partner is over (before the outcome is recorded), when there was one.
/// Returns when its next try is due while it stays pending, `None` once it is settled (or no
/// longer pending).
pub async fn run(context: &AttemptContext, id: u64, exchanged: impl FnOnce()) -> Option<Timestamp> {
    let signals = &context.gateway.delivery_signals;
    match attempt(context, id, exchanged).await {
        Ok(After::Pending(next)) => {
            signals.changed();
            Some(next)
        }
        Ok(After::Settled(answer)) => {
            signals.settled(id, answer);
            signals.changed();
            None
        }
        Err(error) => {
            tracing::error!(delivery = id, %error, "could not record a delivery attempt; it stays pending");
            Some(Timestamp::now().plus_seconds(AFTER_RECORDING_FAILED_SECONDS))
        }
    }
}

async fn attempt(
    context: &AttemptContext,
    id: u64,
    exchanged: impl FnOnce(),
) -> GatewayResult<After> {
    // Brief reads: made on this task rather than handed to the blocking pool.
    let (delivery, prepared) = match look(&context.gateway, context.protocol.as_ref(), id)? {
        Due::Settled => return Ok(After::Settled(None)),
        Due::NotYet(next) => return Ok(After::Pending(next)),
        Due::Now(delivery, prepared) => (*delivery, prepared),
    };
    let Prepared {
        relayed,
        preparation,
    } = prepared;
    let started = Timestamp::now();
    let (outcome, retry) = match preparation {
        Preparation::WaitUntil(until) => {
            let Delivery { entry, mut status } = delivery;
            status.defer_until(until);
            let store = &context.gateway.store;
            store.put_delivery_status(entry, status).await?;
            return Ok(After::Pending(until));
        }
        Preparation::Unsendable(error) => (
            Err(TryFailure {
                http_status: None,
                error,
            }),
            ProviderPolicies::default().retry_policy(),
        ),
        Preparation::Send { body, record } => {
            let outcome = send(context, &delivery.entry, body, &record).await;
            exchanged();
            (outcome, record.policies.retry_policy())
        }
    };
    record(&context.gateway, delivery, relayed, started, outcome, retry).await
}

/// What the stored state says of a delivery the schedule found due.
enum Due {
    /// No longer pending.
    Settled,
    /// Its next try is later (the schedule's time was older than the stored one).
    NotYet(Timestamp),
    /// To be tried now, as prepared.
    Now(Box<Delivery>, Prepared),
}

/// Reads the delivery and, when it is pending and due, prepares its attempt.
fn look(gateway: &Gateway, protocol: &dyn PartnerProtocol, id: u64) -> GatewayResult<Due> {
    let current = gateway.store.delivery(id)?;
    let Some(delivery) = current.filter(|d| d.status.state == DeliveryState::Pending) else {
        return Ok(Due::Settled);
    };
    if delivery.status.next_attempt > Timestamp::now() {
        return Ok(Due::NotYet(delivery.status.next_attempt));
    }
    let prepared = prepare(gateway, protocol, &delivery.entry)?;
    Ok(Due::Now(Box::new(delivery), prepared))
}

fn prepare(
    gateway: &Gateway,
    protocol: &dyn PartnerProtocol,
    entry: &OutboxEntry,
) -> GatewayResult<Prepared> {
    let relayed = gateway.store.relayed_request(entry.id)?;
    Ok(Prepared {
        relayed: relayed.is_some(),
        preparation: preparation(gateway, protocol, entry, relayed)?,
    })
}

/// The body to send (the relayed one, else one built from the stored order), unless the
/// provider's policies say to wait or the request cannot be built.
fn preparation(
    gateway: &Gateway,
    protocol: &dyn PartnerProtocol,
    entry: &OutboxEntry,
    relayed: Option<StoredRelay>,
) -> GatewayResult<Preparation> {
    let provider = &entry.provider_order.provider_guid;
    let Some(record) = gateway.store.policies(provider.as_str())? else {
        return Ok(Preparation::Unsendable(
            "the provider has no provider policies".into(),
        ));
    };
    if let Some(until) = record.policies.ordering_suspended_until
        && until > Timestamp::now()
    {
        return Ok(Preparation::WaitUntil(until));
    }
    let record = Box::new(record);
    match relayed {
        Some(StoredRelay::Body(body)) => return Ok(Preparation::Send { body, record }),
        Some(StoredRelay::Request(request)) => {
            let body = protocol.encode_request(&request);
            return Ok(Preparation::Send { body, record });
        }
        None => {}
    }
    let Some(order) = gateway
        .store
        .order(entry.provider_order.order_guid.as_str())?
    else {
        return Ok(Preparation::Unsendable("the order no longer exists".into()));
    };
    let properties = record.policies.properties.clone();
    let request = FulfillmentRequest::for_entry(&order, entry, properties)?;
    let body = protocol.encode_request(&request);
    Ok(Preparation::Send { body, record })
}

/// Sends the request and reads the answer; any transport, HTTP or protocol failure is a failed
/// try.
async fn send(
    context: &AttemptContext,
    entry: &OutboxEntry,
    body: String,
    record: &PolicyRecord,
) -> Result<(FulfillmentAnswer, u16), TryFailure> {
    let failure = |http_status, error: String| TryFailure { http_status, error };
    let endpoint = record.policies.endpoint.as_deref().unwrap_or_default();
    let url = url::Url::parse(endpoint).map_err(|e| {
        failure(
            None,
            format!("EndPoint [{endpoint}] is not a usable URL: {e}"),
        )
    })?;
    let provider = &entry.provider_order.provider_guid;
    let client = context
        .clients
        .client(provider, record, context.timeout)
        .map_err(|e| failure(None, e.to_string()))?;
    let protocol = &context.protocol;
    let headers = protocol.headers().iter();
    let response = headers
        .fold(client.post(url), |post, (name, value)| {
            post.header(*name, *value)
        })
        .header("Idempotency-Key", entry.idempotency_key.as_str())
        .body(body)
        .send()
        .await
        .map_err(|e| failure(None, describe(&e)))?;
    let status = response.status().as_u16();
    let body = read_bounded(response)
        .await
        .map_err(|e| failure(Some(status), e))?;
    protocol
        .decode_answer(status, &body)
        .map(|answer| (answer, status))
        .map_err(|e| failure(Some(status), e))
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!(
                "the answer is larger than {MAX_ANSWER_BYTES} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Records the outcome: an answer settles the delivery and changes the order in one
/// transaction; a failure schedules the next try or, after the last, fails the provider order.
/// Waits for the durable commit without holding a thread.
async fn record(
    gateway: &Gateway,
    delivery: Delivery,
    relayed: bool,
    started: Timestamp,
    outcome: Result<(FulfillmentAnswer, u16), TryFailure>,
    retry: RetryPolicy,
) -> GatewayResult<After> {
    let Delivery { entry, mut status } = delivery;
    let provider = entry.provider_order.provider_guid.clone();
    let transaction = entry.transaction;
    match outcome {
        Ok((answer, http_status)) => {
            tracing::info!(delivery = entry.id, %provider, disposition = answer.disposition.wire_name(), "partner answered");
            status.answered(
                Attempt {
                    at: started,
                    http_status: Some(http_status),
                    disposition: Some(answer.disposition),
                    error: None,
                },
                answer.clone(),
            );
            let settled = settled(&status);
            settle(gateway, entry, status, relayed, move |order| {
                Ok(apply_answer(
                    order,
                    &provider,
                    transaction,
                    &answer,
                    Timestamp::now(),
                )?)
            })
            .await?;
            Ok(settled)
        }
        Err(failure) => {
            tracing::warn!(delivery = entry.id, %provider, error = %failure.error, "delivery attempt failed");
            let attempt = Attempt {
                at: started,
                http_status: failure.http_status,
                disposition: None,
                error: Some(failure.error.clone()),
            };
            match status.failed(attempt, Timestamp::now(), retry) {
                AfterFailure::RetryAt(at) => {
                    gateway.store.put_delivery_status(entry, status).await?;
                    Ok(After::Pending(at))
                }
                AfterFailure::GiveUp => {
                    let (tries, settled) = (status.attempts.len(), settled(&status));
                    settle(gateway, entry, status, relayed, move |order| {
                        Ok(apply_failure(
                            order,
                            &provider,
                            transaction,
                            tries,
                            &failure.error,
                            Timestamp::now(),
                        )?)
                    })
                    .await?;
                    Ok(settled)
                }
            }
        }
    }
}

/// What a settling status leaves: the partner's answer, when the delivery is done.
fn settled(status: &DeliveryStatus) -> After {
    let done = status.state == DeliveryState::Done;
    After::Settled(status.answer.clone().filter(|_| done))
}

/// Records a settling status: a relayed delivery's alone, an order's with `edit`'s change to
/// the order.
async fn settle(
    gateway: &Gateway,
    entry: OutboxEntry,
    status: DeliveryStatus,
    relayed: bool,
    edit: impl Fn(&mut Order) -> GatewayResult<()> + Send + 'static,
) -> GatewayResult<()> {
    if relayed {
        return Ok(gateway.store.put_delivery_status(entry, status).await?);
    }
    let operation = delivery_operation(entry.transaction);
    let change = move |mut order| {
        edit(&mut order)?;
        Ok::<_, GatewayError>(OrderChange {
            order,
            deliveries: Vec::new(),
        })
    };
    gateway
        .store
        .settle_delivery_owned(entry, status, operation, change)
        .await
}

fn delivery_operation(transaction: Transaction) -> &'static str {
    match transaction {
        Transaction::Submit => "DeliverSubmit",
        Transaction::Quote => "DeliverQuote",
        Transaction::Cancel => "DeliverCancel",
    }
}
