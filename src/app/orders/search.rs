//! Searching orders for the console: by GUID (or its beginning), owner, provider, state and a
//! creation-date range, newest first and paged. Operators search every order; anyone else
//! the orders `query` lets them read (their own, and their provider's part of its customers'
//! orders), each reduced to what they may see.

use super::query::{callers_orders, view};
use crate::app::Gateway;
use crate::app::paging::{Page, PageRequest};
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::{Order, OrderState};
use echo_domain::timestamp::Timestamp;

/// What to look for; every field left `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct OrderSearch {
    /// The order's GUID or its beginning, in any case.
    pub guid: Option<String>,
    /// The owner's user name.
    pub owner: Option<String>,
    /// A provider (ID or GUID) with a provider order in the order.
    pub provider: Option<String>,
    pub state: Option<OrderState>,
    /// Created at or after.
    pub from: Option<Timestamp>,
    /// Created at or before.
    pub to: Option<Timestamp>,
}

/// One page of the matching orders the caller may see, newest first.
pub fn search(
    gateway: &Gateway,
    caller: &Caller,
    search: &OrderSearch,
    page: PageRequest,
) -> GatewayResult<Page<Order>> {
    let criteria = Criteria::resolve(gateway, search)?;
    let candidates = if caller.is_operator() {
        gateway.store.orders()?
    } else {
        callers_orders(gateway, caller)?
    };
    let mut found = Vec::new();
    for order in candidates {
        let order = view(caller, order)?;
        if criteria.matches(search, &order) {
            found.push(order);
        }
    }
    found.sort_by_key(|order| std::cmp::Reverse(order.creation_date));
    Ok(Page::of(found, page))
}

/// The names of a search resolved to GUIDs (`None` inside: the name matches nobody).
struct Criteria {
    owner: Option<Option<Guid>>,
    provider: Option<Option<Guid>>,
}

impl Criteria {
    fn resolve(gateway: &Gateway, search: &OrderSearch) -> GatewayResult<Criteria> {
        let owner = match &search.owner {
            Some(name) => Some(gateway.store.user_by_name(name)?.map(|u| u.guid)),
            None => None,
        };
        let provider = search
            .provider
            .as_ref()
            .map(|named| gateway.find_provider(named).ok().map(|p| p.guid));
        Ok(Criteria { owner, provider })
    }

    fn matches(&self, search: &OrderSearch, order: &Order) -> bool {
        let guid = search.guid.as_deref().is_none_or(|wanted| {
            order
                .guid
                .as_str()
                .to_ascii_uppercase()
                .starts_with(&wanted.trim().to_ascii_uppercase())
        });
        let owner = self
            .owner
            .as_ref()
            .is_none_or(|owner| owner.as_ref() == Some(&order.owner_guid));
        let provider = self.provider.as_ref().is_none_or(|provider| {
            provider
                .as_ref()
                .is_some_and(|p| order.provider_order(p).is_some())
        });
        let state = search.state.is_none_or(|s| order.state() == s);
        let dates = search.from.is_none_or(|from| order.creation_date >= from)
            && search.to.is_none_or(|to| order.creation_date <= to);
        guid && owner && provider && state && dates
    }
}
