//! The on-call actions (`ops::run::execute`) at the SDK boundary, with `aws-smithy-mocks`.
//!
//! The local emulator (moto) cannot show what these actions are judged on: a Multi-AZ failover
//! that moves the primary to the other AZ, instances going Pending → InService while their
//! targets go initial → healthy, a stack update that fails and rolls back, throttling. So each
//! test gives the real code path the sequence of answers AWS documents for that situation and
//! checks the verdict and the progress it reports. Any call a test did not mock panics.
mod common;

use aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput;
use aws_sdk_autoscaling::operation::describe_scaling_activities::DescribeScalingActivitiesOutput;
use aws_sdk_autoscaling::operation::update_auto_scaling_group::UpdateAutoScalingGroupOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput;
use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
use aws_sdk_rds::operation::describe_events::DescribeEventsOutput;
use aws_sdk_rds::operation::describe_pending_maintenance_actions::DescribePendingMaintenanceActionsOutput;
use aws_sdk_rds::operation::failover_db_cluster::FailoverDbClusterOutput;
use aws_sdk_rds::operation::reboot_db_instance::RebootDbInstanceOutput;
use aws_smithy_mocks::{Rule, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, TimeZone, Utc};
use common::mocks::base_clients;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::aws::{AwsError, Clients};
use opsdeck::ops::run::{RunOptions, execute};
use opsdeck::ops::{Operation, Progress, Verdict};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const STACK: &str = "ha-web";
const LB_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ha-web-alb/50dc6c495c0c9188";
const TG_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ha-web-tg/73e2d6bc24d8a067";

/// The error document of the query protocol (Auto Scaling, RDS, ELB, CloudFormation).
fn query_throttling() -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(400).unwrap(),
        SdkBody::from(
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
             <Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
        ),
    )
}

fn fast(timeout_ms: u64) -> RunOptions {
    RunOptions {
        wait: true,
        timeout: Duration::from_millis(timeout_ms),
        poll_every: Duration::from_millis(10),
    }
}

/// Runs `op` on the stack and returns the result with everything it reported.
async fn run(
    clients: &Clients,
    op: &Operation,
    opts: &RunOptions,
) -> (Result<Verdict, AwsError>, Vec<Progress>) {
    let mut progress = Vec::new();
    let mut sink = |p: Progress| progress.push(p);
    let result = execute(clients, STACK, op, opts, &mut sink).await;
    (result, progress)
}

fn events(progress: &[Progress]) -> Vec<String> {
    progress
        .iter()
        .filter_map(|p| match p {
            Progress::Event(e) => Some(e.clone()),
            Progress::Status(_) => None,
        })
        .collect()
}

fn statuses(progress: &[Progress]) -> Vec<String> {
    progress
        .iter()
        .filter_map(|p| match p {
            Progress::Status(s) => Some(s.clone()),
            Progress::Event(_) => None,
        })
        .collect()
}

fn smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

fn hms(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
}

// ---------------------------------------------------------------- shared mocks

