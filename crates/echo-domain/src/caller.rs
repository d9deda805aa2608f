//! Who is calling: the identity a token resolves to, and the access rules every operation
//! applies through it.

use super::account::{GUEST_USER_NAME, Role, User};
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
    /// A guest sign-in (no account): `user_guid` names that sign-in, so only its token owns
    /// the orders it creates.
    pub guest: bool,
}

/// How much of an order a caller may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderView {
    /// The owner or an operator: everything.
    Whole,
    /// Staff of a provider in the order: that provider's part only, read-only.
    ProviderPart(Guid),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessDenied {
    #[error("user [{user}] may not act for provider [{provider}]")]
    NotProviderMember { user: String, provider: Guid },
    #[error("user [{user}] may not see user [{other}]")]
    UserNotVisible { user: String, other: String },
    #[error("user [{user}] may not see order [{order}]")]
    OrderNotVisible { user: String, order: String },
    #[error("user [{user}] may not change order [{order}]: only its owner or an operator may")]
    NotOrderOwner { user: String, order: String },
    #[error(
        "user [{user}] may not act on provider [{provider}]'s part of order [{order}]: only \
         its owner, that provider's staff or an operator may"
    )]
    NotProviderOrderParty {
        user: String,
        order: String,
        provider: Guid,
    },
    #[error("user [{user}] is not an operator")]
    NotOperator { user: String },
    #[error("user [{user}] acts for no provider: provider staff, or a provider-context token, may")]
    NoProviderContext { user: String },
}

impl Caller {
    /// The caller a user's token stands for; `acting_provider` is set by provider-context tokens.
    pub fn of(user: &User, acting_provider: Option<Guid>) -> Caller {
        Caller {
            user_guid: user.guid.clone(),
            user_name: user.name.clone(),
            role: user.role,
            provider: acting_provider.or_else(|| user.provider.clone()),
            guest: false,
        }
    }

    /// A guest sign-in identified by `sign_in`: it orders like a user without an account.
    pub fn guest(sign_in: Guid) -> Caller {
        Caller {
            user_guid: sign_in,
            user_name: GUEST_USER_NAME.to_owned(),
            role: Role::User,
            provider: None,
            guest: true,
        }
    }

    /// Whoever runs the CLI on the data directory (or its owner-only admin socket): they hold
    /// the database itself, so they act as an operator.
    pub fn local_operator() -> Caller {
        Caller {
            user_guid: Guid::nil(),
            user_name: "local operator (CLI)".to_owned(),
            role: Role::Operator,
            provider: None,
            guest: false,
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

    /// The provider whose orders the caller may act on as their data partner
    /// (OrderProcessingService): provider staff's own, or the one an operator's
    /// provider-context token acts for.
    pub fn acting_provider(&self) -> Result<&Guid, AccessDenied> {
        match (self.role, &self.provider) {
            (Role::Provider | Role::Operator, Some(provider)) => Ok(provider),
            _ => Err(AccessDenied::NoProviderContext {
                user: self.user_name.clone(),
            }),
        }
    }

    /// What the caller may read of an order owned by `owner` with provider orders for
    /// `providers`.
    pub fn order_view<'a>(
        &self,
        order: &Guid,
        owner: &Guid,
        mut providers: impl Iterator<Item = &'a Guid>,
    ) -> Result<OrderView, AccessDenied> {
        if self.is_operator() || &self.user_guid == owner {
            return Ok(OrderView::Whole);
        }
        match (&self.role, &self.provider) {
            (Role::Provider, Some(own)) if providers.any(|p| p == own) => {
                Ok(OrderView::ProviderPart(own.clone()))
            }
            _ => Err(AccessDenied::OrderNotVisible {
                user: self.user_name.clone(),
                order: order.to_string(),
            }),
        }
    }

    /// Changing an order: its owner or an operator.
    pub fn require_order_owner(&self, order: &Guid, owner: &Guid) -> Result<(), AccessDenied> {
        if self.is_operator() || &self.user_guid == owner {
            Ok(())
        } else {
            Err(AccessDenied::NotOrderOwner {
                user: self.user_name.clone(),
                order: order.to_string(),
            })
        }
    }

    /// Acting on one provider's part of an order (ResubmitProviderOrder): its owner, an
    /// operator, or staff of that provider (ECHO's provider staff resubmitted their part).
    pub fn require_provider_order_party(
        &self,
        order: &Guid,
        owner: &Guid,
        provider: &Guid,
    ) -> Result<(), AccessDenied> {
        let staff = self.role == Role::Provider && self.provider.as_ref() == Some(provider);
        if self.is_operator() || &self.user_guid == owner || staff {
            Ok(())
        } else {
            Err(AccessDenied::NotProviderOrderParty {
                user: self.user_name.clone(),
                order: order.to_string(),
                provider: provider.clone(),
            })
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

    #[test]
    fn a_provider_order_party_is_its_owner_an_operator_or_that_providers_staff() {
        let (order, provider) = (Guid::random(), Guid::random());
        let owner = caller(Role::User, None);
        let allowed = [
            owner.clone(),
            caller(Role::Operator, None),
            caller(Role::Provider, Some(provider.clone())),
        ];
        for party in allowed {
            assert_eq!(
                party.require_provider_order_party(&order, &owner.user_guid, &provider),
                Ok(())
            );
        }
        let refused = [
            caller(Role::User, None),
            caller(Role::Provider, Some(Guid::random())),
        ];
        for stranger in refused {
            assert!(
                stranger
                    .require_provider_order_party(&order, &owner.user_guid, &provider)
                    .is_err()
            );
        }
    }

    fn caller(role: Role, provider: Option<Guid>) -> Caller {
        Caller {
            user_guid: Guid::random(),
            user_name: "someone".into(),
            role,
            provider,
            guest: false,
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
    fn acting_provider() {
        let own = Guid::random();
        let staff = caller(Role::Provider, Some(own.clone()));
        assert_eq!(staff.acting_provider(), Ok(&own));
        let in_context = caller(Role::Operator, Some(own.clone()));
        assert_eq!(in_context.acting_provider(), Ok(&own));
        for outsider in [
            caller(Role::Operator, None),
            caller(Role::User, Some(own)),
            caller(Role::User, None),
        ] {
            assert!(outsider.acting_provider().is_err());
        }
    }

    #[test]
    fn order_access() {
        let (order, owner, provider) = (Guid::random(), Guid::random(), Guid::random());
        let mut user = caller(Role::User, None);
        assert!(
            user.order_view(&order, &owner, [&provider].into_iter())
                .is_err()
        );
        assert!(user.require_order_owner(&order, &owner).is_err());
        user.user_guid = owner.clone();
        assert_eq!(
            user.order_view(&order, &owner, std::iter::empty()),
            Ok(OrderView::Whole)
        );
        assert!(user.require_order_owner(&order, &owner).is_ok());
        let staff = caller(Role::Provider, Some(provider.clone()));
        assert_eq!(
            staff.order_view(&order, &owner, [&provider].into_iter()),
            Ok(OrderView::ProviderPart(provider.clone()))
        );
        assert!(
            staff
                .order_view(&order, &owner, std::iter::empty())
                .is_err()
        );
        assert!(staff.require_order_owner(&order, &owner).is_err());
        let operator = caller(Role::Operator, None);
        assert_eq!(
            operator.order_view(&order, &owner, std::iter::empty()),
            Ok(OrderView::Whole)
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
