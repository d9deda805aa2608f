//! Throttling of failed sign-ins, per account and per client address: after too many failures
//! within a window, further tries are refused until the window ends. In memory and bounded
//! (a gateway-wide throttle is separate work); a restart forgets it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const FAILURES_PER_ACCOUNT: u32 = 5;
const FAILURES_PER_ADDRESS: u32 = 20;
/// Keys remembered at most; beyond it the oldest window is forgotten.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Default)]
pub struct SignInLimiter {
    windows: Mutex<HashMap<Key, Window>>,
}

impl SignInLimiter {
    /// Whether a sign-in for `account` from `address` may be tried now.
    pub fn allows(&self, account: &str, address: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let under = |key: Key, limit: u32| {
            windows
                .get(&key)
                .is_none_or(|w| now.duration_since(w.started) >= WINDOW || w.failures < limit)
        };
        under(Key::Account(account.to_owned()), FAILURES_PER_ACCOUNT)
            && address.is_none_or(|a| under(Key::Address(a), FAILURES_PER_ADDRESS))
    }

    /// Counts a failed sign-in against the account and the address.
    pub fn failed(&self, account: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let keys =
            std::iter::once(Key::Account(account.to_owned())).chain(address.map(Key::Address));
        for key in keys {
            if !windows.contains_key(&key) && windows.len() >= MAX_KEYS {
                make_room(&mut windows, now);
            }
            let window = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(window.started) >= WINDOW {
                *window = Window {
                    started: now,
                    failures: 0,
                };
            }
            window.failures = window.failures.saturating_add(1);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.remove(&Key::Account(account.to_owned()));
    }
}

/// Forgets ended windows, or if none has ended the oldest one.
fn make_room(windows: &mut HashMap<Key, Window>, now: Instant) {
    windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
    if windows.len() >= MAX_KEYS {
        let oldest = windows
            .iter()
            .min_by_key(|(_, w)| w.started)
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            windows.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_failures_block_the_account_and_the_address() {
        let limiter = SignInLimiter::default();
        let address: Option<IpAddr> = "127.0.0.1".parse().ok();
        for _ in 0..FAILURES_PER_ACCOUNT {
            assert!(limiter.allows("alice", address));
            limiter.failed("alice", address);
        }
        assert!(!limiter.allows("alice", address));
        assert!(limiter.allows("bob", address));
        for _ in 0..FAILURES_PER_ADDRESS {
            limiter.failed("mallory", address);
        }
        assert!(!limiter.allows("bob", address));
        assert!(limiter.allows("bob", "10.0.0.1".parse().ok()));
    }
}
