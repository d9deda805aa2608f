//! The StatusMessage of a provider order: a log of dated lines, ECHO's transition lines and the
//! provider's free text interleaved, rendered as ECHO rendered it.
//!
//! ECHO wrote each date with Java's `Date.toString()` in the server's zone
//! (`Wed Feb 15 10:09:19 EST 2017`). The gateway writes the same shape in UTC
//! (`Wed Feb 15 15:09:19 UTC 2017`): a zone abbreviation of the host would change with the
//! host and with daylight saving, and clients that parse the date read `UTC` as well as `EST`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::macros::format_description;

use super::state::OrderState;
use crate::timestamp::Timestamp;

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    pub at: Timestamp,
    pub text: String,
}

/// The lines of a provider order's StatusMessage, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusLog(Vec<StatusLine>);

impl StatusLog {
    /// Records ECHO's line for a state change; `from` is `None` for a new provider order.
    pub fn record_transition(&mut self, from: Option<OrderState>, to: OrderState, at: Timestamp) {
        let from = from.map_or("null", OrderState::wire_name);
        let text = format!("ECHO: Transitioning from state [{from}] to state [{to}]");
        self.0.push(StatusLine { at, text });
    }

    /// Appends free text from a provider, one line per non-blank line of the text, so the log
    /// keeps one dated entry per line.
    pub fn record_message(&mut self, message: &str, at: Timestamp) {
        let lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
        self.0.extend(lines.map(|text| StatusLine {
            at,
            text: text.to_owned(),
        }));
    }

    pub fn lines(&self) -> &[StatusLine] {
        &self.0
    }

    /// The StatusMessage element's text: `<date> : <text>` lines, each ending in a newline.
    pub fn to_echo_string(&self) -> String {
        self.0
            .iter()
            .map(|line| format!("{} : {}\n", java_date(line.at), line.text))
            .collect()
    }
}

/// `Date.toString()` in UTC, e.g. `Wed Feb 15 15:09:19 UTC 2017`.
fn java_date(at: Timestamp) -> String {
    let format = format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.millis()) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// The recorded close_all StatusMessage, with its EST dates moved to UTC.
    const RECORDED_IN_UTC: &str = "\
Wed Feb 15 15:09:19 UTC 2017 : ECHO: Transitioning from state [null] to state [NOT_VALIDATED]
Wed Feb 15 15:09:21 UTC 2017 : ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]
Wed Feb 15 15:09:21 UTC 2017 : ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]
Wed Feb 15 15:09:23 UTC 2017 : Order received
Wed Feb 15 15:09:23 UTC 2017 : ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]
Wed Feb 15 15:11:29 UTC 2017 : Running tests
Wed Feb 15 15:11:41 UTC 2017 : Running tests
Wed Feb 15 15:11:41 UTC 2017 : ECHO: Transitioning from state [PROCESSING] to state [CLOSED]
";

    #[test]
    fn renders_the_recorded_history() {
        use OrderState as S;
        let mut log = StatusLog::default();
        log.record_transition(None, S::NotValidated, at("2017-02-15T15:09:19.100Z"));
        log.record_transition(
            Some(S::NotValidated),
            S::Validated,
            at("2017-02-15T15:09:21Z"),
        );
        log.record_transition(
            Some(S::Validated),
            S::Submitting,
            at("2017-02-15T15:09:21Z"),
        );
        log.record_message("Order received", at("2017-02-15T15:09:23Z"));
        log.record_transition(
            Some(S::Submitting),
            S::Processing,
            at("2017-02-15T15:09:23Z"),
        );
        log.record_message("Running tests", at("2017-02-15T15:11:29Z"));
        log.record_message("Running tests", at("2017-02-15T15:11:41Z"));
        log.record_transition(
            Some(S::Processing),
            S::Closed,
            at("2017-02-15T15:11:41.634Z"),
        );
        assert_eq!(log.to_echo_string(), RECORDED_IN_UTC);
    }

    #[test]
    fn multi_line_and_blank_provider_text() {
        let mut log = StatusLog::default();
        log.record_message("  \n", at("2017-02-03T15:20:43Z"));
        assert_eq!(log.to_echo_string(), "");
        log.record_message("first\r\n\nsecond ", at("2017-02-03T15:20:43Z"));
        assert_eq!(
            log.to_echo_string(),
            "Fri Feb 03 15:20:43 UTC 2017 : first\nFri Feb 03 15:20:43 UTC 2017 : second\n"
        );
    }

    #[test]
    fn stores_as_a_json_list_of_lines() {
        let mut log = StatusLog::default();
        log.record_message("Order received", Timestamp::from_millis(0));
        let json = serde_json::to_string(&log).unwrap();
        assert_eq!(json, r#"[{"at":0,"text":"Order received"}]"#);
        assert_eq!(serde_json::from_str::<StatusLog>(&json).unwrap(), log);
    }
}
