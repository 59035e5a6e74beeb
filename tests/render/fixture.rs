//! The render tests' fixture: a console mid-incident, built from realistic domain data.
#![allow(dead_code)]
use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck::aws::AwsError;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::domain::*;
use opsdeck::keymap::Keymap;
use opsdeck::state::State;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const LONG_TG: &str =
    "ha-web-internal-admin-api-target-group-with-a-ridiculously-long-name-for-testing-trunc-0090";
pub const LONG_ALARM: &str =
    "ha-web-alb-target-5xx-count-high-for-the-public-application-load-balancer-over-five-minutes";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap()
}

pub fn ago(secs: i64) -> DateTime<Utc> {
    now() - Duration::seconds(secs)
}

pub fn target(id: &str, az: &str, state: &str, reason: Option<(&str, &str)>) -> Target {
    Target {
        id: id.into(),
        port: Some(80),
        az: Some(az.into()),
        state: state.into(),
        reason: reason.map(|(r, _)| r.into()),
        description: reason.map(|(_, d)| d.into()),
    }
}

pub fn targets() -> Vec<TargetGroupHealth> {
    vec![
        TargetGroupHealth {
            arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ha-web-app/1a2b"
                .into(),
            name: "ha-web-app".into(),
            port: Some(80),
            protocol: Some("HTTP".into()),
            load_balancers: vec!["ha-web-alb".into()],
            targets: vec![
                target("i-0a1b2c3d4e5f60001", "us-east-1a", "healthy", None),
                target(
                    "i-0a1b2c3d4e5f60002",
                    "us-east-1b",
                    "unhealthy",
                    Some((
                        "Target.FailedHealthChecks",
                        "Health checks failed with these codes: [502]",
                    )),
                ),
                target(
                    "i-0a1b2c3d4e5f60003",
                    "us-east-1b",
                    "draining",
                    Some((
                        "Target.DeregistrationInProgress",
                        "Target deregistration is in progress",
                    )),
                ),
                target(
                    "i-0a1b2c3d4e5f60004",
                    "us-east-1a",
                    "initial",
                    Some((
                        "Elb.RegistrationInProgress",
                        "Target registration is in progress",
                    )),
                ),
            ],
        },
        TargetGroupHealth {
            arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/9f8e"
                .into(),
            name: LONG_TG.into(),
            port: Some(8080),
            protocol: Some("HTTP".into()),
            load_balancers: vec!["ha-web-alb".into()],
            targets: vec![
                target("i-0a1b2c3d4e5f60001", "us-east-1a", "healthy", None),
                target("i-0a1b2c3d4e5f60005", "us-east-1b", "healthy", None),
            ],
        },
    ]
}

pub fn instance(id: &str, az: &str, lifecycle: &str, health: &str) -> AsgInstance {
    AsgInstance {
        id: id.into(),
        az: az.into(),
        lifecycle: lifecycle.into(),
        health: health.into(),
        instance_type: Some("t3.micro".into()),
        launch_template_version: Some("7".into()),
    }
}

pub fn capacity() -> CapacityPanel {
    CapacityPanel {
        groups: vec![AutoScalingGroup {
            name: "ha-web-asg-WebServerGroup-1Q2W3E4R5T6Y".into(),
            min: 2,
            desired: 4,
            max: 6,
            azs: vec!["us-east-1a".into(), "us-east-1b".into()],
            instances: vec![
                instance("i-0a1b2c3d4e5f60001", "us-east-1a", "InService", "Healthy"),
                instance("i-0a1b2c3d4e5f60002", "us-east-1b", "InService", "Healthy"),
                instance("i-0a1b2c3d4e5f60004", "us-east-1a", "Pending", "Healthy"),
                instance(
                    "i-0a1b2c3d4e5f60003",
                    "us-east-1b",
                    "Terminating",
                    "Unhealthy",
                ),
                instance("i-0a1b2c3d4e5f60006", "us-east-1a", "Standby", "Healthy"),
            ],
        }],
        activities: vec![ScalingActivity {
            id: "act-1".into(),
            group: "ha-web-asg".into(),
            status: "InProgress".into(),
            description: "Launching a new EC2 instance: i-0a1b2c3d4e5f60004".into(),
            cause: Some("desired capacity changed from 3 to 4".into()),
            start: Some(ago(95)),
            end: None,
            progress: Some(30),
        }],
    }
}

