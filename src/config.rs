//! Configuration for `serve`: command-line flags, `ECHO_GATEWAY_*` environment variables and
//! an optional TOML file, in that order of precedence, over embedded defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Deserialize;

use crate::app::ServiceSettings;
use crate::app::sign_in_throttle::SignInLimits;
use crate::delivery::worker::DeliverySettings;
use crate::oms_trigger::TriggerSettings;
use crate::partner::forbidden_addresses::{AddressRange, ForbiddenRanges, InvalidRange};
use crate::server::ServeSettings;
use crate::server::connection::ConnectionLimits;
use crate::xml::XmlLimits;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
pub const DEFAULT_MAX_STREAMS: u32 = 100;
pub const DEFAULT_READ_TIMEOUT: u64 = 30;
pub const DEFAULT_IDLE_TIMEOUT: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A feature operators turn on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

/// Flags of `echo-gateway serve` (each also readable from the environment).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address of the HTTPS listener [default: 127.0.0.1:8443]
    #[arg(long, env = "ECHO_GATEWAY_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// TLS certificate chain (PEM); without it a self-signed one is generated in the data dir
    #[arg(long, env = "ECHO_GATEWAY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, env = "ECHO_GATEWAY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Also listen without TLS on this address (for use behind a TLS-terminating proxy)
    #[arg(long, env = "ECHO_GATEWAY_PLAIN_HTTP")]
    pub plain_http: Option<SocketAddr>,
    /// Log format [default: text]
    #[arg(long, env = "ECHO_GATEWAY_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest accepted request body in bytes [default: 10485760]
    #[arg(long, env = "ECHO_GATEWAY_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Connections served at once; more wait to be accepted [default: 1024]
    #[arg(long, env = "ECHO_GATEWAY_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// HTTP/2 requests at once on one connection [default: 100]
    #[arg(long, env = "ECHO_GATEWAY_MAX_STREAMS")]
    pub max_streams: Option<u32>,
    /// Seconds a client may take to send a request's headers, then its body [default: 30]
    #[arg(long, env = "ECHO_GATEWAY_READ_TIMEOUT")]
    pub read_timeout: Option<u64>,
    /// Seconds a connection may stay without requests before it is closed [default: 60]
    #[arg(long, env = "ECHO_GATEWAY_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Deepest accepted XML nesting [default: 64]
    #[arg(long, env = "ECHO_GATEWAY_MAX_XML_DEPTH")]
    pub max_xml_depth: Option<usize>,
    /// Lifetime of tokens issued by Login [default: 24]
    #[arg(long, env = "ECHO_GATEWAY_TOKEN_HOURS")]
    pub token_hours: Option<u64>,
    /// Seconds an inbound OrderFulfillment caller waits for the partner before POSTPONED [default: 10]
    #[arg(long, env = "ECHO_GATEWAY_RELAY_WAIT")]
    pub relay_wait: Option<u64>,
    /// Most delivery attempts at once, from sending until recorded [default: 256]
    #[arg(long, env = "ECHO_GATEWAY_DELIVERY_CONCURRENCY")]
    pub delivery_concurrency: Option<usize>,
    /// Most requests being exchanged with one provider's partner at once [default: 8]
    #[arg(long, env = "ECHO_GATEWAY_DELIVERY_PER_PROVIDER")]
    pub delivery_per_provider: Option<usize>,
    /// Seconds one delivery attempt may take [default: 30]
    #[arg(long, env = "ECHO_GATEWAY_DELIVERY_TIMEOUT")]
    pub delivery_timeout: Option<u64>,
    /// Calls of an OMS trigger per batch of changes before the OMS is marked failing [default: 8]
    #[arg(long, env = "ECHO_GATEWAY_OMS_TRIGGER_ATTEMPTS")]
    pub oms_trigger_attempts: Option<u32>,
    /// Milliseconds before the first retry of an OMS trigger, doubling per retry [default: 500]
    #[arg(long, env = "ECHO_GATEWAY_OMS_TRIGGER_FIRST_RETRY_MS")]
    pub oms_trigger_first_retry_ms: Option<u64>,
    /// Longest wait in seconds between OMS trigger retries, `Retry-After` included [default: 300]
    #[arg(long, env = "ECHO_GATEWAY_OMS_TRIGGER_MAX_WAIT")]
    pub oms_trigger_max_wait: Option<u64>,
    /// Seconds one OMS trigger call may take [default: 10]
    #[arg(long, env = "ECHO_GATEWAY_OMS_TRIGGER_TIMEOUT")]
    pub oms_trigger_timeout: Option<u64>,
    /// Whether guests may sign in (Login as `guest`) and order, as ECHO let them [default: on]
    #[arg(long, env = "ECHO_GATEWAY_GUEST_ORDERS")]
    pub guest_orders: Option<Switch>,
    /// Address ranges (CIDR, comma-separated) provider endpoints may not reach, besides the
    /// always forbidden link-local and cloud-metadata ones, e.g. 127.0.0.0/8,::1,10.0.0.0/8
    #[arg(
        long,
        env = "ECHO_GATEWAY_FORBIDDEN_ENDPOINT_RANGES",
        value_delimiter = ','
    )]
    pub forbidden_endpoint_ranges: Vec<AddressRange>,
    /// Failed sign-ins in a row that lock an account name [default: 10]
    #[arg(long, env = "ECHO_GATEWAY_SIGN_IN_LOCK_AFTER")]
    pub sign_in_lock_after: Option<u32>,
    /// Failed sign-ins from one address (any accounts) that lock it [default: 50]
    #[arg(long, env = "ECHO_GATEWAY_SIGN_IN_ADDRESS_LOCK_AFTER")]
    pub sign_in_address_lock_after: Option<u32>,
    /// First wait after the free failed sign-ins, doubled by each further one; 0: none [default: 1]
    #[arg(long, env = "ECHO_GATEWAY_SIGN_IN_DELAY_SECONDS")]
    pub sign_in_delay_seconds: Option<u64>,
    /// Minutes a sign-in lock lasts (and failures are remembered) [default: 15]
    #[arg(long, env = "ECHO_GATEWAY_SIGN_IN_LOCK_MINUTES")]
    pub sign_in_lock_minutes: Option<u64>,
}

