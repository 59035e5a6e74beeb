//! Domain values for unit tests in several modules (scale checks, failover pre-flight, the
//! console's actions, Session Manager), so each test spells out only what it is about.
use super::{AsgInstance, AutoScalingGroup, Database};

/// An instance of the group in us-east-1a.
pub fn instance(id: &str, lifecycle: &str, health: &str) -> AsgInstance {
    AsgInstance {
        id: id.into(),
        az: "us-east-1a".into(),
        lifecycle: lifecycle.into(),
        health: health.into(),
        instance_type: None,
        launch_template_version: None,
    }
}

/// Group "web-asg" with these capacities and instances.
pub fn group(min: i32, desired: i32, max: i32, instances: Vec<AsgInstance>) -> AutoScalingGroup {
    AutoScalingGroup {
        name: "web-asg".into(),
        min,
        desired,
        max,
        azs: vec![],
        instances,
    }
}

/// A PostgreSQL DB instance with its primary in us-east-1a and (if Multi-AZ) its standby in
/// us-east-1b; no endpoint, no cluster, no deletion protection.
pub fn database(id: &str, status: &str, multi_az: bool) -> Database {
    Database {
        identifier: id.into(),
        status: status.into(),
        engine: "postgres".into(),
        engine_version: None,
        class: None,
        multi_az,
        az: Some("us-east-1a".into()),
        secondary_az: Some("us-east-1b".into()),
        endpoint: None,
        port: None,
        storage_gb: None,
        cluster: None,
        deletion_protection: false,
    }
}
