//! Order-management systems (OMS): external systems that follow and fulfil orders through the
//! JSON Ordering API instead of SOAP deliveries. The registry record, the roles an OMS holds
//! on a project (an order) or a project item (a provider order), who may write which message,
//! how ECHO states appear as EOSC status types, and which provider-order change a status an
//! OMS sets stands for. Pure rules; storage and the API live elsewhere.

use serde::{Deserialize, Serialize};

use crate::guid::Guid;
use crate::order::{ItemSettlement, OrderEvent, OrderState, ReportedChange};

/// Longest OMS name accepted.
pub const MAX_NAME_LENGTH: usize = 200;
/// Longest trigger URL accepted.
pub const MAX_TRIGGER_URL_LENGTH: usize = 2048;

/// The kind of an OMS, as EOSC names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OmsType {
    Global,
    ProviderGroup,
    ResourceDedicated,
}

/// How a trigger URL is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerMethod {
    Get,
    Post,
    Put,
}

/// Basic credentials sent with a trigger (EOSC compatibility).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicAuthorization {
    pub user: String,
    pub password: String,
}

/// Where and how the gateway wakes an OMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub url: String,
    pub method: TriggerMethod,
    pub authorization: Option<BasicAuthorization>,
    /// The Standard Webhooks signing secret, `whsec_<base64>`.
    pub secret: String,
}

/// A registered OMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oms {
    pub id: u64,
    pub name: String,
    pub oms_type: OmsType,
    /// The default OMS mediates every project and is the secondary OMS of every item.
    pub default: bool,
    /// Providers whose provider orders this OMS handles (their primary OMS).
    pub providers: Vec<Guid>,
    /// Users who may use this OMS through the API.
    pub admins: Vec<Guid>,
    pub trigger: Option<Trigger>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OmsError {
    #[error("OMS name must be 1 to {MAX_NAME_LENGTH} characters without control characters")]
    Name,
    #[error(
        "trigger URL [{0}] must be an absolute http or https URL of at most {MAX_TRIGGER_URL_LENGTH} characters"
    )]
    TriggerUrl(String),
    #[error("OMS [{0}] is already the default OMS: only one OMS can be the default")]
    DefaultTaken(u64),
    #[error("provider [{provider}] is already attached to OMS [{oms}]")]
    ProviderTaken { provider: Guid, oms: u64 },
    #[error("you do not administer OMS [{0}]")]
    NotAdministered(u64),
    #[error("OMS [{oms}] has no role on {resource}")]
    NoRole { oms: u64, resource: String },
    #[error("only the primary OMS of project item [{item}] may change it")]
    NotPrimary { item: u64 },
    #[error("status [{requested}] cannot be set on a provider order in state [{current}]")]
    StatusNotApplicable {
        current: OrderState,
        requested: &'static str,
    },
    #[error("an OMS with these roles may not write a {scope} message as {author} here")]
    MessageNotAllowed {
        scope: &'static str,
        author: &'static str,
    },
}

/// Checks the fields an operator gives.
pub fn validate_registration(name: &str, trigger_url: Option<&str>) -> Result<(), OmsError> {
    if name.trim().is_empty()
        || name.chars().count() > MAX_NAME_LENGTH
        || name.chars().any(char::is_control)
    {
        return Err(OmsError::Name);
    }
    if let Some(text) = trigger_url {
        let valid = text.len() <= MAX_TRIGGER_URL_LENGTH
            && url::Url::parse(text)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !valid {
            return Err(OmsError::TriggerUrl(text.to_owned()));
        }
    }
    Ok(())
}

/// The primary OMS of a provider's provider orders: the one attached to the provider, else
/// the default OMS.
pub fn primary_oms<'a>(omses: &'a [Oms], provider: &Guid) -> Option<&'a Oms> {
    omses
        .iter()
        .find(|o| o.providers.contains(provider))
        .or_else(|| default_oms(omses))
}

pub fn default_oms(omses: &[Oms]) -> Option<&Oms> {
    omses.iter().find(|o| o.default)
}

/// The roles one OMS holds on a project or a project item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    /// Primary OMS of the item, or of one of the project's items (a provider OMS).
    pub provider: bool,
    /// The default OMS (mediator of a project, secondary of an item).
    pub mediator: bool,
}

impl Roles {
    /// The roles of `oms` on the provider orders of `providers` (one for an item, all of a
    /// project's for a project).
    pub fn of<'a>(omses: &[Oms], oms: &Oms, providers: impl IntoIterator<Item = &'a Guid>) -> Self {
        Roles {
            provider: providers
                .into_iter()
                .any(|p| primary_oms(omses, p).is_some_and(|primary| primary.id == oms.id)),
            mediator: oms.default,
        }
    }

    /// Any role lets an OMS read the resource and all its messages.
    pub fn may_read(self) -> bool {
        self.provider || self.mediator
    }
}

