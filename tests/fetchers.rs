//! The panel fetchers through the real SDK against the sandbox emulator (moto): deploy the
//! bundled stack, seed its alarms and metrics, poll every panel once and check that each one
//! reads back what was deployed. What moto cannot show is in `fetchers_mocked.rs`.
use chrono::Utc;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::aws::{ClientOptions, Clients};
use opsdeck::domain::StackResources;
use opsdeck::fetch;
use opsdeck::sandbox::Sandbox;
use opsdeck::zones::zone_rows;
use std::collections::BTreeSet;
use std::time::Duration;

const STACK: &str = "ha-web";

async fn clients(endpoint: &str) -> Clients {
    Clients::new(&ClientOptions {
        endpoint_url: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        operation_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .await
}

/// Deploys the bundled stack with the real binary, in a home of its own (audit log, config).
fn deploy(endpoint: &str) {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .args(["deploy", "--preset", "sandbox", "--yes"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("OPSDECK_STACK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "deploy failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

// One deploy for every panel: a deploy costs seconds, and the panels read the same stack.
// The emulator lives as long as this test's thread (it is started here, not in a runtime).
#[test]
fn every_panel_fetcher_reads_the_deployed_stack() {
    let sandbox = Sandbox::start_private().expect("sandbox emulator starts");
    let endpoint = sandbox.endpoint();
    deploy(&endpoint);
    runtime().block_on(async {
        let clients = clients(&endpoint).await;

        // Stack: summary, newest-first events, resources.
        let stack = fetch::stack_panel(&clients, STACK)
            .await
            .expect("stack panel");
        assert_eq!(stack.summary.status, "CREATE_COMPLETE");
        assert!(!stack.events.is_empty());
        assert!(stack.events.len() <= fetch::STACK_EVENTS);
        assert!(
            stack
                .events
                .windows(2)
                .all(|w| w[0].timestamp >= w[1].timestamp),
            "events newest first: {:?}",
            stack.events
        );
        let resources = stack.resources;
        assert_eq!(resources.subnets.len(), 4, "{resources:?}");
        assert_eq!(resources.nat_gateways.len(), 2, "{resources:?}");
        assert_eq!(resources.auto_scaling_groups.len(), 1);
        assert_eq!(resources.target_groups.len(), 1);
        assert_eq!(resources.db_instances.len(), 1);

        // The emulator's CloudFormation skips alarms: create them and an hour of metrics the
        // way `deploy --sandbox` does.
        let template = opsdeck::template::Template::bundled().unwrap();
        let seeded =
            opsdeck::sandbox::seed::seed_stack(&clients, &template, &stack.summary, &resources, 2)
                .await
                .expect("seed alarms and metrics");
        assert!(seeded.points > 0, "{seeded:?}");

        // Targets: both healthy, each with its AZ filled in by one DescribeInstances.
        let targets = fetch::targets_panel(&clients, &resources)
            .await
            .expect("targets panel");
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].targets.len(), 2, "{targets:?}");
        for t in &targets[0].targets {
            assert_eq!(t.state, "healthy", "{t:?}");
            assert!(
                t.az.as_deref()
                    .is_some_and(|az| az.starts_with("us-east-1")),
                "target AZ filled in: {t:?}"
            );
        }

        // Capacity: the group and its instances; moto records no scaling activity, so this
        // only shows the call works and its result is ordered.
        let capacity = fetch::capacity_panel(&clients, &resources)
            .await
            .expect("capacity panel (DescribeScalingActivities included)");
        assert_eq!(capacity.groups.len(), 1);
        assert_eq!(capacity.groups[0].in_service(), 2);
        assert!(
            capacity
                .activities
                .windows(2)
                .all(|w| w[0].start >= w[1].start),
            "{:?}",
            capacity.activities
        );

        // Database: the instance, its creation event, nothing pending.
        let database = fetch::database_panel(&clients, &resources)
            .await
            .expect("database panel");
        assert_eq!(database.databases.len(), 1);
        let db = &database.databases[0];
        assert_eq!(db.status, "available");
        assert!(db.multi_az);
        assert!(database.pending_modifications.is_empty());
        assert!(
            database.events.iter().any(|e| e.source == db.identifier),
            "creation event of {}: {:?}",
            db.identifier,
            database.events
        );
        // moto 5.2.5 has no DescribePendingMaintenanceActions: the panel says so instead of
        // claiming "no maintenance", and still shows the instance and its events.
        for e in &database.errors {
            assert_eq!(e.section, "maintenance", "{e:?}");
            assert_eq!(e.error.kind, AwsErrorKind::NotSupported, "{e:?}");
        }
        if database.errors.is_empty() {
            assert!(
                database.maintenance.is_empty(),
                "{:?}",
                database.maintenance
            );
        }

        // Alarms: the eight template alarms, each with an hour of per-minute history (the last
        // minute or two may be missing if the clock ticked past the seeding's last point).
        let now = Utc::now();
        let alarms = fetch::alarms_panel(&clients, &resources, now)
            .await
            .expect("alarms panel");
        assert!(alarms.errors.is_empty(), "{:?}", alarms.errors);
        assert_eq!(alarms.alarms.len(), 8, "{:?}", alarms.alarms);
        let with_metric = alarms
            .alarms
            .iter()
            .filter(|a| a.namespace.is_some() && a.metric.is_some() && a.statistic.is_some())
            .count();
        assert_eq!(
            alarms.history.len(),
            with_metric,
            "{:?}",
            alarms.history.keys()
        );
        assert!(with_metric >= 5, "{with_metric} alarms with a plain metric");
        for (name, series) in &alarms.history {
            assert!(
                (58..=60).contains(&series.len()),
                "{name}: {} points, want 60",
                series.len()
            );
            assert!(
                series.windows(2).all(|w| w[0].0 < w[1].0),
                "{name} ascending"
            );
            assert!(
                series
                    .iter()
                    .all(|(t, _)| *t < now && *t >= now - chrono::Duration::minutes(61)),
                "{name} within the window"
            );
        }

        // Zones: two public and two private subnets over two AZs, a NAT per AZ.
        let zones = fetch::zones_panel(&clients, &resources)
            .await
            .expect("zones panel");
        assert_eq!(zones.subnets.len(), 4);
        let public: BTreeSet<&str> = zones
            .subnets
            .iter()
            .filter(|s| s.public)
            .filter_map(|s| s.name.as_deref())
            .collect();
        assert_eq!(public, BTreeSet::from(["PublicSubnetA", "PublicSubnetB"]));
        let azs: BTreeSet<&str> = zones.subnets.iter().map(|s| s.az.as_str()).collect();
        assert_eq!(azs.len(), 2, "{azs:?}");
        assert_eq!(zones.nat_gateways.len(), 2);
        let nat_azs: BTreeSet<&str> = zones
            .nat_gateways
            .iter()
            .inspect(|n| assert_eq!(n.state, "available", "{n:?}"))
            .filter_map(|n| n.az.as_deref())
            .collect();
        assert_eq!(nat_azs, azs, "one NAT per AZ, AZ taken from its subnet");

        // The per-AZ view over all of it.
        let rows = zone_rows(
            Some(&zones),
            Some(&targets),
            Some(&capacity),
            Some(&database),
        );
        assert_eq!(
            rows.iter().map(|r| r.az.as_str()).collect::<BTreeSet<_>>(),
            azs
        );
        for r in &rows {
            assert_eq!((r.public_subnets.len(), r.private_subnets.len()), (1, 1));
            assert_eq!(r.nat.len(), 1, "{r:?}");
        }
        assert_eq!(rows.iter().map(|r| r.targets_healthy).sum::<usize>(), 2);
        assert_eq!(
            rows.iter().map(|r| r.instances_in_service).sum::<usize>(),
            2
        );
        assert_eq!(
            rows.iter().map(|r| r.db_primary.len()).sum::<usize>(),
            1,
            "{rows:?}"
        );
        // moto launches every instance in the first subnet: the other AZ is honestly reported
        // as having no instance in service.
        let empty: Vec<_> = rows.iter().filter(|r| r.instances_total == 0).collect();
        assert_eq!(empty.len(), 1, "{rows:#?}");
        assert!(
            empty[0]
                .trouble
                .contains(&"no instance in service".to_string()),
            "{:?}",
            empty[0]
        );
    });
}

#[test]
fn fetchers_report_a_missing_stack_and_make_no_calls_for_no_resources() {
    let sandbox = Sandbox::start_private().expect("sandbox emulator starts");
    let endpoint = sandbox.endpoint();
    runtime().block_on(async {
        let clients = clients(&endpoint).await;
        let err = fetch::stack_panel(&clients, "no-such-stack")
            .await
            .expect_err("missing stack");
        assert_eq!(err.kind, AwsErrorKind::NotFound, "{err}");

        // Empty id lists must not turn into region-wide listings (DescribeSubnets, ... with
        // no ids list everything); moto has a default VPC with subnets to catch that.
        let none = StackResources::default();
        let zones = fetch::zones_panel(&clients, &none).await.unwrap();
        assert!(zones.subnets.is_empty() && zones.nat_gateways.is_empty());
        assert!(
            fetch::targets_panel(&clients, &none)
                .await
                .unwrap()
                .is_empty()
        );
        let capacity = fetch::capacity_panel(&clients, &none).await.unwrap();
        assert!(capacity.groups.is_empty() && capacity.activities.is_empty());
        let database = fetch::database_panel(&clients, &none).await.unwrap();
        assert!(database.databases.is_empty() && database.errors.is_empty());
        let alarms = fetch::alarms_panel(&clients, &none, Utc::now())
            .await
            .unwrap();
        assert!(alarms.alarms.is_empty() && alarms.history.is_empty());
    });
}
