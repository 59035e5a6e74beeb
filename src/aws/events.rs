//! RDS events and pending maintenance of the stack's databases: what happened to them lately
//! (failovers, reboots, backups) and what AWS will do to them next.
use super::error::{AwsError, aws_err};
use super::{Clients, to_utc};
use crate::domain::{PendingMaintenance, RdsEvent};
use aws_sdk_rds::types::{Filter, SourceType};
use futures::future::try_join_all;

/// DescribeEvents keeps 14 days of events; `Duration` is in minutes, at most this.
const MAX_EVENT_MINUTES: i32 = 20_160;

/// The events of each DB instance in `db_ids` over the last `since`, newest first.
///
/// One DescribeEvents per DB (SourceType db-instance, SourceIdentifier, Duration in whole
/// minutes rounded up), concurrently, each paginated. DescribeEvents takes one
/// SourceIdentifier and no filters, so the alternative is one unfiltered call for every
/// instance in the region filtered here: fewer calls for many DBs, but in a shared account it
/// pages through everyone else's events each poll. A stack has one or two DBs, so per-DB calls
/// are both fewer bytes and a bounded number of calls.
pub async fn rds_events(
    clients: &Clients,
    db_ids: &[String],
    since: std::time::Duration,
) -> Result<Vec<RdsEvent>, AwsError> {
    let minutes = since
        .as_secs()
        .div_ceil(60)
        .clamp(1, MAX_EVENT_MINUTES as u64) as i32;
    let per_db = try_join_all(db_ids.iter().map(|id| async move {
        let mut pages = clients
            .rds
            .describe_events()
            .source_type(SourceType::DbInstance)
            .source_identifier(id)
            .duration(minutes)
            .into_paginator()
            .send();
        let mut events = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(aws_err("DescribeEvents"))?;
            events.extend(page.events().iter().map(|e| RdsEvent {
                source: e.source_identifier().unwrap_or(id).to_string(),
                at: e.date().and_then(to_utc),
                message: e.message().unwrap_or_default().to_string(),
            }));
        }
        Ok::<_, AwsError>(events)
    }))
    .await?;
    let mut events: Vec<RdsEvent> = per_db.into_iter().flatten().collect();
    // Newest first; an event without a date (never seen in practice) sorts last.
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    Ok(events)
}

/// Maintenance AWS has scheduled for the DB instances `db_ids_or_arns`: one
/// DescribePendingMaintenanceActions with a `db-instance-id` filter (it accepts identifiers
/// and ARNs), paginated. One row per action; `resource` is the DB identifier (the ARN's last
/// part), so it lines up with `Database::identifier`.
pub async fn pending_maintenance(
    clients: &Clients,
    db_ids_or_arns: &[String],
) -> Result<Vec<PendingMaintenance>, AwsError> {
    if db_ids_or_arns.is_empty() {
        // Without a filter the call would list every resource in the region.
        return Ok(Vec::new());
    }
    let filter = Filter::builder()
        .name("db-instance-id")
        .set_values(Some(db_ids_or_arns.to_vec()))
        .build();
    let mut pages = clients
        .rds
        .describe_pending_maintenance_actions()
        .filters(filter)
        .into_paginator()
        .send();
    let mut actions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("DescribePendingMaintenanceActions"))?;
        for resource in page.pending_maintenance_actions() {
            let id = db_identifier(resource.resource_identifier().unwrap_or_default());
            actions.extend(
                resource
                    .pending_maintenance_action_details()
                    .iter()
                    .map(|a| PendingMaintenance {
                        resource: id.to_string(),
                        action: a.action().unwrap_or_default().to_string(),
                        description: a.description().map(str::to_string),
                        auto_applied_after: a.auto_applied_after_date().and_then(to_utc),
                        current_apply_date: a.current_apply_date().and_then(to_utc),
                    }),
            );
        }
    }
    actions.sort_by(|a, b| {
        (&a.current_apply_date, &a.resource, &a.action).cmp(&(
            &b.current_apply_date,
            &b.resource,
            &b.action,
        ))
    });
    Ok(actions)
}

/// `arn:aws:rds:us-east-1:123456789012:db:web-db` → `web-db`; anything else unchanged.
pub fn db_identifier(arn_or_id: &str) -> &str {
    match arn_or_id.split_once(":db:") {
        Some((_, id)) if arn_or_id.starts_with("arn:") => id,
        _ => arn_or_id,
    }
}

#[cfg(test)]
mod tests {
    use super::db_identifier;

    #[test]
    fn maintenance_rows_name_the_db_like_describe_db_instances() {
        assert_eq!(
            db_identifier("arn:aws:rds:us-east-1:123456789012:db:web-db"),
            "web-db"
        );
        assert_eq!(db_identifier("web-db"), "web-db");
        assert_eq!(
            db_identifier("arn:aws:rds:us-east-1:1:cluster:c1"),
            "arn:aws:rds:us-east-1:1:cluster:c1"
        );
    }
}
