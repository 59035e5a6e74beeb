//! One poll of each console panel: composes the `aws` fetchers into the panel types of
//! `crate::domain`, concurrently where the calls are independent.
//!
//! Each fetcher's call count depends on how many groups, target groups and DBs the stack has,
//! never on how many instances, targets or alarms they hold (the console polls every few
//! seconds; a call per row would throttle a large fleet). Counts assume one page per call,
//! which holds for one stack (pages are 100+ items).
use crate::aws::{self, AwsError, Clients};
use crate::domain::{
    AlarmsPanel, CapacityPanel, DatabasePanel, SectionError, StackPanel, StackResources,
    TargetGroupHealth, ZonesPanel,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// Stack events the stack panel shows.
pub const STACK_EVENTS: usize = 20;
/// Scaling activities per Auto Scaling group the capacity panel shows.
pub const ACTIVITIES_PER_GROUP: i32 = 5;
/// How far back the database panel lists RDS events.
pub const DB_EVENTS_WINDOW: Duration = Duration::from_secs(3600);
/// How far back the alarms panel draws each alarm's metric.
pub const ALARM_HISTORY_WINDOW: Duration = Duration::from_secs(3600);

/// The stack, its newest events and its resources.
///
/// Calls: 3, concurrent (DescribeStacks, DescribeStackEvents, ListStackResources).
pub async fn stack_panel(clients: &Clients, stack: &str) -> Result<StackPanel, AwsError> {
    let (summary, events, resources) = tokio::try_join!(
        aws::stack::describe_stack(clients, stack),
        aws::stack::recent_events(clients, stack, STACK_EVENTS),
        aws::stack::list_resources(clients, stack),
    )?;
    Ok(StackPanel {
        summary,
        events,
        resources,
    })
}

/// Every target group of the stack with the health and AZ of every target.
///
/// Calls: ⌈TG / 20⌉ DescribeTargetGroups, then TG DescribeTargetHealth concurrently, then at
/// most 1 DescribeInstances for all instance targets whose AZ AWS left out.
///
/// Only the target groups are essential: if the AZ lookup fails, the targets are returned with
/// `az: None` (shown as unknown, never guessed) and the error is logged.
pub async fn targets_panel(
    clients: &Clients,
    resources: &StackResources,
) -> Result<Vec<TargetGroupHealth>, AwsError> {
    let mut groups = aws::alb::target_groups_health(clients, &resources.target_groups).await?;
    if let Err(error) = fill_target_azs(clients, &mut groups, &HashMap::new()).await {
        tracing::warn!(%error, "targets shown without their AZ");
    }
    Ok(groups)
}

/// DescribeTargetHealth omits the AZ of instance targets in the load balancer's own AZs: take
/// it from `known` (instance id → AZ, e.g. from the Auto Scaling groups), and ask EC2 once, for
/// all the rest together. On error the targets keep what `known` gave them.
///
/// Calls: 0 or 1 DescribeInstances.
pub async fn fill_target_azs(
    clients: &Clients,
    groups: &mut [TargetGroupHealth],
    known: &HashMap<String, String>,
) -> Result<(), AwsError> {
    let mut azs = known.clone();
    let mut missing: Vec<String> = groups
        .iter()
        .flat_map(|tg| &tg.targets)
        .filter(|t| t.az.is_none() && t.id.starts_with("i-") && !azs.contains_key(&t.id))
        .map(|t| t.id.clone())
        .collect();
    // The same instance behind two target groups is asked about once.
    missing.sort();
    missing.dedup();
    let mut result = Ok(());
    if !missing.is_empty() {
        match aws::asg::instance_azs(clients, &missing).await {
            Ok(found) => azs.extend(found),
            Err(error) => result = Err(error),
        }
    }
    for target in groups.iter_mut().flat_map(|tg| tg.targets.iter_mut()) {
        if target.az.is_none() {
            target.az = azs.get(&target.id).cloned();
        }
    }
    result
}

/// The Auto Scaling groups with their instances, and their latest scaling activities.
///
/// Calls: 1 DescribeAutoScalingGroups + G DescribeScalingActivities, all concurrent.
pub async fn capacity_panel(
    clients: &Clients,
    resources: &StackResources,
) -> Result<CapacityPanel, AwsError> {
    let names = &resources.auto_scaling_groups;
    let (groups, activities) = tokio::try_join!(
        aws::asg::describe_groups(clients, names),
        aws::asg::scaling_activities(clients, names, ACTIVITIES_PER_GROUP),
    )?;
    Ok(CapacityPanel { groups, activities })
}

/// The DB instances with their pending modifications, scheduled maintenance and last hour of
/// events.
///
/// Calls: 1 DescribeDBInstances + D DescribeEvents + 1 DescribePendingMaintenanceActions, all
/// concurrent.
///
/// Only DescribeDBInstances is essential: if events or maintenance cannot be read (throttled,
/// or an endpoint such as the sandbox that lacks the API), the panel still shows the instances
/// and names the missing part in `errors`, so "no maintenance" is never claimed without asking.
pub async fn database_panel(
    clients: &Clients,
    resources: &StackResources,
) -> Result<DatabasePanel, AwsError> {
    let ids = &resources.db_instances;
    let (instances, events, maintenance) = tokio::join!(
        aws::rds::describe_instances_with_pending(clients, ids),
        aws::events::rds_events(clients, ids, DB_EVENTS_WINDOW),
        aws::events::pending_maintenance(clients, ids),
    );
    let (databases, pending_modifications) = instances?;
    let mut errors = Vec::new();
    let events = secondary(&mut errors, "events", events);
    let maintenance = secondary(&mut errors, "maintenance", maintenance);
    Ok(DatabasePanel {
        databases,
        pending_modifications,
        maintenance,
        events,
        errors,
    })
}

/// The stack's alarms, ALARM first, with the last hour of each alarm's metric.
///
/// Calls: DescribeAlarms (one page per 100 alarms in the region: CloudWatch cannot filter by
/// dimension) then ⌈alarms with a metric / 500⌉ GetMetricData.
///
/// The alarm states are the panel; the history only draws sparklines. If GetMetricData fails
/// the alarms are still returned, with no history at all and the failure in `errors` (and the
/// log): an empty or partial series would read as "the metric is flat", a fake sparkline.
pub async fn alarms_panel(
    clients: &Clients,
    resources: &StackResources,
    now: DateTime<Utc>,
) -> Result<AlarmsPanel, AwsError> {
    let alarms = aws::alarms::stack_alarms(clients, resources).await?;
    let mut errors = Vec::new();
    let history = secondary(
        &mut errors,
        "history",
        aws::metrics::alarm_history(clients, &alarms, ALARM_HISTORY_WINDOW, now).await,
    );
    Ok(AlarmsPanel {
        alarms,
        history,
        errors,
    })
}

/// The stack's subnets and NAT gateways, each with its AZ.
///
/// Calls: 1 DescribeSubnets + 1 DescribeNatGateways, concurrent; plus 1 DescribeSubnets only
/// if a NAT gateway sits in a subnet that is not the stack's own. If that last lookup fails
/// the gateway's AZ stays unknown (logged), rather than failing the whole panel.
pub async fn zones_panel(
    clients: &Clients,
    resources: &StackResources,
) -> Result<ZonesPanel, AwsError> {
    let (subnets, mut nat_gateways) = tokio::try_join!(
        aws::ec2::subnets(clients, &resources.subnets, resources),
        aws::ec2::nat_gateways(clients, &resources.nat_gateways),
    )?;
    if let Err(error) = aws::ec2::fill_nat_azs(clients, &mut nat_gateways, &subnets).await {
        tracing::warn!(%error, "NAT gateways shown without their AZ");
    }
    Ok(ZonesPanel {
        subnets,
        nat_gateways,
    })
}

/// The rows of a non-essential part of a panel, or none with the failure recorded and logged.
fn secondary<T: Default>(
    errors: &mut Vec<SectionError>,
    section: &str,
    result: Result<T, AwsError>,
) -> T {
    result.unwrap_or_else(|error| {
        tracing::warn!(section, %error, "panel shown without this part");
        errors.push(SectionError {
            section: section.to_string(),
            error,
        });
        T::default()
    })
}

/// Instance id → AZ of every instance of the groups: what `fill_target_azs` needs to skip EC2.
pub fn instance_azs_of(groups: &[crate::domain::AutoScalingGroup]) -> HashMap<String, String> {
    groups
        .iter()
        .flat_map(|g| g.instances.iter().map(|i| (i.id.clone(), i.az.clone())))
        .filter(|(_, az)| !az.is_empty())
        .collect()
}