/// The TOML file: the same settings, snake_case keys, plus `data_dir`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub plain_http: Option<SocketAddr>,
    pub log_format: Option<LogFormat>,
    pub max_body_bytes: Option<usize>,
    pub max_connections: Option<usize>,
    pub max_streams: Option<u32>,
    pub read_timeout: Option<u64>,
    pub idle_timeout: Option<u64>,
    pub max_xml_depth: Option<usize>,
    pub token_hours: Option<u64>,
    pub relay_wait: Option<u64>,
    pub delivery_concurrency: Option<usize>,
    pub delivery_per_provider: Option<usize>,
    pub delivery_timeout: Option<u64>,
    pub oms_trigger_attempts: Option<u32>,
    pub oms_trigger_first_retry_ms: Option<u64>,
    pub oms_trigger_max_wait: Option<u64>,
    pub oms_trigger_timeout: Option<u64>,
    pub guest_orders: Option<Switch>,
    pub forbidden_endpoint_ranges: Option<Vec<String>>,
    pub sign_in_lock_after: Option<u32>,
    pub sign_in_address_lock_after: Option<u32>,
    pub sign_in_delay_seconds: Option<u64>,
    pub sign_in_lock_minutes: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("tls_cert and tls_key must be given together")]
    TlsPair,
    #[error("forbidden_endpoint_ranges: {0}")]
    Range(#[from] InvalidRange),
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let error = |message: String| ConfigError::File {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        toml::from_str(&text).map_err(|e| error(e.to_string()))
    }

    /// The data directory: flag or environment first, then the file, then `./data`.
    pub fn data_dir(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_path_buf)
            .or_else(|| self.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }
}

