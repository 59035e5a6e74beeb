//! The fetchers at the SDK boundary, with `aws-smithy-mocks`: call counts (batching and
//! pagination at sizes moto makes impractical) and errors moto cannot produce (throttling).
//! Every mocked client keeps the real client's configuration (signing, endpoint, retries)
//! except its HTTP client, and fast retry backoff so throttling tests take milliseconds.
mod common;

use aws_sdk_cloudwatch::types::{MetricAlarm, MetricDataResult, ScanBy, StateValue, Statistic};
use aws_smithy_mocks::{Rule, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use chrono::{TimeZone, Utc};
use common::mocks::base_clients;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::aws::{self, Clients};
use opsdeck::domain::{Alarm, StackResources};
use opsdeck::fetch;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The error document of the query protocol (CloudWatch, Auto Scaling, RDS, ELB, CFN).
fn query_throttling() -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(400).unwrap(),
        SdkBody::from(
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
             <Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
        ),
    )
}

/// EC2's own error document and throttling code.
fn ec2_throttling() -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(503).unwrap(),
        SdkBody::from(
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code>\
             <Message>Request limit exceeded.</Message></Error></Errors>\
             <RequestID>r1</RequestID></Response>",
        ),
    )
}

fn alarm(name: &str, metric: Option<&str>) -> Alarm {
    Alarm {
        name: name.into(),
        state: "OK".into(),
        reason: None,
        since: None,
        namespace: metric.map(|_| "AWS/EC2".to_string()),
        metric: metric.map(str::to_string),
        statistic: Some("Average".into()),
        period_secs: Some(300),
        threshold: Some(80.0),
        comparison: None,
        dimensions: BTreeMap::from([("AutoScalingGroupName".into(), "web".into())]),
        actions_enabled: true,
    }
}

fn at(minute: u32) -> aws_smithy_types::DateTime {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 12, minute, 0).unwrap();
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 13, 0, 30).unwrap()
}

#[tokio::test]
async fn history_of_600_alarms_is_two_get_metric_data_calls() {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let ids = Arc::new(Mutex::new(BTreeSet::new()));
    let (sizes_seen, ids_seen) = (sizes.clone(), ids.clone());
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(move |req| {
        let queries = req.metric_data_queries();
        sizes_seen.lock().unwrap().push(queries.len());
        assert_eq!(req.scan_by(), Some(&ScanBy::TimestampAscending));
        assert_eq!(
            req.end_time(),
            Some(&aws_smithy_types::DateTime::from_secs(
                now().timestamp() - 30
            )),
            "the window ends where the current minute starts"
        );
        for q in queries {
            let stat = q.metric_stat().expect("a plain metric query");
            assert_eq!(stat.period(), Some(60));
            assert_eq!(stat.stat(), Some("Average"));
            ids_seen.lock().unwrap().insert(q.id().unwrap().to_string());
        }
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder()
            .set_metric_data_results(Some(
                queries
                    .iter()
                    .map(|q| {
                        MetricDataResult::builder()
                            .id(q.id().unwrap())
                            .timestamps(at(1))
                            .values(1.0)
                            .timestamps(at(2))
                            .values(2.0)
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let mut clients = base_clients().await;
    clients.cloudwatch = mocked!(clients.cloudwatch, aws_sdk_cloudwatch, [&rule]);

    let mut alarms: Vec<Alarm> = (0..600)
        .map(|i| alarm(&format!("a{i:03}"), Some("CPUUtilization")))
        .collect();
    // Metric-math alarms have no plain metric: not queried, not in the history.
    alarms.extend((0..3).map(|i| alarm(&format!("math{i}"), None)));
    let history = aws::metrics::alarm_history(&clients, &alarms, Duration::from_secs(3600), now())
        .await
        .unwrap();

    assert_eq!(rule.num_calls(), 2);
    let mut sizes = sizes.lock().unwrap().clone();
    sizes.sort();
    assert_eq!(sizes, [100, 500]);
    assert_eq!(ids.lock().unwrap().len(), 600, "ids unique across requests");
    assert_eq!(history.len(), 600);
    assert!(history.keys().all(|k| !k.starts_with("math")));
    for series in history.values() {
        assert_eq!(
            series.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            [1.0, 2.0]
        );
    }
}

#[tokio::test]
async fn history_follows_next_token_and_merges_pages_in_time_order() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|req| {
        // First page: the start of m0 and all of m1; second page: the rest of m0.
        match req.next_token() {
            None => GetMetricDataOutput::builder()
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("m0")
                        .timestamps(at(1))
                        .values(1.0)
                        .build(),
                )
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("m1")
                        .timestamps(at(1))
                        .values(10.0)
                        .build(),
                )
                .next_token("page-2")
                .build(),
            Some("page-2") => GetMetricDataOutput::builder()
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("m0")
                        .timestamps(at(2))
                        .values(2.0)
                        .timestamps(at(3))
                        .values(3.0)
                        .build(),
                )
                .build(),
            Some(other) => panic!("unexpected token {other}"),
        }
    });
    let mut clients = base_clients().await;
    clients.cloudwatch = mocked!(clients.cloudwatch, aws_sdk_cloudwatch, [&rule]);
    let alarms = [
        alarm("cpu", Some("CPUUtilization")),
        alarm("mem", Some("Mem")),
    ];
    let history = aws::metrics::alarm_history(&clients, &alarms, Duration::from_secs(3600), now())
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 2);
    let values = |name: &str| history[name].iter().map(|(_, v)| *v).collect::<Vec<_>>();
    assert_eq!(values("cpu"), [1.0, 2.0, 3.0]);
    assert_eq!(values("mem"), [10.0]);
}

