//! The state of a whole order, derived from the states of its provider orders.
//!
//! The rule, first match wins:
//!
//! 1. No provider orders (no items): `NOT_VALIDATED`.
//! 2. All provider orders in one state: that state.
//! 3. Something in flight decides: any `SUBMITTING` gives `SUBMITTED_WITH_EXCEPTIONS` when
//!    another submission already went wrong (`SUBMIT_REJECTED`, `SUBMIT_FAILED`), otherwise
//!    `SUBMITTING`; else any `QUOTING` gives `QUOTING`; else any `CANCELLING`, `CANCELLING`.
//! 4. Not yet submitted as a whole: any `NOT_VALIDATED` gives `NOT_VALIDATED`; else any
//!    `VALIDATED`, `VALIDATED`; else a mix of quote outcomes with some `QUOTED` gives
//!    `QUOTED_WITH_EXCEPTIONS`; else any `QUOTE_FAILED` (which a client can retry) gives
//!    `QUOTE_FAILED`; else any `QUOTE_REJECTED`, `QUOTE_REJECTED`.
//! 5. Submitted and settled (`PROCESSING`, `CLOSED` and the exceptions `SUBMIT_REJECTED`,
//!    `SUBMIT_FAILED`, `CANCELLED`): `PROCESSING_WITH_EXCEPTIONS` when something is
//!    processing and something is an exception; `PROCESSING` when the rest is `CLOSED`;
//!    `CLOSED_WITH_EXCEPTIONS` when closed parts meet exceptions; with exceptions only,
//!    `SUBMIT_FAILED` if any (a resubmission may help), else `SUBMIT_REJECTED`.
//!
//! So a derived state is final exactly when every provider order is final.

use super::state::OrderState;

use OrderState as S;

/// The order's state for its provider orders' `states` (see the module rule).
pub fn derive_order_state(states: &[OrderState]) -> OrderState {
    let any = |wanted: &[OrderState]| states.iter().any(|s| wanted.contains(s));
    match states {
        [] => S::NotValidated,
        [first, rest @ ..] if rest.iter().all(|s| s == first) => *first,
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
        _ if any(&[S::Quoted]) => S::QuotedWithExceptions,
        _ if any(&[S::QuoteFailed]) => S::QuoteFailed,
        _ if any(&[S::QuoteRejected]) => S::QuoteRejected,
        _ => settled_after_submission(states),
    }
}

fn settled_after_submission(states: &[OrderState]) -> OrderState {
    let any = |wanted: OrderState| states.contains(&wanted);
    let exceptions = any(S::SubmitRejected) || any(S::SubmitFailed) || any(S::Cancelled);
    match (any(S::Processing), any(S::Closed), exceptions) {
        (true, _, true) => S::ProcessingWithExceptions,
        (true, _, false) => S::Processing,
        (false, true, _) => S::ClosedWithExceptions,
        _ if any(S::SubmitFailed) => S::SubmitFailed,
        _ => S::SubmitRejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// States a provider order can be in (the derived-only ones never are).
    fn provider_states() -> impl Iterator<Item = OrderState> {
        OrderState::ALL.into_iter().filter(|s| {
            !matches!(
                s,
                S::QuotedWithExceptions
                    | S::SubmittedWithExceptions
                    | S::ProcessingWithExceptions
                    | S::ClosedWithExceptions
            )
        })
    }

    #[test]
    fn empty_and_uniform_orders() {
        assert_eq!(derive_order_state(&[]), S::NotValidated);
        for state in provider_states() {
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
            (&[S::QuoteRejected, S::QuoteFailed], S::QuoteFailed),
            (&[S::Quoting, S::QuoteRejected], S::Quoting),
            (&[S::Cancelling, S::Processing], S::Cancelling),
            (&[S::Validated, S::NotValidated], S::NotValidated),
            (&[S::Quoted, S::Validated], S::Validated),
            (&[S::SubmitRejected, S::Cancelled], S::SubmitRejected),
            (&[S::SubmitRejected, S::SubmitFailed], S::SubmitFailed),
        ];
        for (states, expected) in cases {
            assert_eq!(derive_order_state(states), expected, "{states:?}");
        }
    }

    #[test]
    fn final_exactly_when_every_provider_order_is_final() {
        for a in provider_states() {
            for b in provider_states() {
                let derived = derive_order_state(&[a, b]);
                assert_eq!(
                    derived.is_terminal(),
                    a.is_terminal() && b.is_terminal(),
                    "{a} {b} -> {derived}"
                );
                assert_eq!(
                    derived,
                    derive_order_state(&[b, a]),
                    "order matters: {a} {b}"
                );
            }
        }
    }
}