/// What a change of the OMS registry (an OMS added, a provider attached) newly shows one
/// OMS: the project items of providers it had no role on before, and the projects holding
/// them. Roles depend only on the registry (routing decides deliveries, not visibility), so
/// these registry changes are the only way an OMS comes to see orders already visible to
/// OMSes; an order becoming visible (first quoted or submitted) is an event of its own.
#[derive(Debug, Clone, Copy)]
pub struct Gain<'a> {
    pub oms: &'a Oms,
    before: Option<&'a Oms>,
    omses_before: &'a [Oms],
    omses_after: &'a [Oms],
}

impl<'a> Gain<'a> {
    /// Every OMS of `after` that sees project items it did not see with `before`.
    pub fn of(before: &'a [Oms], after: &'a [Oms]) -> Vec<Gain<'a>> {
        after
            .iter()
            .map(|oms| Gain {
                oms,
                before: before.iter().find(|o| o.id == oms.id),
                omses_before: before,
                omses_after: after,
            })
            .filter(|gain| gain.everywhere() || !gain.providers().is_empty())
            .collect()
    }

    /// It became the default OMS: it may gain items of any provider.
    pub fn everywhere(&self) -> bool {
        self.oms.default && !self.before.is_some_and(|b| b.default)
    }

    /// The providers whose items it gains, when not [`Gain::everywhere`].
    pub fn providers(&self) -> Vec<&'a Guid> {
        self.oms
            .providers
            .iter()
            .filter(|p| self.gains(p))
            .collect()
    }

    /// Does it now have a role on `provider`'s project items, and had none before?
    pub fn gains(&self, provider: &Guid) -> bool {
        Roles::of(self.omses_after, self.oms, [provider]).may_read() && !self.saw(provider)
    }

    /// Did it have a role on `provider`'s project items before?
    pub fn saw(&self, provider: &Guid) -> bool {
        self.before
            .is_some_and(|b| Roles::of(self.omses_before, b, [provider]).may_read())
    }
}

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageScope {
    Public,
    Internal,
    UserDirect,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorRole {
    User,
    Provider,
    Mediator,
}

/// The notes' message-permission table: may an OMS holding `roles` write a message of `scope`
/// as `author` on a project (`on_item` false) or a project item?
pub fn may_write_message(
    roles: Roles,
    scope: MessageScope,
    author: AuthorRole,
    on_item: bool,
) -> bool {
    match (scope, author) {
        (_, AuthorRole::User) => false,
        (MessageScope::Public | MessageScope::Internal, AuthorRole::Provider) => roles.provider,
        (MessageScope::Public | MessageScope::Internal, AuthorRole::Mediator) => roles.mediator,
        (MessageScope::UserDirect, AuthorRole::Provider) => on_item && roles.provider,
        (MessageScope::UserDirect, AuthorRole::Mediator) => !on_item && roles.mediator,
    }
}

/// The EOSC status types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusType {
    Created,
    Registered,
    InProgress,
    WaitingForResponse,
    Ready,
    Approved,
    Rejected,
    Closed,
}

impl StatusType {
    pub fn name(self) -> &'static str {
        match self {
            StatusType::Created => "created",
            StatusType::Registered => "registered",
            StatusType::InProgress => "in_progress",
            StatusType::WaitingForResponse => "waiting_for_response",
            StatusType::Ready => "ready",
            StatusType::Approved => "approved",
            StatusType::Rejected => "rejected",
            StatusType::Closed => "closed",
        }
    }
}

/// How an ECHO provider-order state appears to an OMS (the README's mapping table).
pub fn status_type(state: OrderState) -> StatusType {
    use OrderState as S;
    match state {
        S::NotValidated | S::Validated => StatusType::Created,
        S::Quoting | S::Submitting | S::Cancelling => StatusType::Registered,
        S::Quoted | S::QuotedWithExceptions => StatusType::Approved,
        S::QuoteRejected | S::QuoteFailed | S::SubmitRejected | S::SubmitFailed => {
            StatusType::Rejected
        }
        S::Processing | S::SubmittedWithExceptions | S::ProcessingWithExceptions => {
            StatusType::InProgress
        }
        S::Cancelled | S::Closed | S::ClosedWithExceptions => StatusType::Closed,
    }
}

