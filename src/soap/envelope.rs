//! SOAP envelopes: reading a request (1.1 or 1.2) down to its operation element, and writing a
//! response envelope in the version the request used.

use super::writer::Out;
use super::{SOAP11_NS, SOAP12_NS};
use crate::error::RequestError;
use crate::xml::{Element, XmlLimits, parse_document};

/// The SOAP version of a request; responses answer in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11_NS,
            SoapVersion::V12 => SOAP12_NS,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml; charset=utf-8",
            SoapVersion::V12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// The version a request's Content-Type announces, for answering requests that cannot be
    /// parsed far enough to tell.
    pub fn from_content_type(content_type: Option<&str>) -> Self {
        match content_type {
            Some(ct) if ct.trim_start().starts_with("application/soap+xml") => SoapVersion::V12,
            _ => SoapVersion::V11,
        }
    }
}

/// A parsed request: its version and its operation element (the first element in Body;
/// siblings after it, such as the `<to_str/>` real clients append, are ignored).
#[derive(Debug)]
pub struct SoapRequest {
    pub version: SoapVersion,
    pub operation: Element,
}

pub fn parse_request(body: &[u8], limits: XmlLimits) -> Result<SoapRequest, RequestError> {
    let text = std::str::from_utf8(body).map_err(|_| RequestError::NotUtf8)?;
    let envelope = parse_document(text, limits)?;
    let version = [SoapVersion::V11, SoapVersion::V12]
        .into_iter()
        .find(|v| envelope.name.is(v.namespace(), "Envelope"))
        .ok_or(RequestError::NotAnEnvelope)?;
    // Taken out of the envelope, not copied: the operation is most of the document.
    let body = envelope
        .children
        .into_iter()
        .find(|child| child.name.is(version.namespace(), "Body"))
        .ok_or(RequestError::NotAnEnvelope)?;
    let operation = body
        .children
        .into_iter()
        .next()
        .ok_or(RequestError::NoOperation)?;
    Ok(SoapRequest { version, operation })
}

/// Writes a whole response envelope around `payload`.
pub fn render_response(version: SoapVersion, payload: &Out) -> String {
    wrap_body(version, |out| payload.write_payload(out))
}

/// Writes an envelope whose Body is produced by `body`.
pub fn wrap_body(version: SoapVersion, body: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"");
    out.push_str(version.namespace());
    out.push_str("\"><SOAP-ENV:Header/><SOAP-ENV:Body>");
    body(&mut out);
    out.push_str("</SOAP-ENV:Body></SOAP-ENV:Envelope>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::ECHO_NS;

    #[test]
    fn finds_the_operation_and_ignores_junk_siblings() {
        let request = format!(
            r#"<e:Envelope xmlns:e="{SOAP11_NS}"><e:Header/><e:Body><o:Logout xmlns:o="{ECHO_NS}"><o:token>t</o:token></o:Logout><to_str/></e:Body></e:Envelope>"#
        );
        let parsed = parse_request(request.as_bytes(), XmlLimits::default()).unwrap();
        assert_eq!(parsed.version, SoapVersion::V11);
        assert!(parsed.operation.name.is(ECHO_NS, "Logout"));
    }

    #[test]
    fn recognises_soap12_and_rejects_other_roots() {
        let request = format!(r#"<Envelope xmlns="{SOAP12_NS}"><Body><x/></Body></Envelope>"#);
        let parsed = parse_request(request.as_bytes(), XmlLimits::default()).unwrap();
        assert_eq!(parsed.version, SoapVersion::V12);
        let wrong = r#"<Envelope xmlns="urn:not-soap"><Body><x/></Body></Envelope>"#;
        assert_eq!(
            parse_request(wrong.as_bytes(), XmlLimits::default()).unwrap_err(),
            RequestError::NotAnEnvelope
        );
        let empty = format!(r#"<Envelope xmlns="{SOAP11_NS}"><Body/></Envelope>"#);
        assert_eq!(
            parse_request(empty.as_bytes(), XmlLimits::default()).unwrap_err(),
            RequestError::NoOperation
        );
    }
}
