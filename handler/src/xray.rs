//! Subsegments for the function's own work, sent to the X-Ray daemon Lambda runs beside a
//! function with active tracing (`AWS_XRAY_DAEMON_ADDRESS`, UDP).
//!
//! Hand-written: there is no X-Ray SDK for Rust, and OpenTelemetry's OTLP export to X-Ray needs
//! SigV4 and a TLS client in the zip, or an extra Lambda layer. A datagram to the local daemon
//! costs microseconds and nothing in size. Each datagram is the daemon's header line,
//! `{"format":"json","version":1}`, then one subsegment document ("AWS X-Ray segment
//! documents": `id`, `trace_id`, `parent_id`, `start_time`, `end_time`, `type: subsegment`).
//! A send never blocks and its errors are dropped: a missing daemon costs nothing.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::net::{SocketAddr, ToSocketAddrs as _, UdpSocket};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::trace_header::TraceHeader;

const DAEMON_HEADER: &[u8] = b"{\"format\":\"json\",\"version\":1}\n";

/// The daemon's address and a socket to it, opened on the first sampled send.
#[derive(Debug)]
pub struct Daemon {
    address: SocketAddr,
    socket: OnceLock<Option<UdpSocket>>,
}

impl Daemon {
    /// The daemon at `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or the SDKs' longer
    /// `tcp:host:port udp:host:port`, of which the UDP address is used. `None` when it names no
    /// IPv4 address (Lambda's daemon listens on one).
    #[must_use]
    pub fn at(address: &str) -> Option<Self> {
        let udp = address
            .split_whitespace()
            .find_map(|part| part.strip_prefix("udp:"))
            .unwrap_or(address);
        let address = udp.to_socket_addrs().ok()?.find(SocketAddr::is_ipv4)?;
        Some(Self {
            address,
            socket: OnceLock::new(),
        })
    }

    fn send(&self, document: &[u8]) {
        let socket = self.socket.get_or_init(|| {
            UdpSocket::bind("0.0.0.0:0")
                .and_then(|socket| socket.set_nonblocking(true).map(|()| socket))
                .ok()
        });
        if let Some(socket) = socket {
            let mut datagram = Vec::with_capacity(DAEMON_HEADER.len() + document.len());
            datagram.extend_from_slice(DAEMON_HEADER);
            datagram.extend_from_slice(document);
            // Dropped on error: tracing never fails or delays a request.
            let _ = socket.send_to(&datagram, self.address);
        }
    }
}

/// The trace of one sampled invocation: where its subsegments hang and where they go.
#[derive(Debug)]
pub struct Trace<'t> {
    daemon: &'t Daemon,
    root: &'t str,
    /// The subsegment of the route's handler, the parent of any the handler opens.
    handler_id: String,
    parent: &'t str,
    /// When the invocation began: the clock is read only for a sampled request.
    started: f64,
}

impl<'t> Trace<'t> {
    /// A trace to send to `daemon`, only for a sampled invocation with a function segment.
    #[must_use]
    pub fn of(header: TraceHeader<'t>, daemon: Option<&'t Daemon>) -> Option<Self> {
        match (header.sampled, header.parent, daemon) {
            (true, Some(parent), Some(daemon)) => Some(Self {
                daemon,
                root: header.root,
                handler_id: new_id(),
                parent,
                started: now(),
            }),
            _ => None,
        }
    }

    /// Sends the handler's subsegment: the route, its times, and whether it failed.
    pub fn handler(&self, route: &str, status: u16) {
        self.send(&Subsegment {
            name: route,
            id: &self.handler_id,
            trace_id: self.root,
            parent_id: self.parent,
            start_time: self.started,
            end_time: now(),
            kind: "subsegment",
            error: (400..500).contains(&status),
            fault: status >= 500,
            http: Some(Http {
                response: Response { status },
            }),
        });
    }

    /// Sends a subsegment of the handler's for work that ran from `started` until now.
    pub fn downstream(&self, name: &str, started: f64) {
        self.send(&Subsegment {
            name,
            id: &new_id(),
            trace_id: self.root,
            parent_id: &self.handler_id,
            start_time: started,
            end_time: now(),
            kind: "subsegment",
            error: false,
            fault: false,
            http: None,
        });
    }

