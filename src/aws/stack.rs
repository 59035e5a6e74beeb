//! CloudFormation: the stack, its resources and events, and change sets.
use super::error::{AwsError, AwsErrorKind, aws_err};
use super::{Clients, to_utc};
use crate::domain::{
    ChangeSet, ResourceChange, StackEvent, StackResource, StackResources, StackSummary,
};
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter};
use std::collections::BTreeMap;

/// DescribeStacks for one stack; a missing stack is `AwsErrorKind::NotFound`.
pub async fn describe_stack(clients: &Clients, stack: &str) -> Result<StackSummary, AwsError> {
    let out = clients
        .cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(aws_err("DescribeStacks"))?;
    let s = out.stacks().first().ok_or_else(|| {
        AwsError::new(
            AwsErrorKind::NotFound,
            "DescribeStacks",
            format!("stack {stack} does not exist"),
        )
    })?;
    Ok(StackSummary {
        name: s.stack_name().unwrap_or(stack).to_string(),
        id: s.stack_id().map(str::to_string),
        status: s
            .stack_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        status_reason: s.stack_status_reason().map(str::to_string),
        created: s.creation_time().and_then(to_utc),
        last_updated: s.last_updated_time().and_then(to_utc),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_string(),
                    p.parameter_value()?.to_string(),
                ))
            })
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
            .collect(),
    })
}

/// Whether the stack exists (and is not a deleted leftover).
pub async fn find_stack(clients: &Clients, stack: &str) -> Result<Option<StackSummary>, AwsError> {
    match describe_stack(clients, stack).await {
        Ok(s) if s.status == "DELETE_COMPLETE" => Ok(None),
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// ListStackResources, all pages, sorted into the kinds opsdeck watches.
pub async fn list_resources(clients: &Clients, stack: &str) -> Result<StackResources, AwsError> {
    let mut pages = clients
        .cloudformation
        .list_stack_resources()
        .stack_name(stack)
        .into_paginator()
        .send();
    let mut resources = StackResources::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("ListStackResources"))?;
        for r in page.stack_resource_summaries() {
            let physical = r
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            let resource_type = r.resource_type().unwrap_or_default().to_string();
            if let Some(id) = &physical {
                let bucket = match resource_type.as_str() {
                    "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                        Some(&mut resources.load_balancers)
                    }
                    "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                        Some(&mut resources.target_groups)
                    }
                    "AWS::AutoScaling::AutoScalingGroup" => {
                        Some(&mut resources.auto_scaling_groups)
                    }
                    "AWS::RDS::DBInstance" => Some(&mut resources.db_instances),
                    "AWS::RDS::DBCluster" => Some(&mut resources.db_clusters),
                    "AWS::CloudWatch::Alarm" => Some(&mut resources.alarms),
                    "AWS::EC2::VPC" => Some(&mut resources.vpcs),
                    "AWS::EC2::Subnet" => Some(&mut resources.subnets),
                    "AWS::EC2::NatGateway" => Some(&mut resources.nat_gateways),
                    _ => None,
                };
                if let Some(bucket) = bucket {
                    bucket.push(id.clone());
                }
            }
            resources.all.push(StackResource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                resource_type,
                physical_id: physical,
                status: r
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(resources)
}

/// The newest stack events, newest first, at most `limit` (one page is 100).
pub async fn recent_events(
    clients: &Clients,
    stack: &str,
    limit: usize,
) -> Result<Vec<StackEvent>, AwsError> {
    let mut pages = clients
        .cloudformation
        .describe_stack_events()
        .stack_name(stack)
        .into_paginator()
        .send();
    let mut events = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeStackEvents"))?;
        events.extend(page.stack_events().iter().map(|e| {
            StackEvent {
                id: e.event_id().unwrap_or_default().to_string(),
                timestamp: e.timestamp().and_then(to_utc),
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_string),
            }
        }));
        if events.len() >= limit {
            break;
        }
    }
    events.truncate(limit);
    Ok(events)
}

