//! After a deploy on the sandbox: create the template's alarms and an hour of metric data,
//! through real API calls, because moto's CloudFormation skips alarms and emits no metrics.
//! Everything is derived from the bundled template so the two cannot drift apart.
use crate::aws::cloudwatch_seed::{
    AlarmDefinition, MetricSeries, existing_alarms, latest_point, put_alarm, put_series,
};
use crate::aws::{AwsError, Clients, alb};
use crate::domain::{StackResources, StackSummary};
use crate::template::Template;
use crate::template::alarms::{AlarmSpec, Reference, Threshold, alarm_specs};
use chrono::{DateTime, Duration, DurationRound, Utc};
use color_eyre::eyre::Result;
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};

/// An alarm left out, and the reference that did not resolve.
pub type SkippedAlarm = (String, String);

/// A metric's identity: namespace, name, dimensions.
type MetricKey = (String, String, Vec<(String, String)>);

/// What one seeding did, for the user and for tests.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SeedReport {
    pub alarms: Vec<String>,
    /// Alarms whose resources the stack lacks (a disabled option), with the missing reference.
    pub skipped: Vec<SkippedAlarm>,
    pub series: usize,
    pub points: usize,
}

/// Values a reference can resolve to: the stack's parameters and resources' physical ids.
struct Resolver<'a> {
    params: &'a BTreeMap<String, String>,
    template: &'a Template,
    physical: BTreeMap<&'a str, &'a str>,
}

impl Resolver<'_> {
    fn resolve(&self, r: &Reference) -> Option<String> {
        match r {
            Reference::Ref(name) => self
                .template
                .effective(name, self.params)
                .filter(|_| self.template.params.contains_key(name))
                .map(str::to_string)
                .or_else(|| self.physical.get(name.as_str()).map(|p| p.to_string())),
            Reference::GetAtt(logical, attr)
                if attr == "LoadBalancerFullName" || attr == "TargetGroupFullName" =>
            {
                alb::cloudwatch_dimension_of(self.physical.get(logical.as_str())?)
                    .map(str::to_string)
            }
            Reference::GetAtt(..) => None,
        }
    }

    fn alarm(&self, stack: &str, spec: &AlarmSpec) -> Result<AlarmDefinition, String> {
        let mut dimensions = Vec::new();
        for (name, r) in &spec.dimensions {
            let value = self.resolve(r).ok_or_else(|| format!("{r:?}"))?;
            dimensions.push((name.clone(), value));
        }
        let threshold = match &spec.threshold {
            Threshold::Literal(t) => *t,
            Threshold::Parameter(p) => self
                .template
                .effective(p, self.params)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("threshold parameter {p}"))?,
        };
        // Actions on resources moto skipped (scaling policies) resolve to nothing: dropped.
        let actions = |refs: &[Reference]| refs.iter().filter_map(|r| self.resolve(r)).collect();
        Ok(AlarmDefinition {
            name: spec.name_for(stack),
            description: spec.description.clone(),
            namespace: spec.namespace.clone(),
            metric: spec.metric.clone(),
            statistic: spec.statistic.clone(),
            period_secs: spec.period_secs,
            evaluation_periods: spec.evaluation_periods,
            threshold,
            comparison: spec.comparison.clone(),
            treat_missing_data: spec.treat_missing_data.clone(),
            dimensions,
            alarm_actions: actions(&spec.alarm_actions),
            ok_actions: actions(&spec.ok_actions),
        })
    }
}

/// The template's alarms resolved against a deployed stack.
pub fn resolve_alarms(
    template: &Template,
    stack: &StackSummary,
    resources: &StackResources,
) -> Result<(Vec<AlarmDefinition>, Vec<SkippedAlarm>)> {
    let resolver = Resolver {
        params: &stack.parameters,
        template,
        physical: resources
            .all
            .iter()
            .filter_map(|r| Some((r.logical_id.as_str(), r.physical_id.as_deref()?)))
            .collect(),
    };
    let mut resolved = Vec::new();
    let mut skipped = Vec::new();
    for spec in alarm_specs(template)? {
        match resolver.alarm(&stack.name, &spec) {
            Ok(a) => resolved.push(a),
            Err(missing) => skipped.push((spec.name_for(&stack.name), missing)),
        }
    }
    Ok((resolved, skipped))
}

/// A plausible, deterministic value for a metric at a minute: under every alarm threshold,
/// with a daily-ish wave so sparklines have a shape.
fn demo_value(metric: &str, minute: i64, healthy_hosts: f64) -> f64 {
    let wave = ((minute as f64) / 9.0).sin();
    let jitter = (((minute.wrapping_mul(2_654_435_761)) % 100) as f64) / 100.0;
    match metric {
        "CPUUtilization" => 35.0 + 12.0 * wave + 6.0 * jitter,
        "RequestCount" => (900.0 + 250.0 * wave + 80.0 * jitter).round(),
        "HTTPCode_ELB_5XX_Count" | "HTTPCode_Target_5XX_Count" => (jitter * 3.0).floor(),
        "TargetResponseTime" => 0.08 + 0.04 * wave.abs() + 0.02 * jitter,
        "UnHealthyHostCount" => 0.0,
        "HealthyHostCount" => healthy_hosts,
        "DatabaseConnections" => (18.0 + 8.0 * wave + 4.0 * jitter).round(),
        "FreeStorageSpace" => 17.5e9 - (minute % 1440) as f64 * 1.0e5,
        _ => 10.0 + 5.0 * wave,
    }
}

