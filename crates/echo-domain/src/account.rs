//! Accounts: data partners (providers) and the users who act as clients, provider staff or
//! operators.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::timestamp::Timestamp;

/// A data partner known to the gateway, e.g. ID `DEV07`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub guid: Guid,
    /// The short provider ID ECHO shows as the provider's Name (e.g. `DEV07`).
    pub id: String,
    /// A longer organisation name, for people.
    pub display_name: Option<String>,
    /// Order of creation; provider listings follow it.
    pub sequence: u64,
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Orders data for themselves.
    User,
    /// Staff of one data partner.
    Provider,
    /// Runs the gateway; may act on everything.
    Operator,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role [{0}]: expected user, provider or operator")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user" => Ok(Role::User),
            "provider" => Ok(Role::Provider),
            "operator" => Ok(Role::Operator),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::User => "user",
            Role::Provider => "provider",
            Role::Operator => "operator",
        })
    }
}

/// A user account. Provider-role users belong to exactly one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub guid: Guid,
    pub name: String,
    pub role: Role,
    pub provider: Option<Guid>,
    /// PHC-format Argon2id hash; `None` for accounts that only use issued tokens.
    pub password_hash: Option<String>,
    pub created: Timestamp,
}

/// Reasons an account cannot be created as asked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("a provider-role user must name the provider it belongs to (--provider)")]
    ProviderRequired,
    #[error("only provider-role users belong to a provider")]
    ProviderNotAllowed,
    #[error("[{0}] is not a valid name: use 1 to 80 letters, digits, '_', '-', '.' or '@'")]
    InvalidName(String),
    #[error("[{0}] is reserved for guest sign-in")]
    ReservedName(String),
}

/// The user name a guest signs in with (ECHO's guest convention); no account may take it.
pub const GUEST_USER_NAME: &str = "guest";

/// Checks a user or provider name: short, printable, no spaces, not the guest name.
pub fn validate_name(name: &str) -> Result<(), AccountError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@');
    if name.eq_ignore_ascii_case(GUEST_USER_NAME) {
        Err(AccountError::ReservedName(name.to_owned()))
    } else if (1..=80).contains(&name.len()) && name.chars().all(allowed) {
        Ok(())
    } else {
        Err(AccountError::InvalidName(name.to_owned()))
    }
}

/// Checks that the role and provider membership fit together.
pub fn validate_membership(role: Role, provider: Option<&Guid>) -> Result<(), AccountError> {
    match (role, provider) {
        (Role::Provider, None) => Err(AccountError::ProviderRequired),
        (Role::User | Role::Operator, Some(_)) => Err(AccountError::ProviderNotAllowed),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_rules() {
        let guid = Guid::random();
        assert!(validate_membership(Role::Provider, Some(&guid)).is_ok());
        assert_eq!(
            validate_membership(Role::Provider, None),
            Err(AccountError::ProviderRequired)
        );
        assert_eq!(
            validate_membership(Role::User, Some(&guid)),
            Err(AccountError::ProviderNotAllowed)
        );
        assert!(validate_membership(Role::Operator, None).is_ok());
    }

    #[test]
    fn names() {
        assert!(validate_name("abobcat").is_ok());
        assert!(validate_name("DEV07").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("a b").is_err());
        assert!(validate_name("<x>").is_err());
        assert_eq!(
            validate_name("Guest"),
            Err(AccountError::ReservedName("Guest".into()))
        );
    }
}