pub fn database() -> DatabasePanel {
    DatabasePanel {
        databases: vec![Database {
            identifier: "ha-web-db".into(),
            status: "available".into(),
            engine: "postgres".into(),
            engine_version: Some("16.3".into()),
            class: Some("db.t3.micro".into()),
            multi_az: true,
            az: Some("us-east-1a".into()),
            secondary_az: Some("us-east-1b".into()),
            endpoint: Some("ha-web-db.c1x2y3z4.us-east-1.rds.amazonaws.com".into()),
            port: Some(5432),
            storage_gb: Some(20),
            cluster: None,
            deletion_protection: false,
        }],
        pending_modifications: BTreeMap::from([(
            "ha-web-db".to_string(),
            vec!["DBInstanceClass → db.t3.small".to_string()],
        )]),
        maintenance: vec![PendingMaintenance {
            resource: "arn:aws:rds:us-east-1:123456789012:db:ha-web-db".into(),
            action: "system-update".into(),
            description: Some("New Operating System update is available".into()),
            auto_applied_after: None,
            current_apply_date: Some(Utc.with_ymd_and_hms(2025, 3, 20, 4, 0, 0).unwrap()),
        }],
        events: vec![
            RdsEvent {
                source: "ha-web-db".into(),
                at: Some(ago(300)),
                message: "Multi-AZ instance failover completed".into(),
            },
            RdsEvent {
                source: "ha-web-db".into(),
                at: Some(ago(420)),
                message: "Multi-AZ instance failover started".into(),
            },
        ],
        errors: vec![],
    }
}

pub fn alarm(name: &str, state: &str, reason: &str, since_secs: i64, threshold: f64) -> Alarm {
    Alarm {
        name: name.into(),
        state: state.into(),
        reason: Some(reason.into()),
        since: Some(ago(since_secs)),
        namespace: Some("AWS/ApplicationELB".into()),
        metric: Some("HTTPCode_Target_5XX_Count".into()),
        statistic: Some("Sum".into()),
        period_secs: Some(60),
        threshold: Some(threshold),
        comparison: Some("GreaterThanOrEqualToThreshold".into()),
        dimensions: BTreeMap::new(),
        actions_enabled: true,
    }
}

/// One point a minute for the last hour, with a gap and a rise at the end.
pub fn history(base: f64, rise: f64) -> Vec<(DateTime<Utc>, f64)> {
    (0..60)
        .rev()
        .filter(|m| !(20..25).contains(m))
        .map(|m| {
            let v = if m < 8 {
                base + rise * (8 - m) as f64
            } else {
                base + (m % 3) as f64
            };
            (now() - Duration::minutes(m), v)
        })
        .collect()
}

pub fn alarms() -> AlarmsPanel {
    AlarmsPanel {
        alarms: vec![
            alarm(
                LONG_ALARM,
                "ALARM",
                "Threshold Crossed: 1 datapoint [42.0] was >= 10.0",
                240,
                10.0,
            ),
            alarm(
                "ha-web-db-free-storage-low",
                "INSUFFICIENT_DATA",
                "Unchecked: Initial alarm creation",
                3900,
                10.0,
            ),
            alarm(
                "ha-web-cpu-high",
                "OK",
                "Threshold Crossed: 1 datapoint [21.5] was not >= 80.0",
                7200,
                80.0,
            ),
        ],
        history: BTreeMap::from([
            (LONG_ALARM.to_string(), history(1.0, 5.0)),
            ("ha-web-cpu-high".to_string(), history(20.0, 0.5)),
            ("ha-web-db-free-storage-low".to_string(), vec![]),
        ]),
        errors: vec![],
    }
}

