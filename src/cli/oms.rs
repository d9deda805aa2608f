//! `echo-gateway oms add|list|show|attach|detach|remove`: the command-line side of the OMS
//! registry (see `admin::oms`).

use clap::Subcommand;

use crate::admin::oms::{OmsCommand, Registration};
use echo_domain::oms::{BasicAuthorization, OmsType, TriggerMethod};

#[derive(Debug, Subcommand)]
pub enum OmsCliCommand {
    /// Register an OMS; prints its id, and its trigger signing secret (whsec_…) once
    Add {
        name: String,
        /// global, provider_group or resource_dedicated
        #[arg(long = "type", value_parser = parse_type)]
        oms_type: OmsType,
        /// The default OMS: mediator of every project, secondary of every item
        #[arg(long)]
        default: bool,
        /// A provider (ID or GUID) whose provider orders this OMS handles; repeatable
        #[arg(long = "provider")]
        providers: Vec<String>,
        /// A user who may use this OMS through the API; repeatable
        #[arg(long = "admin")]
        admins: Vec<String>,
        /// URL called when something visible to the OMS changes
        #[arg(long)]
        trigger_url: Option<String>,
        /// get, post or put [default: post]
        #[arg(long, value_parser = parse_method, requires = "trigger_url")]
        trigger_method: Option<TriggerMethod>,
        /// Basic authorization user sent with triggers (password from standard input)
        #[arg(long, requires = "trigger_url")]
        trigger_basic_user: Option<String>,
    },
    /// Print every OMS as one JSON object per line
    List,
    /// Print one OMS with its trigger state
    Show { id: u64 },
    /// Make the OMS the primary OMS of a provider's orders
    Attach {
        id: u64,
        #[arg(long)]
        provider: String,
    },
    /// Detach a provider from the OMS
    Detach {
        id: u64,
        #[arg(long)]
        provider: String,
    },
    /// Remove an OMS from the registry
    Remove { id: u64 },
}

impl OmsCliCommand {
    pub fn admin_command(self) -> Result<OmsCommand, String> {
        Ok(match self {
            OmsCliCommand::Add {
                name,
                oms_type,
                default,
                providers,
                admins,
                trigger_url,
                trigger_method,
                trigger_basic_user,
            } => {
                let authorization = trigger_basic_user
                    .map(|user| {
                        super::read_password().map(|password| BasicAuthorization { user, password })
                    })
                    .transpose()?;
                let method = trigger_method.unwrap_or(TriggerMethod::Post);
                OmsCommand::Add(Registration {
                    name,
                    oms_type,
                    default,
                    providers,
                    admins,
                    trigger: trigger_url.map(|url| (url, method, authorization)),
                })
            }
            OmsCliCommand::List => OmsCommand::List,
            OmsCliCommand::Show { id } => OmsCommand::Show { id },
            OmsCliCommand::Attach { id, provider } => OmsCommand::Attach {
                id,
                provider,
                attach: true,
            },
            OmsCliCommand::Detach { id, provider } => OmsCommand::Attach {
                id,
                provider,
                attach: false,
            },
            OmsCliCommand::Remove { id } => OmsCommand::Remove { id },
        })
    }
}

fn parse_type(text: &str) -> Result<OmsType, String> {
    match text {
        "global" => Ok(OmsType::Global),
        "provider_group" => Ok(OmsType::ProviderGroup),
        "resource_dedicated" => Ok(OmsType::ResourceDedicated),
        other => Err(format!(
            "unknown type [{other}]: expected global, provider_group or resource_dedicated"
        )),
    }
}

fn parse_method(text: &str) -> Result<TriggerMethod, String> {
    match text {
        "get" => Ok(TriggerMethod::Get),
        "post" => Ok(TriggerMethod::Post),
        "put" => Ok(TriggerMethod::Put),
        other => Err(format!(
            "unknown method [{other}]: expected get, post or put"
        )),
    }
}
