//! One HTTP client per provider, built from its policy and rebuilt when the policy's TLS
//! rules change (SSL switched, another certificate approved).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::client::{ClientError, check_endpoint, client_for};
use echo_domain::guid::Guid;
use echo_domain::policy::PolicyRecord;

/// The parts of a policy a client is built from.
#[derive(Clone, PartialEq, Eq)]
struct TlsRules {
    ssl_enabled: bool,
    approved_certificate: Option<String>,
}

#[derive(Default)]
pub struct ClientCache {
    clients: Mutex<HashMap<Guid, (TlsRules, reqwest::Client)>>,
}

impl ClientCache {
    /// The provider's client for its current policy.
    pub fn client(
        &self,
        provider: &Guid,
        record: &PolicyRecord,
        timeout: Duration,
    ) -> Result<reqwest::Client, ClientError> {
        // Checked on every use: the endpoint may change without the TLS rules changing.
        check_endpoint(record)?;
        let rules = TlsRules {
            ssl_enabled: record.policies.ssl_enabled,
            approved_certificate: record.approved_certificate.clone(),
        };
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached, client)) = clients.get(provider)
            && cached == &rules
        {
            return Ok(client.clone());
        }
        let client = client_for(record, timeout)?;
        clients.insert(provider.clone(), (rules, client.clone()));
        Ok(client)
    }
}
