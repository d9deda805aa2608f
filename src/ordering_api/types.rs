//! The JSON bodies of the Ordering API, field for field as the EOSC schemas (see the notes
//! and `openapi.json`): responses built from the application layer's views, requests that
//! refuse unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::app::oms::feed::{ItemView, OBFUSCATED, ProjectView};
use echo_domain::oms::{
    AuthorRole, MessageScope, Oms, OmsType, StatusType, TriggerMethod, status_type,
};
use echo_domain::oms_feed::{Author, EventType, FeedEvent, FieldChange, Message, Resource};

#[derive(Serialize)]
pub struct OmsBody {
    id: u64,
    name: String,
    #[serde(rename = "type")]
    oms_type: OmsType,
    default: bool,
    custom_params: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger: Option<TriggerBody>,
}

#[derive(Serialize)]
struct TriggerBody {
    url: String,
    method: TriggerMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<Value>,
}

impl From<&Oms> for OmsBody {
    fn from(oms: &Oms) -> Self {
        OmsBody {
            id: oms.id,
            name: oms.name.clone(),
            oms_type: oms.oms_type,
            default: oms.default,
            custom_params: Map::new(),
            trigger: oms.trigger.as_ref().map(|t| TriggerBody {
                url: t.url.clone(),
                method: t.method,
                // The password never leaves the gateway.
                authorization: t
                    .authorization
                    .as_ref()
                    .map(|a| json!({"type": "basic", "user": a.user, "password": OBFUSCATED})),
            }),
        }
    }
}

#[derive(Serialize)]
pub struct EventBody {
    timestamp: String,
    #[serde(rename = "type")]
    kind: EventType,
    resource: Resource,
    project_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_item_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<FieldChange>,
}

impl From<FeedEvent> for EventBody {
    fn from(entry: FeedEvent) -> Self {
        let event = entry.event;
        EventBody {
            timestamp: micros_text(entry.micros),
            kind: event.kind,
            resource: event.resource,
            project_id: event.project_id,
            project_item_id: event.project_item_id,
            message_id: event.message_id,
            changes: event.changes,
        }
    }
}

/// A project: the order's owner and state.
pub fn project(view: &ProjectView) -> Value {
    let order = &view.order;
    let contact = order.user_information().contact_address.as_ref();
    let text = |value: Option<&String>| value.cloned().unwrap_or_default();
    let owner = json!({
        "uid": order.owner_guid.to_string(),
        "email": text(contact.and_then(|c| c.email.as_ref())),
        "name": view.owner.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        "first_name": text(contact.and_then(|c| c.first_name.as_ref())),
        "last_name": text(contact.and_then(|c| c.last_name.as_ref())),
    });
    json!({
        "id": view.id,
        "owner": owner,
        "project_items": view.items,
        "attributes": {
            "order_guid": order.guid.to_string(),
            "state": order.state().wire_name(),
            "creation_date": order.creation_date.to_echo_string(),
            "submission_date": order.submission_date.map(|d| d.to_echo_string()),
            "user_domain": order.user_information().user_domain,
            "user_region": order.user_information().user_region,
        },
    })
}

/// A project item: the provider order with its items.
pub fn project_item(view: &ItemView) -> Value {
    let provider_order = &view.provider_order;
    let state = provider_order.state();
    json!({
        "id": view.id,
        "project_id": view.project_id,
        "status": {"value": state.wire_name(), "type": status_type(state)},
        "attributes": {
            "order_guid": provider_order.key.order_guid.to_string(),
            "provider": view.provider_id,
            "provider_guid": provider_order.key.provider_guid.to_string(),
            "tracking_id": provider_order.provider_tracking_id,
            "status_message": provider_order.status().to_echo_string(),
            "items": view.items,
        },
        "user_secrets": view.user_secrets,
        "oms_params": {},
    })
}

#[derive(Serialize)]
pub struct MessageBody {
    id: u64,
    author: AuthorBody,
    content: String,
    scope: MessageScope,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
    email: String,
    name: String,
    role: AuthorRole,
}

impl From<AuthorBody> for Author {
    fn from(body: AuthorBody) -> Self {
        Author {
            uid: body.uid,
            email: body.email,
            name: body.name,
            role: body.role,
        }
    }
}

impl From<Message> for MessageBody {
    fn from(message: Message) -> Self {
        MessageBody {
            id: message.id,
            author: AuthorBody {
                uid: message.author.uid,
                email: message.author.email,
                name: message.author.name,
                role: message.author.role,
            },
            content: message.content,
            scope: message.scope,
            created_at: micros_text(message.created_micros),
            updated_at: micros_text(message.updated_micros),
        }
    }
}

/// PATCH of a project item.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    pub status: Option<StatusBody>,
    pub user_secrets: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub value: String,
    #[serde(rename = "type")]
    pub status_type: StatusType,
}

/// POST of a message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageCreate {
    pub project_id: u64,
    pub project_item_id: Option<u64>,
    pub author: AuthorBody,
    pub content: String,
    pub scope: MessageScope,
}

/// PATCH of a message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageUpdate {
    pub content: String,
}

/// `2021-04-07T15:31:46.123456Z`.
pub fn micros_text(micros: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000000Z".to_owned())
}
