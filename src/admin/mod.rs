//! Administration commands (providers, users, tokens, certificate approval) shared by the CLI
//! and the running server.
//!
//! The server holds the database open exclusively. A CLI command first tries to open the
//! database itself; if the server has it, the command is sent over the server's admin socket
//! (`<data-dir>/admin.sock`, mode 0600, so only the data directory's owner can use it) and the
//! server executes it. Either way the same [`execute`] runs, so both paths behave the same.

pub mod backup;
pub mod oms;
pub mod socket;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::app::accounts::{self, NewProvider, NewUser};
use crate::app::deliveries;
use crate::app::providers;
use crate::app::{Gateway, ServiceSettings};
use crate::app::{catalog, sessions};
use crate::error::GatewayResult;
use crate::storage::{StorageError, Store};
use echo_domain::account::Role;
use echo_domain::caller::Caller;
use echo_domain::catalog::CatalogItem;
use echo_domain::delivery::DeliveryState;
use echo_domain::guid::Guid;

/// One administration command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AdminCommand {
    AddProvider {
        id: String,
        guid: Option<String>,
        name: Option<String>,
    },
    AddUser {
        name: String,
        role: Role,
        provider: Option<String>,
        guid: Option<String>,
        password: Option<String>,
    },
    IssueToken {
        name: String,
        hours: u64,
    },
    ApproveCertificate {
        provider: String,
    },
    AddCatalogItems {
        items: Vec<CatalogItem>,
    },
    /// Deliveries to partners, one JSON object per line, oldest first.
    ListDeliveries {
        provider: Option<String>,
        state: Option<DeliveryState>,
    },
    /// One delivery with its attempt history (pretty JSON).
    ShowDelivery {
        id: u64,
    },
    /// Starts a new round of tries for a failed delivery.
    RetryDelivery {
        id: u64,
    },
    /// Writes a consistent copy of the database to a new file (an absolute path).
    Backup {
        file: PathBuf,
    },
    /// The registry of order-management systems.
    Oms(oms::OmsCommand),
}

/// Runs a command against the gateway; the text is what the CLI prints.
pub fn execute(gateway: &Gateway, command: AdminCommand) -> GatewayResult<String> {
    let operator = Caller::local_operator();
    match command {
        AdminCommand::AddProvider { id, guid, name } => {
            let new = NewProvider {
                id,
                guid: parse_guid(guid)?,
                display_name: name,
            };
            let provider = accounts::add_provider(gateway, &operator, new)?;
            Ok(provider.guid.to_string())
        }
        AdminCommand::AddUser {
            name,
            role,
            provider,
            guid,
            password,
        } => {
            let new = NewUser {
                name,
                role,
                provider,
                guid: parse_guid(guid)?,
                password,
            };
            Ok(accounts::add_user(gateway, &operator, new)?
                .guid
                .to_string())
        }
        AdminCommand::IssueToken { name, hours } => {
            let lifetime = Duration::from_secs(hours.saturating_mul(3600));
            sessions::issue_token(gateway, &operator, &name, lifetime)
        }
        AdminCommand::ApproveCertificate { provider } => {
            let provider =
                providers::approve_certificate(gateway, &Caller::local_operator(), &provider)?;
            Ok(format!(
                "approved the pending certificate of {}",
                provider.id
            ))
        }
        AdminCommand::ListDeliveries { provider, state } => {
            let lines: Vec<String> = deliveries::list(
                gateway,
                &Caller::local_operator(),
                provider.as_deref(),
                state,
            )?
            .iter()
            .map(|delivery| serde_json::to_string(delivery).unwrap_or_default())
            .collect();
            Ok(lines.join("\n"))
        }
        AdminCommand::ShowDelivery { id } => {
            let delivery = deliveries::show(gateway, &Caller::local_operator(), id)?;
            Ok(serde_json::to_string_pretty(&delivery).unwrap_or_default())
        }
        AdminCommand::RetryDelivery { id } => {
            deliveries::retry(gateway, &Caller::local_operator(), id)?;
            Ok(format!("delivery {id} will be tried again"))
        }
        AdminCommand::Backup { file } => backup::backup(gateway, &file),
        AdminCommand::Oms(command) => oms::execute(gateway, command),
        AdminCommand::AddCatalogItems { items } => Ok(format!(
            "stored {} catalog items",
            catalog::add_items(gateway, &operator, &items)?
        )),
    }
}

/// A GUID given on the command line, if any.
fn parse_guid(guid: Option<String>) -> GatewayResult<Option<Guid>> {
    Ok(guid.as_deref().map(Guid::parse).transpose()?)
}

/// Where CLI commands run: on the database directly when no server has it open, otherwise
/// through the running server's admin socket.
pub enum Session {
    /// Boxed: a gateway is large beside a path.
    Local(Box<Gateway>),
    Remote(PathBuf),
}

impl Session {
    pub fn open(data_dir: &Path) -> Result<Session, String> {
        match Store::open(data_dir) {
            Ok(store) => Ok(Session::Local(Box::new(Gateway::new(
                Arc::new(store),
                ServiceSettings::default(),
            )))),
            Err(StorageError::AlreadyOpen) => Ok(Session::Remote(socket::path(data_dir))),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn run(&self, command: AdminCommand) -> Result<String, String> {
        match self {
            Session::Local(gateway) => execute(gateway, command).map_err(|e| e.to_string()),
            Session::Remote(socket_path) => socket::send(socket_path, &command),
        }
    }
}
