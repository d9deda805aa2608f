//! `echo-gateway partner-sim` as a real process for the tests: started on a free 127.0.0.1
//! port with the given flags, its URL and (with `--https`) certificate read from its stdout,
//! killed when dropped; plus clients for it and its JSON request log.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentItem, FulfillmentRequest};
use echo_domain::guid::Guid;
use echo_domain::order::{CatalogItemRef, ItemState, OrderItem, ProviderOrderKey, UserInformation};
use echo_domain::policy::Transaction;
use echo_gateway::soap::fulfillment::{AnswerError, decode_answer, encode_request};

use super::{BIN, SoapClient};

/// A running partner-sim; killed when dropped.
pub struct PartnerSim {
    child: Child,
    /// The OrderFulfillment endpoint (`http(s)://127.0.0.1:<port>/OrderFulfillment`).
    pub url: String,
    /// The certificate file to pin, with `--https`.
    pub certificate: Option<PathBuf>,
}

impl PartnerSim {
    /// Starts `partner-sim` with `data_dir` (where an `--https` certificate is generated and
    /// kept) and extra `flags`; returns once it is ready.
    pub fn start(data_dir: &Path, flags: &[&str]) -> PartnerSim {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["partner-sim", "--listen", "127.0.0.1:0"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("partner-sim starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (mut url, mut certificate) = (None, None);
        for line in stdout.lines().map_while(Result::ok) {
            if let Some(path) = line.strip_prefix("partner-sim certificate ") {
                certificate = Some(PathBuf::from(path));
            } else if let Some(found) = line.strip_prefix("partner-sim listening on ") {
                url = Some(found.to_owned());
            } else if line == "partner-sim ready" {
                break;
            }
        }
        let url = url.expect("partner-sim announces its URL");
        PartnerSim {
            child,
            url,
            certificate,
        }
    }

    /// The process id, for its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The PEM text of the `--https` certificate.
    pub fn certificate_pem(&self) -> String {
        let path = self.certificate.as_ref().expect("an --https partner-sim");
        std::fs::read_to_string(path).expect("partner-sim certificate")
    }

    /// Posts `body`; returns the HTTP status and body, or the transport error.
    pub async fn post(
        &self,
        client: &reqwest::Client,
        body: String,
    ) -> reqwest::Result<(u16, String)> {
        let endpoint = SoapClient {
            client: client.clone(),
            url: self.url.clone(),
        };
        endpoint.try_post("", body.into_bytes()).await
    }

    /// Sends `request` on a new connection and decodes the answer.
    pub async fn send(
        &self,
        request: &FulfillmentRequest,
    ) -> Result<FulfillmentAnswer, AnswerError> {
        let (_, body) = self
            .post(&client(), encode_request(request))
            .await
            .expect("partner-sim answers");
        decode_answer(body.as_bytes())
    }
}

impl Drop for PartnerSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client builder without proxies, with the crypto provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    echo_gateway::tls::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
}

/// A client opening a new connection for every request.
pub fn client() -> reqwest::Client {
    client_builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// The lines of a `--log` file, each parsed as JSON (none when the file does not exist yet).
pub fn log_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// A request for one provider order of `provider` with one item (price 2.5, quantity 4).
pub fn sample_request(transaction: Transaction, provider: &Guid) -> FulfillmentRequest {
    let key = ProviderOrderKey {
        order_guid: Guid::random(),
        provider_guid: provider.clone(),
    };
    let item = OrderItem {
        guid: Guid::random(),
        catalog_item: CatalogItemRef {
            item_guid: "G1000005024-DEV07".into(),
            provider_guid: provider.clone(),
            collection_id: "C1000000003-DEV07".into(),
            dataset_id: "GLAH09".into(),
            granule_ur: None,
            producer_granule_id: None,
            price: 2.5,
        },
        quantity: 4,
        option_selection: None,
        provider_order: key.clone(),
        state: ItemState::NotSet,
    };
    FulfillmentRequest {
        transaction,
        idempotency_key: Guid::random(),
        provider_order: key,
        provider_tracking_id: None,
        notify_level: None,
        client_identity: None,
        user_information: UserInformation::default(),
        items: vec![FulfillmentItem { item }],
        properties: None,
    }
}
