//! Address ranges a provider's `EndPoint` may never reach, whatever its name resolves to:
//! by default link-local addresses (where cloud metadata services live, 169.254.169.254 and
//! fd00:ec2::254 among them). Operators add loopback or private ranges with
//! `--forbidden-endpoint-ranges`; they stay allowed by default so a partner simulator on
//! this host keeps working.
//!
//! The ranges are process-wide, set once when the server starts (like the TLS crypto
//! provider), because every outbound client of the process must obey the same list.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::OnceLock;

/// An address range in CIDR notation (`169.254.0.0/16`, `fe80::/10`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

/// The ranges refused when the operator configures none.
/// (The metadata addresses come first so a refusal names the most specific range.)
pub const DEFAULT_FORBIDDEN: &[&str] = &[
    "169.254.169.254/32",
    "fd00:ec2::254/128",
    "169.254.0.0/16",
    "fe80::/10",
];

#[derive(Debug, thiserror::Error)]
#[error("[{0}] is not an address range: expected an IP address with an optional /prefix")]
pub struct InvalidRange(String);

impl FromStr for AddressRange {
    type Err = InvalidRange;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidRange(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| invalid())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| invalid())?,
            None => bits,
        };
        if prefix > bits {
            return Err(invalid());
        }
        Ok(AddressRange { network, prefix })
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl AddressRange {
    pub fn contains(&self, address: IpAddr) -> bool {
        // An IPv4-mapped IPv6 address (::ffff:169.254.169.254) is the IPv4 address.
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(network: &[u8], address: &[u8], prefix: u8) -> bool {
    let prefix = usize::from(prefix);
    let (whole, rest) = (prefix / 8, prefix % 8);
    if network[..whole] != address[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        network[whole] & mask == address[whole] & mask
    }
}

/// The configured list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbiddenRanges(Vec<AddressRange>);

impl Default for ForbiddenRanges {
    fn default() -> Self {
        ForbiddenRanges(
            DEFAULT_FORBIDDEN
                .iter()
                .map(|range| range.parse().expect("valid default range"))
                .collect(),
        )
    }
}

impl ForbiddenRanges {
    /// These ranges and `more`.
    pub fn with(mut self, more: Vec<AddressRange>) -> ForbiddenRanges {
        self.0.extend(more);
        self
    }

    /// The range that forbids `address`, if any.
    pub fn forbidding(&self, address: IpAddr) -> Option<AddressRange> {
        self.0.iter().copied().find(|range| range.contains(address))
    }
}

static INSTALLED: OnceLock<ForbiddenRanges> = OnceLock::new();

/// Sets the process-wide list; the first call wins.
pub fn install(ranges: ForbiddenRanges) {
    let _ = INSTALLED.set(ranges);
}

/// The process-wide list: the installed one, or the defaults.
pub fn current() -> &'static ForbiddenRanges {
    INSTALLED.get_or_init(ForbiddenRanges::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn defaults_refuse_link_local_and_metadata_but_not_loopback() {
        let defaults = ForbiddenRanges::default();
        for refused in ["169.254.169.254", "169.254.1.2", "fe80::1", "fd00:ec2::254"] {
            assert!(defaults.forbidding(ip(refused)).is_some(), "{refused}");
        }
        assert!(defaults.forbidding(ip("::ffff:169.254.169.254")).is_some());
        for allowed in ["127.0.0.1", "::1", "10.0.0.1", "192.0.2.7", "fd00:ec2::253"] {
            assert!(defaults.forbidding(ip(allowed)).is_none(), "{allowed}");
        }
    }

    #[test]
    fn ranges_parse_with_and_without_prefix() {
        let range: AddressRange = "127.0.0.0/8".parse().unwrap();
        assert!(range.contains(ip("127.255.0.1")));
        assert!(!range.contains(ip("128.0.0.1")));
        let one: AddressRange = "::1".parse().unwrap();
        assert_eq!(one.to_string(), "::1/128");
        let odd: AddressRange = "10.0.0.0/9".parse().unwrap();
        assert!(odd.contains(ip("10.127.0.1")) && !odd.contains(ip("10.128.0.1")));
        for bad in ["10.0.0.0/33", "localhost", "10.0.0.0/x", ""] {
            assert!(bad.parse::<AddressRange>().is_err(), "{bad}");
        }
    }
}