#[tokio::test]
async fn alarms_panel_keeps_the_alarms_when_their_history_is_throttled() {
    let describe = mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(|| {
        aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput::builder()
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("ha-web-cpu-high")
                    .state_value(StateValue::Alarm)
                    .namespace("AWS/EC2")
                    .metric_name("CPUUtilization")
                    .statistic(Statistic::Average)
                    .build(),
            )
            .build()
    });
    let history =
        mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_http_response(query_throttling);
    let mut clients = base_clients().await;
    clients.cloudwatch = mocked!(
        clients.cloudwatch,
        aws_sdk_cloudwatch,
        [&describe, &history]
    );
    let resources = StackResources {
        alarms: vec!["ha-web-cpu-high".into()],
        ..Default::default()
    };

    let panel = fetch::alarms_panel(&clients, &resources, now())
        .await
        .unwrap();
    assert_eq!(panel.alarms.len(), 1);
    assert_eq!(panel.alarms[0].state, "ALARM");
    assert!(
        panel.history.is_empty(),
        "no sparkline rather than a fake one"
    );
    assert_eq!(panel.errors.len(), 1);
    assert_eq!(panel.errors[0].section, "history");
    assert_eq!(panel.errors[0].error.kind, AwsErrorKind::Throttled);
    assert_eq!(history.num_calls(), 3, "retried, then given up");
}

