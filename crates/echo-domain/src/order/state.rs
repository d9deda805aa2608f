//! Order states: every state ECHO reported for orders and provider orders, with their wire
//! names and which of them are final.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The state of an order or a provider order, named as on the wire (`NOT_VALIDATED`, ...).
///
/// The `*_WITH_EXCEPTIONS` states are only ever derived for a whole order (see
/// [`super::derived_state`]); no provider order takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderState {
    NotValidated,
    Validated,
    Quoting,
    QuoteRejected,
    QuoteFailed,
    Quoted,
    Submitting,
    SubmitRejected,
    SubmitFailed,
    Processing,
    Cancelling,
    Cancelled,
    Closed,
    QuotedWithExceptions,
    SubmittedWithExceptions,
    ProcessingWithExceptions,
    ClosedWithExceptions,
}

impl OrderState {
    pub const ALL: [OrderState; 17] = [
        OrderState::NotValidated,
        OrderState::Validated,
        OrderState::Quoting,
        OrderState::QuoteRejected,
        OrderState::QuoteFailed,
        OrderState::Quoted,
        OrderState::Submitting,
        OrderState::SubmitRejected,
        OrderState::SubmitFailed,
        OrderState::Processing,
        OrderState::Cancelling,
        OrderState::Cancelled,
        OrderState::Closed,
        OrderState::QuotedWithExceptions,
        OrderState::SubmittedWithExceptions,
        OrderState::ProcessingWithExceptions,
        OrderState::ClosedWithExceptions,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            OrderState::NotValidated => "NOT_VALIDATED",
            OrderState::Validated => "VALIDATED",
            OrderState::Quoting => "QUOTING",
            OrderState::QuoteRejected => "QUOTE_REJECTED",
            OrderState::QuoteFailed => "QUOTE_FAILED",
            OrderState::Quoted => "QUOTED",
            OrderState::Submitting => "SUBMITTING",
            OrderState::SubmitRejected => "SUBMIT_REJECTED",
            OrderState::SubmitFailed => "SUBMIT_FAILED",
            OrderState::Processing => "PROCESSING",
            OrderState::Cancelling => "CANCELLING",
            OrderState::Cancelled => "CANCELLED",
            OrderState::Closed => "CLOSED",
            OrderState::QuotedWithExceptions => "QUOTED_WITH_EXCEPTIONS",
            OrderState::SubmittedWithExceptions => "SUBMITTED_WITH_EXCEPTIONS",
            OrderState::ProcessingWithExceptions => "PROCESSING_WITH_EXCEPTIONS",
            OrderState::ClosedWithExceptions => "CLOSED_WITH_EXCEPTIONS",
        }
    }

    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.wire_name() == name)
    }

    /// Final states: nothing more happens to the order or provider order.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderState::Cancelled
                | OrderState::Closed
                | OrderState::SubmitFailed
                | OrderState::SubmitRejected
                | OrderState::ClosedWithExceptions
        )
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_match_serde() {
        for state in OrderState::ALL {
            assert_eq!(OrderState::from_wire(state.wire_name()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.wire_name()));
        }
        assert_eq!(OrderState::from_wire("not_validated"), None);
        assert_eq!(OrderState::from_wire("null"), None);
    }

    #[test]
    fn terminal_states_are_the_final_ones() {
        let terminal: Vec<&str> = OrderState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .map(OrderState::wire_name)
            .collect();
        assert_eq!(
            terminal,
            [
                "SUBMIT_REJECTED",
                "SUBMIT_FAILED",
                "CANCELLED",
                "CLOSED",
                "CLOSED_WITH_EXCEPTIONS"
            ]
        );
    }
}
