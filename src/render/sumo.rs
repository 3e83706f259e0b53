//! Sumo Logic scheduled searches (`sumo/searches.json`, a folder of saved searches for the content
//! import), one per query.

use serde_json::{Value as Json, json};

use super::family::{BuildContext, Family, Output, place_named};
use super::json_view::{lend, object};
use super::schedule::{Schedule, span};

pub struct SumoSearches;

const ARTIFACT: &str = "sumo/searches.json";

impl Family for SumoSearches {
    fn name(&self) -> &'static str {
        "sumo"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let opts = &ctx.options.sumo;
        let interval = opts.common.interval_secs(900);
        let mut out = Output::default();
        let mut searches: Vec<(usize, Json)> = Vec::new();
        for (i, d) in ctx.detections.iter().enumerate() {
            let queries = match d.queries("sumo") {
                Ok(q) => q,
                Err(why) => {
                    out.not_deployable(d, "sumo", why, opts.common.skip_unsupported);
                    continue;
                }
            };
            let schedule = Schedule::new(interval, d.timespan, opts.common.max_runs_per_window);
            let range = format!("-{}", span(schedule.lookback));
            let n = queries.len();
            for (q_index, q) in queries.iter().enumerate() {
                let query = match (opts.source_category.as_str(), q.strip_prefix('*')) {
                    ("", _) | (_, None) => q.clone(),
                    (cat, Some(rest)) => format!("_sourceCategory={cat}{rest}"),
                };
                let name = if n > 1 {
                    format!("{} ({}/{n})", d.title(), q_index + 1)
                } else {
                    d.title().to_string()
                };
                searches.push((
                    i,
                    json!({
                        "type": "SavedSearchWithScheduleSyncDefinition",
                        "name": name,
                        "description": d.meta["description"],
                        "search": {"queryText": query, "defaultTimeRange": range, "byReceiptTime": false, "viewName": "", "viewStartTime": "1970-01-01T00:00:00Z", "queryParameters": [], "parsingMode": "AutoParse"},
                        "searchSchedule": {
                            "cronExpression": schedule.context()["quartz"],
                            "displayableTimeRange": range,
                            "parseableTimeRange": {"type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": range}, "to": null},
                            "timeZone": "Etc/UTC",
                            "threshold": {"operator": "gt", "count": 0},
                            "notification": {"taskType": "EmailSearchNotificationSyncDefinition", "toList": opts.email, "subjectTemplate": "detc: {{Name}}", "includeQuery": true, "includeResultSet": true, "includeHistogram": false, "includeCsvAttachment": false},
                            "scheduleType": "Custom",
                            "muteErrorEmails": false,
                            "parameters": []
                        }
                    }),
                ));
            }
        }
        let children = place_named(
            &mut out,
            searches,
            ctx,
            "sumo",
            ARTIFACT,
            str::to_string,
            str::to_string,
        );
        out.render(
            ctx.templates,
            ARTIFACT,
            "sumo/searches.json.j2",
            &lend(object([
                ("searches", Json::Array(children)),
                ("target", json!({"name": "sumo", "options": opts})),
                ("vars", json!(ctx.config.variables)),
            ])),
        );
        out
    }
}
