//! Typed options of each artifact target (`targets.<kind>` in detc.yaml), with their defaults in one
//! place. The config schema has already checked names and types; serde fills what is absent.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::config::Config;

fn runs_per_window() -> u64 {
    24
}

/// Options every target shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Common {
    /// Processing pipelines (built-in names or files relative to detc.yaml).
    pub pipelines: Vec<String>,
    /// How often rules run (`15m`); each target has its own default.
    pub interval: Option<String>,
    /// Leave out (and list) documents this target cannot express instead of failing the build.
    pub skip_unsupported: bool,
    /// A long correlation runs at most this many times per window (a 30-day window: about every 30 h).
    pub max_runs_per_window: u64,
}

impl Common {
    /// The rule interval in seconds: the configured one, else the target's default.
    pub fn interval_secs(&self, default: u64) -> u64 {
        self.interval
            .as_deref()
            .and_then(super::schedule::parse)
            .unwrap_or(default)
    }
}

impl Default for Common {
    fn default() -> Self {
        Common {
            pipelines: Vec::new(),
            interval: None,
            skip_unsupported: false,
            max_runs_per_window: runs_per_window(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SplunkOptions {
    #[serde(flatten)]
    pub common: Common,
    pub app: String,
    pub label: String,
    pub author: String,
    pub version: String,
    pub disabled: u8,
    pub search_prefix: String,
    pub use_custom_queries: bool,
}

impl Default for SplunkOptions {
    fn default() -> Self {
        SplunkOptions {
            common: Common::default(),
            app: "detc_detections".into(),
            label: "detc detections".into(),
            author: "detc".into(),
            version: "1.0.0".into(),
            disabled: 1,
            search_prefix: String::new(),
            use_custom_queries: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ElasticOptions {
    #[serde(flatten)]
    pub common: Common,
    pub index: Vec<String>,
    pub enabled: bool,
}

impl Default for ElasticOptions {
    fn default() -> Self {
        ElasticOptions {
            common: Common::default(),
            index: vec!["logs-*".into()],
            enabled: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SumoOptions {
    #[serde(flatten)]
    pub common: Common,
    pub source_category: String,
    pub folder: String,
    pub email: Vec<String>,
}

impl Default for SumoOptions {
    fn default() -> Self {
        SumoOptions {
            common: Common::default(),
            source_category: String::new(),
            folder: "detc detections".into(),
            email: Vec::new(),
        }
    }
}

/// The static HTML catalog (`dist/site/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteOptions {
    /// Write `dist/site/` at all.
    pub enabled: bool,
    /// The heading and `<title>` of every page.
    pub title: String,
    /// Run the detection tests in-process during the build and show each test's result.
    pub test_results: bool,
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions {
            enabled: true,
            title: "Detection catalog".into(),
            test_results: true,
        }
    }
}

/// Options of every target.
#[derive(Debug, Clone, Default)]
pub struct TargetOptions {
    pub splunk: SplunkOptions,
    pub elastic: ElasticOptions,
    pub sumo: SumoOptions,
    pub site: SiteOptions,
}

impl TargetOptions {
    /// Read from the config; a value serde cannot take is reported as text (the schema makes this rare).
    pub fn from_config(config: &Config) -> Result<TargetOptions, String> {
        fn one<T: for<'de> Deserialize<'de> + Default>(config: &Config, kind: &str) -> Result<T, String> {
            match config.targets.get(kind) {
                None | Some(Json::Null) => Ok(T::default()),
                Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("targets.{kind}: {e}")),
            }
        }
        Ok(TargetOptions {
            splunk: one(config, "splunk")?,
            elastic: one(config, "elastic")?,
            sumo: one(config, "sumo")?,
            site: one(config, "site")?,
        })
    }

    pub fn common(&self, kind: &str) -> &Common {
        match kind {
            "splunk" => &self.splunk.common,
            "elastic" => &self.elastic.common,
            _ => &self.sumo.common,
        }
    }
}
