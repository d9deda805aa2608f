//! The v9 answer decoder (`soap::fulfillment::decode_answer`), which reads what partners send
//! back: mutations of every answer the gateway's own encoder writes, and of v9 faults.

use std::sync::Arc;

use echo_domain::fulfillment::{Disposition, FulfillmentAnswer};
use echo_domain::order::{OrderReceipt, Pricing};
use echo_domain::policy::Transaction;
use echo_domain::timestamp::Timestamp;
use echo_gateway::soap::fault::FaultCode;
use echo_gateway::soap::fulfillment::{decode_answer, encode_answer, encode_fault};

use crate::harness::{fuzz, mutated};

fn receipt() -> OrderReceipt {
    let accepted = Timestamp::parse("2017-02-15T15:09:23.233Z").expect("a timestamp");
    OrderReceipt {
        latest_cancel_date: Some(accepted.plus_seconds(3600)),
        estimated_ship_date: Some(accepted),
        acceptance_date: Some(accepted),
        pricing: Some(Pricing {
            total_price: 37.5,
            data_price: 30.0,
            media_price: 0.0,
            shipping_fee: 5.25,
            handling_fee: 2.25,
            discount: 0.0,
            quantity_of_media: 2,
        }),
    }
}

fn seeds() -> Arc<Vec<Vec<u8>>> {
    let mut seeds = Vec::new();
    for transaction in [Transaction::Quote, Transaction::Submit, Transaction::Cancel] {
        for disposition in Disposition::ALL {
            for full in [false, true] {
                let answer = FulfillmentAnswer {
                    disposition,
                    message: full.then(|| "partner says <&>".to_owned()),
                    provider_tracking_id: full.then(|| "0600030379".to_owned()),
                    receipt: full.then(receipt),
                };
                seeds.push(encode_answer(transaction, &answer).into_bytes());
            }
        }
    }
    let fault = encode_fault(FaultCode::Server, "ProviderError", "the partner failed");
    seeds.push(fault.into_bytes());
    Arc::new(seeds)
}

#[test]
fn v9_answers_mutated() {
    fuzz("v9 answers, mutated", mutated(seeds()), |bytes| {
        let _ = decode_answer(&bytes);
    });
}
