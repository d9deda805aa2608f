//! Provider policies: how the gateway delivers orders to one data partner (endpoint, retries,
//! SSL pinning, supported transactions, order limits), and the rules a policy must satisfy.
//!
//! A changed SSL certificate is kept *pending* until an operator approves it; only the approved
//! certificate is ever trusted for delivery.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};

use super::timestamp::Timestamp;

/// The only routing ECHO 10 used: the v9 OrderFulfillment contract.
pub const ORDER_FULFILLMENT_V9: &str = "ORDER_FULFILLMENT_V9";
/// Provider orders are fulfilled by the provider's order-management system through the JSON
/// Ordering API: no SOAP deliveries; the OMS answers by PATCH.
pub const OMS_ROUTING: &str = "OMS";
/// Tries when a policy does not say (ECHO's form default).
pub const DEFAULT_RETRY_ATTEMPTS: i64 = 3;
pub const MAX_RETRY_ATTEMPTS: i64 = 1000;
/// Seconds between tries when a policy does not say.
pub const DEFAULT_RETRY_WAIT_SECONDS: i64 = 60;
pub const MAX_RETRY_WAIT_SECONDS: i64 = 7 * 24 * 3600;
pub const MAX_ENDPOINT_LENGTH: usize = 2048;

/// An order transaction a provider may support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transaction {
    #[serde(rename = "SUBMIT")]
    Submit,
    #[serde(rename = "QUOTE")]
    Quote,
    #[serde(rename = "CANCEL")]
    Cancel,
}

impl Transaction {
    pub fn wire_name(self) -> &'static str {
        match self {
            Transaction::Submit => "SUBMIT",
            Transaction::Quote => "QUOTE",
            Transaction::Cancel => "CANCEL",
        }
    }

    pub fn from_wire(name: &str) -> Option<Self> {
        [Transaction::Submit, Transaction::Quote, Transaction::Cancel]
            .into_iter()
            .find(|t| t.wire_name() == name)
    }
}

/// Policies exactly as a provider set them; optional fields stay unset when not given, so
/// responses can leave them out as ECHO did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPolicies {
    pub endpoint: Option<String>,
    pub retry_attempts: Option<i64>,
    pub retry_wait_seconds: Option<i64>,
    pub routing: Option<String>,
    pub ssl_enabled: bool,
    pub order_supports_duplicate_catalog_items: Option<bool>,
    pub collections_supporting_duplicate_order_items: Option<Vec<String>>,
    pub supported_transactions: Option<Vec<Transaction>>,
    pub max_items_per_order: Option<i64>,
    pub properties: Option<String>,
    pub ordering_suspended_until: Option<Timestamp>,
    pub override_notification_enabled: Option<bool>,
}

/// How many tries a delivery gets, how far apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub wait_seconds: i64,
}

/// A provider's stored policies with the state of its pinned certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRecord {
    pub policies: ProviderPolicies,
    /// The certificate an operator approved: the only one delivery trusts.
    pub approved_certificate: Option<String>,
    /// A certificate the provider set that awaits operator approval.
    pub pending_certificate: Option<String>,
    pub ssl_last_update: Timestamp,
}

/// Why a policy was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("RetryAttempts [{0}] must be between 1 and {MAX_RETRY_ATTEMPTS}")]
    RetryAttempts(i64),
    #[error("RetryWaitTime [{0}] must be between 0 and {MAX_RETRY_WAIT_SECONDS} seconds")]
    RetryWaitTime(i64),
    #[error("MaxItemsPerOrder [{0}] must be greater than 0")]
    MaxItemsPerOrder(i64),
    #[error("Routing [{0}] is not supported: expected {ORDER_FULFILLMENT_V9} or {OMS_ROUTING}")]
    Routing(String),
    #[error("EndPoint [{0}] must be an https URL with a host when SslEnabled is true")]
    EndpointNotHttps(String),
    #[error("EndPoint is longer than {MAX_ENDPOINT_LENGTH} characters")]
    EndpointTooLong,
    #[error("SslEnabled is true but no SslCertificate is set")]
    CertificateRequired,
    #[error("SslCertificate is not a PEM-encoded X.509 certificate: {0}")]
    Certificate(String),
    #[error("Properties is not well-formed XML: {0}")]
    Properties(String),
    #[error("provider has no pending SSL certificate to approve")]
    NoPendingCertificate,
}

