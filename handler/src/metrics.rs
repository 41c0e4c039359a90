//! The function's own metrics, as CloudWatch embedded metric format (EMF) documents on stdout:
//! CloudWatch Logs extracts them, with no API call and no latency in the request.
//!
//! Hand-written rather than `metrics_cloudwatch_embedded`: that crate puts a global `metrics`
//! recorder, a mutex and a histogram channel between a handler and one line of JSON, and its
//! Lambda layer `expect`s every stdout write, so a full pipe would panic the function. One
//! document per invocation is all this function needs; what every document repeats is
//! serialised once by serde, so a request writes only its own values (about 0.3 µs). The format is AWS's "Specification: Embedded metric format";
//! `infra/tests/test_emf.py` validates the documents the real binary writes against a JSON
//! schema written from that page.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::json_lines::push_quoted;

/// Where documents go: one complete line per call. Stdout in Lambda.
pub type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

/// Writes a line to stdout in one call, so it is out of the process before the response is.
#[must_use]
pub fn stdout_sink() -> Sink {
    Box::new(|line| {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout loses the metrics, never the request.
        let _ = stdout.write_all(line).and_then(|()| stdout.flush());
    })
}

/// The metrics of one function process.
pub struct Metrics {
    /// What every document repeats, serialised once: the directives after the timestamp, for a
    /// warm request and for the cold start, and the service dimension.
    warm_directives: String,
    cold_directives: String,
    /// The namespace, for the directive of a request's traced calls, which only it knows.
    namespace: String,
    service: String,
    /// True until the first document is written: that one counts the cold start.
    cold: AtomicBool,
    sink: Sink,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Metrics")
            .field("directives", &self.warm_directives)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// What one handled request adds to the metrics.
#[derive(Debug, Clone, Copy)]
pub struct Handled<'a> {
    /// The route key that answered, or `unrouted` for a refused request.
    pub route: &'a str,
    pub status: u16,
    pub latency: Duration,
    /// Not dimensions: they let a person go from a data point to its log lines and trace.
    pub request_id: &'a str,
    pub trace_id: Option<&'a str>,
    /// The calls the handler made through `Call::traced`, each with its time: each is a metric
    /// of its own name (`DynamoDB GetItem`), by service.
    pub calls: &'a [(String, Duration)],
}

impl Metrics {
    #[must_use]
    pub fn new(namespace: &str, service: &str, sink: Sink) -> Self {
        let requests = Directive {
            namespace,
            dimensions: [&["Service", "Route"]],
            metrics: &REQUEST_METRICS,
        };
        let cold_start = Directive {
            namespace,
            dimensions: [&["Service"]],
            metrics: &[MetricDefinition {
                name: "ColdStart",
                unit: "Count",
            }],
        };
        Self {
            warm_directives: json(&[&requests]),
            cold_directives: json(&[&requests, &cold_start]),
            namespace: json(&namespace),
            service: json(&service),
            cold: AtomicBool::new(true),
            sink,
        }
    }

