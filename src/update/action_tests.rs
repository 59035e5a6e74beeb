//! `update` tests of the mutating actions: each confirm flow, local validation, read-only
//! refusal, one action at a time. No terminal, no AWS: commands are inspected, not run.
use super::*;
use crate::audit::Outcome;
use crate::deploy::DeployPlan;
use crate::domain::fixtures;
use crate::domain::*;
use crate::keymap::Keymap;
use crate::msg::{Cmd, Msg, PanelData};
use crate::ops::deploy::Review;
use crate::ops::{Operation, Verdict};
use crate::state::{Overlay, PanelId, State};
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap()
}

pub(super) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, key(c));
    }
}

pub(super) fn polled(panel: PanelId, data: PanelData) -> Msg {
    Msg::Polled {
        panel,
        stack: "ha-web".into(),
        at: t0(),
        result: Ok(data),
    }
}

pub(super) fn group(min: i32, desired: i32, max: i32, in_service: usize) -> AutoScalingGroup {
    let instances = (0..in_service)
        .map(|i| fixtures::instance(&format!("i-{i}"), "InService", "Healthy"))
        .collect();
    fixtures::group(min, desired, max, instances)
}

/// A console focused on the capacity panel of a group min 1 / desired 2 / max 4.
pub(super) fn on_capacity(g: AutoScalingGroup) -> State {
    let mut s = State::new("ha-web", "test", Arc::new(Keymap::builtin()), t0());
    update(
        &mut s,
        polled(
            PanelId::Capacity,
            PanelData::Capacity(CapacityPanel {
                groups: vec![g],
                activities: vec![],
            }),
        ),
    );
    s.focus = PanelId::Capacity;
    s
}

pub(super) fn db(multi_az: bool) -> Database {
    Database {
        engine: "mysql".into(),
        deletion_protection: true,
        ..fixtures::database("ha-web-db", "available", multi_az)
    }
}

pub(super) fn on_database(d: Database) -> State {
    let mut s = State::new("ha-web", "test", Arc::new(Keymap::builtin()), t0());
    update(
        &mut s,
        polled(
            PanelId::Database,
            PanelData::Database(DatabasePanel {
                databases: vec![d],
                pending_modifications: BTreeMap::new(),
                maintenance: vec![],
                events: vec![],
                errors: vec![],
            }),
        ),
    );
    s.focus = PanelId::Database;
    s
}

pub(super) fn confirm(s: &State) -> &crate::state::Confirm {
    match &s.overlay {
        Overlay::Confirm(c) => c,
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

#[test]
fn scale_up_confirms_with_y_and_runs_exactly_what_was_shown() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    assert!(
        update(&mut s, key('+')).is_empty(),
        "no call before confirming"
    );
    let c = confirm(&s);
    let expected = Operation::Scale {
        group: "web-asg".into(),
        min: None,
        desired: 3,
        max: None,
    };
    assert_eq!(c.op.as_ref(), Some(&expected));
    assert!(c.typed.is_none());
    assert!(c.lines[0].contains("desired 2") && c.lines[0].contains("desired 3"));
    // Enter alone never fires an action.
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(confirm(&s).error.as_ref().unwrap().contains("confirm key"));
    let cmds = update(&mut s, key('y'));
    assert_eq!(
        cmds,
        vec![Cmd::Perform {
            id: 1,
            op: expected
        }]
    );
    assert_eq!(s.overlay, Overlay::Activity);
    assert!(s.activity.as_ref().unwrap().running());
}

#[test]
fn scale_form_is_validated_before_any_call() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('s'));
    let Overlay::ScaleForm(form) = &s.overlay else {
        panic!("form expected: {:?}", s.overlay)
    };
    assert_eq!(form.fields, ["2", "1", "4"].map(String::from));
    update(&mut s, code(KeyCode::Backspace));
    typed(&mut s, "9x"); // letters are not typed into a capacity
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    let Overlay::ScaleForm(form) = &s.overlay else {
        panic!("the form stays open with the reason")
    };
    assert_eq!(form.fields[0], "9");
    assert!(
        form.error.as_ref().unwrap().contains("outside 1..4"),
        "{form:?}"
    );
    // Raise max in the third field, and the same request becomes a confirmation.
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Backspace));
    typed(&mut s, "9");
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        confirm(&s).op,
        Some(Operation::Scale {
            group: "web-asg".into(),
            min: None,
            desired: 9,
            max: Some(9)
        })
    );
}

