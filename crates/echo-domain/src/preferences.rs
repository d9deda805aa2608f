//! A user's ordering preferences: the contact orders default to and how much order mail
//! they want (ECHO's `order_notification_level`, e.g. `INFO`, `NONE`).

use serde::{Deserialize, Serialize};

use crate::order::Contact;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub general_contact: Option<Contact>,
    pub order_notification_level: Option<String>,
}
