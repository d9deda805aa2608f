//! Delivery of outbox entries to partners, as pure rules: the attempt history and retry
//! schedule of one delivery (RetryAttempts tries spaced by RetryWaitTime), and what a partner's
//! answer, or running out of tries, does to the provider order.

use serde::{Deserialize, Serialize};

use super::fulfillment::{Disposition, FulfillmentAnswer};
use super::guid::Guid;
use super::order::{ItemState, Order, OrderError, OrderEvent, transition};
use super::outbox::OutboxEntry;
use super::policy::{RetryPolicy, Transaction};
use super::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not yet answered: due at `next_attempt`.
    Pending,
    /// The partner answered (whatever the disposition).
    Done,
    /// Every try failed; an operator may retry it.
    Failed,
}

/// One try: when, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: Timestamp,
    pub http_status: Option<u16>,
    /// The partner's disposition when it answered.
    pub disposition: Option<Disposition>,
    pub error: Option<String>,
}

/// The delivery record kept beside each outbox entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    pub state: DeliveryState,
    pub attempts: Vec<Attempt>,
    /// When the next try is due (persisted, so a restart neither resets nor skips a wait).
    pub next_attempt: Timestamp,
    /// Tries that count against RetryAttempts (an operator retry starts a new round).
    pub tries_this_round: u32,
    /// The partner's answer, once it answered.
    #[serde(default)]
    pub answer: Option<FulfillmentAnswer>,
}

/// An outbox entry with its delivery status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub entry: OutboxEntry,
    pub status: DeliveryStatus,
}

/// What to do after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(Timestamp),
    GiveUp,
}

impl DeliveryStatus {
    pub fn new(now: Timestamp) -> DeliveryStatus {
        DeliveryStatus {
            state: DeliveryState::Pending,
            attempts: Vec::new(),
            next_attempt: now,
            tries_this_round: 0,
            answer: None,
        }
    }

    /// Records an answered try: the delivery is done.
    pub fn answered(&mut self, attempt: Attempt, answer: FulfillmentAnswer) {
        self.answer = Some(answer);
        self.attempts.push(attempt);
        self.tries_this_round += 1;
        self.state = DeliveryState::Done;
    }

    /// Records a failed try that ended at `ended` and schedules the next one, or gives up
    /// after the last. RetryWaitTime is "the number of seconds ECHO will wait between
    /// retries", so it counts from the end of the failed try: a partner that times out still
    /// gets the whole wait.
    pub fn failed(
        &mut self,
        attempt: Attempt,
        ended: Timestamp,
        policy: RetryPolicy,
    ) -> AfterFailure {
        self.attempts.push(attempt);
        self.tries_this_round += 1;
        if self.tries_this_round >= policy.attempts {
            self.state = DeliveryState::Failed;
            AfterFailure::GiveUp
        } else {
            self.next_attempt = ended.plus_seconds(policy.wait_seconds);
            AfterFailure::RetryAt(self.next_attempt)
        }
    }

    /// Waits without trying (ordering suspended): the try is not counted.
    pub fn defer_until(&mut self, until: Timestamp) {
        self.next_attempt = until;
    }

    /// An operator's retry of a failed delivery: a new round of tries, due now.
    pub fn restart(&mut self, now: Timestamp) {
        self.state = DeliveryState::Pending;
        self.next_attempt = now;
        self.tries_this_round = 0;
    }
}

/// The event a partner's answer applies to the provider order (`None`: postponed, the
/// partner answers later through OrderProcessingService).
pub fn answer_event(transaction: Transaction, disposition: Disposition) -> Option<OrderEvent> {
    use Disposition::{AcceptedAutomatic, AcceptedManual, Postponed, Rejected};
    match (transaction, disposition) {
        (_, Postponed) => None,
        (Transaction::Submit, AcceptedAutomatic) => Some(OrderEvent::SubmitCompleted),
        (Transaction::Submit, AcceptedManual) => Some(OrderEvent::SubmitAccepted),
        (Transaction::Submit, Rejected) => Some(OrderEvent::SubmitRejected),
        (Transaction::Quote, AcceptedAutomatic | AcceptedManual) => Some(OrderEvent::QuoteAccepted),
        (Transaction::Quote, Rejected) => Some(OrderEvent::QuoteRejected),
        (Transaction::Cancel, AcceptedAutomatic | AcceptedManual) => {
            Some(OrderEvent::CancelAccepted)
        }
        (Transaction::Cancel, Rejected) => Some(OrderEvent::CancelRejected),
    }
}

/// The event after the last failed try.
pub fn failure_event(transaction: Transaction) -> OrderEvent {
    match transaction {
        Transaction::Submit => OrderEvent::SubmitFailed,
        Transaction::Quote => OrderEvent::QuoteFailed,
        Transaction::Cancel => OrderEvent::CancelFailed,
    }
}

/// The event an operator's retry applies to bring the provider order back in flight.
pub fn retry_event(transaction: Transaction) -> OrderEvent {
    match transaction {
        Transaction::Submit => OrderEvent::Resubmit,
        Transaction::Quote => OrderEvent::RequestQuote,
        Transaction::Cancel => OrderEvent::RequestCancel,
    }
}

