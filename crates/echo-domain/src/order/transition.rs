//! The provider-order state machine: the named events and the one table of legal transitions.
//!
//! Every state change of a provider order goes through [`transition`]; a pair missing from
//! [`TRANSITIONS`] is an [`IllegalTransition`]. Quote and submit validate implicitly: the
//! service applies `Validate` first to a `NOT_VALIDATED` provider order, so the history reads
//! `[NOT_VALIDATED] -> [VALIDATED] -> [SUBMITTING]` as in ECHO's recordings. The
//! `*_WITH_EXCEPTIONS` states belong to whole orders only and appear in no row.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::state::OrderState;

/// Something that happens to a provider order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderEvent {
    /// ValidateOrder (or the validation quote and submit imply) passed.
    Validate,
    /// Items, options or user information changed; the order must be validated again.
    Invalidate,
    /// QuoteOrder: a quote request is queued for the provider.
    RequestQuote,
    /// The provider returned a quote.
    QuoteAccepted,
    /// The provider refused to quote, or does not support QUOTE at all.
    QuoteRejected,
    /// Quote delivery failed after the last retry.
    QuoteFailed,
    /// SubmitOrder: the provider order is queued for delivery.
    Submit,
    /// The provider accepted a MANUAL order and is working on it.
    SubmitAccepted,
    /// The provider filled an AUTOMATIC order at once.
    SubmitCompleted,
    /// The provider refused the order.
    SubmitRejected,
    /// Submit delivery failed after the last retry.
    SubmitFailed,
    /// The provider (or a delivery retry) deferred the answer; the state stays.
    Postponed,
    /// CancelOrder / CancelProviderOrder: a cancellation request is queued for the provider.
    RequestCancel,
    /// The provider cancelled the provider order (AcceptProviderOrderCancellation).
    CancelAccepted,
    /// The provider refused the cancellation.
    CancelRejected,
    /// Cancel delivery failed after the last retry.
    CancelFailed,
    /// The provider closed the provider order (CloseProviderOrder for all its items).
    Close,
    /// ResubmitProviderOrder: a final provider order is delivered again as a new one.
    Resubmit,
}

impl OrderEvent {
    pub const ALL: [OrderEvent; 18] = [
        OrderEvent::Validate,
        OrderEvent::Invalidate,
        OrderEvent::RequestQuote,
        OrderEvent::QuoteAccepted,
        OrderEvent::QuoteRejected,
        OrderEvent::QuoteFailed,
        OrderEvent::Submit,
        OrderEvent::SubmitAccepted,
        OrderEvent::SubmitCompleted,
        OrderEvent::SubmitRejected,
        OrderEvent::SubmitFailed,
        OrderEvent::Postponed,
        OrderEvent::RequestCancel,
        OrderEvent::CancelAccepted,
        OrderEvent::CancelRejected,
        OrderEvent::CancelFailed,
        OrderEvent::Close,
        OrderEvent::Resubmit,
    ];
}

impl fmt::Display for OrderEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One legal transition and why it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: OrderState,
    pub event: OrderEvent,
    pub to: OrderState,
    pub reason: &'static str,
}

const fn row(
    from: OrderState,
    event: OrderEvent,
    to: OrderState,
    reason: &'static str,
) -> Transition {
    Transition {
        from,
        event,
        to,
        reason,
    }
}

use OrderEvent as E;
use OrderState as S;