    /// Writes the document for one handled request: the parts every document shares were
    /// serialised once, so this only writes what is the request's own.
    pub fn record(&self, handled: &Handled<'_>) {
        let cold_start = self.cold.swap(false, Ordering::Relaxed);
        let class = |hundreds| u8::from(handled.status / 100 == hundreds);
        let mut line = String::with_capacity(640);
        let _ = write!(
            line,
            r#"{{"_aws":{{"Timestamp":{},"CloudWatchMetrics":"#,
            epoch_millis()
        );
        let directives = if cold_start {
            &self.cold_directives
        } else {
            &self.warm_directives
        };
        let calls = grouped(handled.calls);
        if calls.is_empty() {
            line.push_str(directives);
        } else {
            // The shared directives are a JSON array: this request's calls join it.
            line.push_str(directives.strip_suffix(']').unwrap_or(directives));
            self.push_calls_directive(&mut line, &calls);
            line.push(']');
        }
        line.push_str(r#"},"Service":"#);
        line.push_str(&self.service);
        line.push_str(r#","Route":"#);
        push_quoted(&mut line, handled.route);
        let _ = write!(
            line,
            r#","Latency":{},"2xx":{},"4xx":{},"5xx":{},"requestId":"#,
            handled.latency.as_secs_f64() * 1_000.0,
            class(2),
            class(4),
            class(5),
        );
        push_quoted(&mut line, handled.request_id);
        if cold_start {
            line.push_str(r#","ColdStart":1"#);
        }
        if let Some(trace_id) = handled.trace_id {
            line.push_str(r#","traceId":"#);
            push_quoted(&mut line, trace_id);
        }
        for (name, values) in &calls {
            line.push(',');
            push_quoted(&mut line, name);
            line.push(':');
            match values.as_slice() {
                [one] => {
                    let _ = write!(line, "{one}");
                }
                many => {
                    let joined: Vec<String> = many.iter().map(ToString::to_string).collect();
                    let _ = write!(line, "[{}]", joined.join(","));
                }
            }
        }
        line.push_str("}\n");
        (self.sink)(line.as_bytes());
    }

    /// `,{"Namespace":…,"Dimensions":[["Service"]],"Metrics":[…]}`: one metric per call name,
    /// in milliseconds, by service.
    fn push_calls_directive(&self, line: &mut String, calls: &[(&str, Vec<f64>)]) {
        let _ = write!(
            line,
            r#",{{"Namespace":{},"Dimensions":[["Service"]],"Metrics":["#,
            self.namespace
        );
        for (index, (name, _)) in calls.iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            line.push_str(r#"{"Name":"#);
            push_quoted(line, name);
            line.push_str(r#","Unit":"Milliseconds"}"#);
        }
        line.push_str("]}");
    }
}

/// Each call name once, in first-seen order, with the times of its calls in milliseconds: a
/// metric's values in one document are an array (EMF allows up to 100).
fn grouped(calls: &[(String, Duration)]) -> Vec<(&str, Vec<f64>)> {
    let mut grouped: Vec<(&str, Vec<f64>)> = Vec::new();
    for (name, took) in calls {
        let millis = took.as_secs_f64() * 1_000.0;
        match grouped.iter_mut().find(|(seen, _)| seen == name) {
            Some((_, values)) => values.push(millis),
            None => grouped.push((name, vec![millis])),
        }
    }
    grouped
}

/// Strings and static lists only: serialising cannot fail.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn epoch_millis() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// Every request: its latency and which status class it ended in (0 or 1 each, so `Sum` counts
/// and `Average` is a rate), by service and route.
const REQUEST_METRICS: [MetricDefinition; 4] = [
    MetricDefinition {
        name: "Latency",
        unit: "Milliseconds",
    },
    MetricDefinition {
        name: "2xx",
        unit: "Count",
    },
    MetricDefinition {
        name: "4xx",
        unit: "Count",
    },
    MetricDefinition {
        name: "5xx",
        unit: "Count",
    },
];

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive<'a> {
    namespace: &'a str,
    dimensions: [&'static [&'static str]; 1],
    metrics: &'static [MetricDefinition],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDefinition {
    name: &'static str,
    unit: &'static str,
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, PoisonError};

    use serde_json::Value;

    use super::*;

    fn documents(handled: &[Handled<'_>]) -> Vec<Value> {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink_lines = Arc::clone(&lines);
        let metrics = Metrics::new(
            "hello-world",
            "hello-world",
            Box::new(move |line| {
                sink_lines
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(line.to_vec());
            }),
        );
        assert!(format!("{metrics:?}").contains("hello-world"));
        for request in handled {
            metrics.record(request);
        }
        let lines = lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines
            .iter()
            .map(|line| serde_json::from_slice(line).unwrap_or_default())
            .collect()
    }

    fn handled(status: u16) -> Handled<'static> {
        Handled {
            route: "ANY /hello",
            status,
            latency: Duration::from_micros(1_500),
            request_id: "req-1",
            trace_id: Some("1-a-b"),
            calls: &[],
        }
    }

    #[test]
    fn each_request_is_one_line_with_its_route_latency_and_status_class() {
        let documents = documents(&[handled(200), handled(404), handled(503)]);
        assert_eq!(documents.len(), 3);
        let classes: Vec<_> = documents
            .iter()
            .map(|d| (d["2xx"].clone(), d["4xx"].clone(), d["5xx"].clone()))
            .collect();
        assert_eq!(
            classes,
            [
                (1.into(), 0.into(), 0.into()),
                (0.into(), 1.into(), 0.into()),
                (0.into(), 0.into(), 1.into())
            ]
        );
        assert_eq!(documents[0]["Route"], "ANY /hello");
        assert_eq!(documents[0]["Latency"], 1.5);
        assert_eq!(documents[0]["traceId"], "1-a-b");
    }

    #[test]
    fn only_the_first_document_of_a_process_counts_a_cold_start() {
        let documents = documents(&[handled(200), handled(200)]);
        assert_eq!(documents[0]["ColdStart"], 1);
        assert_eq!(
            documents[0]["_aws"]["CloudWatchMetrics"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert!(documents[1].get("ColdStart").is_none());
        assert_eq!(
            documents[1]["_aws"]["CloudWatchMetrics"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn a_request_without_a_trace_has_no_trace_id() {
        let untraced = Handled {
            trace_id: None,
            ..handled(200)
        };
        assert!(documents(&[untraced])[0].get("traceId").is_none());
    }

    #[test]
    fn each_traced_call_is_a_metric_of_its_own_name_by_service_and_repeats_are_an_array() {
        let calls = [
            ("DynamoDB GetItem".to_owned(), Duration::from_micros(2_500)),
            ("DynamoDB PutItem".to_owned(), Duration::from_millis(4)),
            ("DynamoDB GetItem".to_owned(), Duration::from_millis(1)),
        ];
        let documents = documents(&[
            handled(200),
            Handled {
                calls: &calls,
                ..handled(201)
            },
        ]);
        let directives = &documents[1]["_aws"]["CloudWatchMetrics"];
        let calls_directive = directives
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|d| d["Dimensions"] == serde_json::json!([["Service"]]))
            })
            .cloned()
            .unwrap_or_default();
        let names: Vec<&str> = calls_directive["Metrics"]
            .as_array()
            .map(|metrics| metrics.iter().filter_map(|m| m["Name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(names, ["DynamoDB GetItem", "DynamoDB PutItem"]);
        assert_eq!(calls_directive["Namespace"], "hello-world");
        let get_item: Vec<f64> = documents[1]["DynamoDB GetItem"]
            .as_array()
            .map(|values| values.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        assert_eq!(get_item, [2.5, 1.0]);
        assert_eq!(documents[1]["DynamoDB PutItem"], 4.0);
        assert!(documents[0].get("DynamoDB GetItem").is_none());
    }
}
