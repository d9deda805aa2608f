//! Query parameters of the Ordering API, parsed strictly: unknown parameters are ignored as
//! EOSC does, but a known one with a bad value is a 400 naming it.

use std::collections::HashMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::{ApiError, bad_request};
use crate::app::oms::feed::MAX_LIMIT;

/// The page size when `limit` is absent.
const DEFAULT_LIMIT: usize = 100;
/// Longest query string read.
const MAX_QUERY: usize = 4096;

pub struct Query(HashMap<String, String>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, ApiError> {
        let raw = raw.unwrap_or_default();
        if raw.len() > MAX_QUERY {
            return Err(bad_request("query", "(too long)", "at most 4096 bytes"));
        }
        Ok(Query(
            url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    /// A non-negative integer parameter.
    pub fn id(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.0
            .get(name)
            .map(|text| {
                text.parse::<u64>()
                    .map_err(|_| bad_request(name, text, "a non-negative integer"))
            })
            .transpose()
    }

    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.0.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
                _ => Err(bad_request("limit", text, "an integer from 1 to 1000")),
            },
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.0.get(name).map(String::as_str) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(bad_request(name, other, "true or false")),
        }
    }

    /// An ISO 8601 time as microseconds since the epoch ("invalid date" otherwise).
    pub fn timestamp(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.0
            .get(name)
            .map(|text| {
                OffsetDateTime::parse(text, &Rfc3339)
                    .ok()
                    .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1000).ok())
                    .ok_or_else(|| bad_request(name, text, "an ISO 8601 date (invalid date)"))
            })
            .transpose()
    }
}