/// Every service client answers every operation a fetcher makes with throttling.
async fn throttled_clients() -> (Clients, Vec<Rule>) {
    use aws_sdk_autoscaling::Client as Asg;
    use aws_sdk_cloudformation::Client as Cfn;
    use aws_sdk_cloudwatch::Client as Cw;
    use aws_sdk_ec2::Client as Ec2;
    use aws_sdk_elasticloadbalancingv2::Client as Elb;
    use aws_sdk_rds::Client as Rds;
    let cw = [
        mock!(Cw::get_metric_data).then_http_response(query_throttling),
        mock!(Cw::describe_alarms).then_http_response(query_throttling),
    ];
    let asg = [
        mock!(Asg::describe_scaling_activities).then_http_response(query_throttling),
        mock!(Asg::describe_auto_scaling_groups).then_http_response(query_throttling),
    ];
    let rds = [
        mock!(Rds::describe_events).then_http_response(query_throttling),
        mock!(Rds::describe_pending_maintenance_actions).then_http_response(query_throttling),
        mock!(Rds::describe_db_instances).then_http_response(query_throttling),
    ];
    let ec2 = [
        mock!(Ec2::describe_subnets).then_http_response(ec2_throttling),
        mock!(Ec2::describe_nat_gateways).then_http_response(ec2_throttling),
        mock!(Ec2::describe_instances).then_http_response(ec2_throttling),
    ];
    let elb = [mock!(Elb::describe_target_groups).then_http_response(query_throttling)];
    let cfn = [
        mock!(Cfn::describe_stacks).then_http_response(query_throttling),
        mock!(Cfn::describe_stack_events).then_http_response(query_throttling),
        mock!(Cfn::list_stack_resources).then_http_response(query_throttling),
    ];
    let mut clients = base_clients().await;
    clients.cloudwatch = mocked!(clients.cloudwatch, aws_sdk_cloudwatch, &cw);
    clients.autoscaling = mocked!(clients.autoscaling, aws_sdk_autoscaling, &asg);
    clients.rds = mocked!(clients.rds, aws_sdk_rds, &rds);
    clients.ec2 = mocked!(clients.ec2, aws_sdk_ec2, &ec2);
    clients.elb = mocked!(clients.elb, aws_sdk_elasticloadbalancingv2, &elb);
    clients.cloudformation = mocked!(clients.cloudformation, aws_sdk_cloudformation, &cfn);
    let rules = [&cw[..], &asg, &rds, &ec2, &elb, &cfn].concat();
    (clients, rules)
}

#[tokio::test]
async fn throttling_from_any_call_surfaces_as_throttled() {
    let (c, rules) = throttled_clients().await;
    let ids = vec!["x".to_string()];
    let alarms = [alarm("cpu", Some("CPUUtilization"))];
    let resources = StackResources::default();
    let window = Duration::from_secs(3600);
    let results = [
        aws::metrics::alarm_history(&c, &alarms, window, now())
            .await
            .err(),
        aws::alarms::stack_alarms(&c, &resources).await.err(),
        aws::asg::scaling_activities(&c, &ids, 5).await.err(),
        aws::asg::describe_groups(&c, &ids).await.err(),
        aws::events::rds_events(&c, &ids, window).await.err(),
        aws::events::pending_maintenance(&c, &ids).await.err(),
        aws::rds::describe_instances_with_pending(&c, &ids)
            .await
            .err(),
        aws::ec2::subnets(&c, &ids, &resources).await.err(),
        aws::ec2::nat_gateways(&c, &ids).await.err(),
        aws::asg::instance_azs(&c, &ids).await.err(),
        aws::alb::target_groups_health(&c, &ids).await.err(),
        fetch::stack_panel(&c, "ha-web").await.err(),
    ];
    let operations: Vec<String> = results
        .iter()
        .map(|e| {
            let e = e.as_ref().expect("a throttled call fails");
            assert_eq!(e.kind, AwsErrorKind::Throttled, "{e}");
            assert!(e.is_retryable());
            e.operation.clone()
        })
        .collect();
    assert_eq!(
        operations[..11],
        [
            "GetMetricData",
            "DescribeAlarms",
            "DescribeScalingActivities",
            "DescribeAutoScalingGroups",
            "DescribeEvents",
            "DescribePendingMaintenanceActions",
            "DescribeDBInstances",
            "DescribeSubnets",
            "DescribeNatGateways",
            "DescribeInstances",
            "DescribeTargetGroups",
        ]
    );
    // Each operation was tried three times (the client's retry budget), then reported.
    let get_metric_data = &rules[0];
    assert_eq!(get_metric_data.num_calls(), 3);
}