/// The provider-order change an OMS's status asks for in the current state (the README's
/// PATCH table); `None` when the status means nothing there (an illegal transition). The
/// change then goes through the one transition table like a SOAP partner's report.
pub fn requested_change(current: OrderState, requested: StatusType) -> Option<ReportedChange> {
    use OrderState as S;
    use StatusType as T;
    let event = |e: OrderEvent| Some(ReportedChange::Event(e));
    let settle = |settlement: ItemSettlement| {
        Some(ReportedChange::Settle {
            settlement,
            catalog_items: None,
        })
    };
    match (current, requested) {
        (S::Quoting, T::Approved) => event(OrderEvent::QuoteAccepted),
        (S::Quoting, T::Rejected) => event(OrderEvent::QuoteRejected),
        (S::Submitting, T::InProgress) => event(OrderEvent::SubmitAccepted),
        (S::Submitting, T::Closed | T::Ready) => event(OrderEvent::SubmitCompleted),
        (S::Submitting, T::Rejected) => event(OrderEvent::SubmitRejected),
        (S::Processing | S::Cancelling, T::Closed | T::Ready) => settle(ItemSettlement::Close),
        (S::Processing, T::Rejected) | (S::Cancelling, T::Approved) => {
            settle(ItemSettlement::Cancel)
        }
        (S::Cancelling, T::Rejected | T::InProgress) => event(OrderEvent::CancelRejected),
        // Already there, or a progress note that changes no state: a status line only.
        (S::Processing, T::InProgress | T::WaitingForResponse | T::Registered) => {
            Some(ReportedChange::Nothing)
        }
        _ => None,
    }
}

/// Is a provider order in this state visible to OMSes (quoted or submitted at least once)?
pub fn visible_state(state: OrderState) -> bool {
    !matches!(state, OrderState::NotValidated | OrderState::Validated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oms(id: u64, default: bool, providers: Vec<Guid>) -> Oms {
        Oms {
            id,
            name: format!("oms{id}"),
            oms_type: OmsType::Global,
            default,
            providers,
            admins: Vec::new(),
            trigger: None,
        }
    }

    #[test]
    fn primary_is_attached_else_default() {
        let (a, b) = (Guid::random(), Guid::random());
        let omses = vec![oms(1, true, vec![]), oms(2, false, vec![a.clone()])];
        assert_eq!(primary_oms(&omses, &a).map(|o| o.id), Some(2));
        assert_eq!(primary_oms(&omses, &b).map(|o| o.id), Some(1));
        let roles = Roles::of(&omses, &omses[0], [&a]);
        assert!(roles.mediator && !roles.provider);
    }

    #[test]
    fn message_table() {
        let provider = Roles {
            provider: true,
            mediator: false,
        };
        let mediator = Roles {
            provider: false,
            mediator: true,
        };
        use AuthorRole as A;
        use MessageScope as M;
        assert!(may_write_message(provider, M::Public, A::Provider, true));
        assert!(!may_write_message(provider, M::Public, A::Mediator, true));
        assert!(!may_write_message(
            provider,
            M::UserDirect,
            A::Provider,
            false
        ));
        assert!(may_write_message(
            provider,
            M::UserDirect,
            A::Provider,
            true
        ));
        assert!(may_write_message(
            mediator,
            M::UserDirect,
            A::Mediator,
            false
        ));
        assert!(!may_write_message(
            mediator,
            M::UserDirect,
            A::Mediator,
            true
        ));
        assert!(!may_write_message(mediator, M::Internal, A::User, false));
    }

    #[test]
    fn patch_table_follows_the_transition_table() {
        use crate::order::TRANSITIONS;
        for state in OrderState::ALL {
            for requested in [
                StatusType::Registered,
                StatusType::InProgress,
                StatusType::WaitingForResponse,
                StatusType::Ready,
                StatusType::Approved,
                StatusType::Rejected,
                StatusType::Closed,
            ] {
                if let Some(ReportedChange::Event(e)) = requested_change(state, requested) {
                    assert!(TRANSITIONS.iter().any(|t| t.from == state && t.event == e));
                }
            }
        }
    }

    #[test]
    fn gains_follow_the_roles() {
        let (a, b) = (Guid::random(), Guid::random());
        let before = vec![oms(1, true, vec![]), oms(2, false, vec![a.clone()])];
        // Attaching b to 2: only 2 gains, and only b; the default saw everything already.
        let attached = vec![
            oms(1, true, vec![]),
            oms(2, false, vec![a.clone(), b.clone()]),
        ];
        let gains = Gain::of(&before, &attached);
        assert_eq!(gains.len(), 1);
        assert_eq!(gains[0].oms.id, 2);
        assert_eq!(gains[0].providers(), vec![&b]);
        assert!(!gains[0].everywhere() && gains[0].saw(&a) && !gains[0].gains(&a));
        // Detaching and removing gain nobody anything.
        assert!(Gain::of(&attached, &before).is_empty());
        assert!(Gain::of(&before, &before[..1]).is_empty());
        // A new default OMS gains every provider's items.
        let added = vec![oms(3, true, vec![])];
        let gains = Gain::of(&[], &added);
        assert!(gains[0].everywhere() && gains[0].gains(&a) && gains[0].gains(&b));
    }

    #[test]
    fn names_are_validated() {
        assert!(validate_registration("jira", Some("https://x.example/t")).is_ok());
        assert!(validate_registration("", None).is_err());
        assert!(validate_registration("a", Some("ftp://x")).is_err());
    }
}
