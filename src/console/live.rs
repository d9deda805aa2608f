//! Live delivery lists: `/console/deliveries/events` is a server-sent event stream of the rows
//! of one list (the same filter and page as `/console/deliveries`), sent when it opens and again
//! whenever deliveries change (`app::delivery_signals`: queued, an attempt recorded, retried).
//!
//! The stream is checked like a page: the session and the caller's access (a provider's staff
//! only their provider) when it opens, and the session again before each later list, so a
//! signed-out or revoked session ends it. It is bounded: streams at once per session and in
//! all, a list at most every `MIN_GAP` however busy the gateway is (changes in between are
//! coalesced, never queued), keep-alive comments while nothing changes, and it ends on
//! shutdown so that graceful shutdown is not held open. A stream does not keep its connection
//! busy: the listener's idle limit may close it, and the browser's `EventSource` then reconnects
//! after `RECONNECT` and is sent the list as it is by then, so nothing is missed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use tokio::sync::watch;

use super::ConsoleState;
use super::deliveries::{Filter, rows_fragment};
use super::failure::ConsoleError;
use super::session::Session;
use crate::shutdown::Shutdown;

/// Live lists open at once in the whole console.
const MAX_STREAMS: usize = 256;
/// Live lists open at once by one session (a few tabs).
const MAX_STREAMS_PER_SESSION: usize = 4;
/// A comment line this often keeps proxies and the browser from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The shortest time between two lists sent on one stream.
const MIN_GAP: Duration = Duration::from_millis(500);
/// How long the browser waits before it reopens a stream that ended (the `retry` field).
const RECONNECT: Duration = Duration::from_secs(1);

/// How many live lists are open, in all and per session (keyed by the session's CSRF token, a
/// digest of its token, so no session token is kept here).
#[derive(Default)]
pub struct LiveStreams {
    open: Mutex<HashMap<String, usize>>,
}

impl LiveStreams {
    fn take(&self, session: &str) -> Option<()> {
        let mut open = self.lock();
        let total: usize = open.values().sum();
        let mine = open.get(session).copied().unwrap_or(0);
        if total >= MAX_STREAMS || mine >= MAX_STREAMS_PER_SESSION {
            return None;
        }
        open.insert(session.to_owned(), mine + 1);
        Some(())
    }

    fn give_back(&self, session: &str) {
        let mut open = self.lock();
        if let Some(count) = open.get_mut(session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(session);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One open stream's place in [`LiveStreams`], given back when the stream is dropped.
struct Slot {
    state: ConsoleState,
    session: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.state.live.give_back(&self.session);
    }
}

/// What a stream needs between two events.
struct Live {
    slot: Slot,
    token: String,
    filter: Filter,
    changes: watch::Receiver<u64>,
    shutdown: Shutdown,
    /// The rows last sent, or still to send when the stream opens.
    rows: String,
    sent: bool,
}

/// `GET /console/deliveries/events?provider=&state=&offset=`: the list's rows as `rows` events.
pub async fn events(
    State(state): State<ConsoleState>,
    session: Session,
    Query(filter): Query<Filter>,
) -> Result<Response, ConsoleError> {
    // Watch before the first list is read, so a change in between is not missed.
    let changes = state.gateway.delivery_signals.watch_changes();
    let rows = rows_fragment(&state, &session, &filter).await?;
    state
        .live
        .take(&session.csrf)
        .ok_or(ConsoleError::TooManyStreams)?;
    let live = Live {
        slot: Slot {
            state: state.clone(),
            session: session.csrf.clone(),
        },
        token: session.token,
        filter,
        changes,
        shutdown: state.shutdown.clone(),
        rows,
        sent: false,
    };
    let stream = stream::unfold(live, next_event);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

/// The next `rows` event: the list as the stream opened, then each list that differs from the
/// last one sent. `None` ends the stream: shutdown, the session gone, or its access lost.
async fn next_event(mut live: Live) -> Option<(Result<Event, Infallible>, Live)> {
    if !live.sent {
        live.sent = true;
        return Some((Ok(rows_event(&live.rows).retry(RECONNECT)), live));
    }
    // A list at most every MIN_GAP: changes meanwhile are coalesced by the watch.
    tokio::select! {
        _ = live.shutdown.wait() => return None,
        _ = tokio::time::sleep(MIN_GAP) => {}
    }
    loop {
        tokio::select! {
            _ = live.shutdown.wait() => return None,
            changed = live.changes.changed() => changed.ok()?,
        }
        let state = live.slot.state.clone();
        let session = Session::resume(&state, live.token.clone()).await.ok()?;
        let rows = rows_fragment(&state, &session, &live.filter).await.ok()?;
        if rows != live.rows {
            live.rows = rows;
            return Some((Ok(rows_event(&live.rows)), live));
        }
    }
}

fn rows_event(rows: &str) -> Event {
    Event::default().event("rows").data(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_bounded_per_session_and_given_back() {
        let live = LiveStreams::default();
        for _ in 0..MAX_STREAMS_PER_SESSION {
            assert!(live.take("a").is_some());
        }
        assert!(live.take("a").is_none());
        assert!(live.take("b").is_some());
        live.give_back("a");
        assert!(live.take("a").is_some());
    }
}