impl ProviderPolicies {
    /// Checks every field rule that does not depend on stored state.
    pub fn validate(&self) -> Result<(), PolicyError> {
        check_range(
            self.retry_attempts,
            1,
            MAX_RETRY_ATTEMPTS,
            PolicyError::RetryAttempts,
        )?;
        check_range(
            self.retry_wait_seconds,
            0,
            MAX_RETRY_WAIT_SECONDS,
            PolicyError::RetryWaitTime,
        )?;
        check_range(
            self.max_items_per_order,
            1,
            i64::MAX,
            PolicyError::MaxItemsPerOrder,
        )?;
        if let Some(routing) = &self.routing
            && routing != ORDER_FULFILLMENT_V9
            && routing != OMS_ROUTING
        {
            return Err(PolicyError::Routing(routing.clone()));
        }
        self.validate_endpoint()
    }

    /// How often, and how far apart, deliveries to the provider are tried: the policy's
    /// RetryAttempts (at least one) and RetryWaitTime, or the defaults.
    pub fn retry_policy(&self) -> RetryPolicy {
        let attempts = self.retry_attempts.unwrap_or(DEFAULT_RETRY_ATTEMPTS);
        RetryPolicy {
            attempts: u32::try_from(attempts.max(1)).unwrap_or(u32::MAX),
            wait_seconds: self
                .retry_wait_seconds
                .unwrap_or(DEFAULT_RETRY_WAIT_SECONDS)
                .max(0),
        }
    }

    /// True when an OMS, not a SOAP delivery, fulfils this provider's orders.
    pub fn routes_to_oms(&self) -> bool {
        self.routing.as_deref() == Some(OMS_ROUTING)
    }

    pub fn supports(&self, transaction: Transaction) -> bool {
        self.supported_transactions
            .as_ref()
            .is_some_and(|list| list.contains(&transaction))
    }

    fn validate_endpoint(&self) -> Result<(), PolicyError> {
        let endpoint = self.endpoint.as_deref().unwrap_or_default();
        if endpoint.len() > MAX_ENDPOINT_LENGTH {
            return Err(PolicyError::EndpointTooLong);
        }
        if self.ssl_enabled && !is_https_url(endpoint) {
            return Err(PolicyError::EndpointNotHttps(endpoint.to_owned()));
        }
        Ok(())
    }
}

impl PolicyRecord {
    /// Applies newly set policies on top of the stored record (if any). A certificate that
    /// differs from the approved one becomes pending; an empty one removes pinning.
    pub fn apply(
        previous: Option<&PolicyRecord>,
        policies: ProviderPolicies,
        certificate: Option<String>,
        now: Timestamp,
    ) -> Result<PolicyRecord, PolicyError> {
        policies.validate()?;
        let certificate = certificate.filter(|pem| !pem.trim().is_empty());
        if let Some(pem) = &certificate {
            validate_certificate(pem)?;
        }
        let approved = previous.and_then(|p| p.approved_certificate.clone());
        let (approved, pending) = match certificate {
            None => (None, None),
            Some(pem) if approved.as_deref() == Some(pem.as_str()) => (approved, None),
            Some(pem) => (approved, Some(pem)),
        };
        if policies.ssl_enabled && approved.is_none() && pending.is_none() {
            return Err(PolicyError::CertificateRequired);
        }
        Ok(PolicyRecord {
            policies,
            approved_certificate: approved,
            pending_certificate: pending,
            ssl_last_update: now,
        })
    }

    /// Makes the pending certificate the trusted one.
    pub fn approve_pending_certificate(&mut self, now: Timestamp) -> Result<(), PolicyError> {
        let pending = self
            .pending_certificate
            .take()
            .ok_or(PolicyError::NoPendingCertificate)?;
        self.approved_certificate = Some(pending);
        self.ssl_last_update = now;
        Ok(())
    }

    /// The certificate shown to the provider: the newest one it set.
    pub fn visible_certificate(&self) -> Option<&str> {
        self.pending_certificate
            .as_deref()
            .or(self.approved_certificate.as_deref())
    }
}

/// Checks that `pem` holds exactly one parseable X.509 certificate.
pub fn validate_certificate(pem: &str) -> Result<(), PolicyError> {
    let ders: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| PolicyError::Certificate(e.to_string()))?;
    let [der] = ders.as_slice() else {
        return Err(PolicyError::Certificate(format!(
            "expected exactly one CERTIFICATE block, found {}",
            ders.len()
        )));
    };
    webpki::EndEntityCert::try_from(der)
        .map(|_| ())
        .map_err(|e| PolicyError::Certificate(format!("{e:?}")))
}

fn is_https_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
}

