//! Durability with real processes: policies, users and tokens survive a clean restart; a
//! `kill -9` during a SetProviderPolicies storm loses no acknowledged write (repeated over
//! several kill cycles on the same data directory); the CLI reaches a running server through
//! its admin socket, survives a stale socket after a crash, and is refused safely when the
//! database is held by a server it cannot reach.

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    SoapClient, TestGateway, cli, element_text, envelope, kill_mid_storm, operator_token,
    provider_and_operator_token, providers_policies_params, seeded_rng, set_policies_params,
    try_cli,
};
use rand::RngExt;

const PROVIDER_GUID: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
/// Providers written concurrently in the storm, one writer task each.
const STORM_PROVIDERS: usize = 16;
/// Kill cycles on the same data directory.
const KILL_CYCLES: usize = 3;
/// Upper bound on the writes one writer sends in one cycle (the kill ends it far sooner).
const MAX_WRITES_PER_CYCLE: u64 = 100_000;
/// How long the storm may take before every writer has had one write acknowledged.
const FIRST_ACK_DEADLINE: Duration = Duration::from_secs(20);

async fn get_policies(gateway: &TestGateway, token: &str, guid: &str) -> String {
    let params = providers_policies_params(&[guid]);
    let (status, body) = gateway
        .call("ProviderService", "GetProvidersPolicies", token, &params)
        .await;
    assert_eq!(status, 200, "GetProvidersPolicies: {body}");
    body
}

async fn set_policies(gateway: &TestGateway, token: &str, params: &str) {
    let (status, body) = gateway
        .call("ProviderService", "SetProviderPolicies", token, params)
        .await;
    assert_eq!(status, 200, "SetProviderPolicies: {body}");
}

/// Names of the providers GetProviderNames(nil) lists.
async fn provider_names(gateway: &TestGateway, token: &str) -> Vec<String> {
    let (status, body) = gateway
        .call(
            "ProviderService",
            "GetProviderNames",
            token,
            "<ns2:guids xsi:nil=\"true\"/>",
        )
        .await;
    assert_eq!(status, 200, "GetProviderNames: {body}");
    body.split("<ns3:Name>")
        .skip(1)
        .filter_map(|rest| rest.split("</ns3:Name>").next())
        .map(str::to_owned)
        .collect()
}

async fn login(gateway: &TestGateway, username: &str, password: &str) -> (u16, String) {
    let params =
        format!("<ns2:username>{username}</ns2:username><ns2:password>{password}</ns2:password>");
    gateway
        .soap("AuthenticationService", &envelope("Login", &params))
        .await
}

// Two workers: `stop()` blocks one while the other answers the gateway's HTTP/2 shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_users_and_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = provider_and_operator_token(dir.path(), "DEV07", PROVIDER_GUID);
    let mut gateway = TestGateway::start(dir.path(), &[]);
    // The gateway's own certificate stands in for a partner's: any parseable X.509 PEM.
    let pem = std::fs::read_to_string(dir.path().join("tls/cert.pem")).expect("certificate");
    set_policies(
        &gateway,
        &token,
        &set_policies_params(PROVIDER_GUID, 60, Some(&pem)),
    )
    .await;
    cli(dir.path(), &["provider", "approve-cert", "DEV07"], None);
    let before = get_policies(&gateway, &token, PROVIDER_GUID).await;
    for expected in [
        "<ns3:RetryWaitTime>60</ns3:RetryWaitTime>",
        "<ns3:MaxItemsPerOrder>25</ns3:MaxItemsPerOrder>",
        "<ns3:SslEnabled>true</ns3:SslEnabled>",
        "<ns3:SslCertificateApproved>true</ns3:SslCertificateApproved>",
    ] {
        assert!(before.contains(expected), "{expected} missing: {before}");
    }
    gateway.stop();

    cli(dir.path(), &["provider", "add", "OFFLINE01"], None);
    let gateway = TestGateway::start(dir.path(), &[]);
    let after = get_policies(&gateway, &token, PROVIDER_GUID).await;
    assert_eq!(before, after, "policies changed across the restart");
    let (status, body) = login(&gateway, "ops", "pw").await;
    assert_eq!(status, 200, "Login: {body}");
    let fresh = element_text(&body, "result").expect("a token");
    assert_eq!(
        provider_names(&gateway, fresh).await,
        ["DEV07", "OFFLINE01"],
        "the provider added while stopped is listed"
    );
    let (status, body) = login(&gateway, "ops", "wrong").await;
    assert_eq!(status, 500, "a wrong password still fails: {body}");
}

