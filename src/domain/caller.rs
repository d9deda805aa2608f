//! Who is calling: the identity a token resolves to, and the access rules every operation
//! applies through it.

use super::account::{Role, User};
use super::guid::Guid;

/// The authenticated party behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_guid: Guid,
    pub user_name: String,
    pub role: Role,
    /// The provider a provider-role user belongs to, or the provider an operator's
    /// provider-context token acts for.
    pub provider: Option<Guid>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessDenied {
    #[error("user [{user}] may not act for provider [{provider}]")]
    NotProviderMember { user: String, provider: Guid },
    #[error("user [{user}] may not see user [{other}]")]
    UserNotVisible { user: String, other: String },
    #[error("user [{user}] is not an operator")]
    NotOperator { user: String },
}

impl Caller {
    /// The caller a user's token stands for; `acting_provider` is set by provider-context tokens.
    pub fn of(user: &User, acting_provider: Option<Guid>) -> Caller {
        Caller {
            user_guid: user.guid.clone(),
            user_name: user.name.clone(),
            role: user.role,
            provider: acting_provider.or_else(|| user.provider.clone()),
        }
    }

    pub fn is_operator(&self) -> bool {
        self.role == Role::Operator
    }

    /// Operators may act for any provider; provider staff only for their own.
    pub fn require_provider_access(&self, provider: &Guid) -> Result<(), AccessDenied> {
        match self.role {
            Role::Operator => Ok(()),
            Role::Provider if self.provider.as_ref() == Some(provider) => Ok(()),
            _ => Err(AccessDenied::NotProviderMember {
                user: self.user_name.clone(),
                provider: provider.clone(),
            }),
        }
    }

    pub fn require_operator(&self) -> Result<(), AccessDenied> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(AccessDenied::NotOperator {
                user: self.user_name.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, provider: Option<Guid>) -> Caller {
        Caller {
            user_guid: Guid::random(),
            user_name: "someone".into(),
            role,
            provider,
        }
    }

    #[test]
    fn provider_access() {
        let own = Guid::random();
        let other = Guid::random();
        assert!(
            caller(Role::Operator, None)
                .require_provider_access(&own)
                .is_ok()
        );
        let member = caller(Role::Provider, Some(own.clone()));
        assert!(member.require_provider_access(&own).is_ok());
        assert!(member.require_provider_access(&other).is_err());
        assert!(
            caller(Role::User, None)
                .require_provider_access(&own)
                .is_err()
        );
    }

    #[test]
    fn operator_only() {
        assert!(caller(Role::Operator, None).require_operator().is_ok());
        assert!(
            caller(Role::Provider, Some(Guid::random()))
                .require_operator()
                .is_err()
        );
    }
}
