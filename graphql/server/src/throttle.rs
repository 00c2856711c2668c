//! What each client may ask for, how often: per-client (IP) rates on anonymous operations,
//! password hashing and mail, per-address rates on mail, and who the client is behind a
//! reverse proxy ([`client_ip`]: `X-Forwarded-For` only from [`Limits::trusted_proxies`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server's limits on clients, all configurable (`houston-server --help`). The defaults
/// are generous for people and scripts, and stop one client from exhausting the server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Anonymous operations per client per minute (sign-in, sign-up, links, the catalog).
    pub anonymous_per_minute: u32,
    /// Password-hashing mutations per client per minute (createToken, createNewUser,
    /// setPassword, updateUser with newPassword).
    pub hashing_per_minute: u32,
    /// Hashing requests admitted at once, running or waiting; more are refused with
    /// `RATE_LIMITED` instead of queueing without end.
    pub hashing_in_flight: usize,
    /// Mail-sending operations per client per hour.
    pub mail_per_hour: u32,
    /// Mails to one address per hour.
    pub mail_per_address_per_hour: u32,
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxies in front).
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long one request may take, its body included (not a WebSocket once upgraded).
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listener's backlog.
    pub max_connections: usize,
    /// How many rows of each kind one organization may hold.
    pub quotas: Quotas,
}

/// The most rows of each kind one organization may hold (the store's creates refuse past
/// them, see [`crate::store::Orgs::set_quotas`]). The defaults are the scale the server is built and measured for
/// (an organization of 10,000 sources and 100,000 integrations): they stop one account
/// from filling the database without end, not a real team from growing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Sources per organization.
    pub sources: i64,
    /// Connections per organization.
    pub connections: i64,
    /// Integrations per organization.
    pub integrations: i64,
    /// Members per organization.
    pub members: i64,
    /// API keys per organization.
    pub api_keys: i64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            sources: 10_000,
            connections: 10_000,
            integrations: 100_000,
            members: 10_000,
            api_keys: 1_000,
        }
    }
}

impl Quotas {
    /// The quota of `table`'s rows.
    pub fn of(&self, table: crate::store::OrgTable) -> i64 {
        use crate::store::OrgTable;
        match table {
            OrgTable::Sources => self.sources,
            OrgTable::Connections => self.connections,
            OrgTable::Integrations => self.integrations,
            OrgTable::Members => self.members,
            OrgTable::ApiKeys => self.api_keys,
        }
    }
}

impl std::str::FromStr for Quotas {
    type Err = String;

    /// `sources=200,connections=200,integrations=1000,members=1000,api_keys=100`; a kind
    /// left out keeps its default.
    fn from_str(text: &str) -> Result<Quotas, String> {
        let mut quotas = Quotas::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, n) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: write kind=number"))?;
            let n: i64 = n
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| format!("`{part}`: the number must be 0 or more"))?;
            let slot = match kind.trim() {
                "sources" => &mut quotas.sources,
                "connections" => &mut quotas.connections,
                "integrations" => &mut quotas.integrations,
                "members" => &mut quotas.members,
                "api_keys" => &mut quotas.api_keys,
                other => {
                    return Err(format!(
                        "`{other}`: the kinds are sources, connections, integrations, members \
                         and api_keys"
                    ))
                }
            };
            *slot = n;
        }
        Ok(quotas)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            anonymous_per_minute: 600,
            hashing_per_minute: 60,
            hashing_in_flight: 64,
            mail_per_hour: 120,
            mail_per_address_per_hour: 10,
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            quotas: Quotas::default(),
        }
    }
}

/// The address of the client that made a request, as request data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client behind a request that came from `peer`: the peer itself, unless it is a
/// trusted proxy; then the last address of `X-Forwarded-For` (`forwarded`, every header's
/// values in order) that is not a trusted proxy. A client can write any address at the
/// start of the header; only what the trusted proxies appended counts.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

/// What a rate counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rate {
    Anonymous,
    Hashing,
    Mail,
    MailToAddress,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Rates per client or address: a token bucket each, full when unused.
pub struct Throttle {
    limits: Limits,
    buckets: Mutex<HashMap<(Rate, String), Bucket>>,
    /// Hashing requests admitted and not finished.
    hashing: Arc<AtomicUsize>,
}

/// A hashing request's place among [`Limits::hashing_in_flight`], given back when dropped.
pub struct HashingSlot(Arc<AtomicUsize>);

