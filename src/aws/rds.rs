//! RDS: the stack's database instances.
use super::Clients;
use super::error::{AwsError, aws_err};
use crate::domain::Database;
use aws_sdk_rds::types::{Filter, PendingModifiedValues};
use std::collections::BTreeMap;

/// DescribeDBInstances for all `ids` in one call (a `db-instance-id` filter, paginated).
pub async fn describe_instances(
    clients: &Clients,
    ids: &[String],
) -> Result<Vec<Database>, AwsError> {
    // The same single DescribeDBInstances as the database panel; it just drops the extras.
    Ok(describe_instances_with_pending(clients, ids).await?.0)
}

/// The instances `ids` and, per identifier, the modifications waiting for the next
/// maintenance window (or a reboot), rendered "Field → value", from one DescribeDBInstances
/// (a `db-instance-id` filter, paginated). An instance with nothing pending has no key.
pub async fn describe_instances_with_pending(
    clients: &Clients,
    ids: &[String],
) -> Result<(Vec<Database>, BTreeMap<String, Vec<String>>), AwsError> {
    if ids.is_empty() {
        return Ok((Vec::new(), BTreeMap::new()));
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
    let mut pending = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribeDBInstances"))?;
        for db in page.db_instances() {
            let database = Database {
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
                deletion_protection: db.deletion_protection().unwrap_or(false),
            };
            let changes = db
                .pending_modified_values()
                .map(pending_changes)
                .unwrap_or_default();
            if !changes.is_empty() {
                pending.insert(database.identifier.clone(), changes);
            }
            databases.push(database);
        }
    }
    databases.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    Ok((databases, pending))
}

/// RebootDBInstance with ForceFailover: a Multi-AZ instance's standby becomes the primary.
pub async fn force_failover(clients: &Clients, id: &str) -> Result<(), AwsError> {
    clients
        .rds
        .reboot_db_instance()
        .db_instance_identifier(id)
        .force_failover(true)
        .send()
        .await
        .map_err(aws_err("RebootDBInstance"))?;
    Ok(())
}

/// FailoverDBCluster: an Aurora reader (`target`, or one RDS picks) becomes the writer.
pub async fn failover_cluster(
    clients: &Clients,
    cluster: &str,
    target: Option<&str>,
) -> Result<(), AwsError> {
    clients
        .rds
        .failover_db_cluster()
        .db_cluster_identifier(cluster)
        .set_target_db_instance_identifier(target.map(str::to_string))
        .send()
        .await
        .map_err(aws_err("FailoverDBCluster"))?;
    Ok(())
}

/// The writer of each cluster, from DescribeDBClusters (one call, a filter on the ids).
pub async fn cluster_writers(
    clients: &Clients,
    clusters: &[String],
) -> Result<BTreeMap<String, String>, AwsError> {
    if clusters.is_empty() {
        return Ok(BTreeMap::new());
    }
    let filter = Filter::builder()
        .name("db-cluster-id")
        .set_values(Some(clusters.to_vec()))
        .build();
    let out = clients
        .rds
        .describe_db_clusters()
        .filters(filter)
        .send()
        .await
        .map_err(aws_err("DescribeDBClusters"))?;
    Ok(out
        .db_clusters()
        .iter()
        .filter_map(|c| {
            let writer = c
                .db_cluster_members()
                .iter()
                .find(|m| m.is_cluster_writer() == Some(true))?
                .db_instance_identifier()?;
            Some((c.db_cluster_identifier()?.to_string(), writer.to_string()))
        })
        .collect())
}

/// PendingModifiedValues as "Field → value" lines, in the order an operator cares about
/// (capacity and availability first). A new password is reported, never shown.
fn pending_changes(p: &PendingModifiedValues) -> Vec<String> {
    fn yes_no(b: bool) -> String {
        if b { "yes" } else { "no" }.to_string()
    }
    let fields: [(&str, Option<String>); 17] = [
        ("Class", p.db_instance_class().map(str::to_string)),
        ("Multi-AZ", p.multi_az().map(yes_no)),
        (
            "Storage",
            p.allocated_storage().map(|gb| format!("{gb} GiB")),
        ),
        ("Storage type", p.storage_type().map(str::to_string)),
        ("IOPS", p.iops().map(|v| v.to_string())),
        (
            "Storage throughput",
            p.storage_throughput().map(|v| format!("{v} MiB/s")),
        ),
        ("Engine", p.engine().map(str::to_string)),
        ("Engine version", p.engine_version().map(str::to_string)),
        ("Identifier", p.db_instance_identifier().map(str::to_string)),
        ("Port", p.port().map(|v| v.to_string())),
        (
            "Backup retention",
            p.backup_retention_period().map(|d| format!("{d} days")),
        ),
        (
            "CA certificate",
            p.ca_certificate_identifier().map(str::to_string),
        ),
        ("Subnet group", p.db_subnet_group_name().map(str::to_string)),
        ("License model", p.license_model().map(str::to_string)),
        (
            "IAM authentication",
            p.iam_database_authentication_enabled().map(yes_no),
        ),
        ("Dedicated log volume", p.dedicated_log_volume().map(yes_no)),
        (
            "Master password",
            p.master_user_password().map(|_| "(changing)".to_string()),
        ),
    ];
    let mut lines: Vec<String> = fields
        .into_iter()
        .filter_map(|(field, value)| Some(format!("{field} → {}", value?)))
        .collect();
    if let Some(logs) = p.pending_cloudwatch_logs_exports() {
        if !logs.log_types_to_enable().is_empty() {
            lines.push(format!(
                "Log exports on → {}",
                logs.log_types_to_enable().join(", ")
            ));
        }
        if !logs.log_types_to_disable().is_empty() {
            lines.push(format!(
                "Log exports off → {}",
                logs.log_types_to_disable().join(", ")
            ));
        }
    }
    lines.extend(
        p.processor_features()
            .iter()
            .filter_map(|f| Some(format!("Processor {} → {}", f.name()?, f.value()?))),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_modifications_read_as_field_and_new_value() {
        let p = PendingModifiedValues::builder()
            .db_instance_class("db.m6g.large")
            .multi_az(true)
            .allocated_storage(100)
            .engine_version("8.0.36")
            .master_user_password("secret")
            .build();
        assert_eq!(
            pending_changes(&p),
            [
                "Class → db.m6g.large",
                "Multi-AZ → yes",
                "Storage → 100 GiB",
                "Engine version → 8.0.36",
                "Master password → (changing)",
            ]
        );
        assert!(pending_changes(&PendingModifiedValues::builder().build()).is_empty());
    }
}
