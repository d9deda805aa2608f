//! What one connection is doing, so it can be closed when it is idle: how many requests it
//! is receiving or handling, and since when that count last changed. A request counts as
//! *handled* once its body has arrived: from then on it is really in progress, and shutdown
//! waits for it; before that (headers or body still trickling in) it is not.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

#[derive(Clone, Copy)]
struct Counts {
    /// Requests whose handling started (headers read), finished or not.
    open: usize,
    /// Of those, requests whose body has arrived and whose handler runs.
    handled: usize,
    /// When `open` or `handled` last changed.
    since: Instant,
}

/// Shared between a connection's driver and its request handlers.
#[derive(Clone)]
pub struct Activity {
    counts: watch::Sender<Counts>,
}

/// Marks one request as open (or handled) until dropped.
pub struct Mark {
    activity: Activity,
    handled: bool,
}

impl Default for Activity {
    fn default() -> Self {
        Self::new()
    }
}

impl Activity {
    pub fn new() -> Activity {
        let (counts, _) = watch::channel(Counts {
            open: 0,
            handled: 0,
            since: Instant::now(),
        });
        Activity { counts }
    }

    /// A request's headers have arrived.
    pub fn open(&self) -> Mark {
        self.change(|c| c.open += 1);
        Mark {
            activity: self.clone(),
            handled: false,
        }
    }

    /// A request's body has arrived; its handler runs until the mark is dropped.
    pub fn handle(&self) -> Mark {
        self.change(|c| c.handled += 1);
        Mark {
            activity: self.clone(),
            handled: true,
        }
    }

    fn change(&self, edit: impl FnOnce(&mut Counts)) {
        self.counts.send_modify(|counts| {
            edit(counts);
            counts.since = Instant::now();
        });
    }

    /// Resolves once no request has been open for `timeout`.
    pub async fn idle_for(&self, timeout: Duration) {
        let mut counts = self.counts.subscribe();
        loop {
            let now = *counts.borrow_and_update();
            if now.open == 0 {
                tokio::select! {
                    _ = tokio::time::sleep_until(now.since + timeout) => return,
                    _ = counts.changed() => {}
                }
            } else if counts.changed().await.is_err() {
                return;
            }
        }
    }

    /// Resolves once no request is being handled (requests still arriving do not count).
    pub async fn none_handled(&self) {
        let mut counts = self.counts.subscribe();
        let _ = counts.wait_for(|c| c.handled == 0).await;
    }
}

impl Drop for Mark {
    fn drop(&mut self) {
        if self.handled {
            self.activity.change(|c| c.handled -= 1);
        } else {
            self.activity.change(|c| c.open -= 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_only_once_no_request_is_open() {
        let activity = Activity::new();
        let open = activity.open();
        let idle = tokio::spawn({
            let activity = activity.clone();
            async move { activity.idle_for(Duration::from_millis(10)).await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!idle.is_finished(), "a request is open");
        drop(open);
        tokio::time::timeout(Duration::from_secs(10), idle)
            .await
            .expect("idle after the timeout")
            .unwrap();
    }

    #[tokio::test]
    async fn handled_requests_hold_none_handled() {
        let activity = Activity::new();
        let _receiving = activity.open();
        activity.none_handled().await;
        let handled = activity.handle();
        let waiting = tokio::spawn({
            let activity = activity.clone();
            async move { activity.none_handled().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(handled);
        waiting.await.unwrap();
    }
}
