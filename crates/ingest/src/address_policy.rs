//! Which network addresses a fetch may connect to. A URL someone gives Parallax must not reach into
//! the machine or the network it runs on (server-side request forgery), so by default only public
//! unicast addresses pass: loopback, private, link-local, carrier-grade NAT, multicast, documentation
//! and other special-purpose ranges are refused. The operator lets ranges through with
//! `PARALLAX_ALLOW_PRIVATE` (comma-separated CIDR ranges such as `127.0.0.0/8,10.0.0.0/8`); tests
//! use it for loopback. The check applies to every address a host name resolves to and to every
//! redirect, which is the fetcher's to call.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The environment variable listing ranges let through despite being non-public.
pub const ALLOW_PRIVATE_VAR: &str = "PARALLAX_ALLOW_PRIVATE";

/// Why an address may not be fetched, or an allow-list not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The address is not public and no allowed range holds it.
    #[error("refusing to connect to {address}: it is a {kind} address (set {ALLOW_PRIVATE_VAR} to allow it)")]
    Refused {
        /// The address.
        address: IpAddr,
        /// What kind of non-public address it is ("loopback", "private").
        kind: &'static str,
    },
    /// A range in the allow-list is not CIDR notation.
    #[error("{ALLOW_PRIVATE_VAR}: {range:?} is not an address range such as 127.0.0.0/8 ({reason})")]
    BadRange {
        /// The range as written.
        range: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// A range of addresses in CIDR notation ("10.0.0.0/8", "::1/128"; a bare address is itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// Whether the range holds an address. An IPv4 address written as IPv6 (`::ffff:127.0.0.1`)
    /// counts as the IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, unmapped(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                prefix_matches(&network.octets(), &address.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                prefix_matches(&network.octets(), &address.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

impl FromStr for AddressRange {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |reason| AddressError::BadRange { range: text.to_owned(), reason };
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad("not an IP address"))?;
        let longest = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| bad("the prefix length is not a number"))?,
            None => longest,
        };
        if prefix > longest {
            return Err(bad("the prefix length is longer than the address"));
        }
        Ok(AddressRange { network, prefix })
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The addresses fetches may reach: public ones, and any in the allowed ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allowed: Vec<AddressRange>,
}

impl AddressPolicy {
    /// Public addresses only.
    pub fn public_only() -> Self {
        AddressPolicy::default()
    }

    /// Public addresses and those in a comma-separated list of ranges.
    pub fn allowing(ranges: &str) -> Result<Self, AddressError> {
        let allowed = ranges
            .split(',')
            .map(str::trim)
            .filter(|range| !range.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        Ok(AddressPolicy { allowed })
    }

    /// The policy `PARALLAX_ALLOW_PRIVATE` sets; public addresses only when it is unset.
    pub fn from_env() -> Result<Self, AddressError> {
        match std::env::var(ALLOW_PRIVATE_VAR) {
            Ok(ranges) => AddressPolicy::allowing(&ranges),
            Err(_) => Ok(AddressPolicy::public_only()),
        }
    }

    /// The ranges let through besides public addresses.
    pub fn allowed(&self) -> &[AddressRange] {
        &self.allowed
    }

    /// Whether a fetch may connect to an address.
    pub fn check(&self, address: IpAddr) -> Result<(), AddressError> {
        match non_public_kind(address) {
            Some(kind) if !self.allowed.iter().any(|range| range.contains(address)) => {
                Err(AddressError::Refused { address, kind })
            }
            _ => Ok(()),
        }
    }
}

/// What kind of non-public address this is, or `None` for a public unicast address.
pub fn non_public_kind(address: IpAddr) -> Option<&'static str> {
    match unmapped(address) {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(address: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = address.octets();
    let kind = match (a, b, c) {
        (0, _, _) => "this-network",
        (10, _, _) => "private",
        (100, 64..=127, _) => "shared (carrier-grade NAT)",
        (127, _, _) => "loopback",
        (169, 254, _) => "link-local",
        (172, 16..=31, _) => "private",
        (192, 0, 0) => "protocol-assignment",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (192, 88, 99) => "relay (6to4)",
        (192, 168, _) => "private",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(kind)
}

fn v6_kind(address: Ipv6Addr) -> Option<&'static str> {
    let segments = address.segments();
    let kind = if address.is_unspecified() {
        "unspecified"
    } else if address.is_loopback() {
        "loopback"
    } else if segments[0] & 0xfe00 == 0xfc00 {
        "private (unique local)"
    } else if segments[0] & 0xffc0 == 0xfe80 {
        "link-local"
    } else if segments[0] & 0xff00 == 0xff00 {
        "multicast"
    } else if segments[0] == 0x2001 && segments[1] == 0x0db8 {
        "documentation"
    } else if segments[0] == 0x0064 && segments[1] == 0xff9b {
        // NAT64 embeds an IPv4 address: it is as public as that address.
        let [a, b] = segments[6].to_be_bytes();
        let [c, d] = segments[7].to_be_bytes();
        return v4_kind(Ipv4Addr::new(a, b, c, d));
    } else if segments[0] == 0x2002 {
        // 6to4 embeds an IPv4 address the same way.
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        return v4_kind(Ipv4Addr::new(a, b, c, d));
    } else if segments[0] & 0xe000 != 0x2000 {
        // Only 2000::/3 is allocated for global unicast.
        "reserved"
    } else {
        return None;
    };
    Some(kind)
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, or the deprecated `::10.0.0.1`) as IPv4.
fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => match v6.segments() {
                [0, 0, 0, 0, 0, 0, high, low] if high != 0 => {
                    let [a, b] = high.to_be_bytes();
                    let [c, d] = low.to_be_bytes();
                    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
                }
                _ => address,
            },
        },
        IpAddr::V4(_) => address,
    }
}

