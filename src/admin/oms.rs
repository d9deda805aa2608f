//! `echo-gateway oms …`: the operator's registry of order-management systems.

use serde::{Deserialize, Serialize};

use crate::app::Gateway;
use crate::app::oms;
/// The CLI builds `oms add` as the app layer's registration.
pub use crate::app::oms::Registration;
use crate::error::GatewayResult;
use echo_domain::caller::Caller;

/// One OMS registry command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OmsCommand {
    Add(Registration),
    List,
    Show {
        id: u64,
    },
    /// Attach (`attach` true) or detach a provider.
    Attach {
        id: u64,
        provider: String,
        attach: bool,
    },
    Remove {
        id: u64,
    },
}

/// Runs an OMS command as the local operator; the text is what the CLI prints. `add` prints
/// the new id and, when a trigger is set, the signing secret on a second line (shown once).
pub fn execute(gateway: &Gateway, command: OmsCommand) -> GatewayResult<String> {
    let operator = Caller::local_operator();
    match command {
        OmsCommand::Add(registration) => {
            let (stored, secret) = oms::add(gateway, &operator, registration)?;
            Ok(match secret {
                Some(secret) => format!("{}\n{secret}", stored.id),
                None => stored.id.to_string(),
            })
        }
        OmsCommand::List => {
            let lines: Vec<String> = oms::list(gateway, &operator)?
                .iter()
                .map(|status| serde_json::to_string(status).unwrap_or_default())
                .collect();
            Ok(lines.join("\n"))
        }
        OmsCommand::Show { id } => Ok(serde_json::to_string_pretty(&oms::show(
            gateway, &operator, id,
        )?)
        .unwrap_or_default()),
        OmsCommand::Attach {
            id,
            provider,
            attach,
        } => {
            oms::attach(gateway, &operator, id, &provider, attach)?;
            let verb = if attach {
                "attached to"
            } else {
                "detached from"
            };
            Ok(format!("provider {provider} {verb} OMS {id}"))
        }
        OmsCommand::Remove { id } => {
            oms::remove(gateway, &operator, id)?;
            Ok(format!("removed OMS {id}"))
        }
    }
}