    fn send(&self, subsegment: &Subsegment<'_>) {
        if let Ok(document) = serde_json::to_vec(subsegment) {
            self.daemon.send(&document);
        }
    }
}

/// Seconds since the epoch, as segment documents write times.
#[must_use]
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// A new 64-bit segment id, as 16 hex digits: a counter hashed with a key the process draws
/// at random, so ids do not repeat within a trace or collide across sandboxes.
fn new_id() -> String {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let mut hasher = KEY.get_or_init(RandomState::new).build_hasher();
    hasher.write_u64(COUNT.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", hasher.finish())
}

#[derive(Serialize)]
struct Subsegment<'a> {
    name: &'a str,
    id: &'a str,
    trace_id: &'a str,
    parent_id: &'a str,
    start_time: f64,
    end_time: f64,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    error: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fault: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<Http>,
}

#[derive(Serialize)]
struct Http {
    response: Response,
}

#[derive(Serialize)]
struct Response {
    status: u16,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::Value;

    use super::*;

    fn listener() -> (UdpSocket, String) {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a local port");
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a timeout");
        let address = socket.local_addr().expect("an address").to_string();
        (socket, address)
    }

    fn received(socket: &UdpSocket) -> Value {
        let mut buffer = vec![0; 65_536];
        let length = socket.recv(&mut buffer).unwrap_or_default();
        let text = String::from_utf8_lossy(&buffer[..length]);
        let (header, document) = text.split_once('\n').unwrap_or_default();
        assert_eq!(header, r#"{"format":"json","version":1}"#);
        serde_json::from_str(document).unwrap_or_default()
    }

    const SAMPLED: &str =
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn a_sampled_handler_and_its_downstream_call_reach_the_daemon_parented() {
        let (socket, address) = listener();
        let daemon = Daemon::at(&address);
        let header = TraceHeader::parse(SAMPLED).expect("a header");
        let trace = Trace::of(header, daemon.as_ref()).expect("sampled");
        trace.downstream("database", now());
        trace.handler("GET /items/{id}", 503);

        let (downstream, handler) = (received(&socket), received(&socket));
        assert_eq!(handler["name"], "GET /items/{id}");
        assert_eq!(handler["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(handler["parent_id"], "53995c3f42cd8ad8");
        assert_eq!(handler["type"], "subsegment");
        assert_eq!(
            (
                handler["fault"].clone(),
                handler["http"]["response"]["status"].clone()
            ),
            (true.into(), 503.into())
        );
        assert_eq!(downstream["parent_id"], handler["id"]);
        assert_ne!(downstream["id"], handler["id"]);
        assert!(handler["end_time"].as_f64() >= handler["start_time"].as_f64());
    }

    #[test]
    fn a_client_error_is_marked_as_an_error() {
        let (socket, address) = listener();
        let daemon = Daemon::at(&format!("tcp:127.0.0.1:1 udp:{address}"));
        let trace = Trace::of(
            TraceHeader::parse(SAMPLED).expect("a header"),
            daemon.as_ref(),
        );
        trace.expect("sampled").handler("ANY /hello", 404);
        let handler = received(&socket);
        assert_eq!(
            (handler["error"].clone(), handler.get("fault")),
            (true.into(), None)
        );
    }

    #[test]
    fn nothing_is_traced_unsampled_without_a_parent_or_without_a_daemon() {
        let daemon = Daemon::at("127.0.0.1:2000");
        let unsampled = TraceHeader::parse("Root=1-a-b;Parent=c;Sampled=0").expect("a header");
        let orphan = TraceHeader::parse("Root=1-a-b;Sampled=1").expect("a header");
        let sampled = TraceHeader::parse(SAMPLED).expect("a header");
        assert!(Trace::of(unsampled, daemon.as_ref()).is_none());
        assert!(Trace::of(orphan, daemon.as_ref()).is_none());
        assert!(Trace::of(sampled, None).is_none());
    }

    #[test]
    fn an_address_that_names_no_host_is_no_daemon() {
        assert!(Daemon::at("").is_none());
        assert!(Daemon::at("not an address").is_none());
        assert!(Daemon::at("[::1]:2000").is_none());
        assert!(Daemon::at("localhost:2000").is_some());
    }

    #[test]
    fn segment_ids_are_sixteen_hex_digits_and_do_not_repeat() {
        let ids: std::collections::HashSet<String> = (0..1_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 1_000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }
}