pub fn zones() -> ZonesPanel {
    let subnet = |id: &str, az: &str, name: &str, public: bool| Subnet {
        id: id.into(),
        az: az.into(),
        cidr: None,
        name: Some(name.into()),
        public,
    };
    ZonesPanel {
        subnets: vec![
            subnet("subnet-0a1", "us-east-1a", "PublicSubnetA", true),
            subnet("subnet-0a2", "us-east-1a", "PrivateSubnetA", false),
            subnet("subnet-0b1", "us-east-1b", "PublicSubnetB", true),
            subnet("subnet-0b2", "us-east-1b", "PrivateSubnetB", false),
        ],
        nat_gateways: vec![
            NatGateway {
                id: "nat-0aaaa1111".into(),
                subnet_id: Some("subnet-0a1".into()),
                az: Some("us-east-1a".into()),
                state: "available".into(),
                failure: None,
            },
            NatGateway {
                id: "nat-0bbbb2222".into(),
                subnet_id: Some("subnet-0b1".into()),
                az: Some("us-east-1b".into()),
                state: "failed".into(),
                failure: Some("Elastic IP address eipalloc-0123 is already associated".into()),
            },
        ],
    }
}

pub fn stack() -> StackPanel {
    let event =
        |id: &str, secs: i64, logical: &str, ty: &str, status: &str, reason: Option<&str>| {
            StackEvent {
                id: id.into(),
                timestamp: Some(ago(secs)),
                logical_id: logical.into(),
                resource_type: ty.into(),
                status: status.into(),
                reason: reason.map(Into::into),
            }
        };
    StackPanel {
        summary: StackSummary {
            name: "ha-web".into(),
            id: Some("arn:aws:cloudformation:us-east-1:123456789012:stack/ha-web/1".into()),
            status: "UPDATE_COMPLETE".into(),
            status_reason: None,
            created: Some(ago(86400 * 3)),
            last_updated: Some(ago(1800)),
            parameters: BTreeMap::new(),
            outputs: BTreeMap::from([
                (
                    "Url".to_string(),
                    "http://ha-web-alb-123.us-east-1.elb.amazonaws.com".to_string(),
                ),
                (
                    "DbEndpoint".to_string(),
                    "ha-web-db.c1x2y3z4.us-east-1.rds.amazonaws.com".to_string(),
                ),
            ]),
        },
        events: vec![
            event(
                "e5",
                1800,
                "ha-web",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            ),
            event(
                "e4",
                1830,
                "WebServerGroup",
                "AWS::AutoScaling::AutoScalingGroup",
                "UPDATE_COMPLETE",
                None,
            ),
            event(
                "e3",
                1900,
                "WebServerGroup",
                "AWS::AutoScaling::AutoScalingGroup",
                "UPDATE_IN_PROGRESS",
                Some("Requested update requires the creation of a new physical resource"),
            ),
            event(
                "e2",
                1950,
                "LaunchTemplate",
                "AWS::EC2::LaunchTemplate",
                "UPDATE_FAILED",
                Some("Resource handler returned message: \"Invalid AMI ID\""),
            ),
            event(
                "e1",
                2000,
                "ha-web",
                "AWS::CloudFormation::Stack",
                "UPDATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
        ],
        resources: StackResources::default(),
    }
}

pub fn throttled() -> AwsError {
    let mut e = AwsError::new(
        AwsErrorKind::Throttled,
        "DescribeAutoScalingGroups",
        "Rate exceeded",
    );
    e.code = Some("Throttling".into());
    e
}

/// The console mid-incident: us-east-1b has an unhealthy target and a failed NAT gateway, the
/// target alarm fires, and the capacity feed is being throttled (stale, last data kept).
pub fn incident() -> State {
    let mut s = State::new(
        "ha-web",
        "sandbox http://127.0.0.1:4566",
        Arc::new(Keymap::builtin()),
        now(),
    );
    s.stack_feed.accept(ago(4), Ok(stack()));
    s.targets.accept(ago(3), Ok(targets()));
    s.capacity.accept(ago(25), Ok(capacity()));
    s.capacity.accept(ago(2), Err(throttled()));
    s.database.accept(ago(7), Ok(database()));
    s.alarms.accept(ago(12), Ok(alarms()));
    s.alarms.polling = true;
    s.zones.accept(ago(20), Ok(zones()));
    s
}
