//! Sign-in throttling: failed password sign-ins counted per account name and per source
//! address, in memory. After a few free failures each further one makes the next attempt wait
//! (1 s, 2 s, 4 s … by default), and after the limit the account or address is locked for a
//! while. Attempts are refused here, before any password is hashed, so a flood of wrong
//! passwords costs a map lookup each. A success resets the account's count.
//!
//! Every protocol's sign-in goes through [`app::sessions::login`](super::sessions::login),
//! which asks [`SignInThrottle::begin`] first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::credentials;
use crate::error::SignInRefused;

/// Failures of one account before its attempts are delayed.
const ACCOUNT_FREE_FAILURES: u32 = 3;
/// Failures from one address before its attempts are delayed: an address may be a whole
/// office behind one NAT.
const ADDRESS_FREE_FAILURES: u32 = 10;
/// Records kept at most, so that a flood of names or addresses cannot exhaust memory.
const MAX_RECORDS: usize = 100_000;

/// How many failures lead to what.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    /// Failures in a row that lock an account name.
    pub account_lock_after: u32,
    /// Failures (over all accounts) that lock a source address.
    pub address_lock_after: u32,
    /// The first wait after the free failures; each further failure doubles it.
    pub delay: Duration,
    /// How long a lock lasts; also how long failures are remembered.
    pub lock: Duration,
    /// Argon2 verifications at once (see `password_checks`).
    pub verifiers: usize,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        SignInLimits {
            account_lock_after: 10,
            address_lock_after: 50,
            delay: Duration::from_secs(1),
            lock: Duration::from_secs(15 * 60),
            // A quarter of the cores (at least one), so that order work keeps the rest.
            verifiers: (cores / 4).max(1),
        }
    }
}

/// What is throttled: an account (by the digest of its name, so that memory per record is
/// bounded whatever name is sent) or a source address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug)]
struct Record {
    failures: u32,
    /// Attempts begun and not finished: counted against the limits so that concurrent
    /// attempts cannot all slip in before the first failure is recorded.
    in_flight: u32,
    not_before: Option<Instant>,
    locked_until: Option<Instant>,
    last_failure: Instant,
}

/// The failure counts of every account and address.
pub struct SignInThrottle {
    limits: SignInLimits,
    records: Mutex<HashMap<Key, Record>>,
}

/// One admitted sign-in attempt; tell it how the password check went. Dropped unfinished
/// (the check itself failed, e.g. storage), it counts as neither.
pub struct Attempt<'a> {
    throttle: &'a SignInThrottle,
    keys: Vec<Key>,
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits) -> SignInThrottle {
        SignInThrottle {
            limits,
            records: Mutex::new(HashMap::new()),
        }
    }

    /// Admits an attempt for `account` from `address` (unknown for local callers), or says
    /// why not.
    pub fn begin(
        &self,
        account: &str,
        address: Option<IpAddr>,
    ) -> Result<Attempt<'_>, SignInRefused> {
        let now = Instant::now();
        let mut keys = vec![Key::Account(credentials::token_digest(account))];
        keys.extend(address.map(Key::Address));
        let mut records = self.lock_records();
        for key in &keys {
            if let Some(record) = records.get_mut(key) {
                self.check(record, key, now)?;
            }
        }
        if records.len() + keys.len() > MAX_RECORDS {
            self.forget_settled(&mut records, now);
            if records.len() + keys.len() > MAX_RECORDS {
                return Err(SignInRefused::Busy);
            }
        }
        for key in &keys {
            let record = records.entry(key.clone()).or_insert(Record {
                failures: 0,
                in_flight: 0,
                not_before: None,
                locked_until: None,
                last_failure: now,
            });
            record.in_flight += 1;
        }
        Ok(Attempt {
            throttle: self,
            keys,
        })
    }

    fn lock_after(&self, key: &Key) -> u32 {
        match key {
            Key::Account(_) => self.limits.account_lock_after,
            Key::Address(_) => self.limits.address_lock_after,
        }
    }

    fn free_failures(key: &Key) -> u32 {
        match key {
            Key::Account(_) => ACCOUNT_FREE_FAILURES,
            Key::Address(_) => ADDRESS_FREE_FAILURES,
        }
    }

    /// Refuses an attempt on a locked or waiting record; forgets an expired lock and failures
    /// older than the lock time.
    fn check(&self, record: &mut Record, key: &Key, now: Instant) -> Result<(), SignInRefused> {
        let expired = record.locked_until.is_some_and(|until| until <= now)
            || (record.locked_until.is_none() && record.last_failure + self.limits.lock <= now);
        if expired {
            record.failures = 0;
            record.locked_until = None;
            record.not_before = None;
        }
        if let Some(until) = record.locked_until {
            return Err(SignInRefused::Locked {
                seconds: seconds_until(until, now),
            });
        }
        if let Some(until) = record.not_before.filter(|until| *until > now) {
            return Err(SignInRefused::Delayed {
                seconds: seconds_until(until, now),
            });
        }
        // Attempts still being checked would reach the lock, or delays apply: one at a time.
        let pending_lock = record.failures + record.in_flight >= self.lock_after(key);
        let delayed = !self.limits.delay.is_zero()
            && record.in_flight > 0
            && record.failures >= Self::free_failures(key);
        if pending_lock || delayed {
            return Err(SignInRefused::Delayed { seconds: 1 });
        }
        Ok(())
    }

    fn forget_settled(&self, records: &mut HashMap<Key, Record>, now: Instant) {
        let remembered = self.limits.lock;
        records.retain(|_, r| {
            r.in_flight > 0
                || r.locked_until.is_some_and(|until| until > now)
                || r.last_failure + remembered > now
        });
    }

    fn lock_records(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Record>> {
        // A panic elsewhere while holding the lock leaves counts that are still usable.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn finish(&self, keys: &[Key], outcome: Option<bool>) {
        let now = Instant::now();
        let mut records = self.lock_records();
        for key in keys {
            let Some(record) = records.get_mut(key) else {
                continue;
            };
            record.in_flight = record.in_flight.saturating_sub(1);
            match (outcome, key) {
                (Some(false), _) => self.record_failure(record, key, now),
                (Some(true), Key::Account(_)) => {
                    record.failures = 0;
                    record.not_before = None;
                    record.locked_until = None;
                }
                _ => {}
            }
            if record.failures == 0 && record.in_flight == 0 {
                records.remove(key);
            }
        }
    }

    fn record_failure(&self, record: &mut Record, key: &Key, now: Instant) {
        record.failures = record.failures.saturating_add(1);
        record.last_failure = now;
        if record.failures >= self.lock_after(key) {
            record.locked_until = Some(now + self.limits.lock);
            tracing::warn!(kind = key.kind(), "sign-in locked after repeated failures");
        } else if let Some(beyond) = record.failures.checked_sub(Self::free_failures(key)) {
            let wait = self
                .limits
                .delay
                .saturating_mul(1u32 << beyond.min(20))
                .min(self.limits.lock);
            record.not_before = (!wait.is_zero()).then_some(now + wait);
        }
    }
}