/// One writer's account of a storm.
#[derive(Debug)]
struct WriterReport {
    guid: String,
    /// The last RetryWaitTime acknowledged with HTTP 200 (or the value stored before).
    acknowledged: u64,
    /// Writes acknowledged in this storm.
    acknowledged_writes: u64,
    /// The value in flight when the transport failed: maybe committed, never acknowledged.
    unacknowledged: Option<u64>,
    /// A response other than 200 (a failure of the gateway, not of the transport).
    unexpected: Option<String>,
}

/// Sets `guid`'s policies with RetryWaitTime `first`, `first + 1`, … until the first transport
/// error; counts itself in `first_acks` at its first acknowledged write.
async fn write_until_failure(
    soap: SoapClient,
    token: String,
    guid: String,
    first: u64,
    first_acks: Arc<AtomicUsize>,
) -> WriterReport {
    let mut report = WriterReport {
        guid,
        acknowledged: first - 1,
        acknowledged_writes: 0,
        unacknowledged: None,
        unexpected: None,
    };
    for value in first..first + MAX_WRITES_PER_CYCLE {
        let params = set_policies_params(&report.guid, value, None);
        match soap
            .try_call("ProviderService", "SetProviderPolicies", &token, &params)
            .await
        {
            Ok((200, _)) => {
                if report.acknowledged_writes == 0 {
                    first_acks.fetch_add(1, Ordering::SeqCst);
                }
                report.acknowledged = value;
                report.acknowledged_writes += 1;
            }
            Ok((status, body)) => {
                report.unexpected = Some(format!("HTTP {status}: {body}"));
                break;
            }
            Err(_) => {
                report.unacknowledged = Some(value);
                break;
            }
        }
    }
    report
}

/// Delays before each kill, 300–1500 ms, from a seed printed so a run can be repeated
/// (`DURABILITY_SEED=<n>`).
fn kill_delays(count: usize) -> Vec<Duration> {
    let mut rng = seeded_rng("DURABILITY_SEED");
    (0..count)
        .map(|_| Duration::from_millis(rng.random_range(300..1500)))
        .collect()
}

/// Starts one writer per provider, waits `delay` and until every writer has been
/// acknowledged at least once (bounded), then SIGKILLs the gateway mid-storm.
async fn storm_then_kill(
    gateway: &mut TestGateway,
    token: &str,
    providers: &[(String, u64)],
    delay: Duration,
) -> Vec<WriterReport> {
    let first_acks = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = providers
        .iter()
        .map(|(guid, first)| {
            tokio::spawn(write_until_failure(
                gateway.soap_client(),
                token.to_owned(),
                guid.clone(),
                *first,
                first_acks.clone(),
            ))
        })
        .collect();
    kill_mid_storm(
        gateway,
        delay,
        &first_acks,
        providers.len(),
        FIRST_ACK_DEADLINE,
    )
    .await;
    let mut reports = Vec::new();
    for writer in writers {
        reports.push(writer.await.expect("writer task"));
    }
    let acknowledged: u64 = reports.iter().map(|r| r.acknowledged_writes).sum();
    let in_flight = reports
        .iter()
        .filter(|r| r.unacknowledged.is_some())
        .count();
    eprintln!("killed after {delay:?}: {acknowledged} writes acknowledged, {in_flight} in flight");
    reports
}

/// The RetryWaitTime stored for `guid` (0 when it has no policies).
async fn stored_retry_wait(gateway: &TestGateway, token: &str, guid: &str) -> u64 {
    let body = get_policies(gateway, token, guid).await;
    element_text(&body, "RetryWaitTime").map_or(0, |v| v.parse().expect("a number"))
}

/// Checks every acknowledged write of a storm survived; returns each provider's next value.
async fn assert_acknowledged_writes_kept(
    gateway: &TestGateway,
    token: &str,
    reports: &[WriterReport],
    cycle: usize,
) -> Vec<(String, u64)> {
    let mut next = Vec::new();
    for report in reports {
        assert_eq!(report.unexpected, None, "cycle {cycle}: {report:?}");
        assert!(
            report.acknowledged_writes > 0,
            "cycle {cycle}: no write acknowledged before the kill: {report:?}"
        );
        let stored = stored_retry_wait(gateway, token, &report.guid).await;
        assert!(
            stored == report.acknowledged || Some(stored) == report.unacknowledged,
            "cycle {cycle}: stored RetryWaitTime {stored} after restart, but {report:?}"
        );
        next.push((report.guid.clone(), stored + 1));
    }
    let committed_unacknowledged = reports
        .iter()
        .zip(&next)
        .filter(|(report, (_, following))| following - 1 != report.acknowledged)
        .count();
    eprintln!("cycle {cycle}: {committed_unacknowledged} writes committed whose ack was lost");
    next
}