/// A parameter for a change set: a new value, or "keep what the stack has".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    Set(String),
    UsePrevious,
}

/// What to build a change set from.
#[derive(Debug, Clone)]
pub struct ChangeSetRequest<'a> {
    pub stack: &'a str,
    pub name: String,
    pub create: bool,
    pub template_body: &'a str,
    pub parameters: BTreeMap<String, ParamValue>,
}

/// CreateChangeSet; returns the change set id (ARN).
pub async fn create_change_set(
    clients: &Clients,
    req: &ChangeSetRequest<'_>,
) -> Result<String, AwsError> {
    let params = req.parameters.iter().map(|(k, v)| {
        let p = Parameter::builder().parameter_key(k);
        match v {
            ParamValue::Set(value) => p.parameter_value(value),
            ParamValue::UsePrevious => p.use_previous_value(true),
        }
        .build()
    });
    let out = clients
        .cloudformation
        .create_change_set()
        .stack_name(req.stack)
        .change_set_name(&req.name)
        .change_set_type(if req.create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .template_body(req.template_body)
        .set_parameters(Some(params.collect()))
        // The template creates an instance role; IAM capability is the explicit consent.
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .description("opsdeck deploy")
        .send()
        .await
        .map_err(aws_err("CreateChangeSet"))?;
    out.id().map(str::to_string).ok_or_else(|| {
        AwsError::new(
            AwsErrorKind::Other,
            "CreateChangeSet",
            "no change set id returned",
        )
    })
}

/// DescribeChangeSet, all pages of changes.
pub async fn describe_change_set(
    clients: &Clients,
    stack: &str,
    id: &str,
) -> Result<ChangeSet, AwsError> {
    let mut next: Option<String> = None;
    let mut set = ChangeSet {
        id: id.to_string(),
        status: String::new(),
        status_reason: None,
        changes: Vec::new(),
    };
    loop {
        let out = clients
            .cloudformation
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(id)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(aws_err("DescribeChangeSet"))?;
        set.status = out
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        set.status_reason = out.status_reason().map(str::to_string);
        set.changes.extend(
            out.changes()
                .iter()
                .filter_map(|c| c.resource_change())
                .map(|rc| ResourceChange {
                    action: rc
                        .action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: rc.resource_type().unwrap_or_default().to_string(),
                    replacement: rc.replacement().map(|r| r.as_str().to_string()),
                    physical_id: rc.physical_resource_id().map(str::to_string),
                }),
        );
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_string()),
            _ => return Ok(set),
        }
    }
}

pub async fn execute_change_set(clients: &Clients, stack: &str, id: &str) -> Result<(), AwsError> {
    clients
        .cloudformation
        .execute_change_set()
        .stack_name(stack)
        .change_set_name(id)
        .send()
        .await
        .map_err(aws_err("ExecuteChangeSet"))?;
    Ok(())
}

pub async fn delete_change_set(clients: &Clients, stack: &str, id: &str) -> Result<(), AwsError> {
    clients
        .cloudformation
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(id)
        .send()
        .await
        .map_err(aws_err("DeleteChangeSet"))?;
    Ok(())
}

/// DeleteStack. CloudFormation answers at once; the deletion is followed with `describe_stack`.
pub async fn delete_stack(clients: &Clients, stack: &str) -> Result<(), AwsError> {
    clients
        .cloudformation
        .delete_stack()
        .stack_name(stack)
        .send()
        .await
        .map_err(aws_err("DeleteStack"))?;
    Ok(())
}

/// Removes the empty stack a declined CREATE change set leaves behind. Only a stack still in
/// REVIEW_IN_PROGRESS (which has no resources) is ever deleted here.
pub async fn discard_unexecuted_create(
    clients: &Clients,
    stack: &str,
    change_set: &str,
) -> Result<(), AwsError> {
    delete_change_set(clients, stack, change_set).await?;
    if describe_stack(clients, stack).await?.status == "REVIEW_IN_PROGRESS" {
        delete_stack(clients, stack).await?;
    }
    Ok(())
}
