//! The domain types every face of opsdeck shows (status table, `--json`, console panels).
//! Built by `crate::aws` from SDK responses; no SDK type crosses this line.
//!
//! These types are the `status --json` schema: renaming or removing a field is a breaking
//! change and bumps `SCHEMA_VERSION`; adding a field is not.
use crate::aws::AwsError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the `status --json` document.
pub const SCHEMA_VERSION: u32 = 1;

/// The resources of a stack that opsdeck watches, from ListStackResources (physical ids).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackResources {
    pub load_balancers: Vec<String>,
    pub target_groups: Vec<String>,
    pub auto_scaling_groups: Vec<String>,
    pub db_instances: Vec<String>,
    pub db_clusters: Vec<String>,
    pub alarms: Vec<String>,
    pub vpcs: Vec<String>,
    pub subnets: Vec<String>,
    pub nat_gateways: Vec<String>,
    /// Every resource: (logical id, type, physical id, status).
    pub all: Vec<StackResource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackSummary {
    pub name: String,
    pub id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub last_updated: Option<DateTime<Utc>>,
    pub parameters: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, String>,
}

impl StackSummary {
    /// CloudFormation is still working on the stack.
    pub fn is_in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackEvent {
    pub id: String,
    pub timestamp: Option<DateTime<Utc>>,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupHealth {
    pub arn: String,
    pub name: String,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    pub load_balancers: Vec<String>,
    pub targets: Vec<Target>,
}

impl TargetGroupHealth {
    pub fn count(&self, state: &str) -> usize {
        self.targets.iter().filter(|t| t.state == state).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub port: Option<i32>,
    /// From the target itself, or the instance's AZ when the API leaves it out.
    pub az: Option<String>,
    /// healthy | unhealthy | initial | draining | unused | unavailable
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScalingGroup {
    pub name: String,
    pub min: i32,
    pub desired: i32,
    pub max: i32,
    pub azs: Vec<String>,
    pub instances: Vec<AsgInstance>,
}

impl AutoScalingGroup {
    pub fn in_service(&self) -> usize {
        self.instances
            .iter()
            .filter(|i| i.lifecycle == "InService")
            .count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsgInstance {
    pub id: String,
    pub az: String,
    /// Pending | InService | Terminating | Standby | ... (AWS LifecycleState)
    pub lifecycle: String,
    /// Healthy | Unhealthy
    pub health: String,
    pub instance_type: Option<String>,
    pub launch_template_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    pub identifier: String,
    pub status: String,
    pub engine: String,
    pub engine_version: Option<String>,
    pub class: Option<String>,
    pub multi_az: bool,
    pub az: Option<String>,
    pub secondary_az: Option<String>,
    pub endpoint: Option<String>,
    pub port: Option<i32>,
    pub storage_gb: Option<i32>,
    pub cluster: Option<String>,
    /// Deletion protection on: the stack cannot be deleted until it is turned off.
    #[serde(default)]
    pub deletion_protection: bool,
}

/// Whose credentials opsdeck runs with (STS GetCallerIdentity), for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub arn: Option<String>,
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    /// OK | ALARM | INSUFFICIENT_DATA
    pub state: String,
    pub reason: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub namespace: Option<String>,
    pub metric: Option<String>,
    pub statistic: Option<String>,
    pub period_secs: Option<i32>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub dimensions: BTreeMap<String, String>,
    pub actions_enabled: bool,
}

impl Alarm {
    /// ALARM first, then INSUFFICIENT_DATA, then OK: the order on-call reads them in.
    pub fn severity_rank(&self) -> u8 {
        match self.state.as_str() {
            "ALARM" => 0,
            "INSUFFICIENT_DATA" => 1,
            _ => 2,
        }
    }
}

/// One section of the snapshot that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionError {
    pub section: String,
    pub error: AwsError,
}

/// One snapshot of a stack's health: the `status --json` document.
#[derive(Debug, Clone, Serialize)]
pub struct StatusSnapshot {
    pub schema_version: u32,
    pub taken_at: DateTime<Utc>,
    pub region: Option<String>,
    pub stack: StackSummary,
    pub target_groups: Vec<TargetGroupHealth>,
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    pub databases: Vec<Database>,
    pub alarms: Vec<Alarm>,
    /// Sections that failed; the rest of the snapshot is still true.
    pub errors: Vec<SectionError>,
}

/// A reviewed change set: what CloudFormation will do if it is executed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub id: String,
    /// CREATE_COMPLETE (ready), FAILED, ...
    pub status: String,
    pub status_reason: Option<String>,
    pub changes: Vec<ResourceChange>,
}

impl ChangeSet {
    /// AWS refuses to build a change set that changes nothing; that is a success for deploy.
    pub fn is_no_change(&self) -> bool {
        self.status == "FAILED"
            && self.status_reason.as_deref().is_some_and(|r| {
                r.contains("didn't contain changes") || r.contains("No updates are to be performed")
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// Add | Modify | Remove | Import | Dynamic
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// True | False | Conditional (only for Modify)
    pub replacement: Option<String>,
    pub physical_id: Option<String>,
}

mod panels;
pub use panels::*;

#[cfg(test)]
pub(crate) mod fixtures;

/// What to ask StartSession for: a shell (no document) or a document such as port forwarding.
/// Serialized in the API's own field names: the request document the AWS CLI passes the plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionRequest {
    pub target: String,
    #[serde(rename = "DocumentName", skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, Vec<String>>,
    /// Shown in the session history (and CloudTrail) next to who opened it.
    pub reason: String,
}

impl SessionRequest {
    /// The request as JSON: the plugin's fifth argument.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings and lists of strings always serialize")
    }
}

/// StartSession's answer: what the plugin needs to open the data channel.
#[derive(Clone, PartialEq, Eq)]
pub struct StartedSession {
    pub session_id: String,
    /// A bearer token for the session's stream: never printed or logged.
    pub token_value: String,
    pub stream_url: String,
    /// The SSM endpoint StartSession was sent to (the plugin calls the same one).
    pub endpoint_url: String,
}

impl std::fmt::Debug for StartedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedSession")
            .field("session_id", &self.session_id)
            .field("token_value", &"<hidden>")
            .field("stream_url", &self.stream_url)
            .field("endpoint_url", &self.endpoint_url)
            .finish()
    }
}

/// One instance's part of a Run Command invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandInvocation {
    pub instance_id: String,
    /// Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling
    pub status: String,
    pub status_details: Option<String>,
    /// The script's exit code, once it has ended.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl CommandInvocation {
    /// Whether the status will not change any more.
    pub fn is_finished(&self) -> bool {
        CommandInvocation::is_final(&self.status)
    }

    /// Whether an invocation status (as ListCommandInvocations also reports it) is final.
    pub fn is_final(status: &str) -> bool {
        matches!(status, "Success" | "Cancelled" | "TimedOut" | "Failed")
    }
}