/// Adds `count` providers through the CLI; returns their GUIDs.
fn add_providers(data_dir: &Path, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            cli(
                data_dir,
                &["provider", "add", &format!("STORM{i:02}")],
                None,
            )
        })
        .collect()
}

/// After the crashes the gateway still lists every provider and takes and returns writes.
async fn assert_serves_normally(gateway: &TestGateway, token: &str, next: &[(String, u64)]) {
    let names = provider_names(gateway, token).await;
    assert_eq!(names.len(), next.len(), "{names:?}");
    for (guid, value) in next {
        set_policies(gateway, token, &set_policies_params(guid, *value, None)).await;
        assert_eq!(stored_retry_wait(gateway, token, guid).await, *value);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_set_policies_storm_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let guids = add_providers(dir.path(), STORM_PROVIDERS);
    let token = operator_token(dir.path());
    let mut next: Vec<(String, u64)> = guids.into_iter().map(|guid| (guid, 1)).collect();
    let mut previous: Option<Vec<WriterReport>> = None;
    for (cycle, delay) in kill_delays(KILL_CYCLES).into_iter().enumerate() {
        let mut gateway = TestGateway::start(dir.path(), &[]);
        if let Some(reports) = &previous {
            next = assert_acknowledged_writes_kept(&gateway, &token, reports, cycle - 1).await;
        }
        previous = Some(storm_then_kill(&mut gateway, &token, &next, delay).await);
    }
    let gateway = TestGateway::start(dir.path(), &[]);
    let reports = previous.expect("at least one cycle");
    let next = assert_acknowledged_writes_kept(&gateway, &token, &reports, KILL_CYCLES - 1).await;
    assert_serves_normally(&gateway, &token, &next).await;
}

fn admin_socket(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.sock")
}

/// Whether the admin socket exists as a socket only its owner may use, and accepts
/// connections (a stale one left by a crash refuses them).
fn admin_socket_live(data_dir: &Path) -> bool {
    let metadata = std::fs::metadata(admin_socket(data_dir)).expect("admin.sock exists");
    assert!(metadata.file_type().is_socket());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    UnixStream::connect(admin_socket(data_dir)).is_ok()
}

// Two workers: `stop()` blocks one while the other answers the gateway's HTTP/2 shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_works_while_the_server_runs_and_is_refused_safely_otherwise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = operator_token(dir.path());
    let mut gateway = TestGateway::start(dir.path(), &[]);
    let live = cli(dir.path(), &["provider", "add", "LIVE01"], None);
    let (status, body) = gateway
        .call(
            "ProviderService",
            "GetProviderNames",
            &token,
            &format!("<ns2:guids><ns3:Item>{live}</ns3:Item></ns2:guids>"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<ns3:Name>LIVE01</ns3:Name>"), "{body}");

    gateway.kill_hard();
    assert!(!admin_socket_live(dir.path()), "a stale socket is left");
    cli(dir.path(), &["provider", "add", "OFFLINE01"], None);
    let mut gateway = TestGateway::start(dir.path(), &[]);
    assert!(
        admin_socket_live(dir.path()),
        "the stale socket is replaced"
    );
    cli(dir.path(), &["provider", "add", "RESTARTED01"], None);
    assert_eq!(
        provider_names(&gateway, &token).await,
        ["LIVE01", "OFFLINE01", "RESTARTED01"]
    );

    // A server holding the database that the CLI cannot reach: refused, nothing written.
    std::fs::remove_file(admin_socket(dir.path())).expect("socket removed");
    let refused = try_cli(dir.path(), &["provider", "add", "ORPHAN01"], None);
    assert!(
        !refused.status.success(),
        "the CLI must not write around the server"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("admin socket"), "{stderr}");
    assert!(
        !provider_names(&gateway, &token)
            .await
            .contains(&"ORPHAN01".to_owned())
    );
    gateway.stop();
}