/// Every legal provider-order transition. Nothing else is allowed.
#[rustfmt::skip]
pub const TRANSITIONS: &[Transition] = &[
    row(S::NotValidated, E::Validate, S::Validated, "validation passed"),
    row(S::NotValidated, E::Invalidate, S::NotValidated, "edited before validation: nothing to undo"),
    row(S::Validated, E::Validate, S::Validated, "validating again is harmless"),
    row(S::Validated, E::Invalidate, S::NotValidated, "edited after validation"),
    row(S::Validated, E::RequestQuote, S::Quoting, "quote requested"),
    row(S::Validated, E::Submit, S::Submitting, "submitted without a quote (quoting is optional)"),
    row(S::Quoting, E::QuoteAccepted, S::Quoted, "provider returned a quote"),
    row(S::Quoting, E::QuoteRejected, S::QuoteRejected, "provider refused, or lacks QUOTE support"),
    row(S::Quoting, E::QuoteFailed, S::QuoteFailed, "quote undeliverable after the last retry"),
    row(S::Quoting, E::Postponed, S::Quoting, "quote answer deferred or delivery retry pending"),
    row(S::Quoted, E::Validate, S::Quoted, "validating again keeps the quote"),
    row(S::Quoted, E::Invalidate, S::NotValidated, "edited after quoting: the quote no longer holds"),
    row(S::Quoted, E::RequestQuote, S::Quoting, "quote asked for again"),
    row(S::Quoted, E::Submit, S::Submitting, "quoted order submitted"),
    row(S::QuoteRejected, E::Invalidate, S::NotValidated, "edited after a refused quote"),
    row(S::QuoteRejected, E::Submit, S::Submitting, "quoting is optional: submit anyway"),
    row(S::QuoteFailed, E::Invalidate, S::NotValidated, "edited after a failed quote"),
    row(S::QuoteFailed, E::RequestQuote, S::Quoting, "quote delivery tried again"),
    row(S::QuoteFailed, E::Submit, S::Submitting, "quoting is optional: submit anyway"),
    row(S::Submitting, E::SubmitAccepted, S::Processing, "MANUAL order accepted by the provider"),
    row(S::Submitting, E::SubmitCompleted, S::Closed, "AUTOMATIC order filled at once"),
    row(S::Submitting, E::SubmitRejected, S::SubmitRejected, "provider refused the order"),
    row(S::Submitting, E::SubmitFailed, S::SubmitFailed, "undeliverable after the last retry, or no SUBMIT support"),
    row(S::Submitting, E::Postponed, S::Submitting, "submit answer deferred or delivery retry pending"),
    row(S::Processing, E::RequestCancel, S::Cancelling, "client asked to cancel"),
    row(S::Processing, E::CancelAccepted, S::Cancelled, "provider cancelled on its own (recorded)"),
    row(S::Processing, E::Close, S::Closed, "provider closed every item (recorded)"),
    row(S::Cancelling, E::CancelAccepted, S::Cancelled, "provider accepted the cancellation"),
    row(S::Cancelling, E::CancelRejected, S::Processing, "provider refused the cancellation"),
    row(S::Cancelling, E::CancelFailed, S::Processing, "cancel undeliverable: provider goes on"),
    row(S::Cancelling, E::Postponed, S::Cancelling, "cancel answer deferred or retry pending"),
    row(S::Cancelling, E::Close, S::Closed, "provider shipped before it saw the cancellation"),
    row(S::SubmitRejected, E::Resubmit, S::Submitting, "final order delivered again"),
    row(S::SubmitFailed, E::Resubmit, S::Submitting, "final order delivered again"),
    row(S::Cancelled, E::Resubmit, S::Submitting, "final order delivered again"),
    row(S::Closed, E::Resubmit, S::Submitting, "final order delivered again"),
];

/// `event` cannot happen to a provider order in state `from`.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
#[error("a provider order in state [{from}] does not allow [{event}]")]
pub struct IllegalTransition {
    pub from: OrderState,
    pub event: OrderEvent,
}

