//! Figures for the console's overviews: per provider, how many deliveries are pending and
//! failed, and the tries of the last 24 hours per hour by outcome. They are computed from the
//! deliveries the caller may see (`deliveries::list`), so they follow the same access rules.

use std::collections::HashMap;

use super::{Gateway, deliveries};
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use echo_domain::delivery::{Delivery, DeliveryState};
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

/// How many hours the hourly figures cover.
pub const HOURS: usize = 24;
const HOUR_MILLIS: i64 = 3_600_000;

/// Deliveries of one provider by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub pending: usize,
    pub failed: usize,
    pub done: usize,
}

/// Tries made in one hour, by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourOfTries {
    pub start: Timestamp,
    /// Tries the partner answered.
    pub answered: usize,
    /// Tries that failed (no connection, an HTTP error, an unreadable answer).
    pub failed: usize,
}

/// One provider's last 24 hours, oldest hour first, and its backlog now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryHistory {
    pub hours: Vec<HourOfTries>,
    /// Deliveries still pending.
    pub backlog: usize,
}

/// Delivery counts of every provider the caller may see that has deliveries.
pub fn delivery_counts(
    gateway: &Gateway,
    caller: &Caller,
) -> GatewayResult<HashMap<Guid, DeliveryCounts>> {
    let mut counts: HashMap<Guid, DeliveryCounts> = HashMap::new();
    for delivery in deliveries::list(gateway, caller, None, None)? {
        let entry = counts
            .entry(delivery.entry.provider_order.provider_guid.clone())
            .or_default();
        match delivery.status.state {
            DeliveryState::Pending => entry.pending += 1,
            DeliveryState::Failed => entry.failed += 1,
            DeliveryState::Done => entry.done += 1,
        }
    }
    Ok(counts)
}

/// The tries to one provider (ID or GUID) in each of the last 24 hours, and its backlog.
pub fn delivery_history(
    gateway: &Gateway,
    caller: &Caller,
    provider: &str,
) -> GatewayResult<DeliveryHistory> {
    let listed = deliveries::list(gateway, caller, Some(provider), None)?;
    Ok(history(&listed, Timestamp::now()))
}

fn history(listed: &[Delivery], now: Timestamp) -> DeliveryHistory {
    let current_hour = now.millis().div_euclid(HOUR_MILLIS);
    let first_hour = current_hour - (HOURS as i64 - 1);
    let mut hours: Vec<HourOfTries> = (first_hour..=current_hour)
        .map(|hour| HourOfTries {
            start: Timestamp::from_millis(hour * HOUR_MILLIS),
            answered: 0,
            failed: 0,
        })
        .collect();
    for attempt in listed.iter().flat_map(|d| &d.status.attempts) {
        let hour = attempt.at.millis().div_euclid(HOUR_MILLIS) - first_hour;
        let Some(slot) = usize::try_from(hour).ok().and_then(|h| hours.get_mut(h)) else {
            continue;
        };
        if attempt.disposition.is_some() {
            slot.answered += 1;
        } else {
            slot.failed += 1;
        }
    }
    let backlog = listed
        .iter()
        .filter(|d| d.status.state == DeliveryState::Pending)
        .count();
    DeliveryHistory { hours, backlog }
}
