//! The pipelines shipped in the binary (`pipelines/*.yml`), selectable by name with `-p NAME` and
//! in `targets.<t>.pipelines` of detc.yaml, listed by `detc list pipelines`.

/// One built-in pipeline.
pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    /// The targets its field names and conditions are written for. Those whose file sets
    /// `allowed_backends` refuse the other targets.
    pub targets: &'static [&'static str],
    /// Other names it answers to: pySigma's name where it differs, so `-p` from sigma-cli works.
    pub aliases: &'static [&'static str],
    pub text: &'static str,
}

pub const BUILTIN: [Builtin; 8] = [
    Builtin {
        name: "auth0_splunk",
        about: "Auth0 logs in Splunk (add-on, fields under data.*): index and sourcetype",
        targets: &["splunk"],
        aliases: &[],
        text: include_str!("../../pipelines/auth0_splunk.yml"),
    },
    Builtin {
        name: "auth0_elastic",
        about: "Auth0 logs through Elastic's Auth0 integration: fields under auth0.logs.data.*, its data stream",
        targets: &["lucene", "eql", "esql"],
        aliases: &[],
        text: include_str!("../../pipelines/auth0_elastic.yml"),
    },
    Builtin {
        name: "auth0_sumo",
        about: "Auth0 logs in Sumo Logic: scope by _sourceCategory",
        targets: &["sumo"],
        aliases: &[],
        text: include_str!("../../pipelines/auth0_sumo.yml"),
    },
    Builtin {
        name: "ecs_windows",
        about: "Windows event logs in ECS (Winlogbeat >= 7, Elastic Agent): ECS field names, winlog.channel per service, winlog.event_data.* for the rest",
        targets: &["lucene", "eql", "esql"],
        aliases: &[],
        text: include_str!("../../pipelines/ecs_windows.yml"),
    },
    Builtin {
        name: "splunk_windows",
        about: "Windows event logs in Splunk (Add-on for Microsoft Windows): source=\"WinEventLog:<channel>\" per service, EventID as EventCode",
        targets: &["splunk"],
        aliases: &[],
        text: include_str!("../../pipelines/splunk_windows.yml"),
    },
    Builtin {
        name: "splunk_cim",
        about: "Splunk CIM data model field names for process_creation, registry_*, file_event, network_connection, proxy and DNS rules; other rules and unmapped fields refused",
        targets: &["splunk"],
        aliases: &[],
        text: include_str!("../../pipelines/splunk_cim.yml"),
    },
    Builtin {
        name: "sysmon",
        about: "Generic Windows categories read from Sysmon: EventID per category, log source becomes service sysmon (combine with windows, splunk_windows or ecs_windows)",
        targets: &["splunk", "lucene", "eql", "esql", "sumo"],
        aliases: &[],
        text: include_str!("../../pipelines/sysmon.yml"),
    },
    Builtin {
        name: "windows",
        about: "Windows log sources as event log channels: Channel per service, EventID and channel for the PowerShell categories",
        targets: &["splunk", "lucene", "eql", "esql", "sumo"],
        aliases: &["windows-logsources"],
        text: include_str!("../../pipelines/windows.yml"),
    },
];

/// The built-in pipeline of that name (or alias).
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.name == name || b.aliases.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn every_builtin_loads_under_its_name_and_suits_the_targets_listed() {
        for b in &BUILTIN {
            let p = super::super::load_pipeline(Arc::from(Path::new(b.name)), b.text.to_string())
                .unwrap_or_else(|e| panic!("{}: {e:?}", b.name));
            assert_eq!(p.name, b.name);
            // Each names a target `detc list targets` knows: tests/builtin_pipelines.rs.
            assert!(!b.targets.is_empty());
            if !p.allowed_targets.is_empty() {
                assert_eq!(p.allowed_targets, b.targets, "{}", b.name);
            }
        }
    }
}
