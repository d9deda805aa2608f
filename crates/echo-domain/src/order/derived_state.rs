//! The state of a whole order, derived from the states of its provider orders.
//!
//! ECHO's `GetOrders` answered `SUBMITTED_WITH_EXCEPTIONS` for an order whose only provider
//! order was `SUBMIT_REJECTED` or `SUBMIT_FAILED`: an order never takes a provider order's
//! exception state (`QUOTE_REJECTED`, `QUOTE_FAILED`, `SUBMIT_REJECTED`, `SUBMIT_FAILED`),
//! it names the phase the order reached and says that something went wrong in it. The rule,
//! first match wins (the README has it as a table):
//!
//! 1. No provider orders (no items): `NOT_VALIDATED`.
//! 2. Something in flight decides: any `SUBMITTING` gives `SUBMITTED_WITH_EXCEPTIONS` when
//!    another submission already went wrong (`SUBMIT_REJECTED`, `SUBMIT_FAILED`), otherwise
//!    `SUBMITTING`; else any `QUOTING` gives `QUOTING`; else any `CANCELLING`, `CANCELLING`.
//! 3. Not yet submitted: any `NOT_VALIDATED` gives `NOT_VALIDATED`; else any `VALIDATED`,
//!    `VALIDATED`; else any `QUOTE_REJECTED` or `QUOTE_FAILED` gives
//!    `QUOTED_WITH_EXCEPTIONS`; else (all `QUOTED`) `QUOTED`.
//! 4. Submitted and settled (`PROCESSING`, `CLOSED`, `CANCELLED`, `SUBMIT_REJECTED`,
//!    `SUBMIT_FAILED`), where a rejected or failed submission, or a cancelled part beside
//!    others, is an exception: something `PROCESSING` gives `PROCESSING` or
//!    `PROCESSING_WITH_EXCEPTIONS`; else something `CLOSED` gives `CLOSED` or
//!    `CLOSED_WITH_EXCEPTIONS`; else all `CANCELLED` gives `CANCELLED`; else
//!    `SUBMITTED_WITH_EXCEPTIONS`.
//!
//! So the order is final exactly when every provider order is, except that
//! `SUBMITTED_WITH_EXCEPTIONS` is both: final when nothing is still `SUBMITTING`.

use super::state::OrderState;

use OrderState as S;

/// The order's state for its provider orders' `states` (see the module rule).
pub fn derive_order_state(states: &[OrderState]) -> OrderState {
    let any = |wanted: &[OrderState]| states.iter().any(|s| wanted.contains(s));
    match states {
        [] => S::NotValidated,
        _ if any(&[S::Submitting]) => {
            if any(&[S::SubmitRejected, S::SubmitFailed]) {
                S::SubmittedWithExceptions
            } else {
                S::Submitting
            }
        }
        _ if any(&[S::Quoting]) => S::Quoting,
        _ if any(&[S::Cancelling]) => S::Cancelling,
        _ if any(&[S::NotValidated]) => S::NotValidated,
        _ if any(&[S::Validated]) => S::Validated,
        _ if any(&[S::QuoteRejected, S::QuoteFailed]) => S::QuotedWithExceptions,
        _ if any(&[S::Quoted]) => S::Quoted,
        _ => settled_after_submission(states),
    }
}

fn settled_after_submission(states: &[OrderState]) -> OrderState {
    let any = |wanted: OrderState| states.contains(&wanted);
    let exceptions = any(S::SubmitRejected) || any(S::SubmitFailed) || any(S::Cancelled);
    match (any(S::Processing), any(S::Closed), exceptions) {
        (true, _, false) => S::Processing,
        (true, _, true) => S::ProcessingWithExceptions,
        (false, true, false) => S::Closed,
        (false, true, true) => S::ClosedWithExceptions,
        _ if states.iter().all(|s| *s == S::Cancelled) => S::Cancelled,
        _ => S::SubmittedWithExceptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// States a provider order can be in (the derived-only ones never are).
    fn provider_states() -> impl Iterator<Item = OrderState> {
        OrderState::ALL.into_iter().filter(|s| !derived_only(*s))
    }

    fn derived_only(state: OrderState) -> bool {
        matches!(
            state,
            S::QuotedWithExceptions
                | S::SubmittedWithExceptions
                | S::ProcessingWithExceptions
                | S::ClosedWithExceptions
        )
    }

    /// A provider order's exception states, which an order never takes.
    fn exception(state: OrderState) -> bool {
        matches!(
            state,
            S::QuoteRejected | S::QuoteFailed | S::SubmitRejected | S::SubmitFailed
        )
    }

    #[test]
    fn a_lone_rejected_or_failed_submission_is_submitted_with_exceptions() {
        for state in [S::SubmitRejected, S::SubmitFailed] {
            assert_eq!(derive_order_state(&[state]), S::SubmittedWithExceptions);
            assert_eq!(
                derive_order_state(&[state, state]),
                S::SubmittedWithExceptions
            );
        }
        for state in [S::QuoteRejected, S::QuoteFailed] {
            assert_eq!(derive_order_state(&[state]), S::QuotedWithExceptions);
        }
    }

    #[test]
    fn empty_and_uniform_orders() {
        assert_eq!(derive_order_state(&[]), S::NotValidated);
        for state in provider_states().filter(|s| !exception(*s)) {
            assert_eq!(derive_order_state(&[state, state, state]), state);
        }
    }

    #[test]
    fn mixed_orders() {
        let cases = [
            (&[S::Closed, S::SubmitFailed][..], S::ClosedWithExceptions),
            (&[S::Closed, S::Cancelled], S::ClosedWithExceptions),
            (&[S::Processing, S::Closed], S::Processing),
            (
                &[S::Processing, S::SubmitRejected, S::Closed],
                S::ProcessingWithExceptions,
            ),
            (&[S::Submitting, S::Processing], S::Submitting),
            (
                &[S::Submitting, S::SubmitFailed],
                S::SubmittedWithExceptions,
            ),
            (&[S::Quoted, S::QuoteRejected], S::QuotedWithExceptions),
            (&[S::QuoteRejected, S::QuoteFailed], S::QuotedWithExceptions),
            (&[S::Quoting, S::QuoteRejected], S::Quoting),
            (&[S::Cancelling, S::Processing], S::Cancelling),
            (&[S::Validated, S::NotValidated], S::NotValidated),
            (&[S::Quoted, S::Validated], S::Validated),
            (
                &[S::SubmitRejected, S::Cancelled],
                S::SubmittedWithExceptions,
            ),
            (
                &[S::SubmitRejected, S::SubmitFailed],
                S::SubmittedWithExceptions,
            ),
        ];
        for (states, expected) in cases {
            assert_eq!(derive_order_state(states), expected, "{states:?}");
        }
    }

    #[test]
    fn final_when_every_provider_order_is_final_and_never_an_exception_state() {
        for a in provider_states() {
            for b in provider_states() {
                let derived = derive_order_state(&[a, b]);
                let all_final = a.is_terminal() && b.is_terminal();
                assert!(!exception(derived), "{a} {b} -> {derived}");
                if derived == S::SubmittedWithExceptions {
                    assert_eq!(all_final, a != S::Submitting && b != S::Submitting);
                } else {
                    assert_eq!(derived.is_terminal(), all_final, "{a} {b} -> {derived}");
                }
                assert_eq!(
                    derived,
                    derive_order_state(&[b, a]),
                    "order matters: {a} {b}"
                );
            }
        }
    }
}
