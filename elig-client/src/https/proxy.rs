//! `HTTPS_PROXY` / `NO_PROXY` and the HTTP `CONNECT` tunnel.
//!
//! The environment conventions are curl's (lower-case wins over upper-case; `NO_PROXY` is a
//! comma-separated list of host names, domain suffixes with or without a leading dot, IP
//! addresses, or `*`); proxy authentication is not supported (this project's choice: the
//! clinic proxies this SDK targets allow the device by address).

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::gateway::GatewayTransportError;

/// Where the HTTP `CONNECT` proxy is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyAddr {
    /// Host name or IP address of the proxy.
    pub host: String,
    /// Its port (80, the `http://` default, when the URL names none).
    pub port: u16,
}

impl ProxyAddr {
    /// Parses `http://host:port`, `host:port` or `http://host` (port 80); a trailing `/` is
    /// allowed. Credentials (`user@`) and `https://` proxies are refused.
    pub fn parse(url: &str) -> Result<Self, GatewayTransportError> {
        let bad = |why: &str| GatewayTransportError::Config {
            reason: format!("proxy URL: {why}"),
        };
        let url = url.trim();
        let rest = if let Some(r) = url.strip_prefix("http://") {
            r
        } else if url.contains("://") {
            return Err(bad("only http:// proxies are supported"));
        } else {
            url
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains('@') {
            return Err(bad("proxy credentials are not supported"));
        }
        if rest.contains('/') {
            return Err(bad("a path is not allowed"));
        }
        let (host, port) = split_host_port(rest, 80).ok_or_else(|| bad("bad host or port"))?;
        Ok(Self { host, port })
    }
}

/// Splits `host:port`, `[v6]:port`, `host` (default port) into host and port.
pub(crate) fn split_host_port(text: &str, default_port: u16) -> Option<(String, u16)> {
    if let Some(v6) = text.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return (!host.is_empty()).then(|| (host.to_owned(), port));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().ok()?),
        Some(_) => return None,
        None => (text, default_port),
    };
    (!host.is_empty()).then(|| (host.to_owned(), port))
}

/// How the driver reaches the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxySetting {
    /// Directly.
    #[default]
    Direct,
    /// Through this `CONNECT` proxy, except for hosts matched by `no_proxy`.
    Connect {
        /// The proxy.
        proxy: ProxyAddr,
        /// `NO_PROXY` entries.
        no_proxy: Vec<String>,
    },
}

impl ProxySetting {
    /// Reads `https_proxy` / `HTTPS_PROXY` and `no_proxy` / `NO_PROXY` from the process
    /// environment.
    pub fn from_env() -> Result<Self, GatewayTransportError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ProxySetting::from_env`], reading variables through `lookup` (for tests and
    /// for callers with their own configuration store).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, GatewayTransportError> {
        let first = |a: &str, b: &str| {
            lookup(a)
                .filter(|v| !v.trim().is_empty())
                .or_else(|| lookup(b).filter(|v| !v.trim().is_empty()))
        };
        let Some(url) = first("https_proxy", "HTTPS_PROXY") else {
            return Ok(ProxySetting::Direct);
        };
        let no_proxy = first("no_proxy", "NO_PROXY")
            .map(|v| {
                v.split(',')
                    .map(|e| e.trim().to_ascii_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(ProxySetting::Connect {
            proxy: ProxyAddr::parse(&url)?,
            no_proxy,
        })
    }

    /// The proxy to use for `host`, if any.
    pub fn proxy_for(&self, host: &str) -> Option<&ProxyAddr> {
        match self {
            ProxySetting::Direct => None,
            ProxySetting::Connect { proxy, no_proxy } => {
                let host = host.trim_end_matches('.').to_ascii_lowercase();
                let excluded = no_proxy.iter().any(|entry| {
                    let entry = entry.trim_start_matches("*.").trim_start_matches('.');
                    entry == "*"
                        || host == entry
                        || host
                            .strip_suffix(entry)
                            .is_some_and(|head| head.ends_with('.'))
                });
                (!excluded).then_some(proxy)
            }
        }
    }
}

/// The most of a `CONNECT` answer's head read.
const MAX_CONNECT_HEAD: usize = 8 * 1024;

/// Asks the proxy on `tcp` for a tunnel to `host:port`; returns once it answered 200.
pub(crate) async fn connect_tunnel(
    tcp: &mut TcpStream,
    host: &str,
    port: u16,
) -> Result<(), GatewayTransportError> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|_| GatewayTransportError::Unreachable { proxy: true })?;
    // Read byte by byte up to the blank line: nothing after it may be consumed (it is TLS).
    let mut head = Vec::with_capacity(256);
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_CONNECT_HEAD {
            return Err(GatewayTransportError::Http {
                reason: "proxy CONNECT answer head too long".into(),
            });
        }
        let byte = tcp
            .read_u8()
            .await
            .map_err(|_| GatewayTransportError::Unreachable { proxy: true })?;
        head.push(byte);
    }
    let status = parse_status_line(&head).ok_or_else(|| GatewayTransportError::Http {
        reason: "proxy CONNECT answer is not HTTP".into(),
    })?;
    if status == 200 {
        Ok(())
    } else {
        Err(GatewayTransportError::ProxyRefused { status })
    }
}

/// The status of an `HTTP/1.x NNN …` line.
fn parse_status_line(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    (code.len() == 3).then_some(())?;
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn reads_lower_case_first_and_no_proxy() {
        let s = ProxySetting::from_lookup(env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://proxy.local:3128/"),
            ("NO_PROXY", "localhost, .internal.example,10.0.0.1"),
        ]))
        .unwrap();
        let p = s.proxy_for("gateway.example.jp").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.local", 3128));
        assert!(s.proxy_for("localhost").is_none());
        assert!(s.proxy_for("gw.internal.example").is_none());
        assert!(s.proxy_for("internal.example").is_none());
        assert!(s.proxy_for("notinternal.example").is_some());
        assert!(s.proxy_for("10.0.0.1").is_none());
    }

    #[test]
    fn no_variable_means_direct_and_star_excludes_all() {
        assert_eq!(
            ProxySetting::from_lookup(env(&[])).unwrap(),
            ProxySetting::Direct
        );
        let s =
            ProxySetting::from_lookup(env(&[("HTTPS_PROXY", "p:8"), ("no_proxy", "*")])).unwrap();
        assert!(s.proxy_for("anything").is_none());
    }

    #[test]
    fn proxy_urls() {
        assert_eq!(
            ProxyAddr::parse("http://[::1]:3128").unwrap(),
            ProxyAddr {
                host: "::1".into(),
                port: 3128
            }
        );
        assert_eq!(ProxyAddr::parse("http://p").unwrap().port, 80);
        assert!(ProxyAddr::parse("https://p:1").is_err());
        assert!(ProxyAddr::parse("http://u:pw@p:1").is_err());
        assert!(ProxyAddr::parse("http://p:99999").is_err());
    }

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status_line(b"HTTP/1.1 200 Connection established\r\n\r\n"),
            Some(200)
        );
        assert_eq!(
            parse_status_line(b"HTTP/1.0 403 Forbidden\r\n\r\n"),
            Some(403)
        );
        assert_eq!(parse_status_line(b"SSH-2.0\r\n\r\n"), None);
    }
}