fn check_range(
    value: Option<i64>,
    min: i64,
    max: i64,
    error: fn(i64) -> PolicyError,
) -> Result<(), PolicyError> {
    match value {
        Some(v) if v < min || v > max => Err(error(v)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_certificate() -> String {
        rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap()
            .cert
            .pem()
    }

    fn base() -> ProviderPolicies {
        ProviderPolicies {
            endpoint: Some("/path_to.html".into()),
            retry_attempts: Some(3),
            retry_wait_seconds: Some(60),
            routing: Some(ORDER_FULFILLMENT_V9.into()),
            ..ProviderPolicies::default()
        }
    }

    #[test]
    fn accepts_the_recorded_policy_with_ssl_off() {
        assert!(base().validate().is_ok());
        let odd = ProviderPolicies {
            endpoint: Some("fail .com".into()),
            ..base()
        };
        assert!(odd.validate().is_ok());
    }

    #[test]
    fn bounds() {
        let p = |f: fn(&mut ProviderPolicies)| {
            let mut policies = base();
            f(&mut policies);
            policies.validate()
        };
        assert_eq!(
            p(|x| x.retry_attempts = Some(0)),
            Err(PolicyError::RetryAttempts(0))
        );
        assert_eq!(
            p(|x| x.retry_attempts = Some(1001)),
            Err(PolicyError::RetryAttempts(1001))
        );
        assert!(p(|x| x.retry_attempts = Some(48)).is_ok());
        assert_eq!(
            p(|x| x.retry_wait_seconds = Some(-1)),
            Err(PolicyError::RetryWaitTime(-1))
        );
        assert_eq!(
            p(|x| x.max_items_per_order = Some(0)),
            Err(PolicyError::MaxItemsPerOrder(0))
        );
        assert!(matches!(
            p(|x| x.routing = Some("SMTP".into())),
            Err(PolicyError::Routing(_))
        ));
    }

    #[test]
    fn ssl_requires_https_and_a_certificate() {
        let mut policies = base();
        policies.ssl_enabled = true;
        assert!(matches!(
            policies.validate(),
            Err(PolicyError::EndpointNotHttps(_))
        ));
        policies.endpoint = Some("https://partner.example/of".into());
        let none = PolicyRecord::apply(None, policies.clone(), None, Timestamp::now());
        assert_eq!(none, Err(PolicyError::CertificateRequired));
        let record =
            PolicyRecord::apply(None, policies, Some(test_certificate()), Timestamp::now())
                .unwrap();
        assert!(record.pending_certificate.is_some());
        assert!(record.approved_certificate.is_none());
    }

    #[test]
    fn certificate_changes_stay_pending_until_approved() {
        let pem = test_certificate();
        let now = Timestamp::now();
        let mut record = PolicyRecord::apply(None, base(), Some(pem.clone()), now).unwrap();
        assert_eq!(record.pending_certificate.as_deref(), Some(pem.as_str()));
        record.approve_pending_certificate(now).unwrap();
        assert_eq!(record.approved_certificate.as_deref(), Some(pem.as_str()));
        assert_eq!(
            record.approve_pending_certificate(now),
            Err(PolicyError::NoPendingCertificate)
        );
        let same = PolicyRecord::apply(Some(&record), base(), Some(pem.clone()), now).unwrap();
        assert_eq!(same.pending_certificate, None);
        let other = test_certificate();
        let changed = PolicyRecord::apply(Some(&record), base(), Some(other.clone()), now).unwrap();
        assert_eq!(changed.approved_certificate.as_deref(), Some(pem.as_str()));
        assert_eq!(changed.pending_certificate.as_deref(), Some(other.as_str()));
    }

    #[test]
    fn rejects_unparseable_certificates() {
        for bad in [
            "not a pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            let result = PolicyRecord::apply(None, base(), Some(bad.into()), Timestamp::now());
            assert!(matches!(result, Err(PolicyError::Certificate(_))), "{bad}");
        }
    }

    #[test]
    fn retry_policy_defaults_and_floor() {
        let set = ProviderPolicies {
            retry_attempts: Some(5),
            retry_wait_seconds: Some(1),
            ..ProviderPolicies::default()
        };
        let expected = |attempts, wait_seconds| RetryPolicy {
            attempts,
            wait_seconds,
        };
        assert_eq!(set.retry_policy(), expected(5, 1));
        assert_eq!(ProviderPolicies::default().retry_policy(), expected(3, 60));
        let below = ProviderPolicies {
            retry_attempts: Some(0),
            retry_wait_seconds: Some(-5),
            ..ProviderPolicies::default()
        };
        assert_eq!(below.retry_policy(), expected(1, 0));
    }
}
