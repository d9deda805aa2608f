//! The answers: `<Operation>Response/result` holding a `FulfillmentResult` (Disposition,
//! Message, ProviderTrackingId, OrderReceipt), and the `FulfillmentFault` a partner raises
//! instead. Decoding an answer turns a SOAP fault into [`AnswerError::Fault`] and anything
//! that is not a valid response into an error too.

use super::{
    FULFILLMENT_FAULTS_NS, in_v10_terms, response_name, transaction_named, write_envelope,
};
use crate::error::RequestError;
use crate::soap::FAULTS_NS;
use crate::soap::envelope::parse_request;
use crate::soap::fault::FaultCode;
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    decode_receipt, encode_receipt, nested, optional_field, optional_text, within,
};
use crate::soap::writer::Out;
use crate::soap::{SOAP11_NS, SOAP12_NS};
use crate::xml::{Element, XmlLimits};
use echo_domain::fulfillment::{Disposition, FulfillmentAnswer};
use echo_domain::policy::Transaction;

/// Why a partner's answer gives no disposition.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnswerError {
    #[error("the partner answered with a SOAP fault [{code}]: {message}")]
    Fault { code: String, message: String },
    #[error("the partner's answer is not a valid OrderFulfillment response: {0}")]
    Malformed(#[from] RequestError),
    #[error("the partner answered with {{{ns}}}{name}, not an OrderFulfillment response")]
    Unexpected { ns: String, name: String },
}

/// The whole SOAP 1.1 envelope of an answer to `transaction`.
pub fn encode_answer(transaction: Transaction, answer: &FulfillmentAnswer) -> String {
    let text = |name, value: &Option<String>| optional_field(name, value.as_ref());
    let result = Out::echo("result")
        .child(Out::field("Disposition", answer.disposition.wire_name()))
        .optional(text("Message", &answer.message))
        .optional(text("ProviderTrackingId", &answer.provider_tracking_id))
        .optional(answer.receipt.as_ref().map(encode_receipt));
    write_envelope(&Out::echo(response_name(transaction)).child(result))
}

/// The whole SOAP 1.1 envelope of a fault (sent with HTTP 500): faultcode `SOAP-ENV:Client`
/// or `Server`, faultstring `message`, detail `FulfillmentFault{ErrorCode, Message}`.
pub fn encode_fault(code: FaultCode, error_code: &str, message: &str) -> String {
    let field = |name: &'static str, value: &str| Out::new(FAULTS_NS, name).text(value);
    let faultcode = match code {
        FaultCode::Client => "SOAP-ENV:Client",
        FaultCode::Server => "SOAP-ENV:Server",
    };
    let detail = Out::new(FAULTS_NS, "FulfillmentFault")
        .child(field("ErrorCode", error_code))
        .child(field("Message", message));
    let fault = Out::new(SOAP11_NS, "Fault")
        .child(Out::new("", "faultcode").text(faultcode))
        .child(Out::new("", "faultstring").text(message))
        .child(Out::new("", "detail").child(detail));
    write_envelope(&fault)
}

/// Reads a partner's HTTP response body (SOAP 1.1 or 1.2).
pub fn decode_answer(body: &[u8]) -> Result<FulfillmentAnswer, AnswerError> {
    let payload = parse_request(body, XmlLimits::default())?.operation;
    if is_fault(&payload) {
        return Err(decode_fault(&payload));
    }
    if transaction_named(&payload.name, "Response").is_none() {
        return Err(AnswerError::Unexpected {
            ns: payload.name.ns.to_string(),
            name: payload.name.local,
        });
    }
    let payload = in_v10_terms(payload);
    let result = Fields::params(&payload).required_element("result")?;
    Ok(decode_result(result).map_err(within("result"))?)
}

fn decode_result(result: &Element) -> Result<FulfillmentAnswer, RequestError> {
    let fields = Fields::of_type(result);
    let name = "Disposition";
    let text = fields.required_text(name)?;
    let disposition = Disposition::from_wire(text).ok_or_else(|| RequestError::Invalid {
        element: name.into(),
        value: text.into(),
        expected: "ACCEPTED_AUTOMATIC, ACCEPTED_MANUAL, REJECTED or POSTPONED",
    })?;
    Ok(FulfillmentAnswer {
        disposition,
        message: optional_text(fields, "Message"),
        provider_tracking_id: optional_text(fields, "ProviderTrackingId"),
        receipt: nested(fields, "OrderReceipt", decode_receipt)?,
    })
}

fn is_fault(payload: &Element) -> bool {
    [SOAP11_NS, SOAP12_NS]
        .into_iter()
        .any(|ns| payload.name.is(ns, "Fault"))
}

/// The FulfillmentFault's code and message, else the SOAP fault's own (1.1 faultcode and
/// faultstring, 1.2 Code/Value and Reason/Text).
fn decode_fault(fault: &Element) -> AnswerError {
    let detail = fault
        .children
        .iter()
        .find(|child| child.name.local.eq_ignore_ascii_case("detail"))
        .and_then(|detail| detail.child(FULFILLMENT_FAULTS_NS, "FulfillmentFault"));
    let specific = |name| detail.and_then(|d| d.child(FULFILLMENT_FAULTS_NS, name));
    let soap12 = |outer, inner| {
        fault
            .child(SOAP12_NS, outer)
            .and_then(|o| o.child(SOAP12_NS, inner))
    };
    let code = [
        specific("ErrorCode"),
        fault.child("", "faultcode"),
        soap12("Code", "Value"),
    ];
    let message = [
        specific("Message"),
        fault.child("", "faultstring"),
        soap12("Reason", "Text"),
    ];
    AnswerError::Fault {
        code: first_text(code),
        message: first_text(message),
    }
}

