//! The console's live delivery list (`/console/deliveries/events`, server-sent events): the
//! session and the provider scope are checked as for the page, the list is sent as the stream
//! opens, and an open stream ends cleanly on shutdown instead of holding it open.

mod common;

use std::time::Duration;

use common::{TestGateway, cli, tls_client_builder};
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};

const PASSWORD: &str = "staff-password-1";
/// Bounds reading the stream after shutdown was asked for (the shutdown grace is 30 s).
const STREAM_END_LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn the_live_list_is_checked_like_its_page_and_ends_on_shutdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let staff = [
        "user",
        "add",
        "staff_a",
        "--role",
        "provider",
        "--provider",
        "PROV_A",
        "--password-stdin",
    ];
    cli(data, &["provider", "add", "PROV_A"], None);
    cli(data, &["provider", "add", "PROV_B"], None);
    cli(data, &staff, Some(&format!("{PASSWORD}\n")));
    let mut gateway = TestGateway::start(data, &[]);
    let client = tls_client_builder(data)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let events = |provider: &str| {
        format!(
            "{}/console/deliveries/events?provider={provider}",
            gateway.url
        )
    };

    let anonymous = client.get(events("PROV_A")).send().await.expect("answer");
    assert_eq!(anonymous.status(), 303, "no session: sent to sign in");

    let signed_in = client
        .post(format!("{}/console/sign-in", gateway.url))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("username=staff_a&password={PASSWORD}"))
        .send()
        .await
        .expect("answer");
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .expect("ASCII cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();

    let elsewhere = client
        .get(events("PROV_B"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("answer");
    assert_eq!(elsewhere.status(), 403, "another provider's list");

    let mut stream = client
        .get(events("PROV_A"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("answer");
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()[CONTENT_TYPE], "text/event-stream");
    let first = stream
        .chunk()
        .await
        .expect("first event")
        .unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&first).starts_with("event: rows"),
        "{first:?}"
    );

    // Shutdown ends the stream: its body finishes (no reset connection), and the process exits.
    let pid = gateway.pid().expect("running");
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let end = tokio::time::timeout(STREAM_END_LIMIT, async {
        loop {
            match stream.chunk().await {
                Ok(Some(_keep_alive_or_rows)) => continue,
                other => return other.map(|_| ()),
            }
        }
    })
    .await
    .expect("the stream ends after shutdown was asked for");
    assert!(end.is_ok(), "the stream ended cleanly: {end:?}");
    gateway.stop();
}
