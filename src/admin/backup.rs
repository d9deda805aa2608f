//! `echo-gateway backup <FILE>`: a consistent copy of the database, taken by the running
//! server (through the admin socket) or directly when it is stopped (see `storage::backup`).

use std::path::Path;

use crate::app::Gateway;
use crate::error::GatewayResult;

pub fn backup(gateway: &Gateway, file: &Path) -> GatewayResult<String> {
    let copied = gateway.store.backup(file)?;
    Ok(format!(
        "backed up {} records of {} tables to {}",
        copied.records,
        copied.tables,
        file.display()
    ))
}
