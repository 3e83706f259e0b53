//! Schedules: how often a search runs and how far back it looks.
//!
//! A rule runs every `interval` over the last `interval`. A correlation runs at least once per
//! `timespan`, but no more than `max_runs` times per timespan (a 30-day window is not re-counted every
//! 15 minutes), and looks back `timespan + interval` so a burst that ends just after one run is still
//! whole in the next one's window. Intervals are rounded down to one that cron can express evenly
//! (a divisor of an hour or of a day), so the cron expression and the lookback agree.

use serde_json::{Value as Json, json};

/// Minutes that divide an hour or a day evenly: the periods `*/m` and `0 */h` cron fields express.
const EVEN_MINUTES: [u64; 19] = [
    1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440,
];

/// A duration in seconds as the largest whole unit: `900` → `15m`.
pub fn span(secs: u64) -> String {
    crate::backend::strings::whole_unit_span(secs.max(60))
}

/// Parse `15m`, `1h`, `1d` (the units of detc.yaml intervals).
pub fn parse(text: &str) -> Option<u64> {
    crate::model::correlation::parse_timespan(text)
}

/// The schedule of one search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Seconds between runs.
    pub interval: u64,
    /// Seconds each run looks back.
    pub lookback: u64,
}

impl Schedule {
    /// `interval`: the configured rule interval (seconds); `timespan`: a correlation's window.
    pub fn new(interval: u64, timespan: Option<u64>, max_runs: u64) -> Schedule {
        let wanted = match timespan {
            Some(t) => interval.min(t).max(t.div_ceil(max_runs.max(1))),
            None => interval,
        };
        let interval = even(wanted);
        Schedule {
            interval,
            lookback: timespan.map_or(interval, |t| t + interval),
        }
    }

    /// The template context: `{interval, lookback, cron, quartz}` as text.
    pub fn context(&self) -> Json {
        json!({
            "interval": span(self.interval),
            "lookback": span(self.lookback),
            "cron": cron(self.interval),
            "quartz": quartz(self.interval),
        })
    }
}

/// The largest even interval not above `secs` (at least a minute, at most a day).
fn even(secs: u64) -> u64 {
    let minutes = secs / 60;
    EVEN_MINUTES.iter().rev().find(|m| **m <= minutes).copied().unwrap_or(1) * 60
}

/// Unix cron for "every `interval`" (an even interval: minutes below an hour, hours below a day).
fn cron(interval: u64) -> String {
    let m = interval / 60;
    if m < 60 {
        format!("*/{m} * * * *")
    } else if m < 1440 {
        format!("0 */{} * * *", m / 60)
    } else {
        "0 0 * * *".into()
    }
}

/// Quartz cron (Sumo Logic) for the same.
fn quartz(interval: u64) -> String {
    let m = interval / 60;
    if m < 60 {
        format!("0 0/{m} * * * ? *")
    } else if m < 1440 {
        format!("0 0 0/{} * * ? *", m / 60)
    } else {
        "0 0 0 * * ? *".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlations_look_back_over_their_timespan() {
        let s = Schedule::new(900, Some(3600), 24).context();
        assert_eq!(
            (s["interval"].as_str(), s["lookback"].as_str(), s["cron"].as_str()),
            (Some("15m"), Some("75m"), Some("*/15 * * * *"))
        );
        let s = Schedule::new(900, Some(600), 24).context();
        assert_eq!(
            (s["interval"].as_str(), s["lookback"].as_str()),
            (Some("10m"), Some("20m")),
            "runs at least once per timespan"
        );
        assert_eq!(Schedule::new(3600, None, 24).context()["quartz"], "0 0 0/1 * * ? *");
    }

    #[test]
    fn long_windows_run_in_proportion_and_intervals_stay_even() {
        // 30 days, at most 24 runs per window: daily, not every 15 minutes.
        let s = Schedule::new(900, Some(30 * 86_400), 24);
        assert_eq!((s.interval, s.lookback), (86_400, 31 * 86_400));
        // 45 minutes is not an even cron period: 30.
        assert_eq!(Schedule::new(45 * 60, None, 24).interval, 30 * 60);
        // A 7-minute window runs every 6 minutes.
        assert_eq!(Schedule::new(900, Some(7 * 60), 24).interval, 6 * 60);
    }
}