/// ListStackResources answering `(logical id, type, physical id)` rows, all CREATE_COMPLETE.
fn stack_resources(rows: &[(&str, &str, &str)]) -> Rule {
    use aws_sdk_cloudformation::types::{ResourceStatus, StackResourceSummary};
    let rows: Vec<(String, String, String)> = rows
        .iter()
        .map(|(l, t, p)| (l.to_string(), t.to_string(), p.to_string()))
        .collect();
    mock!(aws_sdk_cloudformation::Client::list_stack_resources)
        .match_requests(|req| req.stack_name() == Some(STACK))
        .then_output(move || {
            ListStackResourcesOutput::builder()
                .set_stack_resource_summaries(Some(
                    rows.iter()
                        .map(|(logical, kind, physical)| {
                            StackResourceSummary::builder()
                                .logical_resource_id(logical)
                                .resource_type(kind)
                                .physical_resource_id(physical)
                                .resource_status(ResourceStatus::CreateComplete)
                                .last_updated_timestamp(smithy(Utc::now()))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        })
}

fn cfn_clients(clients: &Clients, rules: &[&Rule]) -> aws_sdk_cloudformation::Client {
    mocked!(clients.cloudformation, aws_sdk_cloudformation, rules.iter())
}

/// DescribeTargetGroups for the stack's one target group, "ha-web-tg".
fn target_group() -> Rule {
    use aws_sdk_elasticloadbalancingv2::types::TargetGroup;
    mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups)
        .match_requests(|req| req.target_group_arns() == [TG_ARN])
        .then_output(|| {
            DescribeTargetGroupsOutput::builder()
                .target_groups(
                    TargetGroup::builder()
                        .target_group_arn(TG_ARN)
                        .target_group_name("ha-web-tg")
                        .port(80)
                        .load_balancer_arns(LB_ARN)
                        .build(),
                )
                .build()
        })
}

/// A DescribeTargetHealth answer: `(instance id, state)` per target.
fn health(targets: &[(&str, &str)]) -> DescribeTargetHealthOutput {
    use aws_sdk_elasticloadbalancingv2::types::{
        TargetDescription, TargetHealth, TargetHealthDescription, TargetHealthStateEnum,
    };
    DescribeTargetHealthOutput::builder()
        .set_target_health_descriptions(Some(
            targets
                .iter()
                .map(|(id, state)| {
                    TargetHealthDescription::builder()
                        .target(TargetDescription::builder().id(*id).port(80).build())
                        .target_health(
                            TargetHealth::builder()
                                .state(TargetHealthStateEnum::from(*state))
                                .build(),
                        )
                        .build()
                })
                .collect(),
        ))
        .build()
}

// ---------------------------------------------------------------- RDS

/// A Multi-AZ (or single-AZ) RDS for PostgreSQL instance as DescribeDBInstances shows it.
fn db_instance(
    id: &str,
    status: &str,
    multi_az: bool,
    az: &str,
    pending_class: Option<&str>,
) -> aws_sdk_rds::types::DbInstance {
    use aws_sdk_rds::types::{DbInstance, Endpoint, PendingModifiedValues};
    let secondary = if az == "us-east-1a" {
        "us-east-1b"
    } else {
        "us-east-1a"
    };
    let mut pending = PendingModifiedValues::builder();
    if let Some(class) = pending_class {
        pending = pending.db_instance_class(class);
    }
    let mut db = DbInstance::builder()
        .db_instance_identifier(id)
        .db_instance_status(status)
        .engine("postgres")
        .engine_version("16.4")
        .db_instance_class("db.t4g.medium")
        .multi_az(multi_az)
        .availability_zone(az)
        .endpoint(
            Endpoint::builder()
                .address(format!("{id}.abcdefghij.us-east-1.rds.amazonaws.com"))
                .port(5432)
                .build(),
        )
        .pending_modified_values(pending.build());
    if multi_az {
        db = db.secondary_availability_zone(secondary);
    }
    db.build()
}

fn instances(dbs: Vec<aws_sdk_rds::types::DbInstance>) -> DescribeDbInstancesOutput {
    DescribeDbInstancesOutput::builder()
        .set_db_instances(Some(dbs))
        .build()
}

/// A DescribeEvents answer for the instance: `(date, message)`, newest first like AWS.
fn rds_events(db: &str, rows: &[(DateTime<Utc>, &str)]) -> DescribeEventsOutput {
    use aws_sdk_rds::types::{Event, SourceType};
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    DescribeEventsOutput::builder()
        .set_events(Some(
            rows.iter()
                .map(|(t, message)| {
                    Event::builder()
                        .source_identifier(db)
                        .source_type(SourceType::DbInstance)
                        .message(*message)
                        .event_categories("failover")
                        .date(smithy(*t))
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn no_maintenance() -> Rule {
    mock!(aws_sdk_rds::Client::describe_pending_maintenance_actions)
        .then_output(|| DescribePendingMaintenanceActionsOutput::builder().build())
}

fn reboot_with_force_failover() -> Rule {
    mock!(aws_sdk_rds::Client::reboot_db_instance)
        .match_requests(|req| {
            req.db_instance_identifier() == Some("ha-web-db") && req.force_failover() == Some(true)
        })
        .then_output(|| RebootDbInstanceOutput::builder().build())
}

/// The ALB's 5xx over the last 5 minutes: 2 from the load balancer and 1 from the targets.
fn alb_5xx() -> Rule {
    use aws_sdk_cloudwatch::types::MetricDataResult;
    mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|req| {
        for q in req.metric_data_queries() {
            let metric = q.metric_stat().and_then(|s| s.metric()).unwrap();
            assert_eq!(metric.namespace(), Some("AWS/ApplicationELB"));
            assert_eq!(
                metric.dimensions()[0].value(),
                Some("app/ha-web-alb/50dc6c495c0c9188")
            );
        }
        let t = smithy(Utc::now() - chrono::Duration::minutes(2));
        GetMetricDataOutput::builder()
            .metric_data_results(
                MetricDataResult::builder()
                    .id("e0")
                    .timestamps(t)
                    .values(2.0)
                    .build(),
            )
            .metric_data_results(
                MetricDataResult::builder()
                    .id("e1")
                    .timestamps(t)
                    .values(1.0)
                    .build(),
            )
            .build()
    })
}

/// Clients for the Multi-AZ instance failover of "ha-web-db" behind the ALB: the RDS answers
/// are the test's, the stack, target health (two healthy targets) and the 5xx metric shared.
async fn failover_clients(rds_rules: &[&Rule]) -> Clients {
    let mut clients = base_clients().await;
    let resources = stack_resources(&[
        ("Database", "AWS::RDS::DBInstance", "ha-web-db"),
        (
            "LoadBalancer",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            LB_ARN,
        ),
        (
            "TargetGroup",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            TG_ARN,
        ),
    ]);
    clients.cloudformation = cfn_clients(&clients, &[&resources]);
    let groups = target_group();
    let targets = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .then_output(|| health(&[("i-0aaa", "healthy"), ("i-0bbb", "healthy")]));
    clients.elb = mocked!(
        clients.elb,
        aws_sdk_elasticloadbalancingv2,
        [&groups, &targets]
    );
    let metric = alb_5xx();
    clients.cloudwatch = mocked!(clients.cloudwatch, aws_sdk_cloudwatch, [&metric]);
    clients.rds = mocked!(clients.rds, aws_sdk_rds, rds_rules.iter());
    clients
}

fn failover_op() -> Operation {
    Operation::Failover {
        db: "ha-web-db".into(),
        cluster: None,
        target: None,
    }
}

/// A forced failover of a Multi-AZ DB instance (RebootDBInstance with ForceFailover=true), as
/// the RDS User Guide describes it: the request is accepted at once, the instance shows
/// `rebooting` while the standby is promoted, RDS records "Multi-AZ instance failover started."
/// (RDS-EVENT-0013) and "Multi-AZ instance failover completed." (RDS-EVENT-0049), and the
/// instance is `available` again with its primary in the former standby's AZ (the AZ and
/// SecondaryAZ swap). Mocked because moto accepts ForceFailover but never moves anything.
#[tokio::test]
async fn multi_az_failover_is_followed_until_the_primary_is_in_the_other_az() {
    let t0 = Utc::now();
    let started = t0 + chrono::Duration::seconds(1);
    let completed = t0 + chrono::Duration::seconds(2);
    // A backup finished half a minute before the failover: inside the polled window, but
    // not part of this failover, so it must not be reported.
    let earlier = (
        t0 - chrono::Duration::seconds(30),
        "Finished DB Instance backup",
    );
    let db = mock!(aws_sdk_rds::Client::describe_db_instances)
        .match_requests(|req| req.filters()[0].values() == ["ha-web-db"])
        .sequence()
        // Pre-flight: available, Multi-AZ, primary in 1a, nothing pending.
        .output(|| {
            instances(vec![db_instance(
                "ha-web-db",
                "available",
                true,
                "us-east-1a",
                None,
            )])
        })
        // Two polls while the standby is promoted.
        .output(|| {
            instances(vec![db_instance(
                "ha-web-db",
                "rebooting",
                true,
                "us-east-1a",
                None,
            )])
        })
        .times(2)
        // Failed over: primary in 1b (standby now in 1a).
        .output(|| {
            instances(vec![db_instance(
                "ha-web-db",
                "available",
                true,
                "us-east-1b",
                None,
            )])
        })
        .repeatedly()
        .build();
    let rds_events_rule = mock!(aws_sdk_rds::Client::describe_events)
        .match_requests(|req| req.source_identifier() == Some("ha-web-db"))
        .sequence()
        .output(move || rds_events("ha-web-db", &[earlier]))
        .output(move || {
            rds_events(
                "ha-web-db",
                &[earlier, (started, "Multi-AZ instance failover started.")],
            )
        })
        .times(2)
        .output(move || {
            rds_events(
                "ha-web-db",
                &[
                    earlier,
                    (started, "Multi-AZ instance failover started."),
                    (completed, "Multi-AZ instance failover completed."),
                ],
            )
        })
        .repeatedly()
        .build();
    let maintenance = no_maintenance();
    let reboot = reboot_with_force_failover();
    let clients = failover_clients(&[&db, &rds_events_rule, &maintenance, &reboot]).await;

    let (result, progress) = run(&clients, &failover_op(), &fast(2000)).await;
    let verdict = result.expect("every call answered");

    assert!(verdict.ok, "{verdict:?}");
    assert!(
        verdict.text.starts_with("failover complete after "),
        "{}",
        verdict.text
    );
    assert!(
        verdict
            .text
            .ends_with(": primary us-east-1a → us-east-1b, ha-web-db available"),
        "{}",
        verdict.text
    );
    assert_eq!(
        reboot.num_calls(),
        1,
        "one RebootDBInstance, ForceFailover=true"
    );
    // Pre-flight, then four polls: rebooting, rebooting, available in 1b.
    assert_eq!(db.num_calls(), 4);
    assert_eq!(
        events(&progress),
        [
            "failover requested; before: available primary us-east-1a".to_string(),
            format!(
                "{} RDS event: Multi-AZ instance failover started.",
                hms(started)
            ),
            "status rebooting".to_string(),
            format!(
                "{} RDS event: Multi-AZ instance failover completed.",
                hms(completed)
            ),
            "status available".to_string(),
        ],
        "each RDS event once, the earlier backup never"
    );
    let statuses = statuses(&progress);
    assert!(
        statuses[0].starts_with(
            "rebooting · primary us-east-1a · healthy targets 2/2 · ALB 5xx (5 min) 3 · "
        ),
        "{statuses:?}"
    );
    assert!(
        statuses
            .last()
            .unwrap()
            .starts_with("available · primary us-east-1b · healthy targets 2/2"),
        "{statuses:?}"
    );
}

/// RebootDBInstance with ForceFailover is accepted, but nothing observable follows within the
/// timeout (the API documents the call's acceptance, not the failover's completion): the
/// instance stays `available` in its AZ and RDS records nothing. The verdict must say that no
/// failover was seen rather than report success. Mocked because the emulator shows nothing
/// else either, so only a mock can pin the timeout message.
#[tokio::test]
async fn failover_not_observed_within_the_timeout_is_not_reported_as_done() {
    let t0 = Utc::now();
    let earlier = (
        t0 - chrono::Duration::seconds(30),
        "Finished DB Instance backup",
    );
    let db = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(|| {
        instances(vec![db_instance(
            "ha-web-db",
            "available",
            true,
            "us-east-1a",
            None,
        )])
    });
    let rds_events_rule = mock!(aws_sdk_rds::Client::describe_events)
        .then_output(move || rds_events("ha-web-db", &[earlier]));
    let maintenance = no_maintenance();
    let reboot = reboot_with_force_failover();
    let clients = failover_clients(&[&db, &rds_events_rule, &maintenance, &reboot]).await;

    let started = Instant::now();
    let (result, progress) = run(&clients, &failover_op(), &fast(1000)).await;
    let verdict = result.expect("every call answered");

    assert!(!verdict.ok, "{verdict:?}");
    assert_eq!(
        verdict.text,
        "no failover observed within 1s: status available, primary AZ stayed us-east-1a, 0 RDS events"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "followed to the timeout"
    );
    assert!(db.num_calls() > 3, "polled repeatedly: {}", db.num_calls());
    assert_eq!(reboot.num_calls(), 1);
    assert_eq!(
        events(&progress),
        ["failover requested; before: available primary us-east-1a"]
    );
}

/// The pre-flight is repeated on fresh data at execution time: RebootDBInstance with
/// ForceFailover fails with InvalidParameterCombination on a single-AZ instance, and a reboot
/// applies pending modifications (the RDS User Guide: modifications waiting for the next
/// maintenance window are applied when the instance is rebooted), so either finding must stop
/// the request. Mocked because it needs the database to change between confirmation and
/// execution, with PendingModifiedValues moto does not produce.
#[tokio::test]
async fn failover_refused_by_the_fresh_pre_flight_is_never_sent() {
    let cases = [
        (
            db_instance("ha-web-db", "available", false, "us-east-1a", None),
            "not sent: pre-flight failed: Multi-AZ on: single-AZ: there is no standby to fail over \
             to (deploy with DbMultiAz=true)",
        ),
        (
            db_instance(
                "ha-web-db",
                "available",
                true,
                "us-east-1a",
                Some("db.m6g.large"),
            ),
            "not sent: pre-flight failed: no pending modifications: pending: Class → db.m6g.large \
             (apply or wait for them first)",
        ),
    ];
    for (instance, refusal) in cases {
        let db = mock!(aws_sdk_rds::Client::describe_db_instances)
            .then_output(move || instances(vec![instance.clone()]));
        let rds_events_rule = mock!(aws_sdk_rds::Client::describe_events)
            .then_output(|| rds_events("ha-web-db", &[]));
        let maintenance = no_maintenance();
        let reboot = mock!(aws_sdk_rds::Client::reboot_db_instance)
            .then_output(|| RebootDbInstanceOutput::builder().build());
        let clients = failover_clients(&[&db, &rds_events_rule, &maintenance, &reboot]).await;

        let (result, progress) = run(&clients, &failover_op(), &fast(1000)).await;
        let verdict = result.expect("every call answered");

        assert!(!verdict.ok, "{verdict:?}");
        assert_eq!(verdict.text, refusal);
        assert_eq!(reboot.num_calls(), 0, "RebootDBInstance never called");
        assert!(progress.is_empty(), "{progress:?}");
    }
}

/// Aurora: FailoverDBCluster promotes the named reader (TargetDBInstanceIdentifier); the API
/// reference says the reader becomes the cluster writer, which DescribeDBClusters shows as
/// `IsClusterWriter` moving to it. The stack template offers no Aurora and moto cannot fail a
/// cluster over, hence mocked: cluster "c" with writer "w" and reader "r".
#[tokio::test]
async fn aurora_cluster_failover_is_done_when_the_reader_is_the_writer() {
    use aws_sdk_rds::types::{DbCluster, DbClusterMember, DbInstance};
    let member = |id: &str, az: &str| {
        DbInstance::builder()
            .db_instance_identifier(id)
            .db_instance_status("available")
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .multi_az(false)
            .availability_zone(az)
            .db_cluster_identifier("c")
            .build()
    };
    // DescribeDBInstances honours the db-instance-id filter, as AWS does.
    let db = mock!(aws_sdk_rds::Client::describe_db_instances).then_compute_output(move |req| {
        let wanted = req.filters()[0].values();
        instances(
            [member("w", "us-east-1a"), member("r", "us-east-1b")]
                .into_iter()
                .filter(|d| {
                    wanted
                        .iter()
                        .any(|w| Some(w.as_str()) == d.db_instance_identifier())
                })
                .collect(),
        )
    });
    let cluster = |writer: &'static str| {
        move || {
            DescribeDbClustersOutput::builder()
                .db_clusters(
                    DbCluster::builder()
                        .db_cluster_identifier("c")
                        .status("available")
                        .engine("aurora-postgresql")
                        .db_cluster_members(
                            DbClusterMember::builder()
                                .db_instance_identifier("w")
                                .is_cluster_writer(writer == "w")
                                .build(),
                        )
                        .db_cluster_members(
                            DbClusterMember::builder()
                                .db_instance_identifier("r")
                                .is_cluster_writer(writer == "r")
                                .build(),
                        )
                        .build(),
                )
                .build()
        }
    };
    let clusters = mock!(aws_sdk_rds::Client::describe_db_clusters)
        .match_requests(|req| req.filters()[0].values() == ["c"])
        .sequence()
        // Before the request, and the first poll: still w.
        .output(cluster("w"))
        .times(2)
        .output(cluster("r"))
        .repeatedly()
        .build();
    let rds_events_rule = mock!(aws_sdk_rds::Client::describe_events)
        .then_output(|| DescribeEventsOutput::builder().build());
    let maintenance = no_maintenance();
    let failover = mock!(aws_sdk_rds::Client::failover_db_cluster)
        .match_requests(|req| {
            req.db_cluster_identifier() == Some("c")
                && req.target_db_instance_identifier() == Some("r")
        })
        .then_output(|| FailoverDbClusterOutput::builder().build());
    let mut clients = base_clients().await;
    let resources = stack_resources(&[
        ("Cluster", "AWS::RDS::DBCluster", "c"),
        ("Writer", "AWS::RDS::DBInstance", "w"),
        ("Reader", "AWS::RDS::DBInstance", "r"),
    ]);
    clients.cloudformation = cfn_clients(&clients, &[&resources]);
    clients.rds = mocked!(
        clients.rds,
        aws_sdk_rds,
        [&db, &clusters, &rds_events_rule, &maintenance, &failover]
    );
    let op = Operation::Failover {
        db: "w".into(),
        cluster: Some("c".into()),
        target: Some("r".into()),
    };

    let (result, progress) = run(&clients, &op, &fast(2000)).await;
    let verdict = result.expect("every call answered");

    assert!(verdict.ok, "{verdict:?}");
    assert!(
        verdict.text.ends_with(": writer w → r, w available"),
        "{}",
        verdict.text
    );
    assert_eq!(failover.num_calls(), 1, "one FailoverDBCluster to r");
    assert_eq!(clusters.num_calls(), 3, "before, then two polls");
    assert_eq!(
        events(&progress),
        ["failover requested; before: available writer w"]
    );
    let statuses = statuses(&progress);
    assert!(
        statuses[0].starts_with("available · writer w · "),
        "{statuses:?}"
    );
    assert!(
        statuses
            .last()
            .unwrap()
            .starts_with("available · writer r · "),
        "{statuses:?}"
    );
}

// ---------------------------------------------------------------- Auto Scaling

/// A DescribeAutoScalingGroups answer for "web-asg": `(instance id, lifecycle state)`.
fn group(
    min: i32,
    desired: i32,
    max: i32,
    members: &[(&str, &str)],
) -> DescribeAutoScalingGroupsOutput {
    use aws_sdk_autoscaling::types::{AutoScalingGroup, Instance, LifecycleState};
    DescribeAutoScalingGroupsOutput::builder()
        .auto_scaling_groups(
            AutoScalingGroup::builder()
                .auto_scaling_group_name("web-asg")
                .min_size(min)
                .desired_capacity(desired)
                .max_size(max)
                .availability_zones("us-east-1a")
                .availability_zones("us-east-1b")
                .target_group_arns(TG_ARN)
                .set_instances(Some(
                    members
                        .iter()
                        .map(|(id, lifecycle)| {
                            Instance::builder()
                                .instance_id(*id)
                                .availability_zone("us-east-1a")
                                .lifecycle_state(LifecycleState::from(*lifecycle))
                                .health_status("Healthy")
                                .instance_type("t3.micro")
                                .protected_from_scale_in(false)
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        )
        .build()
}

fn web_asg_rule() -> aws_smithy_mocks::RuleBuilder<
    aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsInput,
    DescribeAutoScalingGroupsOutput,
    aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsError,
> {
    mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups)
        .match_requests(|req| req.auto_scaling_group_names() == ["web-asg"])
}

fn scale_to_3() -> Operation {
    Operation::Scale {
        group: "web-asg".into(),
        min: None,
        desired: 3,
        max: None,
    }
}

/// Raising desired capacity as the EC2 Auto Scaling User Guide describes it: the group
/// launches an instance (a scaling activity, InProgress then Successful), the instance is
/// Pending, then InService; the group registers it with its target groups, where its health
/// is `initial` until it passes the health checks, then `healthy`. The scale is done only
/// then. Mocked because moto puts instances InService at once and has no target health.
#[tokio::test]
async fn scale_out_is_followed_until_the_new_instance_is_healthy() {
    use aws_sdk_autoscaling::types::{Activity, ScalingActivityStatusCode};
    let t0 = Utc::now();
    let two = [("i-0aaa", "InService"), ("i-0bbb", "InService")];
    let describe = web_asg_rule()
        .sequence()
        // The fresh check before the call, then the first poll before anything launched.
        .output(move || group(1, 2, 4, &two))
        .output(move || group(1, 3, 4, &two))
        .output(move || group(1, 3, 4, &[two[0], two[1], ("i-0ccc", "Pending")]))
        .output(move || group(1, 3, 4, &[two[0], two[1], ("i-0ccc", "InService")]))
        .repeatedly()
        .build();
    let update = mock!(aws_sdk_autoscaling::Client::update_auto_scaling_group)
        .match_requests(|req| {
            req.auto_scaling_group_name() == Some("web-asg")
                && req.desired_capacity() == Some(3)
                && req.min_size().is_none()
                && req.max_size().is_none()
        })
        .then_output(|| UpdateAutoScalingGroupOutput::builder().build());
    let activity = move |instance: &str, status: ScalingActivityStatusCode, start: i64| {
        Activity::builder()
            .activity_id(format!("act-{instance}"))
            .auto_scaling_group_name("web-asg")
            .description(format!("Launching a new EC2 instance: {instance}"))
            .cause("At 12:00:00Z a user request update of AutoScalingGroup constraints to min: 1, max: 4, desired: 3 changing the desired capacity from 2 to 3.")
            .start_time(smithy(t0 + chrono::Duration::seconds(start)))
            .status_code(status)
            .build()
    };
    let old = move || activity("i-0bbb", ScalingActivityStatusCode::Successful, -3600);
    let activities = mock!(aws_sdk_autoscaling::Client::describe_scaling_activities)
        .match_requests(|req| req.auto_scaling_group_name() == Some("web-asg"))
        .sequence()
        .output(move || {
            DescribeScalingActivitiesOutput::builder()
                .activities(old())
                .build()
        })
        .output(move || {
            DescribeScalingActivitiesOutput::builder()
                .activities(activity("i-0ccc", ScalingActivityStatusCode::InProgress, 1))
                .activities(old())
                .build()
        })
        .output(move || {
            DescribeScalingActivitiesOutput::builder()
                .activities(activity("i-0ccc", ScalingActivityStatusCode::Successful, 1))
                .activities(old())
                .build()
        })
        .repeatedly()
        .build();
    let serving = [("i-0aaa", "healthy"), ("i-0bbb", "healthy")];
    let targets = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health)
        .match_requests(|req| req.target_group_arn() == Some(TG_ARN))
        .sequence()
        .output(move || health(&serving))
        .output(move || health(&[serving[0], serving[1], ("i-0ccc", "initial")]))
        .times(2)
        .output(move || health(&[serving[0], serving[1], ("i-0ccc", "healthy")]))
        .repeatedly()
        .build();
    let groups = target_group();
    let resources = stack_resources(&[
        ("WebAsg", "AWS::AutoScaling::AutoScalingGroup", "web-asg"),
        (
            "TargetGroup",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            TG_ARN,
        ),
    ]);
    let mut clients = base_clients().await;
    clients.cloudformation = cfn_clients(&clients, &[&resources]);
    clients.autoscaling = mocked!(
        clients.autoscaling,
        aws_sdk_autoscaling,
        [&describe, &update, &activities]
    );
    clients.elb = mocked!(
        clients.elb,
        aws_sdk_elasticloadbalancingv2,
        [&groups, &targets]
    );

    let (result, progress) = run(&clients, &scale_to_3(), &fast(2000)).await;
    let verdict = result.expect("every call answered");

    assert!(verdict.ok, "{verdict:?}");
    assert!(
        verdict
            .text
            .starts_with("web-asg: 3 in service = desired after "),
        "{}",
        verdict.text
    );
    assert!(
        verdict
            .text
            .ends_with(", 1 new instances healthy in every target group"),
        "{}",
        verdict.text
    );
    assert_eq!(
        update.num_calls(),
        1,
        "one UpdateAutoScalingGroup, desired 3 only"
    );
    assert_eq!(describe.num_calls(), 5, "check, then four polls");
    assert_eq!(
        events(&progress),
        [
            "web-asg: capacity 1/2/4 → 1/3/4 (min/desired/max)",
            "i-0ccc: Pending Healthy (new)",
            "i-0ccc in ha-web-tg: initial (new)",
            "activity Launching a new EC2 instance: i-0ccc: InProgress (new)",
            "i-0ccc: Pending Healthy → InService Healthy",
            "activity Launching a new EC2 instance: i-0ccc: InProgress → Successful",
            "i-0ccc in ha-web-tg: initial → healthy",
        ]
    );
    let statuses = statuses(&progress);
    assert!(
        statuses.iter().any(|s| s.starts_with(
            "in service 2/3 · 1 in transition · new instances healthy in every target group 0/1"
        )),
        "{statuses:?}"
    );
    assert!(
        statuses
            .last()
            .unwrap()
            .starts_with("in service 3/3 · new instances healthy in every target group 1/1"),
        "{statuses:?}"
    );
}

/// AWS rejects UpdateAutoScalingGroup with a ValidationError when desired capacity is outside
/// min..max (the API reference: desired must be ≥ min and ≤ max). The group is read again at
/// execution time, and here its max was lowered to 2 after the confirmation, so desired 3 must
/// not be sent. Mocked because moto accepts desired outside min..max.
#[tokio::test]
async fn scale_refused_when_the_group_changed_since_confirmation() {
    let describe = web_asg_rule()
        .then_output(|| group(1, 2, 2, &[("i-0aaa", "InService"), ("i-0bbb", "InService")]));
    let update = mock!(aws_sdk_autoscaling::Client::update_auto_scaling_group)
        .then_output(|| UpdateAutoScalingGroupOutput::builder().build());
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(
        clients.autoscaling,
        aws_sdk_autoscaling,
        [&describe, &update]
    );

    let (result, progress) = run(&clients, &scale_to_3(), &fast(1000)).await;
    let verdict = result.expect("every call answered");

    assert!(!verdict.ok, "{verdict:?}");
    assert_eq!(
        verdict.text,
        "not sent: desired 3 is outside 1..2 (min..max); raise max too (e.g. --max 3) \
         (the group is now min 1 desired 2 max 2)"
    );
    assert_eq!(update.num_calls(), 0, "UpdateAutoScalingGroup never called");
    assert_eq!(describe.num_calls(), 1);
    assert!(progress.is_empty(), "{progress:?}");
}

/// AWS APIs answer `Throttling` ("Rate exceeded", HTTP 400, query-protocol error document)
/// when a request rate is exceeded; the SDKs retry it with backoff, and what still fails after
/// the retries must reach the user as "throttled, retry later", not as a generic failure. A
/// single throttled answer followed by success is absorbed by the SDK's retry. Mocked because
/// moto never throttles.
#[tokio::test]
async fn throttled_scale_is_an_error_naming_the_fix_and_a_single_throttle_is_retried() {
    let no_wait = RunOptions {
        wait: false,
        ..fast(1000)
    };
    let describe = web_asg_rule()
        .then_output(|| group(1, 2, 4, &[("i-0aaa", "InService"), ("i-0bbb", "InService")]));

    // Throttled on every attempt.
    let update = mock!(aws_sdk_autoscaling::Client::update_auto_scaling_group)
        .then_http_response(query_throttling);
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(
        clients.autoscaling,
        aws_sdk_autoscaling,
        [&describe, &update]
    );
    let (result, progress) = run(&clients, &scale_to_3(), &no_wait).await;
    let error = result.expect_err("throttled on every attempt");
    assert_eq!(error.kind, AwsErrorKind::Throttled, "{error}");
    assert_eq!(error.operation, "UpdateAutoScalingGroup");
    assert_eq!(error.code.as_deref(), Some("Throttling"));
    let said = error.to_string();
    assert!(said.contains("Rate exceeded"), "{said}");
    assert!(said.contains("retry later"), "{said}");
    assert_eq!(update.num_calls(), 3, "the SDK's three attempts");
    assert!(
        progress.is_empty(),
        "nothing reported as done: {progress:?}"
    );

    // Throttled once, then accepted: the SDK's retry hides it.
    let update = mock!(aws_sdk_autoscaling::Client::update_auto_scaling_group)
        .sequence()
        .http_response(query_throttling)
        .output(|| UpdateAutoScalingGroupOutput::builder().build())
        .build();
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(
        clients.autoscaling,
        aws_sdk_autoscaling,
        [&describe, &update]
    );
    let (result, progress) = run(&clients, &scale_to_3(), &no_wait).await;
    let verdict = result.expect("the retry succeeds");
    assert_eq!(
        verdict,
        Verdict::ok("web-asg desired capacity set to 3"),
        "{progress:?}"
    );
    assert_eq!(update.num_calls(), 2, "throttled, then retried once");
    assert_eq!(
        events(&progress),
        ["web-asg: capacity 1/2/4 → 1/3/4 (min/desired/max)"]
    );
}

// ---------------------------------------------------------------- CloudFormation

/// One stack event; `logical` equal to the stack name is the stack's own event.
fn stack_event(
    id: &str,
    at: DateTime<Utc>,
    logical: &str,
    kind: &str,
    status: &str,
    reason: Option<&str>,
) -> aws_sdk_cloudformation::types::StackEvent {
    use aws_sdk_cloudformation::types::{ResourceStatus, StackEvent};
    StackEvent::builder()
        .stack_id(format!(
            "arn:aws:cloudformation:us-east-1:123456789012:stack/{STACK}/1a2b3c"
        ))
        .stack_name(STACK)
        .event_id(id)
        .timestamp(smithy(at))
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(ResourceStatus::from(status))
        .set_resource_status_reason(reason.map(str::to_string))
        .build()
}

/// A stack update that fails and rolls back, as the CloudFormation User Guide describes it:
/// ExecuteChangeSet is accepted, the stack goes UPDATE_IN_PROGRESS, a resource's update fails
/// (UPDATE_FAILED with the service's reason), the stack goes UPDATE_ROLLBACK_IN_PROGRESS,
/// resources already updated are put back, and it ends UPDATE_ROLLBACK_COMPLETE (a terminal
/// state: the stack is usable, the change is not applied). DescribeStackEvents lists newest
/// first. Mocked because moto applies change sets without failing or rolling back.
#[tokio::test]
async fn deploy_that_rolls_back_reports_the_failing_resource_and_its_reason() {
    use aws_sdk_cloudformation::types::{Stack, StackStatus};
    let t = |m: u32, s: u32| Utc.with_ymd_and_hms(2026, 1, 1, 12, m, s).unwrap();
    let previous_update = Utc.with_ymd_and_hms(2025, 12, 30, 9, 0, 0).unwrap();
    let stack = move |status: &str, updated: DateTime<Utc>| {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_name(STACK)
                    .stack_id(format!(
                        "arn:aws:cloudformation:us-east-1:123456789012:stack/{STACK}/1a2b3c"
                    ))
                    .creation_time(smithy(t(0, 0) - chrono::Duration::days(30)))
                    .last_updated_time(smithy(updated))
                    .stack_status(StackStatus::from(status))
                    .build(),
            )
            .build()
    };
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|req| req.stack_name() == Some(STACK))
        .sequence()
        .output(move || stack("UPDATE_COMPLETE", previous_update))
        .output(move || stack("UPDATE_ROLLBACK_IN_PROGRESS", t(0, 0)))
        .output(move || stack("UPDATE_ROLLBACK_COMPLETE", t(0, 0)))
        .repeatedly()
        .build();

    const ASG: &str = "AWS::AutoScaling::AutoScalingGroup";
    const LT: &str = "AWS::EC2::LaunchTemplate";
    const CFN: &str = "AWS::CloudFormation::Stack";
    let reason = "Resource handler returned message: \"Desired capacity:5 must be between the \
                  specified min size:1 and max size:4 (Service: AutoScaling, Status Code: 400)\"";
    // Oldest first here; answered newest first.
    let before = move || {
        vec![
            stack_event(
                "old-1",
                previous_update,
                STACK,
                CFN,
                "UPDATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            stack_event(
                "old-2",
                previous_update,
                STACK,
                CFN,
                "UPDATE_COMPLETE",
                None,
            ),
        ]
    };
    let failing = move || {
        let mut e = before();
        e.extend([
            stack_event(
                "e1",
                t(0, 0),
                STACK,
                CFN,
                "UPDATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            stack_event(
                "e2",
                t(0, 3),
                "WebLaunchTemplate",
                LT,
                "UPDATE_IN_PROGRESS",
                None,
            ),
            stack_event(
                "e3",
                t(0, 5),
                "WebLaunchTemplate",
                LT,
                "UPDATE_COMPLETE",
                None,
            ),
            stack_event("e4", t(0, 7), "WebAsg", ASG, "UPDATE_IN_PROGRESS", None),
            stack_event("e5", t(0, 9), "WebAsg", ASG, "UPDATE_FAILED", Some(reason)),
            stack_event(
                "e6",
                t(0, 10),
                STACK,
                CFN,
                "UPDATE_ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to update: [WebAsg]. "),
            ),
        ]);
        e
    };
    let rolled_back = move || {
        let mut e = failing();
        e.extend([
            stack_event(
                "e7",
                t(0, 14),
                "WebLaunchTemplate",
                LT,
                "UPDATE_IN_PROGRESS",
                None,
            ),
            stack_event(
                "e8",
                t(0, 16),
                "WebLaunchTemplate",
                LT,
                "UPDATE_COMPLETE",
                None,
            ),
            stack_event(
                "e9",
                t(0, 18),
                STACK,
                CFN,
                "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                None,
            ),
            stack_event(
                "e10",
                t(0, 20),
                STACK,
                CFN,
                "UPDATE_ROLLBACK_COMPLETE",
                None,
            ),
        ]);
        e
    };
    let newest_first = |mut e: Vec<aws_sdk_cloudformation::types::StackEvent>| {
        e.reverse();
        DescribeStackEventsOutput::builder()
            .set_stack_events(Some(e))
            .build()
    };
    let stack_events = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|req| req.stack_name() == Some(STACK))
        .sequence()
        .output(move || newest_first(before()))
        .output(move || newest_first(failing()))
        .output(move || newest_first(rolled_back()))
        .repeatedly()
        .build();
    let change_set =
        "arn:aws:cloudformation:us-east-1:123456789012:changeSet/opsdeck-20260101-120000/9f8e7d";
    let execute_rule = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .match_requests(move |req| {
            req.stack_name() == Some(STACK) && req.change_set_name() == Some(change_set)
        })
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let mut clients = base_clients().await;
    clients.cloudformation = cfn_clients(&clients, &[&describe, &stack_events, &execute_rule]);
    let op = Operation::Deploy {
        stack: STACK.into(),
        change_set: change_set.into(),
        create: false,
        changes: 2,
        parameters: BTreeMap::from([("WebDesiredCapacity".to_string(), "5".to_string())]),
    };

    let (result, progress) = run(&clients, &op, &fast(2000)).await;
    let verdict = result.expect("every call answered");

    assert!(!verdict.ok, "{verdict:?}");
    assert!(
        verdict
            .text
            .starts_with("deploy of ha-web ended in UPDATE_ROLLBACK_COMPLETE after "),
        "{}",
        verdict.text
    );
    assert!(
        verdict.text.ends_with(&format!(
            "; first failure: WebAsg (AWS::AutoScaling::AutoScalingGroup): {reason}"
        )),
        "{}",
        verdict.text
    );
    assert_eq!(execute_rule.num_calls(), 1);
    let events = events(&progress);
    assert_eq!(
        events.len(),
        10,
        "each new event once, none from before: {events:#?}"
    );
    assert!(
        events[0].starts_with("12:00:00  UPDATE_IN_PROGRESS"),
        "{events:#?}"
    );
    let failed = events
        .iter()
        .find(|e| e.contains("UPDATE_FAILED"))
        .expect("the failure is on the timeline");
    assert!(
        failed.contains("WebAsg") && failed.contains("must be between the specified min size"),
        "{failed}"
    );
    assert!(
        events.last().unwrap().contains("UPDATE_ROLLBACK_COMPLETE"),
        "{events:#?}"
    );
    let statuses = statuses(&progress);
    assert_eq!(statuses[0], "0/2 resources done");
    assert!(
        statuses
            .iter()
            .any(|s| s.starts_with("1/2 resources done · ")),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| !s.starts_with("2/2")),
        "the failed resource never counts as done: {statuses:?}"
    );
}

// ---------------------------------------------------------------- Run Command

/// On a real account each poll is one ListCommandInvocations for every instance's status, and
/// each instance's exit code and output one GetCommandInvocation once it has finished: the
/// cost of a poll does not grow with the group. (The sandbox lacks the listing; there each
/// unfinished instance is asked directly, see ssm_sandbox.rs.)
#[tokio::test]
async fn run_command_polls_one_listing_and_fetches_each_output_once() {
    use aws_sdk_ssm::operation::get_command_invocation::GetCommandInvocationOutput;
    use aws_sdk_ssm::operation::list_command_invocations::ListCommandInvocationsOutput;
    use aws_sdk_ssm::operation::send_command::SendCommandOutput;
    use aws_sdk_ssm::types::{Command, CommandInvocation, CommandInvocationStatus as S};

    let describe = web_asg_rule()
        .then_output(|| group(1, 2, 4, &[("i-0aaa", "InService"), ("i-0bbb", "InService")]));
    let send = mock!(aws_sdk_ssm::Client::send_command)
        .match_requests(|r| {
            r.instance_ids() == ["i-0aaa", "i-0bbb"]
                && r.document_name() == Some("AWS-RunShellScript")
                && r.timeout_seconds() == Some(30)
                && r.parameters().and_then(|p| p.get("commands"))
                    == Some(&vec!["systemctl is-active app".to_string()])
        })
        .then_output(|| {
            SendCommandOutput::builder()
                .command(Command::builder().command_id("cmd-1").build())
                .build()
        });
    let listing = |a: S, b: S| {
        let inv = |id: &str, s: S| {
            CommandInvocation::builder()
                .instance_id(id)
                .status(s)
                .build()
        };
        ListCommandInvocationsOutput::builder()
            .command_invocations(inv("i-0aaa", a))
            .command_invocations(inv("i-0bbb", b))
            .build()
    };
    let list = mock!(aws_sdk_ssm::Client::list_command_invocations)
        .match_requests(|r| r.command_id() == Some("cmd-1"))
        .sequence()
        .output(move || listing(S::InProgress, S::Pending))
        .output(move || listing(S::Success, S::InProgress))
        .output(move || listing(S::Success, S::Failed))
        .build();
    let get = |id: &'static str, status: S, code: i32, out: &'static str, err: &'static str| {
        mock!(aws_sdk_ssm::Client::get_command_invocation)
            .match_requests(move |r| r.command_id() == Some("cmd-1") && r.instance_id() == Some(id))
            .then_output(move || {
                GetCommandInvocationOutput::builder()
                    .instance_id(id)
                    .status(status.clone())
                    .status_details(status.as_str())
                    .response_code(code)
                    .standard_output_content(out)
                    .standard_error_content(err)
                    .build()
            })
    };
    let get_a = get("i-0aaa", S::Success, 0, "active\n", "");
    let get_b = get(
        "i-0bbb",
        S::Failed,
        3,
        "inactive\n",
        "app.service: not running\n",
    );
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(clients.autoscaling, aws_sdk_autoscaling, [&describe]);
    clients.ssm = mocked!(clients.ssm, aws_sdk_ssm, [&send, &list, &get_a, &get_b]);

    let op = Operation::RunCommand {
        group: "web-asg".into(),
        instances: vec!["i-0aaa".into(), "i-0bbb".into()],
        command: "systemctl is-active app".into(),
        timeout_secs: 60,
    };
    let (result, progress) = run(&clients, &op, &fast(5000)).await;
    let verdict = result.expect("every call answered");

    assert!(!verdict.ok, "{verdict:?}");
    assert_eq!(
        verdict.text,
        "1/2 instances succeeded; failed: i-0bbb Failed exit 3"
    );
    assert_eq!(send.num_calls(), 1);
    assert_eq!(list.num_calls(), 3, "one listing per poll");
    assert_eq!(
        (get_a.num_calls(), get_b.num_calls()),
        (1, 1),
        "each output fetched once, when finished"
    );
    let events = events(&progress);
    let at = |line: &str| {
        let found = events.iter().position(|e| e == line);
        found.unwrap_or_else(|| panic!("no {line:?} in {events:?}"))
    };
    assert!(
        at("── i-0aaa Success, exit 0") < at("── i-0bbb Failed, exit 3"),
        "{events:?}"
    );
    assert!(events.contains(&"   active".to_string()), "{events:?}");
    assert!(
        events.contains(&"   stderr: app.service: not running".to_string()),
        "{events:?}"
    );
    assert_eq!(
        statuses(&progress).last().unwrap().split(" · ").next(),
        Some("2/2 instances done")
    );
}

/// A least-privilege policy may allow GetCommandInvocation but deny ListCommandInvocations:
/// the follow-up then asks each instance instead of waiting out the deadline for nothing.
#[tokio::test]
async fn run_command_without_the_listing_permission_asks_each_instance() {
    use aws_sdk_ssm::operation::get_command_invocation::GetCommandInvocationOutput;
    use aws_sdk_ssm::operation::list_command_invocations::ListCommandInvocationsError;
    use aws_sdk_ssm::operation::send_command::SendCommandOutput;
    use aws_sdk_ssm::types::{Command, CommandInvocationStatus};
    use aws_smithy_types::error::ErrorMetadata;

    let describe = web_asg_rule().then_output(|| group(1, 1, 2, &[("i-0aaa", "InService")]));
    let send = mock!(aws_sdk_ssm::Client::send_command).then_output(|| {
        SendCommandOutput::builder()
            .command(Command::builder().command_id("cmd-2").build())
            .build()
    });
    let list = mock!(aws_sdk_ssm::Client::list_command_invocations).then_error(|| {
        ListCommandInvocationsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("not authorized to perform: ssm:ListCommandInvocations")
                .build(),
        )
    });
    let get = mock!(aws_sdk_ssm::Client::get_command_invocation).then_output(|| {
        GetCommandInvocationOutput::builder()
            .instance_id("i-0aaa")
            .status(CommandInvocationStatus::Success)
            .response_code(0)
            .standard_output_content("up 3 days\n")
            .build()
    });
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(clients.autoscaling, aws_sdk_autoscaling, [&describe]);
    clients.ssm = mocked!(clients.ssm, aws_sdk_ssm, [&send, &list, &get]);

    let op = Operation::RunCommand {
        group: "web-asg".into(),
        instances: vec!["i-0aaa".into()],
        command: "uptime".into(),
        timeout_secs: 60,
    };
    let (result, progress) = run(&clients, &op, &fast(5000)).await;
    let verdict = result.expect("every call answered");

    assert!(verdict.ok, "{verdict:?}");
    assert_eq!(verdict.text, "1/1 instances succeeded");
    assert_eq!(list.num_calls(), 1, "not asked again once denied");
    assert_eq!(get.num_calls(), 1);
    assert!(events(&progress).contains(&"   up 3 days".to_string()));
}
