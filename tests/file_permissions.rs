//! Owner-only files: the data directory, the database and the generated TLS key are created
//! so that only their owner can read them, and `serve` refuses a TLS key others can read,
//! saying how to fix it.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{BIN, TestGateway};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_data_dir_database_and_generated_key_are_owner_only() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("new/data");
    let mut gateway = TestGateway::start(&data, &[]);
    gateway.stop();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("echo-gateway.redb")), 0o600);
    assert_eq!(mode(&data.join("tls")), 0o700);
    assert_eq!(mode(&data.join("tls/key.pem")), 0o600);
}

#[test]
fn serve_refuses_a_tls_key_others_can_read() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut gateway = TestGateway::start(root.path(), &[]);
    gateway.stop();
    let key = root.path().join("shared-key.pem");
    std::fs::copy(root.path().join("tls/key.pem"), &key).expect("copied");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(root.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(root.path().join("tls/cert.pem"))
        .arg("--tls-key")
        .arg(&key)
        .stdout(Stdio::null())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains(&format!("chmod 600 {}", key.display())),
        "{said}"
    );
}
