//! Cold start of the release binary against the Runtime API stand-in on 127.0.0.1:
//! spawn → first `/next` (init), spawn → first response, peak RSS, and steady-state
//! invocations per second. `make cold-start`; the figures go to stdout and
//! target/cold-start.json.

use std::path::Path;
use std::time::Duration;

use hello_world_testkit::cold_start::{measure_cold_start, measure_throughput, median_and_max};
use hello_world_testkit::fixtures;

const FUNCTION: &str = env!("CARGO_BIN_EXE_hello-world-handler");
const RUNS: usize = 30;
const STEADY_STATE_INVOCATIONS: usize = 5_000;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes harness flags such as --bench; this benchmark takes none.
    let event = fixtures::event("apigw-http");
    let binary = Path::new(FUNCTION);
    let starts = (0..RUNS)
        .map(|_| measure_cold_start(binary, &event))
        .collect::<std::io::Result<Vec<_>>>()?;
    let (init_median, init_max) =
        median_and_max(&starts.iter().map(|s| s.init).collect::<Vec<_>>());
    let (first_median, first_max) =
        median_and_max(&starts.iter().map(|s| s.first_response).collect::<Vec<_>>());
    let peak_rss_kib = starts
        .iter()
        .map(|s| s.peak_rss_kib)
        .max()
        .unwrap_or_default();
    let per_second = measure_throughput(binary, &event, STEADY_STATE_INVOCATIONS)?;

    println!("cold start of {FUNCTION}, {RUNS} runs:");
    println!(
        "  spawn → first /next (init)   median {:6.2} ms   max {:6.2} ms",
        ms(init_median),
        ms(init_max)
    );
    println!(
        "  spawn → first response       median {:6.2} ms   max {:6.2} ms",
        ms(first_median),
        ms(first_max)
    );
    println!(
        "  peak RSS                     {:6.1} MiB",
        f64::from(u32::try_from(peak_rss_kib).unwrap_or(u32::MAX)) / 1024.0
    );
    println!(
        "steady state: {per_second:.0} invocations/s over {STEADY_STATE_INVOCATIONS} invocations"
    );

    let report = serde_json::json!({
        "runs": RUNS,
        "init_ms": { "median": ms(init_median), "max": ms(init_max) },
        "first_response_ms": { "median": ms(first_median), "max": ms(first_max) },
        "peak_rss_kib": peak_rss_kib,
        "invocations_per_second": per_second,
    });
    std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/cold-start.json"),
        format!("{report:#}\n"),
    )
}