#[test]
fn scale_in_below_in_service_needs_the_group_name_typed() {
    let mut s = on_capacity(group(0, 2, 4, 2));
    update(&mut s, key('-'));
    assert_eq!(confirm(&s).typed.as_deref(), Some("web-asg"));
    assert!(
        confirm(&s)
            .warnings
            .iter()
            .any(|w| w.contains("1 will be terminated"))
    );
    // "y" is a character of the name here, not a yes.
    assert!(update(&mut s, key('y')).is_empty());
    assert_eq!(confirm(&s).input.text, "y");
    update(&mut s, code(KeyCode::Backspace));
    typed(&mut s, "web");
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(confirm(&s).error.as_ref().unwrap().contains("exactly"));
    typed(&mut s, "-asg");
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Perform {
                op: Operation::Scale { desired: 1, .. },
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn scale_down_to_zero_is_refused_below_min_and_typed_at_min_zero() {
    let mut s = on_capacity(group(1, 1, 4, 1));
    update(&mut s, key('-'));
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.flash.as_ref().unwrap().text.contains("outside 1..4"));
    let mut s = on_capacity(group(0, 1, 4, 1));
    update(&mut s, key('-'));
    assert!(confirm(&s).warnings.iter().any(|w| w.contains("to zero")));
}

#[test]
fn failover_with_a_failing_check_offers_nothing_to_confirm() {
    let mut s = on_database(db(false));
    update(&mut s, key('F'));
    let c = confirm(&s);
    assert!(c.op.is_none());
    assert!(c.lines.iter().any(|l| l.contains("✖ Multi-AZ on")));
    assert!(update(&mut s, key('y')).is_empty());
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(
        confirm(&s)
            .error
            .as_ref()
            .unwrap()
            .contains("nothing to confirm")
    );
    // Closing a refused confirmation audits nothing: nothing was attempted.
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
}

#[test]
fn failover_needs_the_db_identifier_typed() {
    let mut s = on_database(db(true));
    update(&mut s, key('F'));
    assert_eq!(confirm(&s).typed.as_deref(), Some("ha-web-db"));
    typed(&mut s, "ha-web-db");
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Cmd::Perform {
            id: 1,
            op: Operation::Failover {
                db: "ha-web-db".into(),
                cluster: None,
                target: None
            }
        }]
    );
}

#[test]
fn delete_is_refused_while_deletion_protection_is_on() {
    let mut s = on_database(db(true));
    s.focus = PanelId::Stack;
    update(&mut s, key('X'));
    let c = confirm(&s);
    assert!(c.op.is_none());
    assert!(c.lines[0].contains("deletion protection is on for ha-web-db"));
}

fn review(replacement: &str) -> Review {
    Review {
        stack: "ha-web".into(),
        plan: DeployPlan {
            create: false,
            parameters: BTreeMap::new(),
            changed: vec![(
                "DbInstanceClass".into(),
                Some("db.t3.micro".into()),
                "db.t3.small".into(),
            )],
        },
        set: ChangeSet {
            id: "arn:cs".into(),
            status: "CREATE_COMPLETE".into(),
            status_reason: None,
            changes: vec![ResourceChange {
                action: "Modify".into(),
                logical_id: "Db".into(),
                resource_type: "AWS::RDS::DBInstance".into(),
                replacement: Some(replacement.into()),
                physical_id: None,
            }],
        },
        existing: None,
    }
}