/// Applies a partner's answer to the provider order of `provider`: its message, tracking id
/// and receipt, the matching transition, and for a completed submission or cancellation the
/// items' final state. An answer that arrives after the partner already moved the order on
/// through OrderProcessingService (at-least-once delivery) is only noted in the log.
pub fn apply_answer(
    order: &mut Order,
    provider: &Guid,
    transaction: Transaction,
    answer: &FulfillmentAnswer,
    now: Timestamp,
) -> Result<(), OrderError> {
    let event = answer_event(transaction, answer.disposition);
    let state = order.provider_order_mut(provider)?.state();
    if let Some(event) = event
        && let Err(illegal) = transition(state, event)
    {
        let note = format!(
            "ECHO: late {} answer ignored ({illegal})",
            transaction.wire_name()
        );
        return order.record_message(provider, &note, now);
    }
    if let Some(line) = answer_line(transaction, answer) {
        order.record_message(provider, &line, now)?;
    }
    let provider_order = order.provider_order_mut(provider)?;
    if let Some(tracking_id) = &answer.provider_tracking_id {
        provider_order.provider_tracking_id = Some(tracking_id.clone());
    }
    if let Some(receipt) = &answer.receipt {
        provider_order.receipt = Some(receipt.clone());
    }
    let Some(event) = event else {
        return Ok(());
    };
    order.apply_to_provider_order(provider, event, now)?;
    match event {
        OrderEvent::SubmitCompleted => order.settle_all_items(provider, ItemState::Closed),
        OrderEvent::CancelAccepted => order.settle_all_items(provider, ItemState::Cancelled),
        _ => {}
    }
    Ok(())
}

/// The status line an answer adds: the partner's message, or a note that it postponed.
fn answer_line(transaction: Transaction, answer: &FulfillmentAnswer) -> Option<String> {
    match (&answer.message, answer.disposition) {
        (Some(message), _) => Some(message.clone()),
        (None, Disposition::Postponed) => Some(format!(
            "ECHO: the provider postponed the {}; it will answer later",
            transaction.wire_name()
        )),
        (None, _) => None,
    }
}

/// Applies the outcome of the last failed try: the provider order goes to the `*_FAILED`
/// state with a status line saying why (or, if the partner already moved it on, just the line).
pub fn apply_failure(
    order: &mut Order,
    provider: &Guid,
    transaction: Transaction,
    tries: usize,
    error: &str,
    now: Timestamp,
) -> Result<(), OrderError> {
    let line = format!(
        "ECHO: {} delivery failed after {tries} attempts: {error}",
        transaction.wire_name()
    );
    order.record_message(provider, &line, now)?;
    match order.apply_to_provider_order(provider, failure_event(transaction), now) {
        Err(OrderError::Transition(_)) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(at: Timestamp) -> Attempt {
        Attempt {
            at,
            http_status: None,
            disposition: None,
            error: Some("connection refused".into()),
        }
    }

    #[test]
    fn tries_are_spaced_and_limited() {
        let start = Timestamp::from_millis(1_000_000);
        let policy = RetryPolicy {
            attempts: 3,
            wait_seconds: 60,
        };
        let mut status = DeliveryStatus::new(start);
        assert_eq!(
            status.failed(attempt(start), start, policy),
            AfterFailure::RetryAt(start.plus_seconds(60))
        );
        let second = start.plus_seconds(60);
        assert_eq!(
            status.failed(attempt(second), second, policy),
            AfterFailure::RetryAt(second.plus_seconds(60))
        );
        let third = second.plus_seconds(60);
        assert_eq!(
            status.failed(attempt(third), third, policy),
            AfterFailure::GiveUp
        );
        assert_eq!(status.state, DeliveryState::Failed);
        status.restart(second);
        assert_eq!(
            (status.state, status.tries_this_round, status.attempts.len()),
            (DeliveryState::Pending, 0, 3)
        );
    }

    #[test]
    fn the_wait_counts_from_the_end_of_a_slow_try() {
        let start = Timestamp::from_millis(1_000_000);
        let timed_out = start.plus_seconds(30);
        let policy = RetryPolicy {
            attempts: 2,
            wait_seconds: 60,
        };
        let mut status = DeliveryStatus::new(start);
        assert_eq!(
            status.failed(attempt(start), timed_out, policy),
            AfterFailure::RetryAt(timed_out.plus_seconds(60))
        );
        assert_eq!(
            status.attempts[0].at, start,
            "the try is recorded when it began"
        );
    }

    #[test]
    fn answers_map_to_events() {
        use Disposition::*;
        assert_eq!(
            answer_event(Transaction::Submit, AcceptedAutomatic),
            Some(OrderEvent::SubmitCompleted)
        );
        assert_eq!(
            answer_event(Transaction::Submit, AcceptedManual),
            Some(OrderEvent::SubmitAccepted)
        );
        assert_eq!(
            answer_event(Transaction::Submit, Rejected),
            Some(OrderEvent::SubmitRejected)
        );
        assert_eq!(
            answer_event(Transaction::Quote, AcceptedAutomatic),
            Some(OrderEvent::QuoteAccepted)
        );
        assert_eq!(
            answer_event(Transaction::Cancel, Rejected),
            Some(OrderEvent::CancelRejected)
        );
        for transaction in [Transaction::Submit, Transaction::Quote, Transaction::Cancel] {
            assert_eq!(answer_event(transaction, Postponed), None);
        }
        assert_eq!(failure_event(Transaction::Quote), OrderEvent::QuoteFailed);
        assert_eq!(retry_event(Transaction::Submit), OrderEvent::Resubmit);
    }
}
