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
    /// Emit Splunk Enterprise Security correlation searches instead of plain alerts.
    pub enterprise_security: EnterpriseSecurity,
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
            enterprise_security: EnterpriseSecurity::default(),
        }
    }
}

/// `targets.splunk.enterprise_security`: each saved search becomes an ES correlation search with a
/// notable event and, when risk objects are configured, a risk-based alerting action. Unknown keys
/// are refused (the config schema reports them at their line; serde refuses them too).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnterpriseSecurity {
    pub enabled: bool,
    /// The notable's security domain (ES: access, endpoint, network, threat, identity, audit).
    pub security_domain: SecurityDomain,
    /// The notable's severity for each Sigma level.
    pub severity: ByLevel<NotableSeverity>,
    /// The risk score each risk object gets, for each Sigma level (0–100).
    pub risk_score: ByLevel<u8>,
    /// Result fields that name a risk object; none means no risk action.
    pub risk_objects: Vec<RiskObject>,
    /// Result fields that name a threat object (attached to each risk event).
    pub threat_objects: Vec<ThreatObject>,
    /// Fields ES groups and suppresses notables by (rules; a correlation uses its group-by fields).
    pub nes_fields: Vec<String>,
    /// Give each notable a drill-down search: the rule's own search over the notable's time range.
    pub drilldown: bool,
    pub drilldown_earliest_offset: String,
    pub drilldown_latest_offset: String,
}

/// A field name that can stand in a `$field$` token and a comma-separated list as it is.
pub fn plain_field(f: &str) -> bool {
    !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || "_.{}-".contains(c))
}

impl EnterpriseSecurity {
    /// What the schema already refuses, checked again where it matters for the artifact: field names
    /// reach `$field$` tokens and comma lists, offsets are written as they are.
    fn validate(&self) -> Result<(), String> {
        let fields = self
            .risk_objects
            .iter()
            .map(|o| ("risk_objects", &o.field))
            .chain(self.threat_objects.iter().map(|o| ("threat_objects", &o.field)))
            .chain(self.nes_fields.iter().map(|f| ("nes_fields", f)));
        for (key, f) in fields {
            if !plain_field(f) {
                return Err(format!(
                    "targets.splunk.enterprise_security.{key}: `{f}` is not a plain field name (letters, digits, `_`, `.`, `{{}}`, `-`)"
                ));
            }
        }
        for (key, v) in [
            ("drilldown_earliest_offset", &self.drilldown_earliest_offset),
            ("drilldown_latest_offset", &self.drilldown_latest_offset),
        ] {
            let token = v == "$info_min_time$" || v == "$info_max_time$";
            if !token && (v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || "-+_@.".contains(c))) {
                return Err(format!(
                    "targets.splunk.enterprise_security.{key}: `{v}` is neither `$info_min_time$`, `$info_max_time$` nor a relative time such as `-24h`"
                ));
            }
        }
        if let Some(s) = [
            self.risk_score.informational,
            self.risk_score.low,
            self.risk_score.medium,
            self.risk_score.high,
            self.risk_score.critical,
        ]
        .into_iter()
        .find(|s| *s > 100)
        {
            return Err(format!(
                "targets.splunk.enterprise_security.risk_score: {s} is above 100"
            ));
        }
        Ok(())
    }
}

impl Default for EnterpriseSecurity {
    fn default() -> Self {
        EnterpriseSecurity {
            enabled: false,
            security_domain: SecurityDomain::Threat,
            severity: ByLevel {
                informational: NotableSeverity::Informational,
                low: NotableSeverity::Low,
                medium: NotableSeverity::Medium,
                high: NotableSeverity::High,
                critical: NotableSeverity::Critical,
            },
            risk_score: ByLevel {
                informational: 10,
                low: 25,
                medium: 50,
                high: 75,
                critical: 100,
            },
            risk_objects: Vec::new(),
            threat_objects: Vec::new(),
            nes_fields: Vec::new(),
            drilldown: true,
            // ES tokens for the start and end of the search that raised the notable.
            drilldown_earliest_offset: "$info_min_time$".into(),
            drilldown_latest_offset: "$info_max_time$".into(),
        }
    }
}

/// One value per Sigma level; each level must be given when the map is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByLevel<T> {
    pub informational: T,
    pub low: T,
    pub medium: T,
    pub high: T,
    pub critical: T,
}

