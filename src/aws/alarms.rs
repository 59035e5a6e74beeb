//! CloudWatch alarms that belong to a stack: its own alarm resources, and alarms defined
//! anywhere whose dimensions point at the stack's load balancer, target groups, ASG or DB.
use super::error::{AwsError, aws_err};
use super::{Clients, alb, to_utc};
use crate::domain::{Alarm, StackResources};
use aws_sdk_cloudwatch::types::AlarmType;
use std::collections::HashSet;

/// Every metric alarm in the region (DescribeAlarms pages of 100), then those of the stack.
/// CloudWatch cannot filter by dimension server-side, so this is one paginated listing.
pub async fn stack_alarms(
    clients: &Clients,
    resources: &StackResources,
) -> Result<Vec<Alarm>, AwsError> {
    let mut pages = clients
        .cloudwatch
        .describe_alarms()
        .alarm_types(AlarmType::MetricAlarm)
        .max_records(100)
        .into_paginator()
        .send();
    let mut alarms = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeAlarms"))?;
        alarms.extend(page.metric_alarms().iter().map(|a| {
            Alarm {
                name: a.alarm_name().unwrap_or_default().to_string(),
                state: a
                    .state_value()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: a.state_reason().map(str::to_string),
                since: a.state_updated_timestamp().and_then(to_utc),
                namespace: a.namespace().map(str::to_string),
                metric: a.metric_name().map(str::to_string),
                statistic: a.statistic().map(|s| s.as_str().to_string()),
                period_secs: a.period(),
                threshold: a.threshold(),
                comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
                dimensions: a
                    .dimensions()
                    .iter()
                    .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
                    .collect(),
                actions_enabled: a.actions_enabled().unwrap_or(true),
            }
        }));
    }
    let matcher = StackMatcher::new(resources);
    let mut mine: Vec<Alarm> = alarms.into_iter().filter(|a| matcher.matches(a)).collect();
    sort_for_on_call(&mut mine);
    Ok(mine)
}

/// EnableAlarmActions / DisableAlarmActions: muting stops notifications and scaling actions
/// during maintenance; the alarm still evaluates and shows its state.
pub async fn set_actions_enabled(
    clients: &Clients,
    alarm: &str,
    enabled: bool,
) -> Result<(), AwsError> {
    if enabled {
        clients
            .cloudwatch
            .enable_alarm_actions()
            .alarm_names(alarm)
            .send()
            .await
            .map_err(aws_err("EnableAlarmActions"))?;
    } else {
        clients
            .cloudwatch
            .disable_alarm_actions()
            .alarm_names(alarm)
            .send()
            .await
            .map_err(aws_err("DisableAlarmActions"))?;
    }
    Ok(())
}

/// ALARM first, then INSUFFICIENT_DATA, then OK; by name within a state.
pub fn sort_for_on_call(alarms: &mut [Alarm]) {
    alarms.sort_by(|a, b| {
        a.severity_rank()
            .cmp(&b.severity_rank())
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// Decides whether an alarm belongs to a stack.
pub struct StackMatcher {
    names: HashSet<String>,
    dimension_values: HashSet<(&'static str, String)>,
}

impl StackMatcher {
    pub fn new(resources: &StackResources) -> StackMatcher {
        let mut dimension_values = HashSet::new();
        for arn in &resources.load_balancers {
            if let Some(v) = alb::cloudwatch_dimension_of(arn) {
                dimension_values.insert(("LoadBalancer", v.to_string()));
            }
        }
        for arn in &resources.target_groups {
            if let Some(v) = alb::cloudwatch_dimension_of(arn) {
                dimension_values.insert(("TargetGroup", v.to_string()));
            }
        }
        let named = [
            ("AutoScalingGroupName", &resources.auto_scaling_groups),
            ("DBInstanceIdentifier", &resources.db_instances),
            ("DBClusterIdentifier", &resources.db_clusters),
        ];
        for (dimension, ids) in named {
            for id in ids {
                dimension_values.insert((dimension, id.clone()));
            }
        }
        StackMatcher {
            names: resources.alarms.iter().cloned().collect(),
            dimension_values,
        }
    }

    pub fn matches(&self, alarm: &Alarm) -> bool {
        self.names.contains(&alarm.name)
            || alarm.dimensions.iter().any(|(name, value)| {
                self.dimension_values
                    .iter()
                    .any(|(n, v)| *n == name.as_str() && v == value)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn alarm(name: &str, state: &str, dims: &[(&str, &str)]) -> Alarm {
        Alarm {
            name: name.into(),
            state: state.into(),
            reason: None,
            since: None,
            namespace: None,
            metric: None,
            statistic: None,
            period_secs: None,
            threshold: None,
            comparison: None,
            dimensions: dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            actions_enabled: true,
        }
    }

    #[test]
    fn alarms_match_by_stack_resource_name_or_dimension() {
        let resources = StackResources {
            load_balancers: vec![
                "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/abc".into(),
            ],
            auto_scaling_groups: vec!["web-asg".into()],
            db_instances: vec!["db1".into()],
            alarms: vec!["ha-web-cpu".into()],
            ..Default::default()
        };
        let m = StackMatcher::new(&resources);
        assert!(m.matches(&alarm("ha-web-cpu", "OK", &[])));
        assert!(m.matches(&alarm("team-5xx", "OK", &[("LoadBalancer", "app/web/abc")])));
        assert!(m.matches(&alarm("x", "OK", &[("AutoScalingGroupName", "web-asg")])));
        assert!(m.matches(&alarm("y", "OK", &[("DBInstanceIdentifier", "db1")])));
        assert!(!m.matches(&alarm("z", "OK", &[("DBInstanceIdentifier", "other")])));
        // A dimension value of the right kind but for another dimension name does not match.
        assert!(!m.matches(&alarm("w", "OK", &[("InstanceId", "web-asg")])));
    }

    #[test]
    fn on_call_order_is_alarm_then_insufficient_then_ok() {
        let mut v = vec![
            alarm("b", "OK", &[]),
            alarm("a", "INSUFFICIENT_DATA", &[]),
            alarm("c", "ALARM", &[]),
        ];
        sort_for_on_call(&mut v);
        let states: Vec<_> = v.iter().map(|a| a.state.as_str()).collect();
        assert_eq!(states, ["ALARM", "INSUFFICIENT_DATA", "OK"]);
    }
}
