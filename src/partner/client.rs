//! HTTP clients for one provider, following its SSL policy: with SslEnabled the only trusted
//! certificate is the operator-approved pinned one (compared byte for byte; a pending
//! certificate is never used); without it, http or https with normal verification.
//!
//! Every client is also bounded whatever the policy: it never follows a redirect (a partner
//! could otherwise point the gateway anywhere), it gives up after the timeout (the whole
//! exchange, answer included), and it never connects to a forbidden address
//! (`address_guard`). Answers are read within a size bound by their callers.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error as TlsError, SignatureScheme};

use super::address_guard::{self, GuardedResolver, PeerCheckLayer};
use echo_domain::policy::PolicyRecord;

/// Why no client could be built for a provider.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "SSL is enabled but no approved certificate is pinned (a changed certificate awaits operator approval)"
    )]
    NoApprovedCertificate,
    #[error("the pinned certificate is unreadable: {0}")]
    Certificate(String),
    #[error("HTTP client: {0}")]
    Http(String),
    #[error("{0}")]
    Forbidden(String),
}

/// Refuses a policy whose endpoint is a forbidden literal address (names are checked when
/// they are resolved).
pub fn check_endpoint(record: &PolicyRecord) -> Result<(), ClientError> {
    let endpoint = record.policies.endpoint.as_deref().unwrap_or_default();
    address_guard::check_literal(endpoint).map_err(ClientError::Forbidden)
}

/// Builds the client delivery and endpoint tests use for one provider.
pub fn client_for(
    record: &PolicyRecord,
    timeout: Duration,
) -> Result<reqwest::Client, ClientError> {
    check_endpoint(record)?;
    let builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let reason = format!(
                "the partner answered with a redirect to {}, and redirects are not followed",
                attempt.url()
            );
            attempt.error(reason)
        }))
        .dns_resolver(Arc::new(GuardedResolver))
        .connector_layer(PeerCheckLayer);
    let builder = if record.policies.ssl_enabled {
        let pem = record
            .approved_certificate
            .as_deref()
            .ok_or(ClientError::NoApprovedCertificate)?;
        builder
            .https_only(true)
            .tls_backend_preconfigured(pinned_tls_config(pem)?)
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| ClientError::Http(e.to_string()))
}

fn pinned_tls_config(pem: &str) -> Result<rustls::ClientConfig, ClientError> {
    let pinned = CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| ClientError::Certificate(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCertificate {
        pinned,
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Http(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// Accepts exactly one server certificate; handshake signatures are still verified, so the
/// peer must hold the pinned certificate's private key.
#[derive(Debug)]
struct PinnedCertificate {
    pinned: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(TlsError::General(
                "the partner presented a certificate other than the approved pinned one".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// An error with its causes, which carry the useful part (refused, TLS, timeout).
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
