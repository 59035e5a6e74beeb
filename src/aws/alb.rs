//! Elastic Load Balancing v2: target groups and the health of every target, one call per group.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::{Target, TargetGroupHealth};
use futures::future::try_join_all;

/// DescribeTargetGroups accepts at most this many ARNs per call.
const ARNS_PER_CALL: usize = 20;

/// Every target group in `arns` with every target's health: one DescribeTargetGroups per 20
/// groups, then one DescribeTargetHealth per group, concurrently; never one call per target.
pub async fn target_groups_health(
    clients: &Clients,
    arns: &[String],
) -> Result<Vec<TargetGroupHealth>, AwsError> {
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let described = try_join_all(arns.chunks(ARNS_PER_CALL).map(|chunk| async move {
        let mut pages = clients
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(chunk.to_vec()))
            .into_paginator()
            .send();
        let mut groups = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(aws_err("DescribeTargetGroups"))?;
            groups.extend(page.target_groups().iter().map(|tg| TargetGroupHealth {
                arn: tg.target_group_arn().unwrap_or_default().to_string(),
                name: tg.target_group_name().unwrap_or_default().to_string(),
                port: tg.port(),
                protocol: tg.protocol().map(|p| p.as_str().to_string()),
                load_balancers: tg.load_balancer_arns().to_vec(),
                targets: Vec::new(),
            }));
        }
        Ok::<_, AwsError>(groups)
    }))
    .await?;
    let groups: Vec<TargetGroupHealth> = described.into_iter().flatten().collect();
    try_join_all(groups.into_iter().map(|mut group| async move {
        group.targets = target_health(clients, &group.arn).await?;
        Ok(group)
    }))
    .await
}

async fn target_health(clients: &Clients, arn: &str) -> Result<Vec<Target>, AwsError> {
    let out = clients
        .elb
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(aws_err("DescribeTargetHealth"))?;
    let mut targets: Vec<Target> = out
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let target = d.target();
            let health = d.target_health();
            Target {
                id: target.and_then(|t| t.id()).unwrap_or_default().to_string(),
                port: target.and_then(|t| t.port()),
                az: target
                    .and_then(|t| t.availability_zone())
                    .filter(|az| *az != "all")
                    .map(str::to_string),
                state: health
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "unknown".to_string()),
                reason: health
                    .and_then(|h| h.reason())
                    .map(|r| r.as_str().to_string()),
                description: health.and_then(|h| h.description()).map(str::to_string),
            }
        })
        .collect();
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(targets)
}

/// CloudWatch's `LoadBalancer` / `TargetGroup` dimension value: the ARN's resource part
/// (`app/name/id`, `targetgroup/name/id`).
pub fn cloudwatch_dimension_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    Some(resource.strip_prefix("loadbalancer/").unwrap_or(resource))
}

#[cfg(test)]
mod tests {
    use super::cloudwatch_dimension_of;

    #[test]
    fn dimension_values_come_from_the_arn() {
        assert_eq!(
            cloudwatch_dimension_of(
                "arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            Some("app/web/50dc6c495c0c9188")
        );
        assert_eq!(
            cloudwatch_dimension_of(
                "arn:aws:elasticloadbalancing:us-east-1:123:targetgroup/tg/73e2d6bc24d8a067"
            ),
            Some("targetgroup/tg/73e2d6bc24d8a067")
        );
        assert_eq!(cloudwatch_dimension_of("nonsense"), None);
    }
}