/// Resolves serve settings; flags/environment win over the file, the file over defaults.
pub fn resolve(
    args: &ServeArgs,
    file: &FileConfig,
    data_dir: PathBuf,
) -> Result<(ServeSettings, LogFormat), ConfigError> {
    let tls_cert = args.tls_cert.clone().or_else(|| file.tls_cert.clone());
    let tls_key = args.tls_key.clone().or_else(|| file.tls_key.clone());
    let tls_files = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => return Err(ConfigError::TlsPair),
    };
    let defaults = XmlLimits::default();
    let token_hours = args.token_hours.or(file.token_hours).unwrap_or(24);
    let settings = ServeSettings {
        listen: args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address")),
        plain_http: args.plain_http.or(file.plain_http),
        data_dir,
        tls_files,
        connections: connection_limits(args, file),
        xml_limits: XmlLimits {
            max_depth: args
                .max_xml_depth
                .or(file.max_xml_depth)
                .unwrap_or(defaults.max_depth),
            ..defaults
        },
        services: ServiceSettings {
            token_lifetime: Duration::from_secs(token_hours.saturating_mul(3600)),
            relay_wait: args
                .relay_wait
                .or(file.relay_wait)
                .map_or(ServiceSettings::default().relay_wait, Duration::from_secs),
            sign_in: sign_in_limits(args, file),
            guest_orders: args.guest_orders.or(file.guest_orders) != Some(Switch::Off),
            ..ServiceSettings::default()
        },
        delivery: delivery_settings(args, file),
        oms_triggers: trigger_settings(args, file),
        shutdown_grace: Duration::from_secs(30),
    };
    let log_format = args
        .log_format
        .or(file.log_format)
        .unwrap_or(LogFormat::Text);
    Ok((settings, log_format))
}

/// The address ranges partner endpoints may not reach: the defaults, plus the flag's
/// ranges, or the file's when no flag gives any.
pub fn forbidden_ranges(
    args: &ServeArgs,
    file: &FileConfig,
) -> Result<ForbiddenRanges, ConfigError> {
    let configured = match (
        &args.forbidden_endpoint_ranges,
        &file.forbidden_endpoint_ranges,
    ) {
        (flag, _) if !flag.is_empty() => flag.clone(),
        (_, Some(ranges)) => ranges
            .iter()
            .map(|range| range.parse())
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    Ok(ForbiddenRanges::default().with(configured))
}

fn sign_in_limits(args: &ServeArgs, file: &FileConfig) -> SignInLimits {
    let defaults = SignInLimits::default();
    let at_least_one =
        |flag: Option<u32>, key: Option<u32>, default: u32| flag.or(key).unwrap_or(default).max(1);
    SignInLimits {
        account_lock_after: at_least_one(
            args.sign_in_lock_after,
            file.sign_in_lock_after,
            defaults.account_lock_after,
        ),
        address_lock_after: at_least_one(
            args.sign_in_address_lock_after,
            file.sign_in_address_lock_after,
            defaults.address_lock_after,
        ),
        delay: args
            .sign_in_delay_seconds
            .or(file.sign_in_delay_seconds)
            .map_or(defaults.delay, Duration::from_secs),
        lock: args
            .sign_in_lock_minutes
            .or(file.sign_in_lock_minutes)
            .map_or(defaults.lock, |minutes| {
                Duration::from_secs(minutes.max(1).saturating_mul(60))
            }),
        ..defaults
    }
}

fn connection_limits(args: &ServeArgs, file: &FileConfig) -> ConnectionLimits {
    let seconds = |flag: Option<u64>, key: Option<u64>, default: u64| {
        Duration::from_secs(flag.or(key).unwrap_or(default).max(1))
    };
    ConnectionLimits {
        max_connections: args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS)
            .max(1),
        max_streams: args
            .max_streams
            .or(file.max_streams)
            .unwrap_or(DEFAULT_MAX_STREAMS)
            .max(1),
        read_timeout: seconds(args.read_timeout, file.read_timeout, DEFAULT_READ_TIMEOUT),
        idle_timeout: seconds(args.idle_timeout, file.idle_timeout, DEFAULT_IDLE_TIMEOUT),
        max_body_bytes: args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(DEFAULT_MAX_BODY_BYTES),
    }
}

