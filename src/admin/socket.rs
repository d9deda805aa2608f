//! The admin socket: a Unix socket in the data directory through which the CLI reaches a
//! running server. One JSON request line, one JSON reply line per connection.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

use super::{AdminCommand, execute};
use crate::app::Gateway;
use crate::shutdown::Shutdown;

/// Large enough for a batch of catalog items with their metadata.
const MAX_REQUEST_BYTES: u64 = 64 << 20;

#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Ok(String),
    Failed(String),
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.sock")
}

/// Binds the socket (replacing a stale one left by a crash), readable by the owner only.
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(listener)
}

/// Serves admin requests until shutdown.
pub async fn serve(listener: UnixListener, gateway: Arc<Gateway>, mut shutdown: Shutdown) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "admin socket accept failed");
                    continue;
                }
            },
            _ = shutdown.wait() => return,
        };
        let gateway = gateway.clone();
        tokio::spawn(async move {
            if let Err(error) = answer(stream, gateway).await {
                tracing::warn!(%error, "admin request failed");
            }
        });
    }
}

async fn answer(stream: UnixStream, gateway: Arc<Gateway>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::io::BufReader::new(read.take(MAX_REQUEST_BYTES))
        .read_line(&mut line)
        .await?;
    let reply = match serde_json::from_str::<AdminCommand>(&line) {
        Ok(command) => {
            let done = tokio::task::spawn_blocking(move || execute(&gateway, command)).await;
            match done {
                Ok(Ok(output)) => Reply::Ok(output),
                Ok(Err(error)) => Reply::Failed(error.to_string()),
                Err(error) => Reply::Failed(error.to_string()),
            }
        }
        Err(error) => Reply::Failed(format!("unreadable admin request: {error}")),
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_else(|_| "\"Failed\"".into());
    text.push('\n');
    write.write_all(text.as_bytes()).await
}

/// Sends one command to a running server and returns its answer.
pub fn send(path: &Path, command: &AdminCommand) -> Result<String, String> {
    let unreachable = |e: std::io::Error| {
        format!(
            "the database is in use but the server's admin socket {} is unreachable: {e}",
            path.display()
        )
    };
    let mut stream = std::os::unix::net::UnixStream::connect(path).map_err(unreachable)?;
    let mut request = serde_json::to_string(command).map_err(|e| e.to_string())?;
    request.push('\n');
    stream.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(unreachable)?;
    match serde_json::from_str(&line).map_err(|e| e.to_string())? {
        Reply::Ok(output) => Ok(output),
        Reply::Failed(error) => Err(error),
    }
}