impl Drop for HashingSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Buckets kept before full ones (unused for a whole period) are forgotten.
const PRUNE_AT: usize = 10_000;

impl Throttle {
    /// A throttle with `limits`.
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits,
            buckets: Mutex::default(),
            hashing: Arc::default(),
        }
    }

    /// A place for one more hashing request, or `None` when [`Limits::hashing_in_flight`]
    /// are already running or waiting (shed the load: the caller answers `RATE_LIMITED`).
    pub fn admit_hashing(&self) -> Option<HashingSlot> {
        let before = self.hashing.fetch_add(1, Ordering::Relaxed);
        let slot = HashingSlot(self.hashing.clone());
        (before < self.limits.hashing_in_flight).then_some(slot)
    }

    /// The limits it applies.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn rate(&self, rate: Rate) -> (f64, Duration) {
        let l = &self.limits;
        let (n, period) = match rate {
            Rate::Anonymous => (l.anonymous_per_minute, 60),
            Rate::Hashing => (l.hashing_per_minute, 60),
            Rate::Mail => (l.mail_per_hour, 3600),
            Rate::MailToAddress => (l.mail_per_address_per_hour, 3600),
        };
        (f64::from(n), Duration::from_secs(period))
    }

    /// Takes `n` from `key`'s bucket of `rate`: false (and nothing taken) when it holds
    /// fewer.
    pub fn take(&self, rate: Rate, key: &str, n: u32) -> bool {
        let (capacity, period) = self.rate(rate);
        let per_sec = capacity / period.as_secs_f64();
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|(r, _), b| {
                let (cap, period) = self.rate(*r);
                b.tokens + now.duration_since(b.at).as_secs_f64() * cap / period.as_secs_f64() < cap
            });
        }
        let b = buckets.entry((rate, key.to_string())).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec).min(capacity);
        b.at = now;
        if b.tokens < f64::from(n) {
            return false;
        }
        b.tokens -= f64::from(n);
        true
    }
}

/// Whether the caller of `a` may send one more mail to `address`: its client's mail rate
/// and the address's, both taken; `RATE_LIMITED` when either is used up. The answer does
/// not depend on whether the address has an account.
pub fn may_mail(a: &crate::access::Access<'_>, address: &str) -> crate::error::ApiResult<()> {
    let throttle = &a.state.throttle;
    if let Some(ClientIp(ip)) = a.client {
        if !throttle.take(Rate::Mail, &ip.to_string(), 1) {
            tracing::warn!("mail throttled for one client");
            return Err(crate::error::ApiError::Busy(
                "Too many mails asked for from this address; try again later.",
            ));
        }
    }
    if !throttle.take(Rate::MailToAddress, &address.to_lowercase(), 1) {
        tracing::warn!("mail throttled for one recipient");
        return Err(crate::error::ApiError::Busy(
            "Too many mails were sent to this address lately; try again later.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_read_kind_by_kind() {
        let q: Quotas = "sources=200, api_keys=0".parse().unwrap();
        assert_eq!((q.sources, q.api_keys), (200, 0));
        assert_eq!(q.integrations, Quotas::default().integrations);
        assert_eq!("".parse::<Quotas>(), Ok(Quotas::default()));
        for bad in ["sources", "sources=-1", "sources=many", "rows=5"] {
            let error = bad.parse::<Quotas>().unwrap_err();
            assert!(error.contains('`'), "{bad}: {error}");
        }
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        // Not a proxy: its header is ignored.
        assert_eq!(client_ip(peer, ["1.2.3.4"].into_iter(), &[proxy]), peer);
        // A proxy: the last hop it appended, not what the client wrote before it.
        assert_eq!(
            client_ip(proxy, ["1.2.3.4, 203.0.113.9"].into_iter(), &[proxy]),
            client
        );
        assert_eq!(client_ip(proxy, [].into_iter(), &[proxy]), proxy);
    }

    #[test]
    fn a_bucket_empties_and_is_per_key() {
        let t = Throttle::new(Limits {
            mail_per_address_per_hour: 2,
            ..Limits::default()
        });
        assert!(t.take(Rate::MailToAddress, "a", 1));
        assert!(t.take(Rate::MailToAddress, "a", 1));
        assert!(!t.take(Rate::MailToAddress, "a", 1));
        assert!(t.take(Rate::MailToAddress, "b", 1));
    }
}