impl Key {
    fn kind(&self) -> &'static str {
        match self {
            Key::Account(_) => "account",
            Key::Address(_) => "address",
        }
    }
}

impl Attempt<'_> {
    /// The password was right: the account's failures are forgotten.
    pub fn succeeded(mut self) {
        self.throttle
            .finish(&std::mem::take(&mut self.keys), Some(true));
    }

    /// The password (or the account) was wrong.
    pub fn failed(mut self) {
        self.throttle
            .finish(&std::mem::take(&mut self.keys), Some(false));
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.keys.is_empty() {
            self.throttle.finish(&self.keys, None);
        }
    }
}

fn seconds_until(until: Instant, now: Instant) -> u64 {
    until.saturating_duration_since(now).as_secs_f64().ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(account_lock_after: u32, address_lock_after: u32, delay: u64) -> SignInThrottle {
        SignInThrottle::new(SignInLimits {
            account_lock_after,
            address_lock_after,
            delay: Duration::from_secs(delay),
            lock: Duration::from_secs(600),
            verifiers: 1,
        })
    }

    const HOST: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn failures_lock_the_account_and_success_resets_it() {
        let t = throttle(4, 100, 0);
        for _ in 0..3 {
            t.begin("alice", HOST).unwrap().failed();
        }
        t.begin("alice", HOST).unwrap().succeeded();
        for _ in 0..4 {
            t.begin("alice", HOST).unwrap().failed();
        }
        assert!(matches!(
            t.begin("alice", HOST).err(),
            Some(SignInRefused::Locked { seconds: 600 })
        ));
        assert!(t.begin("bob", HOST).is_ok());
    }

    #[test]
    fn failures_beyond_the_free_ones_make_the_next_attempt_wait() {
        let t = throttle(10, 100, 60);
        for _ in 0..ACCOUNT_FREE_FAILURES {
            t.begin("alice", None).unwrap().failed();
        }
        assert!(matches!(
            t.begin("alice", None).err(),
            Some(SignInRefused::Delayed { seconds: 60 })
        ));
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let t = throttle(100, 3, 0);
        for name in ["a", "b", "c"] {
            t.begin(name, HOST).unwrap().failed();
        }
        assert!(matches!(
            t.begin("d", HOST).err(),
            Some(SignInRefused::Locked { .. })
        ));
        assert!(t.begin("d", None).is_ok());
    }

    #[test]
    fn concurrent_attempts_cannot_pass_the_limit() {
        let t = throttle(2, 100, 0);
        let first = t.begin("alice", None).unwrap();
        let second = t.begin("alice", None).unwrap();
        assert!(t.begin("alice", None).is_err());
        drop(first);
        second.failed();
        assert!(t.begin("alice", None).is_ok());
    }
}
