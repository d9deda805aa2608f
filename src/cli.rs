//! The command line: `serve`, the administration commands and the forms tools.

pub mod forms;
pub mod oms;
pub mod partner_sim;

use std::io::Read;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::admin::AdminCommand;
use crate::config::ServeArgs;
use echo_domain::account::Role;
use echo_domain::delivery::DeliveryState;

#[derive(Debug, Parser)]
#[command(
    name = "echo-gateway",
    version,
    about = "An order-fulfillment gateway speaking NASA ECHO's SOAP ordering protocol"
)]
pub struct Cli {
    /// TOML configuration file
    #[arg(long, global = true, env = "ECHO_GATEWAY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory holding the database, TLS files and admin socket [default: ./data]
    #[arg(long, global = true, env = "ECHO_GATEWAY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway
    Serve(Box<ServeArgs>),
    /// Manage data partners
    #[command(subcommand)]
    Provider(ProviderCommand),
    /// Manage user accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Issue tokens for scripts
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check ECHO forms and validate option selections offline
    #[command(subcommand)]
    Forms(forms::FormsCommand),
    /// Manage the catalog of orderable items
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Inspect deliveries owed to data partners
    #[command(subcommand)]
    Deliveries(DeliveriesCommand),
    /// Manage order-management systems (the JSON Ordering API)
    #[command(subcommand)]
    Oms(oms::OmsCliCommand),
    /// Run a simulated data partner (OrderFulfillment v9) for demos and tests
    PartnerSim(partner_sim::PartnerSimArgs),
    /// Copy the database consistently into a new file (while the server runs, too)
    Backup { file: PathBuf },
    /// Put a backup into a data directory (--data-dir) that does not exist or is empty
    Restore { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesCommand {
    /// Print deliveries as one JSON object per line, oldest first
    List {
        /// Only this provider's (ID or GUID)
        #[arg(long)]
        provider: Option<String>,
        /// Only deliveries in this state
        #[arg(long, value_parser = parse_delivery_state)]
        state: Option<DeliveryState>,
    },
    /// Print one delivery with its attempt history
    Show { id: u64 },
    /// Try a failed delivery again (a new round of RetryAttempts tries)
    Retry { id: u64 },
}

fn parse_delivery_state(text: &str) -> Result<DeliveryState, String> {
    match text {
        "pending" => Ok(DeliveryState::Pending),
        "failed" => Ok(DeliveryState::Failed),
        "done" => Ok(DeliveryState::Done),
        other => Err(format!(
            "unknown state [{other}]: expected pending, failed or done"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import (add or replace) the items of a catalog file; see README for the format
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Add a provider; prints its GUID
    Add {
        /// Provider ID, e.g. DEV07
        id: String,
        /// ECHO GUID (XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX); generated when omitted
        #[arg(long)]
        guid: Option<String>,
        /// Organisation name
        #[arg(long)]
        name: Option<String>,
    },
    /// Approve the provider's pending pinned SSL certificate
    ApproveCert {
        /// Provider ID or GUID
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints its GUID
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Provider ID (required for the provider role)
        #[arg(long)]
        provider: Option<String>,
        /// ECHO GUID; generated when omitted
        #[arg(long)]
        guid: Option<String>,
        /// Read the password from standard input (one line)
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new token for the user
    Issue {
        name: String,
        /// Lifetime in hours
        #[arg(long, default_value_t = 24)]
        hours: u64,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|e: echo_domain::account::UnknownRole| e.to_string())
}

impl Command {
    /// The administration command this CLI command stands for (`None` for `serve`).
    pub fn admin_command(self) -> Result<Option<AdminCommand>, String> {
        Ok(Some(match self {
            Command::Serve(_)
            | Command::Forms(_)
            | Command::Catalog(_)
            | Command::PartnerSim(_)
            | Command::Restore { .. } => return Ok(None),
            Command::Provider(ProviderCommand::Add { id, guid, name }) => {
                AdminCommand::AddProvider { id, guid, name }
            }
            Command::Provider(ProviderCommand::ApproveCert { id }) => {
                AdminCommand::ApproveCertificate { provider: id }
            }
            Command::User(UserCommand::Add {
                name,
                role,
                provider,
                guid,
                password_stdin,
            }) => AdminCommand::AddUser {
                name,
                role,
                provider,
                guid,
                password: password_stdin.then(read_password).transpose()?,
            },
            Command::Token(TokenCommand::Issue { name, hours }) => {
                AdminCommand::IssueToken { name, hours }
            }
            Command::Deliveries(DeliveriesCommand::List { provider, state }) => {
                AdminCommand::ListDeliveries { provider, state }
            }
            Command::Deliveries(DeliveriesCommand::Show { id }) => {
                AdminCommand::ShowDelivery { id }
            }
            Command::Deliveries(DeliveriesCommand::Retry { id }) => {
                AdminCommand::RetryDelivery { id }
            }
            // The server may run elsewhere than the CLI's working directory.
            Command::Oms(command) => AdminCommand::Oms(command.admin_command()?),
            Command::Backup { file } => AdminCommand::Backup {
                file: std::path::absolute(&file).map_err(|e| format!("{}: {e}", file.display()))?,
            },
        }))
    }
}

fn read_password() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = text.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        return Err("the password read from standard input is empty".into());
    }
    Ok(password)
}
