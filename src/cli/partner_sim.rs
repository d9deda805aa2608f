//! `echo-gateway partner-sim`: turns the flags into a [`PartnerSimConfig`] (TLS identity,
//! request log, callback client) and runs the simulated partner until it is stopped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::soap::partner_sim::{self, Callback, PartnerSimConfig, PartnerSimError, RequestLog};
use crate::tls;
use echo_domain::fulfillment::Disposition;

#[derive(Debug, Args)]
pub struct PartnerSimArgs {
    /// Address to listen on (port 0: any free port)
    #[arg(long, default_value = "127.0.0.1:9443")]
    listen: SocketAddr,
    /// Serve HTTPS with a self-signed certificate generated in <data-dir>/partner-sim/tls/
    #[arg(long)]
    https: bool,
    /// HTTPS certificate (PEM) instead of the generated one
    #[arg(long, requires_all = ["https", "tls_key"])]
    tls_cert: Option<PathBuf>,
    /// HTTPS private key (PEM) of --tls-cert
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How to dispose of every request (manual applies to submissions; quotes and
    /// cancellations are then accepted automatically)
    #[arg(long, value_enum, default_value_t = Answer::Automatic)]
    answer: Answer,
    /// Answer HTTP 503 to the first N requests
    #[arg(long, default_value_t = 0, value_name = "N")]
    fail_first: u64,
    /// Close the first N connections without answering
    #[arg(long, default_value_t = 0, value_name = "N")]
    refuse_first: u64,
    /// Wait this long before answering each request
    #[arg(long, default_value_t = 0, value_name = "N")]
    latency_ms: u64,
    /// Append one JSON line per request received to FILE
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// OrderProcessingService endpoint to play manually accepted orders back to
    #[arg(long, value_name = "URL", requires = "callback_token")]
    callback_url: Option<String>,
    /// Provider token for the callbacks
    #[arg(long, value_name = "TOKEN", requires = "callback_url")]
    callback_token: Option<String>,
    /// Certificate (PEM) to trust for an https --callback-url, e.g. the gateway's
    #[arg(long, value_name = "FILE", requires = "callback_url")]
    callback_cert: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Answer {
    Automatic,
    Manual,
    Rejected,
    Postponed,
}

impl From<Answer> for Disposition {
    fn from(answer: Answer) -> Self {
        match answer {
            Answer::Automatic => Disposition::AcceptedAutomatic,
            Answer::Manual => Disposition::AcceptedManual,
            Answer::Rejected => Disposition::Rejected,
            Answer::Postponed => Disposition::Postponed,
        }
    }
}

impl PartnerSimArgs {
    pub fn run(self, data_dir: &Path) -> ExitCode {
        let outcome = self.config(data_dir).and_then(|config| {
            let runtime =
                tokio::runtime::Runtime::new().map_err(|source| PartnerSimError::File {
                    path: data_dir.to_path_buf(),
                    source,
                })?;
            runtime.block_on(partner_sim::run(config))
        });
        match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("echo-gateway partner-sim: {error}");
                ExitCode::FAILURE
            }
        }
    }

    fn config(self, data_dir: &Path) -> Result<PartnerSimConfig, PartnerSimError> {
        let tls = self.https.then(|| self.tls(data_dir)).transpose()?;
        let callback = match (self.callback_url, self.callback_token) {
            (Some(url), Some(token)) => {
                Some(Callback::new(url, token, self.callback_cert.as_deref())?)
            }
            _ => None,
        };
        Ok(PartnerSimConfig {
            listen: self.listen,
            tls,
            answer: self.answer.into(),
            fail_first: self.fail_first,
            refuse_first: self.refuse_first,
            latency: Duration::from_millis(self.latency_ms),
            log: self.log.as_deref().map(RequestLog::open).transpose()?,
            callback,
        })
    }

    /// The TLS identity: the given PEM pair, or one generated in the data directory; prints
    /// the certificate's path (the one to pin).
    fn tls(
        &self,
        data_dir: &Path,
    ) -> Result<std::sync::Arc<rustls::ServerConfig>, PartnerSimError> {
        tls::install_crypto_provider();
        let own_dir = data_dir.join("partner-sim");
        let explicit = self.tls_cert.as_deref().zip(self.tls_key.as_deref());
        let config = tls::server_config(&own_dir, explicit)?;
        let certificate = match &self.tls_cert {
            Some(path) => path.clone(),
            None => tls::generated_paths(&own_dir).0,
        };
        println!("partner-sim certificate {}", certificate.display());
        Ok(config)
    }
}