fn delivery_settings(args: &ServeArgs, file: &FileConfig) -> DeliverySettings {
    let defaults = DeliverySettings::default();
    DeliverySettings {
        concurrency: args
            .delivery_concurrency
            .or(file.delivery_concurrency)
            .unwrap_or(defaults.concurrency)
            .max(1),
        per_provider: args
            .delivery_per_provider
            .or(file.delivery_per_provider)
            .unwrap_or(defaults.per_provider)
            .max(1),
        timeout: args
            .delivery_timeout
            .or(file.delivery_timeout)
            .map_or(defaults.timeout, Duration::from_secs),
    }
}

fn trigger_settings(args: &ServeArgs, file: &FileConfig) -> TriggerSettings {
    let defaults = TriggerSettings::default();
    let seconds = |flag: Option<u64>, key: Option<u64>, default: Duration| {
        flag.or(key)
            .map_or(default, |s| Duration::from_secs(s.max(1)))
    };
    TriggerSettings {
        attempts: args
            .oms_trigger_attempts
            .or(file.oms_trigger_attempts)
            .unwrap_or(defaults.attempts)
            .max(1),
        first_retry: args
            .oms_trigger_first_retry_ms
            .or(file.oms_trigger_first_retry_ms)
            .map_or(defaults.first_retry, Duration::from_millis),
        max_wait: seconds(
            args.oms_trigger_max_wait,
            file.oms_trigger_max_wait,
            defaults.max_wait,
        ),
        timeout: seconds(
            args.oms_trigger_timeout,
            file.oms_trigger_timeout,
            defaults.timeout,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings without any flag, variable or file.
    fn defaults() -> ServeSettings {
        resolve(
            &ServeArgs::default(),
            &FileConfig::default(),
            PathBuf::from("d"),
        )
        .unwrap()
        .0
    }

    #[test]
    fn flags_win_over_file_and_file_over_defaults() {
        let file: FileConfig = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nmax_body_bytes = 100\nlog_format = \"json\"\n",
        )
        .unwrap();
        let args = ServeArgs {
            listen: Some("127.0.0.1:9001".parse().unwrap()),
            ..ServeArgs::default()
        };
        let (settings, log) = resolve(&args, &file, PathBuf::from("d")).unwrap();
        assert_eq!(settings.listen.port(), 9001);
        assert_eq!(settings.connections.max_body_bytes, 100);
        assert_eq!(log, LogFormat::Json);
        let defaults = defaults();
        assert_eq!(defaults.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(defaults.connections.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert!(
            defaults.services.guest_orders,
            "guests order unless turned off"
        );
        let off: FileConfig = toml::from_str("guest_orders = \"off\"\n").unwrap();
        let (settings, _) = resolve(&ServeArgs::default(), &off, PathBuf::from("d")).unwrap();
        assert!(!settings.services.guest_orders);
    }

    #[test]
    fn trigger_timings_come_from_flags_then_file_then_defaults() {
        let file: FileConfig = toml::from_str(concat!(
            "oms_trigger_attempts = 3\n",
            "oms_trigger_first_retry_ms = 20\n",
            "oms_trigger_timeout = 4\n",
        ))
        .unwrap();
        let args = ServeArgs {
            oms_trigger_attempts: Some(2),
            oms_trigger_max_wait: Some(7),
            ..ServeArgs::default()
        };
        let settings = resolve(&args, &file, PathBuf::from("d")).unwrap().0;
        let expected = TriggerSettings {
            attempts: 2,
            first_retry: Duration::from_millis(20),
            max_wait: Duration::from_secs(7),
            timeout: Duration::from_secs(4),
        };
        assert_eq!(settings.oms_triggers, expected);
        let defaults = defaults();
        assert_eq!(defaults.oms_triggers, TriggerSettings::default());
    }

    #[test]
    fn unknown_file_keys_are_errors() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }
}
