//! The ATT&CK Navigator layer (format 4.5): each technique scored by the number of detections. Plain
//! JSON: its format leaves nothing to customise.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::family::{BuildContext, Family, Output};

pub struct NavigatorLayer;

impl Family for NavigatorLayer {
    fn name(&self) -> &'static str {
        "navigator"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let mut counts: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
        for d in ctx.detections {
            let list = |key: &str| -> Vec<String> {
                d.meta[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            };
            for t in list("techniques") {
                for tac in list("tactics") {
                    let e = counts.entry((t.clone(), tac)).or_default();
                    e.0 += 1;
                    e.1.push(d.title().to_string());
                }
            }
        }
        let max = counts.values().map(|c| c.0).max().unwrap_or(1);
        let techniques: Vec<Json> = counts
            .into_iter()
            .map(|((t, tac), (n, titles))| json!({"techniqueID": t, "tactic": tac, "score": n, "comment": titles.join("; "), "enabled": true, "showSubtechniques": true}))
            .collect();
        let layer = json!({
            "name": "detc detections",
            "versions": {"attack": "18", "navigator": "5.1.0", "layer": "4.5"},
            "domain": "enterprise-attack",
            "description": "Techniques covered by the detection catalog, scored by number of detections.",
            "techniques": techniques,
            "gradient": {"colors": ["#ffffff", "#66b1ff"], "minValue": 0, "maxValue": max},
            "hideDisabled": false,
            "selectTechniquesAcrossTactics": false,
        });
        let mut out = Output::default();
        out.add_file(
            "navigator/layer.json",
            serde_json::to_string_pretty(&layer).expect("serialises") + "\n",
        );
        out
    }
}
