//! `update` tests: a message in, state and commands out. No terminal, no AWS.
use super::*;
use crate::aws::error::{AwsError, AwsErrorKind};
use crate::domain::*;
use crate::keymap::Keymap;
use crate::msg::{Cmd, Msg, PanelData};
use crate::state::{Overlay, PanelId, State};
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap()
}

fn state() -> State {
    State::new("ha-web", "test", Arc::new(Keymap::builtin()), t0())
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn resources(asg: &str) -> StackResources {
    StackResources {
        auto_scaling_groups: vec![asg.into()],
        ..Default::default()
    }
}

fn stack_poll(asg: &str) -> Msg {
    Msg::Polled {
        panel: PanelId::Stack,
        stack: "ha-web".into(),
        at: t0(),
        result: Ok(PanelData::Stack(StackPanel {
            summary: StackSummary {
                name: "ha-web".into(),
                id: None,
                status: "CREATE_COMPLETE".into(),
                status_reason: None,
                created: None,
                last_updated: None,
                parameters: BTreeMap::new(),
                outputs: BTreeMap::new(),
            },
            events: vec![],
            resources: resources(asg),
        })),
    }
}

fn target(id: &str, state: &str) -> Target {
    Target {
        id: id.into(),
        port: Some(80),
        az: Some("us-east-1a".into()),
        state: state.into(),
        reason: None,
        description: None,
    }
}

fn targets_poll(targets: Vec<Target>) -> Msg {
    Msg::Polled {
        panel: PanelId::Targets,
        stack: "ha-web".into(),
        at: t0(),
        result: Ok(PanelData::Targets(vec![TargetGroupHealth {
            arn: "arn:tg".into(),
            name: "web".into(),
            port: Some(80),
            protocol: None,
            load_balancers: vec![],
            targets,
        }])),
    }
}

fn throttled() -> AwsError {
    AwsError::new(
        AwsErrorKind::Throttled,
        "DescribeTargetHealth",
        "Rate exceeded",
    )
}

#[test]
fn q_quits() {
    let mut s = state();
    assert_eq!(update(&mut s, key('q')), vec![Cmd::Quit]);
    assert!(s.quitting);
}

#[test]
fn discovery_starts_data_pollers_once_and_again_when_resources_change() {
    let mut s = state();
    assert_eq!(
        update(&mut s, stack_poll("asg-1")),
        vec![Cmd::WatchResources(resources("asg-1"))]
    );
    assert_eq!(
        update(&mut s, stack_poll("asg-1")),
        vec![],
        "same resources: pollers keep running"
    );
    assert_eq!(
        update(&mut s, stack_poll("asg-2")),
        vec![Cmd::WatchResources(resources("asg-2"))]
    );
}

#[test]
fn a_failed_poll_keeps_the_last_good_rows_and_marks_the_panel_stale() {
    let mut s = state();
    update(&mut s, targets_poll(vec![target("i-1", "healthy")]));
    assert!(!s.targets.is_stale());
    let later = t0() + chrono::Duration::seconds(25);
    update(
        &mut s,
        Msg::Polled {
            panel: PanelId::Targets,
            stack: "ha-web".into(),
            at: later,
            result: Err(throttled()),
        },
    );
    assert!(s.targets.is_stale());
    assert_eq!(s.targets.error.as_ref().unwrap().label(), "throttled");
    assert_eq!(s.target_rows().len(), 1, "rows kept");
    update(&mut s, Msg::Tick { now: later });
    assert_eq!(s.targets.age_secs(s.now), Some(25));
    update(&mut s, targets_poll(vec![target("i-1", "healthy")]));
    assert!(!s.targets.is_stale(), "recovers on the next good poll");
}

#[test]
fn results_for_a_stack_we_left_are_ignored() {
    let mut s = state();
    update(
        &mut s,
        Msg::Polled {
            panel: PanelId::Targets,
            stack: "old-stack".into(),
            at: t0(),
            result: Ok(PanelData::Targets(vec![])),
        },
    );
    assert!(s.targets.data.is_none());
}

#[test]
fn selection_follows_the_same_resource_across_refreshes() {
    let mut s = state();
    s.focus = PanelId::Targets;
    update(
        &mut s,
        targets_poll(vec![
            target("i-1", "healthy"),
            target("i-2", "healthy"),
            target("i-3", "healthy"),
        ]),
    );
    update(&mut s, Msg::Action(Action::SelectNext));
    update(&mut s, Msg::Action(Action::SelectNext));
    assert_eq!(
        s.view(PanelId::Targets).selected.as_deref(),
        Some("arn:tg|i-3")
    );
    // i-1 turns unhealthy and sorts to the top: the selection stays on i-3, now at index 1.
    update(
        &mut s,
        targets_poll(vec![
            target("i-1", "unhealthy"),
            target("i-2", "healthy"),
            target("i-3", "healthy"),
        ]),
    );
    assert_eq!(
        s.view(PanelId::Targets).selected.as_deref(),
        Some("arn:tg|i-3")
    );
    assert_eq!(s.selected_index(PanelId::Targets), Some(2));
    // When the selected target disappears, the selection moves to a row that exists.
    update(&mut s, targets_poll(vec![target("i-1", "unhealthy")]));
    assert_eq!(
        s.view(PanelId::Targets).selected.as_deref(),
        Some("arn:tg|i-1")
    );
}

#[test]
fn selection_is_clamped_at_both_ends() {
    let mut s = state();
    s.focus = PanelId::Targets;
    update(
        &mut s,
        targets_poll(vec![target("i-1", "healthy"), target("i-2", "healthy")]),
    );
    update(&mut s, Msg::Action(Action::SelectPrev));
    assert_eq!(s.selected_index(PanelId::Targets), Some(0));
    update(&mut s, Msg::Action(Action::PageDown));
    assert_eq!(s.selected_index(PanelId::Targets), Some(1));
    update(&mut s, Msg::Action(Action::SelectFirst));
    assert_eq!(s.selected_index(PanelId::Targets), Some(0));
    update(&mut s, Msg::Action(Action::SelectLast));
    assert_eq!(s.selected_index(PanelId::Targets), Some(1));
}

#[test]
fn filter_applies_while_typing_enter_keeps_it_esc_clears_it() {
    let mut s = state();
    s.focus = PanelId::Targets;
    update(
        &mut s,
        targets_poll(vec![
            target("i-aaa", "healthy"),
            target("i-bbb", "unhealthy"),
        ]),
    );
    update(&mut s, key('/'));
    assert!(matches!(s.overlay, Overlay::Filter(_)));
    for c in "bbb".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(s.target_rows().len(), 1);
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.view(PanelId::Targets).filter, "bbb");
    assert_eq!(s.target_rows().len(), 1);
    // While the filter is open, letters are text, not actions: 'q' does not quit.
    update(&mut s, key('/'));
    assert_eq!(update(&mut s, key('q')), vec![]);
    assert!(!s.quitting);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view(PanelId::Targets).filter, "");
    assert_eq!(s.target_rows().len(), 2);
}

