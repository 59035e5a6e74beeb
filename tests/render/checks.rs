//! Targeted render checks: cell styles with and without colour, focus and selection markers,
//! stale and partly read panels, truncation, resizing, scrolling and odd sizes.
use super::fixture::*;
use super::screen::*;
use opsdeck::aws::AwsError;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::domain::SectionError;
use opsdeck::state::{Overlay, PanelId, TextInput, target_row_id};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

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

#[test]
fn zone_in_trouble_stands_out() {
    let mut s = incident();
    s.focus = PanelId::Zones;
    s.zoomed = true;
    let t = draw(&s, 120, 30);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "✖ us-east-1b").expect("troubled AZ row");
    assert_eq!(buf[(x, y)].fg, Color::Red, "{}", text(&t));
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let row: String = (0..buf.area.width)
        .map(|xx| buf[(xx, y)].symbol())
        .collect();
    assert!(row.contains("TROUBLE"), "{row}");
    let (_, cy) = find(buf, "✔ us-east-1a").expect("healthy AZ row");
    assert_eq!(buf[(x, cy)].fg, Color::Green);
    let t = text(&t);
    assert!(
        t.contains("✖ NAT gateway nat-0bbbb2222 failed"),
        "reasons shown: {t}"
    );
    assert!(
        t.contains("Elastic IP address eipalloc-0123"),
        "AWS's failure shown: {t}"
    );
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
    assert!(
        t.contains("Events      ? could not be read: not supported by endpoint"),
        "{t}"
    );
    assert!(
        !t.contains("none in the last hour"),
        "unknown is not none: {t}"
    );
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
    s.zoomed = true;
    s.view_mut(PanelId::Database).selected = Some("ha-web-db-replica".into());
    let t = text(&draw(&s, 100, 30));
    assert!(t.contains("ha-web-db "), "{t}");
    assert!(t.contains("Database    ha-web-db-replica  ✖ failed"), "{t}");
    assert!(t.contains("✖ NO: single AZ, no standby"), "{t}");
    assert!(t.contains("[4] Database ✖"), "failed DB marks the tab: {t}");
}
