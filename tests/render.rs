//! Render tests: realistic `State`s drawn into ratatui's `TestBackend` and snapshotted with
//! insta (every panel zoomed, whole screens from 80x24 to 160x48, overlays, NO_COLOR), plus
//! targeted checks of styles, truncation, resizing and scrolling in `render/checks.rs`.
#[path = "render/checks.rs"]
mod checks;
#[path = "render/fixture.rs"]
mod fixture;
#[path = "render/screen.rs"]
mod screen;

use fixture::*;
use opsdeck::aws::AwsError;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::keymap::Keymap;
use opsdeck::state::{Flash, Overlay, PanelId, State, TextInput};
use ratatui::style::Modifier;
use screen::*;
use std::sync::Arc;

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
fn no_color_80x24_tells_states_by_modifiers() {
    let mut s = incident();
    s.color = false;
    let t = draw(&s, 80, 24);
    insta::assert_snapshot!(format!(
        "{}\n{}",
        text(&t),
        modifier_mask(t.backend().buffer())
    ));
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
fn tunnels_list_and_badge() {
    use opsdeck::state::{TunnelRow, TunnelStatus};
    let mut s = incident();
    let row = |id, port, status| TunnelRow {
        id,
        db: "ha-web-db".into(),
        engine: "postgres".into(),
        host: "ha-web-db.abc.us-east-1.rds.amazonaws.com".into(),
        remote_port: 5432,
        via: "i-0a1b2c3d4e5f60718".into(),
        local_port: port,
        session_id: Some(format!("oncall-0{id}a1b2c3")),
        opened_at: s.now - chrono::Duration::seconds(125),
        status,
        connections: id as u32,
    };
    s.tunnels.push(row(1, Some(5432), TunnelStatus::Open));
    s.tunnels.push(row(2, None, TunnelStatus::Starting));
    let closed = TunnelStatus::Closed {
        reason: "the plugin exited with code 255: TargetNotConnected".into(),
        ok: false,
    };
    s.tunnels.push(row(3, Some(15432), closed));
    s.tunnels.selected = 0;
    s.overlay = Overlay::Tunnels;
    insta::assert_snapshot!("tunnels_list", text(&draw(&s, 120, 30)));
    s.overlay = Overlay::None;
    s.flash = None;
    let screen = text(&draw(&s, 160, 48));
    let bottom = screen.lines().last().unwrap_or_default();
    assert!(bottom.contains("⇄ 2 tunnels :5432 (T)"), "{bottom}");
}

#[test]
fn a_long_error_is_shown_whole_in_a_message() {
    let mut s = incident();
    s.overlay = Overlay::Message {
        title: "No session".into(),
        text: opsdeck::ssm::plugin::PluginError::Missing.to_string(),
    };
    let screen = text(&draw(&s, 160, 48));
    insta::assert_snapshot!("message_plugin_missing", screen);
    // The install link is on one line, whole (textwrap keeps a word that fits together).
    assert!(
        screen.contains("session-manager-working-with-install-plugin.html"),
        "the link is whole: {screen}"
    );
}
