//! RDS: the stack's database instances.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::Database;
use aws_sdk_rds::types::Filter;

/// DescribeDBInstances for all `ids` in one call (a `db-instance-id` filter, paginated).
pub async fn describe_instances(
    clients: &Clients,
    ids: &[String],
) -> Result<Vec<Database>, AwsError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = Filter::builder()
        .name("db-instance-id")
        .set_values(Some(ids.to_vec()))
        .build();
    let mut pages = clients
        .rds
        .describe_db_instances()
        .filters(filter)
        .into_paginator()
        .send();
    let mut databases = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeDBInstances"))?;
        databases.extend(page.db_instances().iter().map(|db| Database {
            identifier: db.db_instance_identifier().unwrap_or_default().to_string(),
            status: db.db_instance_status().unwrap_or_default().to_string(),
            engine: db.engine().unwrap_or_default().to_string(),
            engine_version: db.engine_version().map(str::to_string),
            class: db.db_instance_class().map(str::to_string),
            multi_az: db.multi_az().unwrap_or(false),
            az: db.availability_zone().map(str::to_string),
            secondary_az: db.secondary_availability_zone().map(str::to_string),
            endpoint: db.endpoint().and_then(|e| e.address()).map(str::to_string),
            port: db.endpoint().and_then(|e| e.port()),
            storage_gb: db.allocated_storage(),
            cluster: db.db_cluster_identifier().map(str::to_string),
        }));
    }
    databases.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    Ok(databases)
}
