//! ECHO-style GUIDs: uppercase hexadecimal in 8-4-4-4-12 groups.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A GUID as ECHO writes them, e.g. `1282C3FE-6892-81C3-A86B-594FDCC13AF3`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Guid(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("[{0}] is not a GUID of the form XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX (hexadecimal)")]
pub struct InvalidGuid(pub String);

impl Guid {
    /// A fresh random GUID (UUID version 4): for names that should not tell when they were
    /// made, and for names no table is keyed by.
    pub fn random() -> Self {
        Guid::of(uuid::Uuid::new_v4())
    }

    /// A fresh GUID whose leading digits are the time (UUID version 7; later GUIDs of this
    /// process sort after earlier ones, 74 bits stay random): for records the gateway creates
    /// and keys by GUID (orders, order items, delivery keys). Their B-tree entries are then
    /// appended where the last ones went, so a commit of many new records rewrites a few pages
    /// instead of one random page per record, as random GUIDs did. The time is readable in
    /// it, so never for anything secret.
    pub fn time_ordered() -> Self {
        Guid::of(uuid::Uuid::now_v7())
    }

    /// A UUID in ECHO's form.
    fn of(uuid: uuid::Uuid) -> Self {
        Guid(uuid.hyphenated().to_string().to_uppercase())
    }

    /// Parses a GUID, accepting lowercase hexadecimal and normalising it to uppercase.
    pub fn parse(text: &str) -> Result<Self, InvalidGuid> {
        // Checked byte by byte: every request names GUIDs, so this runs on every one.
        let shaped = text.len() == 36
            && text.bytes().enumerate().all(|(at, byte)| match at {
                8 | 13 | 18 | 23 => byte == b'-',
                _ => byte.is_ascii_hexdigit(),
            });
        if shaped {
            Ok(Guid(text.to_ascii_uppercase()))
        } else {
            Err(InvalidGuid(text.to_owned()))
        }
    }

    /// The all-zero GUID, which no account has: it names the local operator.
    pub fn nil() -> Self {
        Guid("00000000-0000-0000-0000-000000000000".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_guids_are_uppercase_and_parse() {
        let guid = Guid::random();
        assert_eq!(guid.as_str(), guid.as_str().to_uppercase());
        assert_eq!(Guid::parse(guid.as_str()), Ok(guid));
    }

    #[test]
    fn time_ordered_guids_parse_and_sort_in_creation_order() {
        let guids: Vec<Guid> = (0..1_000).map(|_| Guid::time_ordered()).collect();
        assert!(guids.windows(2).all(|pair| pair[0] < pair[1]));
        let last = guids.last().unwrap();
        assert_eq!(Guid::parse(last.as_str()).as_ref(), Ok(last));
    }

    #[test]
    fn parse_normalises_case_and_rejects_other_shapes() {
        let parsed = Guid::parse("07acf84c-6360-0bc7-92a8-e95a958dde12").unwrap();
        assert_eq!(parsed.as_str(), "07ACF84C-6360-0BC7-92A8-E95A958DDE12");
        for bad in [
            "",
            "user_guid",
            "07ACF84C63600BC792A8E95A958DDE12",
            "07ACF84C-6360-0BC7-92A8-E95A958DDE1G",
            "07ACF84C-6360-0BC7-92A8-E95A958DDE1-",
            "07ACF84C-6360-0BC7-92A8-E95A958DDE123",
            "07ACF84C-63600-BC7-92A8-E95A958DDE12",
            "07ACF84C-6360-0BC7-92A8-E95A958DDÉ2",
        ] {
            assert!(Guid::parse(bad).is_err(), "{bad}");
        }
    }
}
