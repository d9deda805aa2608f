//! Administration commands (providers, users, tokens, certificate approval) shared by the CLI
//! and the running server.
//!
//! The server holds the database open exclusively. A CLI command first tries to open the
//! database itself; if the server has it, the command is sent over the server's admin socket
//! (`<data-dir>/admin.sock`, mode 0600, so only the data directory's owner can use it) and the
//! server executes it. Either way the same [`execute`] runs, so both paths behave the same.

pub mod oms;
pub mod socket;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::app::deliveries;
use crate::app::providers;
use crate::app::{Gateway, ServiceSettings};
use crate::credentials;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::catalog;
use crate::storage::{StorageError, Store};
use echo_domain::account::{Role, User, validate_membership, validate_name};
use echo_domain::caller::Caller;
use echo_domain::catalog::CatalogItem;
use echo_domain::delivery::DeliveryState;
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

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
    /// The registry of order-management systems.
    Oms(oms::OmsCommand),
}

/// Runs a command against the gateway; the text is what the CLI prints.
pub fn execute(gateway: &Gateway, command: AdminCommand) -> GatewayResult<String> {
    match command {
        AdminCommand::AddProvider { id, guid, name } => {
            validate_name(&id)?;
            let guid = guid
                .as_deref()
                .map(Guid::parse)
                .transpose()?
                .unwrap_or_else(Guid::random);
            Ok(gateway
                .store
                .add_provider(&id, guid, name)?
                .guid
                .to_string())
        }
        AdminCommand::AddUser {
            name,
            role,
            provider,
            guid,
            password,
        } => add_user(gateway, name, role, provider, guid, password),
        AdminCommand::IssueToken { name, hours } => {
            let user = gateway
                .store
                .user_by_name(&name)?
                .ok_or_else(|| GatewayError::not_found("User", name))?;
            gateway.issue_token(&user, None, Duration::from_secs(hours.saturating_mul(3600)))
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
            let lines: Vec<String> = deliveries::list(gateway, provider.as_deref(), state)?
                .iter()
                .map(|delivery| serde_json::to_string(delivery).unwrap_or_default())
                .collect();
            Ok(lines.join("\n"))
        }
        AdminCommand::ShowDelivery { id } => {
            let delivery = deliveries::show(gateway, id)?;
            Ok(serde_json::to_string_pretty(&delivery).unwrap_or_default())
        }
        AdminCommand::RetryDelivery { id } => {
            deliveries::retry(gateway, id)?;
            Ok(format!("delivery {id} will be tried again"))
        }
        AdminCommand::Oms(command) => oms::execute(gateway, command),
        AdminCommand::AddCatalogItems { items } => Ok(format!(
            "stored {} catalog items",
            catalog::store_items(gateway, &items)?
        )),
    }
}

fn add_user(
    gateway: &Gateway,
    name: String,
    role: Role,
    provider: Option<String>,
    guid: Option<String>,
    password: Option<String>,
) -> GatewayResult<String> {
    validate_name(&name)?;
    let provider = provider
        .map(|p| gateway.find_provider(&p).map(|found| found.guid))
        .transpose()?;
    validate_membership(role, provider.as_ref())?;
    let password_hash = password
        .map(|p| credentials::hash_password(&p))
        .transpose()?;
    let user = User {
        guid: guid
            .as_deref()
            .map(Guid::parse)
            .transpose()?
            .unwrap_or_else(Guid::random),
        name,
        role,
        provider,
        password_hash,
        created: Timestamp::now(),
    };
    gateway.store.add_user(&user)?;
    Ok(user.guid.to_string())
}

/// Where CLI commands run: on the database directly when no server has it open, otherwise
/// through the running server's admin socket.
pub enum Session {
    Local(Gateway),
    Remote(PathBuf),
}

impl Session {
    pub fn open(data_dir: &Path) -> Result<Session, String> {
        match Store::open(data_dir) {
            Ok(store) => Ok(Session::Local(Gateway::new(
                Arc::new(store),
                ServiceSettings::default(),
            ))),
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
