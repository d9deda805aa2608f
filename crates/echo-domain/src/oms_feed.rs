//! What an OMS's event feed and message board hold: events (a project, project item or message
//! created or updated) with their per-OMS sequence and the OMS whose write caused them, and
//! messages on a project or project item.

use serde::{Deserialize, Serialize};

use crate::oms::{AuthorRole, MessageScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Project,
    ProjectItem,
    Message,
}

/// One changed field of an update event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// An event as it enters feeds (before a sequence is assigned per OMS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventType,
    pub resource: Resource,
    pub project_id: u64,
    pub project_item_id: Option<u64>,
    pub message_id: Option<u64>,
    pub changes: Vec<FieldChange>,
}

/// An event in one OMS's feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEvent {
    /// 1, 2, 3, … per OMS, in the order events entered its feed, without gaps.
    pub sequence: u64,
    /// Microseconds since the Unix epoch, strictly increasing within one feed.
    pub micros: i64,
    /// The OMS whose write caused it (`None`: ECHO clients, partners, operators).
    pub origin: Option<u64>,
    pub event: Event,
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub uid: Option<String>,
    pub email: String,
    pub name: String,
    pub role: AuthorRole,
}

/// A message on a project or one of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: u64,
    pub project_id: u64,
    pub project_item_id: Option<u64>,
    pub author: Author,
    pub content: String,
    pub scope: MessageScope,
    /// The OMS that wrote it.
    pub oms: u64,
    pub created_micros: i64,
    pub updated_micros: i64,
}

/// The durable trigger state of one OMS: a trigger is owed while `requested` (the newest
/// sequence that asked for one) is beyond `delivered` (the newest a successful call covered).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerState {
    pub requested: u64,
    pub delivered: u64,
    /// Failed calls since the last success.
    pub attempts: u32,
    /// Microseconds since the epoch before which no call is made (backoff).
    pub not_before_micros: i64,
    /// The retry limit was reached; cleared by the next success.
    pub failing: bool,
    pub last_error: Option<String>,
}

impl TriggerState {
    pub fn pending(&self) -> bool {
        self.requested > self.delivered
    }
}
