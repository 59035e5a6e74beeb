//! What each console panel shows, as fetched by one poll of that panel.
use super::{
    Alarm, AutoScalingGroup, Database, SectionError, StackEvent, StackResources, StackSummary,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackPanel {
    pub summary: StackSummary,
    /// Newest first.
    pub events: Vec<StackEvent>,
    pub resources: StackResources,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingActivity {
    pub id: String,
    pub group: String,
    /// Successful | InProgress | Failed | Cancelled | ... (AWS StatusCode)
    pub status: String,
    pub description: String,
    pub cause: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub progress: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityPanel {
    pub groups: Vec<AutoScalingGroup>,
    /// Newest first, the last few per group.
    pub activities: Vec<ScalingActivity>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RdsEvent {
    pub source: String,
    pub at: Option<DateTime<Utc>>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingMaintenance {
    pub resource: String,
    pub action: String,
    pub description: Option<String>,
    pub auto_applied_after: Option<DateTime<Utc>>,
    pub current_apply_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabasePanel {
    pub databases: Vec<Database>,
    /// Pending modifications per DB identifier, as "Field → value".
    pub pending_modifications: BTreeMap<String, Vec<String>>,
    pub maintenance: Vec<PendingMaintenance>,
    /// Newest first, the last hour.
    pub events: Vec<RdsEvent>,
    /// Parts of the panel that could not be read (`events`, `maintenance`): the instances are
    /// still true, and an empty list next to an error here means "unknown", not "none".
    pub errors: Vec<SectionError>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmsPanel {
    pub alarms: Vec<Alarm>,
    /// The alarm's metric over the last hour, one value per minute, oldest first (a minute
    /// without data is absent), keyed by alarm name. An alarm with an empty series was queried
    /// and has no data; an alarm that is not a key has no plain metric to query (metric math,
    /// percentile statistic) or its history could not be read (see `errors`).
    pub history: BTreeMap<String, Vec<(DateTime<Utc>, f64)>>,
    /// Parts of the panel that could not be read (`history`): the alarm states are still true.
    pub errors: Vec<SectionError>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subnet {
    pub id: String,
    pub az: String,
    pub cidr: Option<String>,
    /// The stack's logical id for it (PublicSubnetA, ...), when known.
    pub name: Option<String>,
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatGateway {
    pub id: String,
    pub subnet_id: Option<String>,
    pub az: Option<String>,
    /// pending | available | deleting | deleted | failed
    pub state: String,
    /// AWS's reason when the state is `failed`.
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZonesPanel {
    pub subnets: Vec<Subnet>,
    pub nat_gateways: Vec<NatGateway>,
}
