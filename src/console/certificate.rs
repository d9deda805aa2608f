//! What an operator compares before approving a certificate: subject, issuer, validity and
//! SHA-256 fingerprint of a pinned PEM certificate.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::page::esc;

/// The parts of a certificate shown side by side.
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Colon-separated upper-case hex of the DER's SHA-256.
    pub fingerprint: String,
}

/// Reads the first certificate of a PEM text (`None` if there is none that parses).
pub fn summarize(pem: &str) -> Option<CertificateSummary> {
    let der = CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()?
        .ok()?;
    let (_, certificate) = X509Certificate::from_der(der.as_ref()).ok()?;
    let validity = certificate.validity();
    Some(CertificateSummary {
        subject: certificate.subject().to_string(),
        issuer: certificate.issuer().to_string(),
        not_before: validity.not_before.to_string(),
        not_after: validity.not_after.to_string(),
        fingerprint: fingerprint(der.as_ref()),
    })
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// One certificate as a definition list, titled `title`.
pub fn render(title: &str, pem: Option<&str>) -> String {
    let Some(pem) = pem else {
        return format!(
            "<section class=\"cert\"><h3>{}</h3><p>none</p></section>",
            esc(title)
        );
    };
    let Some(summary) = summarize(pem) else {
        return format!(
            "<section class=\"cert\"><h3>{}</h3><p>unreadable certificate</p></section>",
            esc(title)
        );
    };
    format!(
        "<section class=\"cert\"><h3>{}</h3><dl><dt>Subject</dt><dd>{}</dd><dt>Issuer</dt><dd>{}</dd>\
         <dt>Valid from</dt><dd>{}</dd><dt>Valid until</dt><dd>{}</dd>\
         <dt>SHA-256</dt><dd class=\"fingerprint\">{}</dd></dl></section>",
        esc(title),
        esc(&summary.subject),
        esc(&summary.issuer),
        esc(&summary.not_before),
        esc(&summary.not_after),
        esc(&summary.fingerprint)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_is_summarized() {
        let key =
            rcgen::generate_simple_self_signed(vec!["partner.example".into()]).expect("generated");
        let summary = summarize(&key.cert.pem()).expect("summarized");
        assert_eq!(summary.fingerprint.len(), 32 * 3 - 1);
        assert!(summary.subject.contains("rcgen") || !summary.subject.is_empty());
        assert!(summarize("not a certificate").is_none());
    }
}
