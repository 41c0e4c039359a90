//! What the function tells the people who run it, besides its log lines: its own metrics
//! (`metrics.rs`, embedded metric format on stdout) and its part of each sampled X-Ray trace
//! (`xray.rs`, UDP to Lambda's daemon). Both are configured from the environment the stack
//! gives the function, and both are written before the response is returned, so nothing waits
//! in a buffer when Lambda freezes the sandbox.

use crate::metrics::{self, Handled, Metrics};
use crate::xray::Daemon;

/// The function's metrics and trace daemon; either may be off.
#[derive(Debug, Default)]
pub struct Telemetry {
    metrics: Option<Metrics>,
    daemon: Option<Daemon>,
}

impl Telemetry {
    #[must_use]
    pub fn new(metrics: Option<Metrics>, daemon: Option<Daemon>) -> Self {
        Self { metrics, daemon }
    }

    /// No metrics and no traces: for tests and benches of the handler alone.
    #[must_use]
    pub fn off() -> Self {
        Self::default()
    }

    /// As the stack configures it (serverless.yml): `METRICS_NAMESPACE` and `SERVICE_NAME` turn
    /// metrics on, to stdout; Lambda's `AWS_XRAY_DAEMON_ADDRESS` (active tracing) turns traces on.
    #[must_use]
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        let metrics = var("METRICS_NAMESPACE")
            .zip(var("SERVICE_NAME"))
            .map(|(namespace, service)| Metrics::new(&namespace, &service, metrics::stdout_sink()));
        let daemon = var("AWS_XRAY_DAEMON_ADDRESS").and_then(|address| Daemon::at(&address));
        Self { metrics, daemon }
    }

    pub(crate) fn daemon(&self) -> Option<&Daemon> {
        self.daemon.as_ref()
    }

    pub(crate) fn record(&self, handled: &Handled<'_>) {
        if let Some(metrics) = &self.metrics {
            metrics.record(handled);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    fn handled() -> Handled<'static> {
        Handled {
            route: "GET /health",
            status: 200,
            latency: Duration::from_millis(1),
            request_id: "req-1",
            trace_id: None,
            calls: &[],
        }
    }

    #[test]
    fn metrics_are_written_only_when_they_are_on() {
        let written = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&written);
        let sink: metrics::Sink = Box::new(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Telemetry::new(Some(Metrics::new("n", "s", sink)), None).record(&handled());
        Telemetry::off().record(&handled());
        assert_eq!(written.load(Ordering::Relaxed), 1);
        assert!(Telemetry::off().daemon().is_none());
    }
}