#[tokio::test]
async fn database_panel_shows_the_instances_when_only_events_are_throttled() {
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::operation::describe_pending_maintenance_actions::DescribePendingMaintenanceActionsOutput;
    use aws_sdk_rds::types::{
        DbInstance, PendingMaintenanceAction, PendingModifiedValues,
        ResourcePendingMaintenanceActions,
    };
    let instances = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(|| {
        DescribeDbInstancesOutput::builder()
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("db1")
                    .db_instance_status("available")
                    .engine("mysql")
                    .availability_zone("us-east-1a")
                    .secondary_availability_zone("us-east-1b")
                    .multi_az(true)
                    .pending_modified_values(
                        PendingModifiedValues::builder()
                            .db_instance_class("db.m6g.large")
                            .build(),
                    )
                    .build(),
            )
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("db2")
                    .db_instance_status("available")
                    .engine("mysql")
                    .build(),
            )
            .build()
    });
    let maintenance =
        mock!(aws_sdk_rds::Client::describe_pending_maintenance_actions).then_output(|| {
            DescribePendingMaintenanceActionsOutput::builder()
                .pending_maintenance_actions(
                    ResourcePendingMaintenanceActions::builder()
                        .resource_identifier("arn:aws:rds:us-east-1:123456789012:db:db1")
                        .pending_maintenance_action_details(
                            PendingMaintenanceAction::builder()
                                .action("system-update")
                                .description("New OS patch")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let events = mock!(aws_sdk_rds::Client::describe_events).then_http_response(query_throttling);
    let mut clients = base_clients().await;
    clients.rds = mocked!(
        clients.rds,
        aws_sdk_rds,
        [&instances, &maintenance, &events]
    );
    let resources = StackResources {
        db_instances: vec!["db1".into(), "db2".into()],
        ..Default::default()
    };

    let panel = fetch::database_panel(&clients, &resources).await.unwrap();
    // 1 DescribeDBInstances and 1 DescribePendingMaintenanceActions for both DBs. Events are
    // one call per DB with 3 attempts each; the first to give up cancels the other's retries.
    assert_eq!((instances.num_calls(), maintenance.num_calls()), (1, 1));
    assert!(
        (3..=6).contains(&events.num_calls()),
        "{}",
        events.num_calls()
    );
    assert_eq!(panel.databases.len(), 2);
    assert_eq!(
        panel.pending_modifications,
        BTreeMap::from([("db1".to_string(), vec!["Class → db.m6g.large".to_string()])])
    );
    assert_eq!(panel.maintenance.len(), 1);
    assert_eq!(panel.maintenance[0].resource, "db1");
    assert_eq!(panel.maintenance[0].action, "system-update");
    assert!(panel.events.is_empty());
    assert_eq!(panel.errors.len(), 1);
    assert_eq!(panel.errors[0].section, "events");
    assert_eq!(panel.errors[0].error.kind, AwsErrorKind::Throttled);
}

#[tokio::test]
async fn targets_panel_asks_ec2_once_for_every_target_az() {
    use aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput;
    use aws_sdk_ec2::types::{Instance, Placement, Reservation};
    use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput;
    use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput;
    use aws_sdk_elasticloadbalancingv2::types::{
        TargetDescription, TargetGroup, TargetHealth, TargetHealthDescription,
        TargetHealthStateEnum,
    };
    let groups = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups)
        .then_compute_output(|req| {
            DescribeTargetGroupsOutput::builder()
                .set_target_groups(Some(
                    req.target_group_arns()
                        .iter()
                        .map(|arn| {
                            TargetGroup::builder()
                                .target_group_arn(arn)
                                .target_group_name(arn.rsplit('/').next().unwrap())
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
    // 40 instance targets per group, the same 40 instances behind both groups, no AZ given.
    let health =
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health).then_output(|| {
            DescribeTargetHealthOutput::builder()
                .set_target_health_descriptions(Some(
                    (0..40)
                        .map(|i| {
                            TargetHealthDescription::builder()
                                .target(
                                    TargetDescription::builder().id(format!("i-{i:02}")).build(),
                                )
                                .target_health(
                                    TargetHealth::builder()
                                        .state(TargetHealthStateEnum::Healthy)
                                        .build(),
                                )
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
    let asked = Arc::new(Mutex::new(Vec::new()));
    let asked_seen = asked.clone();
    let instances =
        mock!(aws_sdk_ec2::Client::describe_instances).then_compute_output(move |req| {
            asked_seen
                .lock()
                .unwrap()
                .extend(req.instance_ids().to_vec());
            DescribeInstancesOutput::builder()
                .reservations(
                    Reservation::builder()
                        .set_instances(Some(
                            req.instance_ids()
                                .iter()
                                .map(|id| {
                                    let az = if id.ends_with(['0', '2', '4', '6', '8']) {
                                        "a"
                                    } else {
                                        "b"
                                    };
                                    Instance::builder()
                                        .instance_id(id)
                                        .placement(
                                            Placement::builder()
                                                .availability_zone(format!("us-east-1{az}"))
                                                .build(),
                                        )
                                        .build()
                                })
                                .collect(),
                        ))
                        .build(),
                )
                .build()
        });
    let mut clients = base_clients().await;
    clients.elb = mocked!(
        clients.elb,
        aws_sdk_elasticloadbalancingv2,
        [&groups, &health]
    );
    clients.ec2 = mocked!(clients.ec2, aws_sdk_ec2, [&instances]);
    let resources = StackResources {
        target_groups: vec!["arn:tg/web".into(), "arn:tg/api".into()],
        ..Default::default()
    };

    let panel = fetch::targets_panel(&clients, &resources).await.unwrap();
    assert_eq!(
        groups.num_calls(),
        1,
        "one DescribeTargetGroups for ≤ 20 groups"
    );
    assert_eq!(health.num_calls(), 2, "one DescribeTargetHealth per group");
    assert_eq!(
        instances.num_calls(),
        1,
        "one DescribeInstances for 80 targets"
    );
    assert_eq!(
        asked.lock().unwrap().len(),
        40,
        "each instance asked about once"
    );
    assert_eq!(panel.len(), 2);
    for t in panel.iter().flat_map(|g| &g.targets) {
        assert!(
            t.az.as_deref()
                .is_some_and(|az| az.starts_with("us-east-1")),
            "{t:?}"
        );
    }
}

#[tokio::test]
async fn capacity_panel_is_one_call_per_group_and_merges_activities_newest_first() {
    use aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput;
    use aws_sdk_autoscaling::operation::describe_scaling_activities::DescribeScalingActivitiesOutput;
    use aws_sdk_autoscaling::types::{Activity, ScalingActivityStatusCode};
    let describe = mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups)
        .then_output(|| DescribeAutoScalingGroupsOutput::builder().build());
    let activities = mock!(aws_sdk_autoscaling::Client::describe_scaling_activities)
        .then_compute_output(|req| {
            assert_eq!(req.max_records(), Some(fetch::ACTIVITIES_PER_GROUP));
            let group = req.auto_scaling_group_name().unwrap().to_string();
            // "web" scaled at minutes 10 and 30, "api" at 20: newest first is web, api, web.
            let minutes: &[u32] = if group == "web" { &[30, 10] } else { &[20] };
            DescribeScalingActivitiesOutput::builder()
                .set_activities(Some(
                    minutes
                        .iter()
                        .map(|m| {
                            Activity::builder()
                                .activity_id(format!("{group}-{m}"))
                                .auto_scaling_group_name(&group)
                                .status_code(ScalingActivityStatusCode::Successful)
                                .start_time(at(*m))
                                .build()
                        })
                        .collect(),
                ))
                .build()
        });
    let mut clients = base_clients().await;
    clients.autoscaling = mocked!(
        clients.autoscaling,
        aws_sdk_autoscaling,
        [&describe, &activities]
    );
    let resources = StackResources {
        auto_scaling_groups: vec!["web".into(), "api".into()],
        ..Default::default()
    };
    let panel = fetch::capacity_panel(&clients, &resources).await.unwrap();
    assert_eq!((describe.num_calls(), activities.num_calls()), (1, 2));
    let order: Vec<&str> = panel.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(order, ["web-30", "api-20", "web-10"]);
}

#[tokio::test]
async fn zones_panel_takes_nat_azs_from_the_stack_subnets_without_another_call() {
    use aws_sdk_ec2::operation::describe_nat_gateways::DescribeNatGatewaysOutput;
    use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
    use aws_sdk_ec2::types::{NatGateway, NatGatewayState, Subnet};
    let subnets = mock!(aws_sdk_ec2::Client::describe_subnets).then_compute_output(|req| {
        DescribeSubnetsOutput::builder()
            .set_subnets(Some(
                req.subnet_ids()
                    .iter()
                    .map(|id| {
                        Subnet::builder()
                            .subnet_id(id)
                            .availability_zone(if id.ends_with('a') {
                                "us-east-1a"
                            } else {
                                "us-east-1b"
                            })
                            .map_public_ip_on_launch(false)
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let nats = mock!(aws_sdk_ec2::Client::describe_nat_gateways).then_output(|| {
        DescribeNatGatewaysOutput::builder()
            .nat_gateways(
                NatGateway::builder()
                    .nat_gateway_id("nat-a")
                    .subnet_id("subnet-pa")
                    .state(NatGatewayState::Available)
                    .build(),
            )
            .nat_gateways(
                NatGateway::builder()
                    .nat_gateway_id("nat-b")
                    .subnet_id("subnet-pb")
                    .state(NatGatewayState::Failed)
                    .failure_message("Elastic IP address is already associated")
                    .build(),
            )
            .build()
    });
    let mut clients = base_clients().await;
    clients.ec2 = mocked!(clients.ec2, aws_sdk_ec2, [&subnets, &nats]);
    let resource = |logical: &str, physical: &str| opsdeck::domain::StackResource {
        logical_id: logical.into(),
        resource_type: "AWS::EC2::Subnet".into(),
        physical_id: Some(physical.into()),
        status: "CREATE_COMPLETE".into(),
    };
    let resources = StackResources {
        subnets: vec!["subnet-pa".into(), "subnet-pb".into(), "subnet-xa".into()],
        nat_gateways: vec!["nat-a".into(), "nat-b".into()],
        all: vec![
            resource("PublicSubnetA", "subnet-pa"),
            resource("PublicSubnetB", "subnet-pb"),
            resource("PrivateSubnetA", "subnet-xa"),
        ],
        ..Default::default()
    };
    let panel = fetch::zones_panel(&clients, &resources).await.unwrap();
    assert_eq!((subnets.num_calls(), nats.num_calls()), (1, 1));
    let public: Vec<_> = panel
        .subnets
        .iter()
        .filter(|s| s.public)
        .map(|s| &s.id)
        .collect();
    assert_eq!(public, ["subnet-pa", "subnet-pb"], "public by logical id");
    let nat_azs: Vec<_> = panel.nat_gateways.iter().map(|n| n.az.as_deref()).collect();
    assert_eq!(nat_azs, [Some("us-east-1a"), Some("us-east-1b")]);
    assert_eq!(
        panel.nat_gateways[1].failure.as_deref(),
        Some("Elastic IP address is already associated")
    );
    let rows = opsdeck::zones::zone_rows(Some(&panel), None, None, None);
    assert_eq!(rows[1].trouble, ["NAT gateway nat-b failed"]);
}
