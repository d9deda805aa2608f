//! The server's TLS identity: a PEM certificate and key given by the operator, or a
//! self-signed pair generated on first start and kept in the data directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;

use crate::private_files;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Whether a request arrived over TLS (`"https"`) or not; the listener attaches it to every
/// request, handlers read it to build absolute URLs and to mark cookies `Secure`.
#[derive(Clone, Copy, Debug)]
pub struct Scheme(pub &'static str);

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("certificate generation failed: {0}")]
    Generate(String),
    #[error("TLS configuration: {0}")]
    Config(String),
    #[error(
        "the TLS private key {path} is readable by group or others (mode {mode:03o}); make it owner-only: chmod 600 {path}"
    )]
    SharedKey { path: String, mode: u32 },
}

/// Installs the process-wide crypto provider (ring). Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Where the generated self-signed pair lives inside a data directory.
pub fn generated_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("tls");
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// Builds the rustls configuration from explicit files, or from the generated pair (created
/// when missing).
pub fn server_config(
    data_dir: &Path,
    explicit: Option<(&Path, &Path)>,
) -> Result<Arc<ServerConfig>, TlsSetupError> {
    let (cert_path, key_path) = match explicit {
        Some((cert, key)) => (cert.to_path_buf(), key.to_path_buf()),
        None => {
            let (cert, key) = generated_paths(data_dir);
            if !cert.exists() || !key.exists() {
                generate_self_signed(&cert, &key)?;
            }
            (cert, key)
        }
    };
    refuse_shared_key(&key_path)?;
    let certs = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| file_error(&cert_path, e))?;
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| file_error(&key_path, e))?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| TlsSetupError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn generate_self_signed(cert_path: &Path, key_path: &Path) -> Result<(), TlsSetupError> {
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| TlsSetupError::Generate(e.to_string()))?;
    if let Some(dir) = cert_path.parent() {
        private_files::create_dir(dir).map_err(|e| file_error(dir, e))?;
    }
    write_private(key_path, generated.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(cert_path, generated.cert.pem()).map_err(|e| file_error(cert_path, e))?;
    tracing::info!(certificate = %cert_path.display(), "generated a self-signed TLS certificate");
    Ok(())
}

/// Writes a file readable only by its owner.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), TlsSetupError> {
    let mut file = private_files::open_file(path, true).map_err(|e| file_error(path, e))?;
    file.write_all(contents).map_err(|e| file_error(path, e))
}

/// A private key others can read is no longer private: refuse it rather than serve with it.
fn refuse_shared_key(path: &Path) -> Result<(), TlsSetupError> {
    match private_files::shared_mode(path).map_err(|e| file_error(path, e))? {
        Some(mode) => Err(TlsSetupError::SharedKey {
            path: path.display().to_string(),
            mode,
        }),
        None => Ok(()),
    }
}

fn file_error(path: &Path, error: impl std::fmt::Display) -> TlsSetupError {
    TlsSetupError::File {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}
