//! Render benchmark: one full frame of a big stack (1,000 instances, 2,000 targets, 500 alarms
//! with an hour of history each) at 200x60 and 160x48. Budget: < 5 ms a frame.
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::domain::*;
use opsdeck::keymap::Keymap;
use opsdeck::state::{PanelId, State};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;

const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap()
}

fn big_state() -> State {
    let mut s = State::new(
        "ha-web",
        "us-east-1 · profile prod",
        Arc::new(Keymap::builtin()),
        now(),
    );
    let instances: Vec<AsgInstance> = (0..1000)
        .map(|i| AsgInstance {
            id: format!("i-{i:017x}"),
            az: AZS[i % 3].into(),
            lifecycle: [
                "InService",
                "InService",
                "Pending",
                "Terminating",
                "Standby",
            ][i % 5]
                .into(),
            health: if i % 37 == 0 { "Unhealthy" } else { "Healthy" }.into(),
            instance_type: Some("m6i.large".into()),
            launch_template_version: Some("12".into()),
        })
        .collect();
    let groups: Vec<TargetGroupHealth> = (0..4)
        .map(|g| TargetGroupHealth {
            arn: format!(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-{g}/abc{g}"
            ),
            name: format!("ha-web-target-group-number-{g}"),
            port: Some(80),
            protocol: Some("HTTP".into()),
            load_balancers: vec!["ha-web-alb".into()],
            targets: (0..500)
                .map(|i| {
                    let unhealthy = i % 23 == 0;
                    Target {
                        id: format!("i-{:017x}", (g * 500 + i) % 1000),
                        port: Some(80),
                        az: Some(AZS[i % 3].into()),
                        state: if unhealthy { "unhealthy" } else { "healthy" }.into(),
                        reason: unhealthy.then(|| "Target.FailedHealthChecks".into()),
                        description: unhealthy
                            .then(|| "Health checks failed with these codes: [502]".into()),
                    }
                })
                .collect(),
        })
        .collect();
    let alarms: Vec<Alarm> = (0..500)
        .map(|i| Alarm {
            name: format!("ha-web-alarm-{i:03}-target-response-time-p99-high"),
            state: ["ALARM", "INSUFFICIENT_DATA", "OK", "OK"][i % 4].into(),
            reason: Some("Threshold Crossed: 1 datapoint [2.1] was >= 1.0".into()),
            since: Some(now() - Duration::minutes(i as i64)),
            namespace: Some("AWS/ApplicationELB".into()),
            metric: Some("TargetResponseTime".into()),
            statistic: Some("Average".into()),
            period_secs: Some(60),
            threshold: Some(1.0),
            comparison: Some("GreaterThanOrEqualToThreshold".into()),
            dimensions: BTreeMap::new(),
            actions_enabled: true,
        })
        .collect();
    let mut alarms_sorted = alarms;
    alarms_sorted.sort_by_key(|a| a.severity_rank());
    let history = alarms_sorted
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let series = (0..60)
                .map(|m| {
                    (
                        now() - Duration::minutes(60 - m),
                        ((i + m as usize) % 17) as f64 / 8.0,
                    )
                })
                .collect();
            (a.name.clone(), series)
        })
        .collect();
    let subnets = AZS
        .iter()
        .flat_map(|az| {
            [true, false].map(|public| Subnet {
                id: format!("subnet-{az}-{public}"),
                az: az.to_string(),
                cidr: None,
                name: None,
                public,
            })
        })
        .collect();
    let nat_gateways = AZS
        .iter()
        .map(|az| NatGateway {
            id: format!("nat-{az}"),
            subnet_id: Some(format!("subnet-{az}-true")),
            az: Some(az.to_string()),
            state: "available".into(),
            failure: None,
        })
        .collect();
    let events = (0..100)
        .map(|i| StackEvent {
            id: format!("e{i}"),
            timestamp: Some(now() - Duration::seconds(i * 30)),
            logical_id: format!("Resource{i}"),
            resource_type: "AWS::EC2::Instance".into(),
            status: "UPDATE_COMPLETE".into(),
            reason: None,
        })
        .collect();
    s.stack_feed.accept(
        now(),
        Ok(StackPanel {
            summary: StackSummary {
                name: "ha-web".into(),
                id: None,
                status: "UPDATE_COMPLETE".into(),
                status_reason: None,
                created: Some(now()),
                last_updated: Some(now()),
                parameters: BTreeMap::new(),
                outputs: BTreeMap::from([("Url".into(), "http://example".into())]),
            },
            events,
            resources: StackResources::default(),
        }),
    );
    s.targets.accept(now(), Ok(groups));
    s.capacity.accept(
        now(),
        Ok(CapacityPanel {
            groups: vec![AutoScalingGroup {
                name: "ha-web-asg".into(),
                min: 500,
                desired: 1000,
                max: 1200,
                azs: AZS.iter().map(|a| a.to_string()).collect(),
                instances,
            }],
            activities: vec![],
        }),
    );
    s.database.accept(
        now(),
        Ok(DatabasePanel {
            databases: vec![Database {
                identifier: "ha-web-db".into(),
                status: "available".into(),
                engine: "postgres".into(),
                engine_version: Some("16.3".into()),
                class: Some("db.r6g.large".into()),
                multi_az: true,
                az: Some("us-east-1a".into()),
                secondary_az: Some("us-east-1b".into()),
                endpoint: Some("ha-web-db.example.rds.amazonaws.com".into()),
                port: Some(5432),
                storage_gb: Some(100),
                cluster: None,
                deletion_protection: false,
            }],
            pending_modifications: BTreeMap::new(),
            maintenance: vec![],
            events: vec![],
            errors: vec![],
        }),
    );
    s.alarms.accept(
        now(),
        Ok(AlarmsPanel {
            alarms: alarms_sorted,
            history,
            errors: vec![],
        }),
    );
    s.zones.accept(
        now(),
        Ok(ZonesPanel {
            subnets,
            nat_gateways,
        }),
    );
    // Selections mid-table, so the visible window is not simply the first page.
    let target_sel = s.row_ids(PanelId::Targets)[1000].clone();
    s.view_mut(PanelId::Targets).selected = Some(target_sel);
    s.view_mut(PanelId::Capacity).selected = Some(format!("i-{:017x}", 700));
    s.view_mut(PanelId::Alarms).selected = Some(s.row_ids(PanelId::Alarms)[300].clone());
    s
}

fn frames(c: &mut Criterion) {
    let state = big_state();
    for (w, h) in [(200u16, 60u16), (160, 48)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("frame {w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| opsdeck::ui::render(f, black_box(&state)))
                    .unwrap();
            })
        });
    }
    let mut zoomed = big_state();
    zoomed.zoomed = true;
    zoomed.focus = PanelId::Targets;
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("frame 200x60 targets zoomed", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::render(f, black_box(&zoomed)))
                .unwrap();
        })
    });
}

/// The state's own row accessors, which every frame calls: to see what of a frame is theirs.
fn accessors(c: &mut Criterion) {
    let state = big_state();
    c.bench_function("state.target_rows (2,000)", |b| {
        b.iter(|| black_box(&state).target_rows().len())
    });
    c.bench_function("state.zone_rows", |b| {
        b.iter(|| black_box(&state).zone_rows().len())
    });
    c.bench_function("state.alarm_rows (500)", |b| {
        b.iter(|| black_box(&state).alarm_rows().len())
    });
}

criterion_group!(benches, frames, accessors);
criterion_main!(benches);
