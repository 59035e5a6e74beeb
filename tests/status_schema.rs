//! The `status --json` document is a stable interface: this snapshot is its schema by example.
//! A change here is a change for every script that reads it (bump SCHEMA_VERSION to remove or
//! rename; adding a field is fine).
use chrono::TimeZone;
use opsdeck::aws::error::{AwsError, AwsErrorKind};
use opsdeck::domain::*;
use std::collections::BTreeMap;

fn fixture() -> StatusSnapshot {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
    StatusSnapshot {
        schema_version: SCHEMA_VERSION,
        taken_at: at,
        region: Some("eu-west-1".into()),
        stack: StackSummary {
            name: "ha-web".into(),
            id: Some("arn:aws:cloudformation:eu-west-1:111122223333:stack/ha-web/1".into()),
            status: "UPDATE_COMPLETE".into(),
            status_reason: None,
            created: Some(at),
            last_updated: Some(at),
            parameters: BTreeMap::from([("DesiredCapacity".into(), "2".into())]),
            outputs: BTreeMap::from([("Url".into(), "http://ha-web-alb.example".into())]),
        },
        target_groups: vec![TargetGroupHealth {
            arn: "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1".into(),
            name: "web".into(),
            port: Some(8080),
            protocol: Some("HTTP".into()),
            load_balancers: vec![
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/1".into(),
            ],
            targets: vec![Target {
                id: "i-0abc".into(),
                port: Some(8080),
                az: Some("eu-west-1b".into()),
                state: "unhealthy".into(),
                reason: Some("Target.FailedHealthChecks".into()),
                description: Some("Health checks failed with these codes: [502]".into()),
            }],
        }],
        auto_scaling_groups: vec![AutoScalingGroup {
            name: "ha-web-Asg-1".into(),
            min: 2,
            desired: 2,
            max: 6,
            azs: vec!["eu-west-1a".into(), "eu-west-1b".into()],
            instances: vec![AsgInstance {
                id: "i-0abc".into(),
                az: "eu-west-1b".into(),
                lifecycle: "InService".into(),
                health: "Healthy".into(),
                instance_type: Some("t3.micro".into()),
                launch_template_version: Some("3".into()),
            }],
        }],
        databases: vec![Database {
            identifier: "ha-web-db".into(),
            status: "available".into(),
            engine: "mysql".into(),
            engine_version: Some("8.0.39".into()),
            class: Some("db.t3.micro".into()),
            multi_az: true,
            az: Some("eu-west-1a".into()),
            secondary_az: Some("eu-west-1b".into()),
            endpoint: Some("ha-web-db.x.eu-west-1.rds.amazonaws.com".into()),
            port: Some(3306),
            storage_gb: Some(20),
            cluster: None,
            deletion_protection: false,
        }],
        alarms: vec![Alarm {
            name: "ha-web-alb-5xx".into(),
            state: "ALARM".into(),
            reason: Some("Threshold Crossed".into()),
            since: Some(at),
            namespace: Some("AWS/ApplicationELB".into()),
            metric: Some("HTTPCode_ELB_5XX_Count".into()),
            statistic: Some("Sum".into()),
            period_secs: Some(60),
            threshold: Some(10.0),
            comparison: Some("GreaterThanThreshold".into()),
            dimensions: BTreeMap::from([("LoadBalancer".into(), "app/web/1".into())]),
            actions_enabled: true,
        }],
        errors: vec![SectionError {
            section: "alarms".into(),
            error: AwsError {
                kind: AwsErrorKind::Throttled,
                operation: "DescribeAlarms".into(),
                code: Some("Throttling".into()),
                message: "Rate exceeded".into(),
            },
        }],
    }
}

#[test]
fn status_json_schema_v1() {
    insta::assert_json_snapshot!(fixture());
}

#[test]
fn status_text_shows_states_by_symbol_and_word() {
    let text = opsdeck::status::render_text(&fixture());
    insta::assert_snapshot!(text);
}
