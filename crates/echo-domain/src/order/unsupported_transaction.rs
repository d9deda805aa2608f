//! What QuoteOrder and SubmitOrder do with a provider whose SupportedTransactions lack the
//! transaction: it is not asked, and its provider order moves on with the reason in its status
//! log. A quote is simply refused (QUOTE_REJECTED; quoting is optional). A submission fails
//! as recorded from ECHO: the call is accepted, the provider order goes SUBMITTING ->
//! SUBMIT_FAILED with `The provider does not support order submission.` between the two
//! transition lines, and the other providers' parts are delivered as usual.

use super::transition::OrderEvent;
use crate::guid::Guid;
use crate::policy::{ProviderPolicies, Transaction};

/// The status line ECHO wrote for a provider that does not support submission.
pub const SUBMISSION_NOT_SUPPORTED: &str = "The provider does not support order submission.";

/// What a quote or submission does with one provider order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderOutcome {
    /// Send the request to the provider.
    Deliver,
    /// Do not send; log `reason`, then apply `event` to the provider order.
    Refuse { reason: String, event: OrderEvent },
}

/// QuoteOrder: deliver when the provider supports QUOTE, otherwise QUOTE_REJECTED.
pub fn quote_outcome(provider: &Guid, policies: &ProviderPolicies) -> ProviderOutcome {
    if policies.supports(Transaction::Quote) {
        return ProviderOutcome::Deliver;
    }
    ProviderOutcome::Refuse {
        reason: format!("Provider [{provider}] does not support the QUOTE transaction"),
        event: OrderEvent::QuoteRejected,
    }
}

/// SubmitOrder: deliver when the provider supports SUBMIT, otherwise SUBMIT_FAILED with
/// ECHO's line.
pub fn submit_outcome(_provider: &Guid, policies: &ProviderPolicies) -> ProviderOutcome {
    if policies.supports(Transaction::Submit) {
        return ProviderOutcome::Deliver;
    }
    ProviderOutcome::Refuse {
        reason: SUBMISSION_NOT_SUPPORTED.to_owned(),
        event: OrderEvent::SubmitFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supporting(transactions: &[Transaction]) -> ProviderPolicies {
        ProviderPolicies {
            supported_transactions: Some(transactions.to_vec()),
            ..ProviderPolicies::default()
        }
    }

    #[test]
    fn quotes_only_to_providers_supporting_quote() {
        let provider = Guid::random();
        let submit_only = supporting(&[Transaction::Submit]);
        let ProviderOutcome::Refuse { reason, event } = quote_outcome(&provider, &submit_only)
        else {
            panic!("a provider without QUOTE must be refused");
        };
        assert!(reason.contains(provider.as_str()) && reason.contains("QUOTE"));
        assert_eq!(event, OrderEvent::QuoteRejected);
        let both = supporting(&[Transaction::Submit, Transaction::Quote]);
        assert_eq!(quote_outcome(&provider, &both), ProviderOutcome::Deliver);
    }

    #[test]
    fn submissions_to_providers_without_submit_fail_as_recorded() {
        let provider = Guid::random();
        assert_eq!(
            submit_outcome(&provider, &supporting(&[Transaction::Quote])),
            ProviderOutcome::Refuse {
                reason: "The provider does not support order submission.".into(),
                event: OrderEvent::SubmitFailed,
            }
        );
        assert_eq!(
            submit_outcome(&provider, &supporting(&[Transaction::Submit])),
            ProviderOutcome::Deliver
        );
    }
}
