//! Render tests: realistic `State`s drawn into ratatui's `TestBackend`, snapshotted with insta,
//! plus targeted checks of cell styles (colour and NO_COLOR), truncation and resizing.
use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck::aws::AwsError;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::domain::*;
use opsdeck::keymap::Keymap;
use opsdeck::state::{Flash, Overlay, PanelId, State, TextInput, target_row_id};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::collections::BTreeMap;
use std::sync::Arc;

const LONG_TG: &str =
    "ha-web-internal-admin-api-target-group-with-a-ridiculously-long-name-for-testing-trunc-0090";
const LONG_ALARM: &str =
    "ha-web-alb-target-5xx-count-high-for-the-public-application-load-balancer-over-five-minutes";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap()
}

fn ago(secs: i64) -> DateTime<Utc> {
    now() - Duration::seconds(secs)
}

fn target(id: &str, az: &str, state: &str, reason: Option<(&str, &str)>) -> Target {
    Target {
        id: id.into(),
        port: Some(80),
        az: Some(az.into()),
        state: state.into(),
        reason: reason.map(|(r, _)| r.into()),
        description: reason.map(|(_, d)| d.into()),
    }
}

fn targets() -> Vec<TargetGroupHealth> {
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

fn instance(id: &str, az: &str, lifecycle: &str, health: &str) -> AsgInstance {
    AsgInstance {
        id: id.into(),
        az: az.into(),
        lifecycle: lifecycle.into(),
        health: health.into(),
        instance_type: Some("t3.micro".into()),
        launch_template_version: Some("7".into()),
    }
}

fn capacity() -> CapacityPanel {
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

fn database() -> DatabasePanel {
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

fn alarm(name: &str, state: &str, reason: &str, since_secs: i64, threshold: f64) -> Alarm {
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
fn history(base: f64, rise: f64) -> Vec<(DateTime<Utc>, f64)> {
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

fn alarms() -> AlarmsPanel {
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

fn zones() -> ZonesPanel {
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

fn stack() -> StackPanel {
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

fn throttled() -> AwsError {
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
fn incident() -> State {
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

fn draw(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| opsdeck::ui::render(f, state)).unwrap();
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// Where `needle` starts on screen, as (x, y).
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let first = needle.chars().next()?;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol().starts_with(first) {
                let got: String = (x..buf.area.width.min(x + needle.chars().count() as u16))
                    .map(|xx| buf[(xx, y)].symbol())
                    .collect();
                if got == needle {
                    return Some((x, y));
                }
            }
        }
    }
    None
}

#[test]
fn whole_screen_80x24() {
    insta::assert_snapshot!(text(&draw(&incident(), 80, 24)));
}

#[test]
fn whole_screen_120x36() {
    insta::assert_snapshot!(text(&draw(&incident(), 120, 36)));
}

#[test]
fn whole_screen_160x48() {
    insta::assert_snapshot!(text(&draw(&incident(), 160, 48)));
}

#[test]
fn each_panel_zoomed() {
    for panel in PanelId::all() {
        let mut s = incident();
        s.focus = panel;
        s.zoomed = true;
        insta::assert_snapshot!(format!("zoomed_{}", panel.name()), text(&draw(&s, 120, 30)));
    }
}

#[test]
fn each_panel_in_a_small_terminal() {
    for panel in PanelId::all() {
        let mut s = incident();
        s.focus = panel;
        insta::assert_snapshot!(format!("small_{}", panel.name()), text(&draw(&s, 80, 24)));
    }
}

#[test]
fn help_open() {
    let mut s = incident();
    s.overlay = Overlay::Help { scroll: 0 };
    insta::assert_snapshot!("help_top", text(&draw(&s, 100, 30)));
    // Far past the end: the last page, never an empty box.
    s.overlay = Overlay::Help { scroll: 500 };
    insta::assert_snapshot!("help_end", text(&draw(&s, 100, 30)));
}

#[test]
fn command_line_with_completions() {
    let mut s = incident();
    s.overlay = Overlay::Command(TextInput {
        text: "refresh".into(),
        completions: vec!["refresh".into(), "refresh_all".into()],
        completion_index: 1,
    });
    let t = draw(&s, 100, 30);
    insta::assert_snapshot!(text(&t));
    let (x, y) = find(t.backend().buffer(), "refresh_all").expect("candidate shown");
    assert!(
        t.backend().buffer()[(x, y)]
            .modifier
            .contains(Modifier::REVERSED),
        "the highlighted candidate is reversed"
    );
}

#[test]
fn filter_typing_and_active() {
    let mut s = incident();
    s.overlay = Overlay::Filter(TextInput {
        text: "1b".into(),
        ..TextInput::default()
    });
    insta::assert_snapshot!("filter_typing", text(&draw(&s, 100, 30)));
    s.overlay = Overlay::None;
    s.view_mut(PanelId::Targets).filter = "us-east-1b".into();
    s.flash = Some(Flash {
        text: "unknown command: scael (did you mean scale?)".into(),
        is_error: true,
        at: now(),
    });
    insta::assert_snapshot!("filter_active", text(&draw(&s, 100, 30)));
    s.view_mut(PanelId::Targets).filter = "nothing-matches".into();
    let t = text(&draw(&s, 100, 30));
    assert!(
        t.contains("no targets match filter “nothing-matches”"),
        "{t}"
    );
}

#[test]
fn loading_and_never_loaded_errors() {
    let mut s = State::new(
        "ha-web",
        "us-east-1 · profile prod",
        Arc::new(Keymap::builtin()),
        now(),
    );
    s.targets.polling = true;
    s.alarms.accept(
        ago(1),
        Err(AwsError::new(
            AwsErrorKind::AccessDenied,
            "DescribeAlarms",
            "User is not authorized to perform: cloudwatch:DescribeAlarms",
        )),
    );
    insta::assert_snapshot!(text(&draw(&s, 160, 48)));
}

#[test]
fn stack_without_outputs_says_so() {
    let mut s = incident();
    let mut panel = stack();
    panel.summary.outputs.clear();
    s.stack_feed.accept(ago(1), Ok(panel));
    s.focus = PanelId::Stack;
    let t = text(&draw(&s, 100, 30));
    assert!(t.contains("no outputs reported"), "{t}");
}

#[test]
fn database_without_secondary_az_says_why() {
    let mut s = incident();
    let mut db = database();
    db.databases[0].secondary_az = None;
    s.database.accept(ago(1), Ok(db));
    s.focus = PanelId::Database;
    let t = text(&draw(&s, 100, 30));
    assert!(t.contains("—  (not reported by this endpoint)"), "{t}");
}

#[test]
fn unhealthy_target_is_red_with_colour_and_plain_without() {
    let s = incident();
    let t = draw(&s, 160, 48);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "✖ unhealthy").expect("unhealthy target shown");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));

    let mut plain = incident();
    plain.color = false;
    let t2 = draw(&plain, 160, 48);
    let buf2 = t2.backend().buffer();
    assert_eq!(
        find(buf2, "✖ unhealthy"),
        Some((x, y)),
        "same text, same place"
    );
    assert_eq!(text(&t), text(&t2), "NO_COLOR changes styles only");
    for cell in buf2.content() {
        assert_eq!(cell.fg, Color::Reset, "no colour at all: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "no colour at all: {cell:?}");
    }
    // Still told apart without colour: bold state, reversed STALE badge, reversed selection.
    assert!(buf2[(x, y)].modifier.contains(Modifier::BOLD));
    let (sx, sy) = find(buf2, "STALE 25s · throttled").expect("stale badge");
    assert!(buf2[(sx, sy)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn focused_panel_has_a_thick_border_and_a_marker() {
    let s = incident();
    let t = draw(&s, 160, 48);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "▶ [2] Targets").expect("focused title");
    assert_eq!(buf[(x - 2, y)].symbol(), "┏", "thick border");
    let (x, y) = find(buf, "[1] Stack").expect("unfocused title");
    assert_eq!(buf[(x - 2, y)].symbol(), "┌", "plain border");
}

#[test]
fn selected_row_is_marked_and_reversed() {
    let mut s = incident();
    let groups = targets();
    s.view_mut(PanelId::Targets).selected = Some(target_row_id(&groups[0], &groups[0].targets[2]));
    let t = draw(&s, 160, 48);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "▶ ↓ draining").expect("selected draining target");
    assert!(buf[(x + 2, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn stale_panel_keeps_its_rows_and_shows_why() {
    let mut s = incident();
    s.focus = PanelId::Capacity;
    s.zoomed = true;
    let t = text(&draw(&s, 160, 48));
    assert!(t.contains("STALE 25s · throttled"), "{t}");
    assert!(
        t.contains("i-0a1b2c3d4e5f60006"),
        "last good rows kept: {t}"
    );
    assert!(
        t.contains("last poll failed: DescribeAutoScalingGroups failed: throttled"),
        "{t}"
    );
}

#[test]
fn tabs_mark_panels_in_trouble() {
    let t = text(&draw(&incident(), 80, 24));
    let tabs = t.lines().nth(1).unwrap();
    for marked in ["Targets ✖", "Capacity ✖", "Alarms ✖", "Zones ✖"] {
        assert!(tabs.contains(marked), "{marked} in {tabs}");
    }
    assert!(
        !tabs.contains("Stack ✖") && !tabs.contains("Database ✖"),
        "{tabs}"
    );
}

#[test]
fn long_names_are_cut_with_an_ellipsis_not_wrapped() {
    let t = text(&draw(&incident(), 80, 24));
    assert!(!t.contains(LONG_TG), "90-char name shown whole?");
    assert!(t.contains("ha-web-internal-admin-api-target-group"), "{t}");
    assert!(t.contains('…'));
    for line in t.lines() {
        assert!(!line.contains("trunc-0090"), "wrapped tail: {line}");
    }
}

#[test]
fn resizing_leaves_nothing_behind() {
    let s = incident();
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| opsdeck::ui::render(f, &s)).unwrap();
    t.backend_mut().resize(80, 24);
    t.resize(ratatui::layout::Rect::new(0, 0, 80, 24)).unwrap();
    t.draw(|f| opsdeck::ui::render(f, &s)).unwrap();
    assert_eq!(text(&t), text(&draw(&s, 80, 24)));
}

#[test]
fn any_size_renders_without_panic() {
    let mut s = incident();
    for (w, h) in (0..=130)
        .step_by(7)
        .flat_map(|w| (0..=40).step_by(3).map(move |h| (w, h)))
    {
        for overlay in [
            Overlay::None,
            Overlay::Help { scroll: 3 },
            Overlay::Command(TextInput {
                text: "x".repeat(200),
                completions: vec!["focus_targets".into(), "focus_zones".into()],
                completion_index: 5,
            }),
        ] {
            s.overlay = overlay;
            draw(&s, w, h);
        }
    }
}

#[test]
fn selection_far_down_a_long_table_is_visible() {
    let mut s = incident();
    let mut groups = targets();
    groups[1].targets = (0..300)
        .map(|i| target(&format!("i-{i:017}"), "us-east-1a", "healthy", None))
        .collect();
    s.targets.accept(ago(1), Ok(groups.clone()));
    s.view_mut(PanelId::Targets).selected =
        Some(target_row_id(&groups[1], &groups[1].targets[250]));
    let t = text(&draw(&s, 120, 30));
    let line = t
        .lines()
        .find(|l| l.contains("i-00000000000000250"))
        .expect("selected visible");
    assert!(line.contains("▶"), "{line}");
}

/// One character per cell telling its style: what a screen looks like to someone who cannot
/// tell the colours apart (or runs NO_COLOR). R reversed, B bold, D dim, U underlined.
fn modifier_mask(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let m = buf[(x, y)].modifier;
            out.push(if m.contains(Modifier::REVERSED) {
                'R'
            } else if m.contains(Modifier::BOLD) {
                'B'
            } else if m.contains(Modifier::DIM) {
                'D'
            } else if m.contains(Modifier::UNDERLINED) {
                'U'
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    out
}

/// One character per cell for its foreground colour: r g y c m, "." for the default.
fn colour_mask(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push(match buf[(x, y)].fg {
                Color::Red => 'r',
                Color::Green => 'g',
                Color::Yellow => 'y',
                Color::Cyan => 'c',
                Color::Magenta => 'm',
                Color::Reset => '.',
                _ => '?',
            });
        }
        out.push('\n');
    }
    out
}

#[test]
fn no_color_80x24_tells_states_by_modifiers() {
    let mut s = incident();
    s.color = false;
    let t = draw(&s, 80, 24);
    insta::assert_snapshot!(format!("{}\n{}", text(&t), modifier_mask(t.backend().buffer())));
}

#[test]
fn colours_80x24() {
    let mut s = incident();
    s.focus = PanelId::Zones;
    let t = draw(&s, 80, 24);
    let mask = colour_mask(t.backend().buffer());
    assert!(!mask.contains('?'), "only the five accent colours: {mask}");
    insta::assert_snapshot!(format!("{}\n{mask}", text(&t)));
}

#[test]
fn zone_in_trouble_stands_out() {
    let mut s = incident();
    s.focus = PanelId::Zones;
    let t = draw(&s, 120, 30);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "✖ us-east-1b").expect("troubled AZ row");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let row: String = (0..buf.area.width).map(|xx| buf[(xx, y)].symbol()).collect();
    assert!(row.contains("TROUBLE"), "{row}");
    let (_, cy) = find(buf, "✔ us-east-1a").expect("healthy AZ row");
    assert_eq!(buf[(x, cy)].fg, Color::Green);
    let t = text(&t);
    assert!(t.contains("✖ NAT gateway nat-0bbbb2222 failed"), "reasons shown: {t}");
    assert!(t.contains("Elastic IP address eipalloc-0123"), "AWS's failure shown: {t}");
}

#[test]
fn partly_read_panels_warn_without_going_stale() {
    let mut s = incident();
    let mut a = alarms();
    a.history.clear();
    a.errors = vec![SectionError {
        section: "history".into(),
        error: AwsError::new(AwsErrorKind::Throttled, "GetMetricData", "Rate exceeded"),
    }];
    s.alarms.accept(ago(1), Ok(a));
    let mut d = database();
    d.events.clear();
    d.errors = vec![SectionError {
        section: "events".into(),
        error: AwsError::new(AwsErrorKind::NotSupported, "DescribeEvents", ""),
    }];
    s.database.accept(ago(1), Ok(d));
    s.focus = PanelId::Alarms;
    s.zoomed = true;
    let t = text(&draw(&s, 120, 30));
    assert!(t.contains("? not read"), "{t}");
    assert!(t.contains("⚠ not read: history throttled"), "{t}");
    assert!(!t.contains("STALE"), "{t}");
    s.focus = PanelId::Database;
    let t = text(&draw(&s, 120, 30));
    assert!(t.contains("Events      ? could not be read: not supported by endpoint"), "{t}");
    assert!(!t.contains("none in the last hour"), "unknown is not none: {t}");
}

#[test]
fn several_databases_get_a_list_and_the_selected_one_in_detail() {
    let mut s = incident();
    let mut d = database();
    let mut replica = d.databases[0].clone();
    replica.identifier = "ha-web-db-replica".into();
    replica.status = "failed".into();
    replica.multi_az = false;
    replica.secondary_az = None;
    d.databases.push(replica);
    s.database.accept(ago(1), Ok(d));
    s.focus = PanelId::Database;
    s.view_mut(PanelId::Database).selected = Some("ha-web-db-replica".into());
    let t = text(&draw(&s, 100, 30));
    assert!(t.contains("ha-web-db "), "{t}");
    assert!(t.contains("Database    ha-web-db-replica  ✖ failed"), "{t}");
    assert!(t.contains("✖ NO: single AZ, no standby"), "{t}");
    assert!(t.contains("[4] Database ✖"), "failed DB marks the tab: {t}");
}
