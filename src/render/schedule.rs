//! Schedules: how often a search runs and how far back it looks.
//!
//! A rule runs every `interval` over the last `interval`. A correlation runs at least once per
//! `timespan` and looks back `timespan + interval`, so a burst that ends just after one run is still
//! whole in the next one's window.

use serde_json::{Value as Json, json};

/// A duration in seconds as the largest whole unit: `900` → `15m`.
pub fn span(secs: u64) -> String {
    crate::backend::strings::whole_unit_span(secs.max(60))
}

/// Parse `15m`, `1h`, `1d` (the units of detc.yaml intervals).
pub fn parse(text: &str) -> Option<u64> {
    crate::model::correlation::parse_timespan(text)
}

/// `{interval, lookback, cron, quartz}` for a detection; `timespan` for correlations.
pub fn schedule(interval: u64, timespan: Option<u64>) -> Json {
    let interval = match timespan {
        Some(t) => interval.min(t).max(60),
        None => interval.max(60),
    };
    let lookback = timespan.map_or(interval, |t| t + interval);
    json!({
        "interval": span(interval),
        "lookback": span(lookback),
        "cron": cron(interval),
        "quartz": quartz(interval),
    })
}

/// Unix cron for "every `interval`" (minutes below an hour, hours below a day, else daily).
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
        let s = schedule(900, Some(3600));
        assert_eq!(
            (s["interval"].as_str(), s["lookback"].as_str(), s["cron"].as_str()),
            (Some("15m"), Some("75m"), Some("*/15 * * * *"))
        );
        let s = schedule(900, Some(600));
        assert_eq!(
            (s["interval"].as_str(), s["lookback"].as_str()),
            (Some("10m"), Some("20m")),
            "runs at least once per timespan"
        );
        assert_eq!(schedule(3600, None)["quartz"], "0 0 0/1 * * ? *");
    }
}
