//! EC2 networking of the stack: its subnets and NAT gateways, per Availability Zone.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::{NatGateway, StackResources, Subnet};
use std::collections::{BTreeSet, HashMap};

/// The stack's subnets in one DescribeSubnets call (paginated). `name` is the subnet's logical
/// id in `resources`; a subnet is public if it maps public IPs on launch or the template calls it
/// `Public…` (a public subnet without auto-assigned IPs is still the ALB/NAT tier).
///
/// No ids means no call: DescribeSubnets without ids would list every subnet in the region.
pub async fn subnets(
    clients: &Clients,
    ids: &[String],
    resources: &StackResources,
) -> Result<Vec<Subnet>, AwsError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let logical = logical_ids(resources);
    let mut pages = clients
        .ec2
        .describe_subnets()
        .set_subnet_ids(Some(ids.to_vec()))
        .into_paginator()
        .send();
    let mut subnets = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeSubnets"))?;
        subnets.extend(page.subnets().iter().map(|s| {
            let id = s.subnet_id().unwrap_or_default().to_string();
            let name = logical.get(id.as_str()).map(|l| l.to_string());
            let public = s.map_public_ip_on_launch().unwrap_or(false)
                || name.as_deref().is_some_and(|n| n.starts_with("Public"));
            Subnet {
                az: s.availability_zone().unwrap_or_default().to_string(),
                cidr: s.cidr_block().map(str::to_string),
                id,
                name,
                public,
            }
        }));
    }
    subnets.sort_by(|a, b| (&a.az, &a.name, &a.id).cmp(&(&b.az, &b.name, &b.id)));
    Ok(subnets)
}

/// Physical id → logical id of every resource of the stack.
fn logical_ids(resources: &StackResources) -> HashMap<&str, &str> {
    resources
        .all
        .iter()
        .filter_map(|r| Some((r.physical_id.as_deref()?, r.logical_id.as_str())))
        .collect()
}

/// The NAT gateways `ids` in one DescribeNatGateways call (paginated). AWS does not report a
/// zonal NAT gateway's AZ, only its subnet: `az` is left `None` here and filled by
/// [`fill_nat_azs`], which can reuse subnets already fetched.
///
/// No ids means no call (DescribeNatGateways without ids lists the whole region).
pub async fn nat_gateways(clients: &Clients, ids: &[String]) -> Result<Vec<NatGateway>, AwsError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut pages = clients
        .ec2
        .describe_nat_gateways()
        .set_nat_gateway_ids(Some(ids.to_vec()))
        .into_paginator()
        .send();
    let mut gateways = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeNatGateways"))?;
        gateways.extend(page.nat_gateways().iter().map(|n| {
            NatGateway {
                id: n.nat_gateway_id().unwrap_or_default().to_string(),
                subnet_id: n.subnet_id().map(str::to_string),
                az: None,
                state: n
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "unknown".to_string()),
                failure: n.failure_message().map(str::to_string),
            }
        }));
    }
    gateways.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(gateways)
}

/// Sets each NAT gateway's AZ from its subnet: from `known` first (the stack's subnets, usually
/// fetched alongside), then one DescribeSubnets for the subnets not among them, if any.
/// On error the gateways keep what `known` gave them.
pub async fn fill_nat_azs(
    clients: &Clients,
    gateways: &mut [NatGateway],
    known: &[Subnet],
) -> Result<(), AwsError> {
    let mut azs: HashMap<String, String> =
        known.iter().map(|s| (s.id.clone(), s.az.clone())).collect();
    let missing: BTreeSet<String> = gateways
        .iter()
        .filter(|n| n.az.is_none())
        .filter_map(|n| n.subnet_id.clone())
        .filter(|s| !azs.contains_key(s))
        .collect();
    let mut result = Ok(());
    if !missing.is_empty() {
        let ids: Vec<String> = missing.into_iter().collect();
        match subnets(clients, &ids, &StackResources::default()).await {
            Ok(found) => azs.extend(found.into_iter().map(|s| (s.id, s.az))),
            Err(e) => result = Err(e),
        }
    }
    for gateway in gateways.iter_mut().filter(|n| n.az.is_none()) {
        gateway.az = gateway
            .subnet_id
            .as_ref()
            .and_then(|s| azs.get(s))
            .filter(|az| !az.is_empty())
            .cloned();
    }
    result
}