impl<T: Copy> ByLevel<T> {
    /// The value for a Sigma level (an unknown level reads as medium, as the metadata defaults it).
    pub fn of(&self, level: &str) -> T {
        match level {
            "informational" => self.informational,
            "low" => self.low,
            "high" => self.high,
            "critical" => self.critical,
            _ => self.medium,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecurityDomain {
    Access,
    Endpoint,
    Network,
    Threat,
    Identity,
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotableSeverity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskObjectType {
    User,
    System,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskObject {
    pub field: String,
    #[serde(rename = "type")]
    pub kind: RiskObjectType,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatObject {
    pub field: String,
    /// ES threat object type, e.g. `ip_address`, `url`, `domain`, `process`.
    #[serde(rename = "type")]
    pub kind: String,
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
        let splunk: SplunkOptions = one(config, "splunk")?;
        splunk.enterprise_security.validate()?;
        Ok(TargetOptions {
            splunk,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn splunk(v: Json) -> Result<TargetOptions, String> {
        let config = Config {
            targets: [("splunk".to_string(), v)].into_iter().collect(),
            ..Config::default()
        };
        TargetOptions::from_config(&config)
    }

    #[test]
    fn enterprise_security_is_off_with_documented_defaults() {
        let o = splunk(serde_json::json!({})).unwrap().splunk.enterprise_security;
        assert!(!o.enabled);
        assert_eq!(o.security_domain, SecurityDomain::Threat);
        assert_eq!(o.severity.of("critical"), NotableSeverity::Critical);
        assert_eq!(o.severity.of("informational"), NotableSeverity::Informational);
        let scores: Vec<u8> = ["informational", "low", "medium", "high", "critical"]
            .iter()
            .map(|l| o.risk_score.of(l))
            .collect();
        assert_eq!(scores, [10, 25, 50, 75, 100]);
        assert_eq!(o.risk_score.of("no such level"), 50, "a missing level reads as medium");
        assert!(o.drilldown && o.risk_objects.is_empty());
        assert_eq!(o.drilldown_latest_offset, "$info_max_time$");
    }

    #[test]
    fn enterprise_security_options_are_read_and_overridden() {
        let o = splunk(serde_json::json!({"enterprise_security": {
            "enabled": true,
            "security_domain": "identity",
            "risk_score": {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4},
            "risk_objects": [{"field": "data.user_id", "type": "user"}],
            "drilldown_earliest_offset": "-24h",
        }}))
        .unwrap()
        .splunk
        .enterprise_security;
        assert!(o.enabled);
        assert_eq!(o.security_domain, SecurityDomain::Identity);
        assert_eq!(o.risk_score.of("high"), 3);
        assert_eq!(o.risk_objects[0].kind, RiskObjectType::User);
        assert_eq!(o.drilldown_earliest_offset, "-24h");
        assert_eq!(
            o.severity.of("low"),
            NotableSeverity::Low,
            "untouched maps keep their defaults"
        );
    }

    #[test]
    fn bad_enterprise_security_options_are_refused_naming_the_key() {
        let err = |v: Json| splunk(serde_json::json!({"enterprise_security": v})).unwrap_err();
        assert!(err(serde_json::json!({"enabeld": true})).contains("unknown field `enabeld`"));
        assert!(err(serde_json::json!({"severity": {"high": "low"}})).contains("missing field"));
        assert!(err(serde_json::json!({"security_domain": "cloud"})).contains("unknown variant `cloud`"));
        assert!(
            err(serde_json::json!({"risk_objects": [{"field": "a", "type": "user", "score": 5}]}))
                .contains("unknown field `score`")
        );
        let e = err(serde_json::json!({"risk_objects": [{"field": "$x$", "type": "user"}]}));
        assert!(
            e.contains("enterprise_security.risk_objects") && e.contains("not a plain field name"),
            "{e}"
        );
        let e = err(serde_json::json!({"nes_fields": ["a,b"]}));
        assert!(e.contains("nes_fields"), "{e}");
        let e = err(serde_json::json!({"drilldown_latest_offset": "$user$"}));
        assert!(e.contains("drilldown_latest_offset"), "{e}");
        let e = err(
            serde_json::json!({"risk_score": {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 101}}),
        );
        assert!(e.contains("above 100"), "{e}");
    }
}
