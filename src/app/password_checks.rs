//! Argon2 password verifications on a few dedicated threads, apart from the blocking pool
//! that runs order work: however many sign-ins arrive, at most `verifiers` hashes run at
//! once, and at most [`MAX_WAITING`] wait for a thread; beyond that a sign-in is refused as
//! busy instead of queueing without bound.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::credentials;
use crate::error::SignInRefused;

/// Verifications that may wait for a free thread.
const MAX_WAITING: usize = 32;

struct Check {
    password: String,
    hash: String,
    answer: mpsc::Sender<bool>,
}

/// The verification threads; they end when this is dropped.
pub struct PasswordChecks {
    checks: SyncSender<Check>,
    verifications: Arc<AtomicU64>,
}

impl PasswordChecks {
    pub fn start(threads: usize) -> PasswordChecks {
        let (checks, queue) = mpsc::sync_channel::<Check>(MAX_WAITING);
        let queue = Arc::new(Mutex::new(queue));
        let verifications = Arc::new(AtomicU64::new(0));
        for index in 0..threads.max(1) {
            let (queue, verifications) = (queue.clone(), verifications.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{index}"))
                .spawn(move || work(&queue, &verifications));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password verification thread");
            }
        }
        PasswordChecks {
            checks,
            verifications,
        }
    }

    /// Whether `password` matches the PHC `hash`; waits for a verification thread.
    pub fn verify(&self, password: &str, hash: &str) -> Result<bool, SignInRefused> {
        let (answer, answered) = mpsc::channel();
        let check = Check {
            password: password.to_owned(),
            hash: hash.to_owned(),
            answer,
        };
        match self.checks.try_send(check) {
            Ok(()) => answered.recv().map_err(|_| SignInRefused::Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(SignInRefused::Busy),
        }
    }

    /// Verifications run so far (exported in `/metrics`).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

fn work(queue: &Mutex<Receiver<Check>>, verifications: &AtomicU64) {
    loop {
        // Only the wait for the next check holds the lock; the hashing does not.
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(check) = next else {
            return;
        };
        verifications.fetch_add(1, Ordering::Relaxed);
        let matches = credentials::verify_password(&check.password, &check.hash);
        let _ = check.answer.send(matches);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_on_its_threads_and_counts() {
        let checks = PasswordChecks::start(1);
        let hash = credentials::hash_password("right").unwrap();
        assert_eq!(checks.verify("right", &hash), Ok(true));
        assert_eq!(checks.verify("wrong", &hash), Ok(false));
        assert_eq!(checks.verifications(), 2);
    }
}