/// The state `event` leads to from `from`, looked up in [`TRANSITIONS`].
pub fn transition(from: OrderState, event: OrderEvent) -> Result<OrderState, IllegalTransition> {
    TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.event == event)
        .map(|t| t.to)
        .ok_or(IllegalTransition { from, event })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_legal_and_unique() {
        for (index, t) in TRANSITIONS.iter().enumerate() {
            assert_eq!(transition(t.from, t.event), Ok(t.to), "{t:?}");
            let twins = TRANSITIONS[index + 1..]
                .iter()
                .filter(|other| other.from == t.from && other.event == t.event);
            assert_eq!(twins.count(), 0, "duplicate row {t:?}");
            assert!(!t.reason.is_empty());
        }
    }

    #[test]
    fn every_pair_outside_the_table_is_illegal() {
        let mut legal = 0;
        for from in OrderState::ALL {
            for event in OrderEvent::ALL {
                let in_table = TRANSITIONS
                    .iter()
                    .any(|t| t.from == from && t.event == event);
                match transition(from, event) {
                    Ok(_) => {
                        assert!(in_table, "{from} {event}");
                        legal += 1;
                    }
                    Err(error) => {
                        assert!(!in_table, "{from} {event}");
                        assert_eq!(error, IllegalTransition { from, event });
                    }
                }
            }
        }
        assert_eq!(legal, TRANSITIONS.len());
    }

    fn run(events: &[OrderEvent]) -> Result<OrderState, IllegalTransition> {
        events
            .iter()
            .try_fold(S::NotValidated, |state, &event| transition(state, event))
    }

    #[test]
    fn the_recorded_lifecycles() {
        assert_eq!(
            run(&[E::Validate, E::Submit, E::SubmitAccepted, E::Close]),
            Ok(S::Closed)
        );
        assert_eq!(
            run(&[E::Validate, E::Submit, E::SubmitAccepted, E::CancelAccepted]),
            Ok(S::Cancelled)
        );
        assert_eq!(
            run(&[E::Validate, E::RequestQuote, E::QuoteAccepted, E::Submit]),
            Ok(S::Submitting)
        );
    }

    #[test]
    fn echo_semantics() {
        // Quote and submit need validation first; the service validates implicitly.
        assert!(transition(S::NotValidated, E::Submit).is_err());
        assert!(transition(S::NotValidated, E::RequestQuote).is_err());
        // A provider without QUOTE support ends in QUOTE_REJECTED, still submittable.
        assert_eq!(
            run(&[E::Validate, E::RequestQuote, E::QuoteRejected, E::Submit]),
            Ok(S::Submitting)
        );
        // Delivery failures after the last try are *_FAILED.
        assert_eq!(
            run(&[E::Validate, E::Submit, E::SubmitFailed]),
            Ok(S::SubmitFailed)
        );
        assert_eq!(
            run(&[E::Validate, E::RequestQuote, E::QuoteFailed]),
            Ok(S::QuoteFailed)
        );
        // Cancellation only from PROCESSING, through CANCELLING; a refusal goes back.
        assert!(transition(S::Validated, E::RequestCancel).is_err());
        assert!(transition(S::Submitting, E::RequestCancel).is_err());
        assert_eq!(
            run(&[
                E::Validate,
                E::Submit,
                E::SubmitAccepted,
                E::RequestCancel,
                E::CancelRejected
            ]),
            Ok(S::Processing)
        );
        // Postponement never changes the state.
        for t in TRANSITIONS.iter().filter(|t| t.event == E::Postponed) {
            assert_eq!(t.from, t.to);
        }
        // Submitted orders cannot be edited; final ones accept only Resubmit.
        assert!(transition(S::Processing, E::Invalidate).is_err());
        for t in TRANSITIONS.iter().filter(|t| t.from.is_terminal()) {
            assert_eq!((t.event, t.to), (E::Resubmit, S::Submitting));
        }
        // Resubmission only of final provider orders.
        for t in TRANSITIONS.iter().filter(|t| t.event == E::Resubmit) {
            assert!(t.from.is_terminal(), "{t:?}");
        }
    }

    #[test]
    fn derived_order_states_take_no_part() {
        let derived_only = [
            S::QuotedWithExceptions,
            S::SubmittedWithExceptions,
            S::ProcessingWithExceptions,
            S::ClosedWithExceptions,
        ];
        for t in TRANSITIONS {
            assert!(!derived_only.contains(&t.from) && !derived_only.contains(&t.to));
        }
    }
}