fn unit_of(metric: &str) -> Option<String> {
    let unit = match metric {
        "CPUUtilization" => "Percent",
        "TargetResponseTime" => "Seconds",
        "FreeStorageSpace" => "Bytes",
        "RequestCount"
        | "HTTPCode_ELB_5XX_Count"
        | "HTTPCode_Target_5XX_Count"
        | "UnHealthyHostCount"
        | "HealthyHostCount"
        | "DatabaseConnections" => "Count",
        _ => return None,
    };
    Some(unit.to_string())
}

/// One point per minute over `[from, to)` for every metric the alarms watch, plus the load
/// balancer's RequestCount (the traffic sparkline).
pub fn metric_series(
    alarms: &[AlarmDefinition],
    resources: &StackResources,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    healthy_hosts: f64,
) -> Vec<MetricSeries> {
    let mut wanted: BTreeSet<MetricKey> = alarms
        .iter()
        .map(|a| (a.namespace.clone(), a.metric.clone(), a.dimensions.clone()))
        .collect();
    for arn in &resources.load_balancers {
        if let Some(lb) = alb::cloudwatch_dimension_of(arn) {
            wanted.insert((
                "AWS/ApplicationELB".into(),
                "RequestCount".into(),
                vec![("LoadBalancer".into(), lb.to_string())],
            ));
        }
    }
    let start = from.duration_trunc(Duration::minutes(1)).unwrap_or(from);
    let minutes: Vec<DateTime<Utc>> = (0..)
        .map(|i| start + Duration::minutes(i))
        .take_while(|t| *t < to)
        .collect();
    wanted
        .into_iter()
        .map(|(namespace, metric, dimensions)| MetricSeries {
            points: minutes
                .iter()
                .map(|t| (*t, demo_value(&metric, t.timestamp() / 60, healthy_hosts)))
                .collect(),
            unit: unit_of(&metric),
            namespace,
            metric,
            dimensions,
        })
        .collect()
}

/// Creates the template's alarms that do not exist yet or have changed and tops metric data up to now: the last hour on first use, then from the newest
/// point on. Safe to call after every deploy and periodically.
pub async fn seed_stack(
    clients: &Clients,
    template: &Template,
    stack: &StackSummary,
    resources: &StackResources,
    healthy_hosts: usize,
) -> Result<SeedReport> {
    let (alarms, skipped) = resolve_alarms(template, stack, resources)?;
    let names: Vec<String> = alarms.iter().map(|a| a.name.clone()).collect();
    let existing = existing_alarms(clients, &names).await?;
    // Put what is missing or differs (a replaced resource has a new physical id); leave the
    // rest alone so they keep their state and history.
    let missing: Vec<&AlarmDefinition> = alarms
        .iter()
        .filter(|a| {
            existing.get(&a.name).is_none_or(|(dims, threshold)| {
                let mut dims = dims.clone();
                dims.sort();
                let mut wanted = a.dimensions.clone();
                wanted.sort();
                dims != wanted || *threshold != Some(a.threshold)
            })
        })
        .collect();
    try_join_all(missing.iter().map(|a| put_alarm(clients, a))).await?;
    let now = Utc::now();
    let hour_ago = now - Duration::hours(1);
    let mut series = metric_series(&alarms, resources, hour_ago, now, healthy_hosts as f64);
    let newest = try_join_all(series.iter().map(|s| latest_point(clients, s, hour_ago))).await?;
    for (s, newest) in series.iter_mut().zip(newest) {
        if let Some(newest) = newest {
            s.points.retain(|(t, _)| *t > newest);
        }
    }
    try_join_all(
        series
            .iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| put_series(clients, s)),
    )
    .await
    .map_err(|e: AwsError| color_eyre::eyre::eyre!(e))?;
    Ok(SeedReport {
        alarms: missing.iter().map(|a| a.name.clone()).collect(),
        skipped,
        series: series.iter().filter(|s| !s.points.is_empty()).count(),
        points: series.iter().map(|s| s.points.len()).sum(),
    })
}

/// Seeds a deployed stack by name: looks up what `seed_stack` needs first.
pub async fn top_up(clients: &Clients, stack: &str) -> Result<SeedReport> {
    let template = Template::bundled()?;
    let (summary, resources) = tokio::try_join!(
        crate::aws::stack::describe_stack(clients, stack),
        crate::aws::stack::list_resources(clients, stack)
    )?;
    let groups = crate::aws::asg::describe_groups(clients, &resources.auto_scaling_groups).await?;
    let healthy = groups.iter().map(|g| g.in_service()).sum();
    seed_stack(clients, &template, &summary, &resources, healthy).await
}

/// While the console runs on the sandbox: a new minute of metric data every minute, so the
/// sparklines move as they would on a real account.
/// With `fill_gap_now`, the first top-up runs at once (the gap since the sandbox was last
/// used); otherwise after the first minute.
pub fn spawn_feeder(
    clients: Clients,
    stack: String,
    fill_gap_now: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        if !fill_gap_now {
            every.tick().await; // the first tick is immediate
        }
        loop {
            every.tick().await;
            if let Err(e) = top_up(&clients, &stack).await {
                tracing::warn!("sandbox metric feed: {e:#}");
            }
        }
    })
}
