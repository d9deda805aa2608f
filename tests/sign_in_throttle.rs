//! Sign-in throttling on the real process: failures lock an account, delays follow the free
//! failures, a success resets the account, and one address is limited across accounts.
//! Refused attempts are proven not to hash by the verification counter in `/metrics`.

mod common;

use common::{TestGateway, cli, element_text, envelope};

/// Creates user `name` with password `pw`.
fn add_user(dir: &std::path::Path, name: &str) {
    cli(
        dir,
        &["user", "add", name, "--role", "user", "--password-stdin"],
        Some("pw\n"),
    );
}

/// Signs in; returns the fault's ErrorCode, or `None` on success.
async fn login(gateway: &TestGateway, username: &str, password: &str) -> Option<String> {
    let params =
        format!("<ns2:username>{username}</ns2:username><ns2:password>{password}</ns2:password>");
    let (status, body) = gateway
        .soap("AuthenticationService", &envelope("Login", &params))
        .await;
    if status == 200 {
        assert!(element_text(&body, "result").is_some(), "a token: {body}");
        return None;
    }
    Some(
        element_text(&body, "ErrorCode")
            .expect("an ErrorCode")
            .to_owned(),
    )
}

/// Argon2 verifications the gateway has run.
async fn verifications(gateway: &TestGateway) -> u64 {
    let text = gateway
        .client
        .get(format!("{}/metrics", gateway.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|line| line.strip_prefix("echo_gateway_password_verifications_total "))
        .and_then(|value| value.trim().parse().ok())
        .expect("the verification counter")
}

fn code(value: &str) -> Option<String> {
    Some(value.to_owned())
}

#[tokio::test]
async fn failures_lock_the_account_without_hashing() {
    let dir = tempfile::tempdir().expect("temp dir");
    add_user(dir.path(), "alice");
    add_user(dir.path(), "bob");
    let flags = ["--sign-in-lock-after", "3", "--sign-in-delay-seconds", "0"];
    let gateway = TestGateway::start(dir.path(), &flags);
    for _ in 0..3 {
        assert_eq!(
            login(&gateway, "alice", "wrong").await,
            code("InvalidCredentials")
        );
    }
    let hashed = verifications(&gateway).await;
    assert_eq!(hashed, 3);
    for password in ["pw", "wrong", "pw"] {
        assert_eq!(
            login(&gateway, "alice", password).await,
            code("SignInLocked")
        );
    }
    assert_eq!(
        verifications(&gateway).await,
        hashed,
        "locked attempts hash nothing"
    );
    assert_eq!(
        login(&gateway, "bob", "pw").await,
        None,
        "other accounts sign in"
    );
}

#[tokio::test]
async fn failures_beyond_the_free_ones_delay_the_next_attempt() {
    let dir = tempfile::tempdir().expect("temp dir");
    add_user(dir.path(), "alice");
    // A long first delay, so that the next attempt surely comes within it.
    let gateway = TestGateway::start(dir.path(), &["--sign-in-delay-seconds", "600"]);
    for _ in 0..3 {
        assert_eq!(
            login(&gateway, "alice", "wrong").await,
            code("InvalidCredentials")
        );
    }
    let hashed = verifications(&gateway).await;
    assert_eq!(login(&gateway, "alice", "pw").await, code("SignInDelayed"));
    assert_eq!(
        verifications(&gateway).await,
        hashed,
        "delayed attempts hash nothing"
    );
}

#[tokio::test]
async fn a_success_resets_the_account() {
    let dir = tempfile::tempdir().expect("temp dir");
    add_user(dir.path(), "alice");
    let flags = ["--sign-in-lock-after", "3", "--sign-in-delay-seconds", "0"];
    let gateway = TestGateway::start(dir.path(), &flags);
    for _ in 0..2 {
        for _ in 0..2 {
            assert_eq!(
                login(&gateway, "alice", "wrong").await,
                code("InvalidCredentials")
            );
        }
        assert_eq!(login(&gateway, "alice", "pw").await, None);
    }
}

#[tokio::test]
async fn one_address_is_limited_across_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    add_user(dir.path(), "alice");
    let flags = [
        "--sign-in-address-lock-after",
        "3",
        "--sign-in-delay-seconds",
        "0",
    ];
    let gateway = TestGateway::start(dir.path(), &flags);
    for name in ["carol", "dave", "erin"] {
        assert_eq!(
            login(&gateway, name, "guess").await,
            code("InvalidCredentials")
        );
    }
    let hashed = verifications(&gateway).await;
    assert_eq!(login(&gateway, "alice", "pw").await, code("SignInLocked"));
    assert_eq!(
        verifications(&gateway).await,
        hashed,
        "locked attempts hash nothing"
    );
}