#[test]
fn deploy_reviews_the_change_set_and_esc_discards_and_audits_it() {
    let mut s = State::new("ha-web", "test", Arc::new(Keymap::builtin()), t0());
    s.focus = PanelId::Stack;
    assert_eq!(
        update(&mut s, key('D')),
        vec![Cmd::Review(Default::default())]
    );
    assert!(s.reviewing);
    update(&mut s, Msg::Reviewed(Ok(Box::new(review("False")))));
    let c = confirm(&s);
    assert!(c.typed.is_none(), "nothing stateful is replaced");
    assert!(
        c.lines
            .iter()
            .any(|l| l.contains("DbInstanceClass: db.t3.micro → db.t3.small"))
    );
    let cmds = update(&mut s, code(KeyCode::Esc));
    assert!(
        matches!(&cmds[0], Cmd::Discard { change_set, create: false } if change_set == "arn:cs")
    );
    assert!(matches!(
        &cmds[1],
        Cmd::Audit {
            outcome: Outcome::Declined,
            op: Operation::Deploy { .. },
            ..
        }
    ));
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn replacing_the_database_needs_the_stack_name_typed() {
    let mut s = State::new("ha-web", "test", Arc::new(Keymap::builtin()), t0());
    update(&mut s, Msg::Reviewed(Ok(Box::new(review("True")))));
    let c = confirm(&s);
    assert_eq!(c.typed.as_deref(), Some("ha-web"));
    assert!(c.warnings.iter().any(|w| w.contains("Db replaced (True)")));
}

#[test]
fn read_only_refuses_every_mutating_action_and_hides_them() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    s.read_only = true;
    for c in ['+', '-', 's', 'x', 'X', 'U', 'b', 'B'] {
        assert!(update(&mut s, key(c)).is_empty(), "{c}");
        assert_eq!(s.overlay, Overlay::None, "{c}");
        assert!(s.flash.as_ref().unwrap().text.contains("read-only"), "{c}");
    }
    assert!(run_command_line(&mut s, "deploy DesiredCapacity=3").is_empty());
    assert!(
        completions(&s, "sca").is_empty(),
        "scale is hidden from completion"
    );
    let help: String = crate::ui::help_lines(&s, crate::ui::theme::Theme::new(false))
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!help.contains(":scale_up") && !help.contains(":failover"));
    assert!(help.contains(":refresh"));
}

#[test]
fn one_action_at_a_time_and_the_verdict_is_kept() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('+'));
    update(&mut s, key('y'));
    update(&mut s, code(KeyCode::Esc)); // hide the progress view: it keeps running
    assert_eq!(s.overlay, Overlay::None);
    assert!(update(&mut s, key('+')).is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("still running"));
    // q only warns while the action runs; a second q quits.
    assert!(update(&mut s, key('q')).is_empty());
    update(
        &mut s,
        Msg::Progress {
            id: 1,
            progress: crate::ops::Progress::Event("i-9: Pending (new)".into()),
        },
    );
    let cmds = update(
        &mut s,
        Msg::Finished {
            id: 1,
            result: Ok(Verdict::ok("web-asg: 3 in service")),
        },
    );
    assert_eq!(cmds, vec![Cmd::RefreshAll]);
    let a = s.activity.as_ref().unwrap();
    assert_eq!(a.lines, ["i-9: Pending (new)"]);
    assert!(!a.running());
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("done: web-asg: 3 in service")
    );
    update(&mut s, key('a'));
    assert_eq!(
        s.overlay,
        Overlay::Activity,
        "the verdict can be read again"
    );
    update(&mut s, key('a'));
    assert_eq!(update(&mut s, key('q')), vec![Cmd::Quit]);
}

#[test]
fn instance_and_alarm_actions_confirm_the_selected_row() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('j'));
    update(&mut s, key('X'));
    assert_eq!(
        confirm(&s).op,
        Some(Operation::Instance {
            group: "web-asg".into(),
            instance: "i-1".into(),
            action: crate::ops::InstanceAction::Terminate { decrement: true }
        })
    );
    update(&mut s, code(KeyCode::Esc));
    let alarm = Alarm {
        name: "cpu-high".into(),
        state: "OK".into(),
        reason: None,
        since: None,
        namespace: None,
        metric: None,
        statistic: None,
        period_secs: None,
        threshold: None,
        comparison: None,
        dimensions: BTreeMap::new(),
        actions_enabled: true,
    };
    update(
        &mut s,
        polled(
            PanelId::Alarms,
            PanelData::Alarms(AlarmsPanel {
                alarms: vec![alarm],
                history: BTreeMap::new(),
                errors: vec![],
            }),
        ),
    );
    s.focus = PanelId::Alarms;
    update(&mut s, key('M'));
    assert!(s.flash.as_ref().unwrap().text.contains("already unmuted"));
    update(&mut s, key('m'));
    assert_eq!(
        confirm(&s).op,
        Some(Operation::AlarmActions {
            alarm: "cpu-high".into(),
            enabled: false
        })
    );
}