fn first_text(candidates: [Option<&Element>; 3]) -> String {
    candidates
        .into_iter()
        .flatten()
        .map(|element| element.text.trim())
        .find(|text| !text.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::fulfillment::{FULFILLMENT_NS, write_sample};
    use echo_domain::order::{OrderReceipt, Pricing};
    use echo_domain::timestamp::Timestamp;

    fn receipt() -> OrderReceipt {
        let accepted = Timestamp::parse("2017-02-15T15:09:23.233Z").unwrap();
        OrderReceipt {
            latest_cancel_date: Some(accepted.plus_seconds(3600)),
            estimated_ship_date: Some(accepted.plus_seconds(86_400)),
            acceptance_date: Some(accepted),
            pricing: Some(Pricing {
                total_price: 37.5,
                data_price: 30.0,
                media_price: 0.0,
                shipping_fee: 5.25,
                handling_fee: 2.25,
                discount: 1e7,
                quantity_of_media: 2,
            }),
        }
    }

    fn answer(disposition: Disposition) -> FulfillmentAnswer {
        FulfillmentAnswer {
            disposition,
            message: Some(format!("partner says {} <&>", disposition.wire_name())),
            provider_tracking_id: Some("0600030379".into()),
            receipt: Some(receipt()),
        }
    }

    #[test]
    fn every_disposition_round_trips_for_every_operation() {
        for transaction in [Transaction::Quote, Transaction::Submit, Transaction::Cancel] {
            for disposition in Disposition::ALL {
                let full = answer(disposition);
                let bare = FulfillmentAnswer {
                    disposition,
                    message: None,
                    provider_tracking_id: None,
                    receipt: None,
                };
                let sample = format!(
                    "answer-{}-{}",
                    transaction.wire_name(),
                    disposition.wire_name()
                );
                write_sample(&sample, &encode_answer(transaction, &full));
                for expected in [full, bare] {
                    let body = encode_answer(transaction, &expected);
                    assert_eq!(decode_answer(body.as_bytes()), Ok(expected));
                }
            }
        }
    }

    #[test]
    fn faults_decode_to_their_code_and_message() {
        let body = encode_fault(FaultCode::Client, "InvalidOrder", "no such <dataset>");
        write_sample("fault", &body);
        assert!(body.contains("<faultcode>SOAP-ENV:Client</faultcode>"));
        let expected = AnswerError::Fault {
            code: "InvalidOrder".into(),
            message: "no such <dataset>".into(),
        };
        assert_eq!(decode_answer(body.as_bytes()), Err(expected));
    }

    #[test]
    fn foreign_faults_use_the_soap_fields() {
        let soap11 = format!(
            r#"<e:Envelope xmlns:e="{SOAP11_NS}"><e:Body><e:Fault><faultcode>e:Server</faultcode>
               <faultstring>database down</faultstring></e:Fault></e:Body></e:Envelope>"#
        );
        let soap12 = format!(
            r#"<e:Envelope xmlns:e="{SOAP12_NS}"><e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value>
               </e:Code><e:Reason><e:Text xml:lang="en">database down</e:Text></e:Reason>
               </e:Fault></e:Body></e:Envelope>"#
        );
        for (body, code) in [(soap11, "e:Server"), (soap12, "e:Receiver")] {
            let expected = AnswerError::Fault {
                code: code.into(),
                message: "database down".into(),
            };
            assert_eq!(decode_answer(body.as_bytes()), Err(expected));
        }
    }

    #[test]
    fn malformed_answers_are_errors() {
        let good = encode_answer(Transaction::Submit, &answer(Disposition::AcceptedManual));
        let not_xml = b"<html><body>502 Bad Gateway</body>".to_vec();
        let not_soap = b"<html><body>oops</body></html>".to_vec();
        let bad_disposition = good.replace("ACCEPTED_MANUAL", "MAYBE").into_bytes();
        let no_result = good
            .replace("<ns2:result>", "<ns2:outcome>")
            .replace("</ns2:result>", "</ns2:outcome>")
            .into_bytes();
        let v10 = good
            .replace(FULFILLMENT_NS, crate::soap::ECHO_NS)
            .into_bytes();
        let bad_date = good
            .replace("2017-02-15T15:09:23.233Z", "yesterday")
            .into_bytes();
        assert!(matches!(
            decode_answer(&not_xml),
            Err(AnswerError::Malformed(RequestError::Malformed { .. }))
        ));
        assert_eq!(
            decode_answer(&not_soap),
            Err(RequestError::NotAnEnvelope.into())
        );
        assert!(matches!(
            decode_answer(&bad_disposition),
            Err(AnswerError::Malformed(RequestError::Invalid { element, .. })) if element == "result/Disposition"
        ));
        assert_eq!(
            decode_answer(&no_result),
            Err(RequestError::Missing("result".into()).into())
        );
        assert!(matches!(
            decode_answer(&v10),
            Err(AnswerError::Unexpected { .. })
        ));
        assert!(matches!(
            decode_answer(&bad_date),
            Err(AnswerError::Malformed(RequestError::Invalid { element, .. }))
                if element == "result/OrderReceipt/AcceptanceDate"
        ));
    }
}
