//! Messages on projects and project items. Any OMS with a role reads them all (`user_direct`
//! content obfuscated); writing follows the notes' table of scope × author role. A public
//! message of the provider OMS on a project item is also appended to the provider order's
//! StatusMessage, so ECHO clients see it; internal ones never reach ECHO clients.

use super::administered_oms;
use super::feed::{OBFUSCATED, readable_item, readable_project};
use crate::app::Gateway;
use crate::app::orders::name_missing_order;
use crate::error::{GatewayError, GatewayResult, RequestError};
use crate::storage::{ChangeOrigin, OrderChange, now_micros};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::oms::{AuthorRole, MessageScope, Oms, OmsError, Roles, may_write_message};
use echo_domain::oms_feed::{Author, Message};
use echo_domain::order::{ProviderOrderKey, ProviderReport, ReportedChange};
use echo_domain::timestamp::Timestamp;

/// The longest message content accepted, in characters.
pub const MAX_CONTENT: usize = 10_000;

pub struct NewMessage {
    pub project_id: u64,
    pub project_item_id: Option<u64>,
    pub author: Author,
    pub content: String,
    pub scope: MessageScope,
}

pub fn list(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    project: u64,
    item: Option<u64>,
    from: u64,
    limit: usize,
) -> GatewayResult<Vec<Message>> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    target(gateway, &all, &oms, project, item)?;
    let mut found = Vec::new();
    let mut next = from;
    while found.len() < limit {
        let batch = gateway.store.oms_messages_from(next, 256)?;
        let Some(last) = batch.last() else { break };
        next = last.id + 1;
        let wanted = batch
            .into_iter()
            .filter(|m| m.project_id == project && (item.is_none() || m.project_item_id == item));
        found.extend(wanted.map(obfuscated));
        found.truncate(limit);
    }
    Ok(found)
}

pub fn get(gateway: &Gateway, caller: &Caller, oms: u64, id: u64) -> GatewayResult<Message> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    let message = stored(gateway, id)?;
    target(
        gateway,
        &all,
        &oms,
        message.project_id,
        message.project_item_id,
    )?;
    Ok(obfuscated(message))
}

pub fn create(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    new: NewMessage,
) -> GatewayResult<Message> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    check_content(&new.content)?;
    let (roles, providers) = target(gateway, &all, &oms, new.project_id, new.project_item_id)?;
    let on_item = new.project_item_id.is_some();
    if !may_write_message(roles, new.scope, new.author.role, on_item) {
        return Err(not_allowed(new.scope, new.author.role));
    }
    let now = now_micros();
    let message = Message {
        id: 0,
        project_id: new.project_id,
        project_item_id: new.project_item_id,
        author: new.author,
        content: new.content,
        scope: new.scope,
        oms: oms.id,
        created_micros: now,
        updated_micros: now,
    };
    let to_echo = (message.scope == MessageScope::Public
        && message.author.role == AuthorRole::Provider)
        .then(|| providers.first().cloned())
        .flatten()
        .filter(|_| on_item);
    let order = gateway
        .store
        .oms_project(message.project_id)?
        .ok_or_else(|| GatewayError::not_found("Project", message.project_id.to_string()))?;
    let stored = gateway.store.oms_write(oms.id, |write| {
        let stored = write.put_message(message.clone(), &providers)?;
        if let Some(provider) = to_echo.clone() {
            let key = ProviderOrderKey {
                order_guid: order.clone(),
                provider_guid: provider,
            };
            append_status_line(write, caller, &key, &stored.content)?;
        }
        Ok::<_, GatewayError>(stored)
    })?;
    Ok(obfuscated(stored))
}

/// Changes a message's content; only the OMS that wrote it may.
pub fn update(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    id: u64,
    content: String,
) -> GatewayResult<Message> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    check_content(&content)?;
    let mut message = stored(gateway, id)?;
    let (_, providers) = target(
        gateway,
        &all,
        &oms,
        message.project_id,
        message.project_item_id,
    )?;
    if message.oms != oms.id {
        return Err(not_allowed(message.scope, message.author.role));
    }
    message.content = content;
    message.updated_micros = now_micros();
    let stored = gateway.store.oms_write(oms.id, |write| {
        write.put_message(message.clone(), &providers)
    })?;
    Ok(obfuscated(stored))
}

/// The roles of `oms` on a message's project or item, and the providers of what it is on.
fn target(
    gateway: &Gateway,
    all: &[Oms],
    oms: &Oms,
    project: u64,
    item: Option<u64>,
) -> GatewayResult<(Roles, Vec<Guid>)> {
    match item {
        Some(item) => {
            let (view, roles) = readable_item(gateway, all, oms, project, item)?;
            Ok((roles, vec![view.provider_order.key.provider_guid]))
        }
        None => {
            let (view, roles) = readable_project(gateway, all, oms, project)?;
            let providers = view
                .order
                .provider_orders()
                .iter()
                .map(|p| p.key.provider_guid.clone())
                .collect();
            Ok((roles, providers))
        }
    }
}

/// Appends a public message to the provider order's StatusMessage.
fn append_status_line(
    write: &crate::storage::OmsWrite<'_>,
    caller: &Caller,
    key: &ProviderOrderKey,
    content: &str,
) -> GatewayResult<()> {
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "PostMessage",
        oms: None,
    };
    let report = ProviderReport::new(ReportedChange::Nothing, content);
    let guid = key.order_guid.as_str();
    write
        .update_order(guid, origin, |mut order| {
            // A repeat of the last line changes nothing; committing the unchanged order is
            // harmless.
            order.apply_report(&key.provider_guid, &report, Timestamp::now())?;
            Ok::<_, GatewayError>(OrderChange {
                order,
                deliveries: Vec::new(),
            })
        })
        .map_err(|error| name_missing_order(error, guid))
}

fn stored(gateway: &Gateway, id: u64) -> GatewayResult<Message> {
    gateway
        .store
        .oms_message(id)?
        .ok_or_else(|| GatewayError::not_found("Message", id.to_string()))
}

fn check_content(content: &str) -> GatewayResult<()> {
    if content.trim().is_empty() || content.chars().count() > MAX_CONTENT {
        return Err(RequestError::Invalid {
            element: "content".into(),
            value: format!("{} characters", content.chars().count()),
            expected: "1 to 10000 characters",
        }
        .into());
    }
    Ok(())
}

fn not_allowed(scope: MessageScope, author: AuthorRole) -> GatewayError {
    let scope = match scope {
        MessageScope::Public => "public",
        MessageScope::Internal => "internal",
        MessageScope::UserDirect => "user_direct",
    };
    let author = match author {
        AuthorRole::User => "user",
        AuthorRole::Provider => "provider",
        AuthorRole::Mediator => "mediator",
    };
    OmsError::MessageNotAllowed { scope, author }.into()
}

fn obfuscated(mut message: Message) -> Message {
    if message.scope == MessageScope::UserDirect {
        message.content = OBFUSCATED.to_owned();
    }
    message
}
