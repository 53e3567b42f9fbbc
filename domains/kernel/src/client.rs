//! The client address a request came from, resolved once at the HTTP edge
//! (the connection's peer, or `X-Forwarded-For` from a trusted proxy) and
//! attached to the request for rate limits and session records.

use std::net::IpAddr;

/// The resolved client IP, as request data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client IP: walking `X-Forwarded-For` from the right, the first
/// address that is not a trusted proxy — but only when the peer itself is a
/// trusted proxy; otherwise the peer. `None` when nothing is known.
pub fn resolve(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer_trusted = peer.is_some_and(|p| trusted_proxies.contains(&p));
    if peer_trusted && let Some(chain) = forwarded_for {
        let hops: Vec<IpAddr> = chain.split(',').filter_map(|h| h.trim().parse().ok()).collect();
        if let Some(client) = hops.iter().rev().find(|ip| !trusted_proxies.contains(ip)) {
            return Some(*client);
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            resolve(Some(ip("203.0.113.9")), Some("1.2.3.4"), &proxies),
            Some(ip("203.0.113.9")),
            "untrusted peer: header ignored"
        );
        assert_eq!(resolve(Some(ip("10.0.0.1")), Some("1.2.3.4"), &proxies), Some(ip("1.2.3.4")));
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), Some("6.6.6.6, 1.2.3.4, 10.0.0.2"), &proxies),
            Some(ip("1.2.3.4")),
            "spoofed left-most hop ignored"
        );
        assert_eq!(resolve(Some(ip("10.0.0.1")), Some("garbage"), &proxies), Some(ip("10.0.0.1")));
        assert_eq!(resolve(None, Some("1.2.3.4"), &proxies), None);
    }
}