fn prefix_matches(network: &[u8], address: &[u8], prefix: u8) -> bool {
    let (whole, rest) = (usize::from(prefix / 8), prefix % 8);
    if network[..whole] != address[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    network[whole] & mask == address[whole] & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_public_unicast_addresses_pass_by_default() {
        let policy = AddressPolicy::public_only();
        for public in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(policy.check(ip(public)), Ok(()), "{public}");
        }
        for (address, kind) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("0.0.0.0", "this-network"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("198.18.0.1", "benchmarking"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("64:ff9b::a00:1", "private"),
            ("2002:c0a8:101::1", "private"),
        ] {
            assert_eq!(policy.check(ip(address)), Err(AddressError::Refused { address: ip(address), kind }));
        }
    }

    #[test]
    fn allowed_ranges_let_non_public_addresses_through() {
        let policy = AddressPolicy::allowing("127.0.0.0/8, ::1/128,10.20.0.0/16").unwrap();
        assert_eq!(policy.check(ip("127.0.0.1")), Ok(()));
        assert_eq!(policy.check(ip("::ffff:127.0.0.1")), Ok(()), "a mapped address is its IPv4 address");
        assert_eq!(policy.check(ip("::1")), Ok(()));
        assert_eq!(policy.check(ip("10.20.99.1")), Ok(()));
        assert!(policy.check(ip("10.21.0.1")).is_err());
        assert!(policy.check(ip("192.168.0.1")).is_err());
        let single = AddressPolicy::allowing("192.168.1.7").unwrap();
        assert_eq!(single.check(ip("192.168.1.7")), Ok(()));
        assert!(single.check(ip("192.168.1.8")).is_err());
        assert_eq!(AddressPolicy::allowing("").unwrap(), AddressPolicy::public_only());
    }

    #[test]
    fn ranges_are_read_strictly() {
        assert_eq!("10.0.0.0/9".parse::<AddressRange>().unwrap().to_string(), "10.0.0.0/9");
        for bad in ["localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/x", "10.0.0/8"] {
            let error = bad.parse::<AddressRange>().unwrap_err();
            assert!(matches!(error, AddressError::BadRange { .. }), "{bad}");
            assert!(error.to_string().contains(ALLOW_PRIVATE_VAR), "{error}");
        }
        let partial_byte = "172.16.0.0/12".parse::<AddressRange>().unwrap();
        assert!(partial_byte.contains(ip("172.31.255.255")) && !partial_byte.contains(ip("172.32.0.0")));
    }

    #[test]
    fn a_refusal_says_what_to_set() {
        let error = AddressPolicy::public_only().check(ip("127.0.0.1")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "refusing to connect to 127.0.0.1: it is a loopback address (set PARALLAX_ALLOW_PRIVATE to allow it)"
        );
    }
}
