//! Measures how fast the function binary starts and serves, against the Runtime API stand-in.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::runtime_api::{Exchange, Logs, RuntimeApi, spawn_function, wait_for_exit};

/// One start of the function, from spawn to its first answer.
#[derive(Debug, Clone, Copy)]
pub struct ColdStart {
    /// Spawn to the first `/invocation/next`: the runtime is initialised.
    pub init: Duration,
    /// Spawn to the first posted response.
    pub first_response: Duration,
    /// The process's peak resident memory, in KiB (`VmHWM`).
    pub peak_rss_kib: u64,
}

/// Starts `binary` once against a fresh stand-in serving `event`, and times it.
///
/// # Errors
/// When the binary cannot start, does not exit, or never answers.
pub fn measure_cold_start(binary: &Path, event: &str) -> io::Result<ColdStart> {
    let api = RuntimeApi::serve(vec![event.to_owned()])?;
    let spawned = Instant::now();
    let mut function = spawn_function(binary, &api, Logs::Discarded)?;
    let peak_rss_kib = peak_rss_until_exit(&mut function);
    wait_for_exit(&mut function, Duration::from_secs(30))?;
    let observations = api.observations();
    let first = |wanted: fn(&Exchange) -> bool| {
        observations
            .iter()
            .find(|observation| wanted(&observation.exchange))
            .map(|observation| observation.at.duration_since(spawned))
            .ok_or_else(|| {
                io::Error::other(format!("the function never did that: {observations:?}"))
            })
    };
    Ok(ColdStart {
        init: first(|exchange| *exchange == Exchange::NextRequested)?,
        first_response: first(|exchange| matches!(exchange, Exchange::Responded { .. }))?,
        peak_rss_kib,
    })
}

/// Serves `count` copies of `event` to one process and returns answered invocations per second,
/// from its first response to its last.
///
/// # Errors
/// When the binary cannot start or does not answer every invocation.
pub fn measure_throughput(binary: &Path, event: &str, count: usize) -> io::Result<f64> {
    let api = RuntimeApi::serve(vec![event.to_owned(); count])?;
    let mut function = spawn_function(binary, &api, Logs::Discarded)?;
    wait_for_exit(&mut function, Duration::from_mins(2))?;
    let responses: Vec<Instant> = api
        .observations()
        .into_iter()
        .filter(|observation| matches!(observation.exchange, Exchange::Responded { .. }))
        .map(|observation| observation.at)
        .collect();
    match (responses.first(), responses.last()) {
        (Some(first), Some(last)) if responses.len() == count && count > 1 => {
            #[allow(clippy::cast_precision_loss, reason = "a count far below 2^52")]
            let answered = (count - 1) as f64;
            Ok(answered / last.duration_since(*first).as_secs_f64())
        }
        _ => Err(io::Error::other(format!(
            "{} of {count} invocations were answered",
            responses.len()
        ))),
    }
}

/// Samples `VmHWM` until the process exits; the last reading is its peak.
fn peak_rss_until_exit(function: &mut std::process::Child) -> u64 {
    let status_file = format!("/proc/{}/status", function.id());
    let mut peak = 0;
    while matches!(function.try_wait(), Ok(None)) {
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|status| vm_hwm_kib(&status))
        {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    peak
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The median and the maximum of some durations.
///
/// # Panics
/// When `samples` is empty.
#[must_use]
pub fn median_and_max(samples: &[Duration]) -> (Duration, Duration) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    (sorted[sorted.len() / 2], sorted[sorted.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_rss_is_read_from_proc_status() {
        let status =
            "Name:\tbootstrap\nVmPeak:\t   12000 kB\nVmHWM:\t    5124 kB\nVmRSS:\t 5000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(5124));
        assert_eq!(vm_hwm_kib("Name:\tbootstrap\n"), None);
    }

    #[test]
    fn median_and_max_of_an_odd_and_an_even_count() {
        let ms = Duration::from_millis;
        assert_eq!(median_and_max(&[ms(3), ms(1), ms(2)]), (ms(2), ms(3)));
        assert_eq!(
            median_and_max(&[ms(4), ms(1), ms(3), ms(2)]),
            (ms(3), ms(4))
        );
    }
}