#[test]
fn command_line_switches_stack_and_resets_everything() {
    let mut s = state();
    update(&mut s, targets_poll(vec![target("i-1", "healthy")]));
    update(&mut s, key(':'));
    for c in "stack other-stack".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(cmds, vec![Cmd::WatchStack("other-stack".into())]);
    assert_eq!(s.stack, "other-stack");
    assert!(
        s.targets.data.is_none(),
        "nothing from the old stack is shown"
    );
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn command_line_jumps_to_panels_runs_actions_and_explains_mistakes() {
    let mut s = state();
    assert_eq!(run_command_line(&mut s, "alarms"), vec![]);
    assert_eq!(s.focus, PanelId::Alarms);
    assert_eq!(
        run_command_line(&mut s, "refresh_all"),
        vec![Cmd::RefreshAll]
    );
    assert_eq!(
        run_command_line(&mut s, "refresh"),
        vec![Cmd::Refresh(PanelId::Alarms)]
    );
    run_command_line(&mut s, "refresh_al");
    let flash = s.flash.clone().unwrap();
    assert!(
        flash.is_error && flash.text.contains("did you mean refresh_all"),
        "{flash:?}"
    );
    run_command_line(&mut s, "stack 9bad");
    assert!(s.flash.as_ref().unwrap().text.contains("not a stack name"));
    assert_eq!(s.stack, "ha-web");
}

#[test]
fn tab_completes_and_cycles_through_candidates() {
    let mut s = state();
    update(&mut s, key(':'));
    for c in "focus_".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Tab));
    let Overlay::Command(input) = &s.overlay else {
        panic!("command line open")
    };
    let first = input.text.clone();
    assert!(first.starts_with("focus_"), "{first}");
    assert!(input.completions.len() >= 6, "{:?}", input.completions);
    update(&mut s, code(KeyCode::Tab));
    let Overlay::Command(input) = &s.overlay else {
        panic!()
    };
    assert_ne!(input.text, first, "a second Tab shows the next candidate");
    assert!(completions(&s, "sta").contains(&"stack ".to_string()));
    assert!(completions(&s, "tar").contains(&"targets".to_string()));
}

#[test]
fn focus_cycles_and_zoom_and_help_toggle() {
    let mut s = state();
    s.focus = PanelId::Zones;
    update(&mut s, Msg::Action(Action::FocusNext));
    assert_eq!(s.focus, PanelId::Stack);
    update(&mut s, Msg::Action(Action::FocusPrev));
    assert_eq!(s.focus, PanelId::Zones);
    update(&mut s, Msg::Action(Action::Zoom));
    assert!(s.zoomed);
    update(&mut s, key('?'));
    assert_eq!(s.overlay, Overlay::Help { scroll: 0 });
    update(&mut s, Msg::Action(Action::SelectNext));
    assert_eq!(
        s.overlay,
        Overlay::Help { scroll: 1 },
        "list keys scroll the help"
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn refresh_now_goes_to_the_focused_panels_poller_and_resume_refreshes_all() {
    let mut s = state();
    s.focus = PanelId::Capacity;
    assert_eq!(
        update(&mut s, Msg::Action(Action::Refresh)),
        vec![Cmd::Refresh(PanelId::Capacity)]
    );
    assert_eq!(update(&mut s, Msg::Resumed), vec![Cmd::RefreshAll]);
}

#[test]
fn flash_messages_fade_with_the_clock() {
    let mut s = state();
    run_command_line(&mut s, "nonsense");
    assert!(s.flash.is_some());
    update(
        &mut s,
        Msg::Tick {
            now: t0() + chrono::Duration::seconds(3),
        },
    );
    assert!(s.flash.is_some());
    update(
        &mut s,
        Msg::Tick {
            now: t0() + chrono::Duration::seconds(9),
        },
    );
    assert!(s.flash.is_none());
}
