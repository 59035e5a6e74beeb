//! EC2 Auto Scaling: group capacity and instances; EC2 for the AZ of targets outside a group.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::{AsgInstance, AutoScalingGroup};
use std::collections::HashMap;

/// DescribeAutoScalingGroups for all `names` in one paginated call.
pub async fn describe_groups(
    clients: &Clients,
    names: &[String],
) -> Result<Vec<AutoScalingGroup>, AwsError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut pages = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .set_auto_scaling_group_names(Some(names.to_vec()))
        .into_paginator()
        .send();
    let mut groups = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeAutoScalingGroups"))?;
        groups.extend(page.auto_scaling_groups().iter().map(|g| {
            let mut instances: Vec<AsgInstance> = g
                .instances()
                .iter()
                .map(|i| AsgInstance {
                    id: i.instance_id().unwrap_or_default().to_string(),
                    az: i.availability_zone().unwrap_or_default().to_string(),
                    lifecycle: i
                        .lifecycle_state()
                        .map(|l| l.as_str().to_string())
                        .unwrap_or_default(),
                    health: i.health_status().unwrap_or_default().to_string(),
                    instance_type: i.instance_type().map(str::to_string),
                    launch_template_version: i
                        .launch_template()
                        .and_then(|lt| lt.version())
                        .map(str::to_string),
                })
                .collect();
            instances.sort_by(|a, b| a.id.cmp(&b.id));
            AutoScalingGroup {
                name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
                min: g.min_size().unwrap_or_default(),
                desired: g.desired_capacity().unwrap_or_default(),
                max: g.max_size().unwrap_or_default(),
                azs: g.availability_zones().to_vec(),
                instances,
            }
        }));
    }
    Ok(groups)
}

/// Availability Zone of each instance id, in one DescribeInstances call (paginated).
pub async fn instance_azs(
    clients: &Clients,
    ids: &[String],
) -> Result<HashMap<String, String>, AwsError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut pages = clients
        .ec2
        .describe_instances()
        .set_instance_ids(Some(ids.to_vec()))
        .into_paginator()
        .send();
    let mut azs = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeInstances"))?;
        for instance in page.reservations().iter().flat_map(|r| r.instances()) {
            if let (Some(id), Some(az)) = (
                instance.instance_id(),
                instance.placement().and_then(|p| p.availability_zone()),
            ) {
                azs.insert(id.to_string(), az.to_string());
            }
        }
    }
    Ok(azs)
}

/// The last `per_group` scaling activities of each group, newest first overall.
///
/// DescribeScalingActivities takes one group name, so one call per group (first page only,
/// MaxRecords = `per_group`, at most 100), concurrently: the number of calls follows the number
/// of groups, never the number of instances or activities.
pub async fn scaling_activities(
    clients: &Clients,
    group_names: &[String],
    per_group: i32,
) -> Result<Vec<crate::domain::ScalingActivity>, AwsError> {
    let per_group = per_group.clamp(1, 100);
    let per_group_activities =
        futures::future::try_join_all(group_names.iter().map(|group| async move {
            let out = clients
                .autoscaling
                .describe_scaling_activities()
                .auto_scaling_group_name(group)
                .max_records(per_group)
                .send()
                .await
                .map_err(aws_err("DescribeScalingActivities"))?;
            Ok::<_, AwsError>(
                out.activities()
                    .iter()
                    .map(|a| crate::domain::ScalingActivity {
                        id: a.activity_id().unwrap_or_default().to_string(),
                        group: a.auto_scaling_group_name().unwrap_or(group).to_string(),
                        status: a
                            .status_code()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        description: a.description().unwrap_or_default().to_string(),
                        cause: a.cause().map(str::to_string),
                        start: a.start_time().and_then(super::to_utc),
                        end: a.end_time().and_then(super::to_utc),
                        progress: a.progress(),
                    })
                    .collect::<Vec<_>>(),
            )
        }))
        .await?;
    let mut activities: Vec<crate::domain::ScalingActivity> =
        per_group_activities.into_iter().flatten().collect();
    activities.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    Ok(activities)
}

/// Sets min, desired and max of a group in one UpdateAutoScalingGroup (only the given ones).
/// The caller has already validated them: moto, unlike AWS, accepts desired outside min..max.
pub async fn update_capacity(
    clients: &Clients,
    group: &str,
    min: Option<i32>,
    desired: i32,
    max: Option<i32>,
) -> Result<(), AwsError> {
    clients
        .autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .set_min_size(min)
        .desired_capacity(desired)
        .set_max_size(max)
        .send()
        .await
        .map_err(aws_err("UpdateAutoScalingGroup"))?;
    Ok(())
}

/// SetInstanceHealth Unhealthy: the group terminates the instance and launches a replacement.
pub async fn mark_unhealthy(clients: &Clients, instance: &str) -> Result<(), AwsError> {
    clients
        .autoscaling
        .set_instance_health()
        .instance_id(instance)
        .health_status("Unhealthy")
        // Grace periods exist to protect booting instances, not ones an operator condemned.
        .should_respect_grace_period(false)
        .send()
        .await
        .map_err(aws_err("SetInstanceHealth"))?;
    Ok(())
}

/// TerminateInstanceInAutoScalingGroup; with `decrement` the group's desired drops by one
/// instead of a replacement being launched.
pub async fn terminate_instance(
    clients: &Clients,
    instance: &str,
    decrement: bool,
) -> Result<(), AwsError> {
    clients
        .autoscaling
        .terminate_instance_in_auto_scaling_group()
        .instance_id(instance)
        .should_decrement_desired_capacity(decrement)
        .send()
        .await
        .map_err(aws_err("TerminateInstanceInAutoScalingGroup"))?;
    Ok(())
}

/// EnterStandby keeping desired (a replacement is launched while the instance is out of
/// service), so capacity does not drop during maintenance.
pub async fn enter_standby(clients: &Clients, group: &str, instance: &str) -> Result<(), AwsError> {
    clients
        .autoscaling
        .enter_standby()
        .auto_scaling_group_name(group)
        .instance_ids(instance)
        .should_decrement_desired_capacity(false)
        .send()
        .await
        .map_err(aws_err("EnterStandby"))?;
    Ok(())
}

pub async fn exit_standby(clients: &Clients, group: &str, instance: &str) -> Result<(), AwsError> {
    clients
        .autoscaling
        .exit_standby()
        .auto_scaling_group_name(group)
        .instance_ids(instance)
        .send()
        .await
        .map_err(aws_err("ExitStandby"))?;
    Ok(())
}
