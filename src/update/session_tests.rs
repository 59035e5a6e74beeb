//! `update` tests of Session Manager in the console: a shell is started off the UI task and
//! handed the terminal, sessions are refused read-only, tunnels go starting → open → closed,
//! quitting closes them, and `:run` confirms exactly the in-service instances.
use super::action_tests::{code, confirm, db, group, key, on_capacity, on_database, polled, typed};
use super::*;
use crate::domain::CapacityPanel;
use crate::msg::{Cmd, Msg, PanelData, TunnelUpdate};
use crate::ops::Operation;
use crate::ssm::tunnel::Event;
use crate::state::{Overlay, PanelId, TunnelStatus};
use crossterm::event::KeyCode;

fn prepared() -> crate::ssm::Prepared {
    crate::ssm::Prepared {
        target: "i-0".into(),
        session_id: "s-1".into(),
        invocation: crate::ssm::plugin::Invocation {
            program: "/bin/false".into(),
            args: vec!["AWS_SSM_START_SESSION_RESPONSE".into()],
            env: vec![],
        },
        advice: None,
    }
}

#[test]
fn shell_starts_off_the_ui_task_then_hands_the_terminal_over() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    assert_eq!(
        update(&mut s, key('S')),
        vec![Cmd::StartShell {
            instance: "i-0".into()
        }]
    );
    assert!(s.shell_starting);
    assert!(
        update(&mut s, key('S')).is_empty(),
        "a second shell is not started while one is starting"
    );
    let cmds = update(&mut s, Msg::ShellReady(Ok(Box::new(prepared()))));
    assert_eq!(cmds, vec![Cmd::HandOver(Box::new(prepared()))]);
    assert!(!s.shell_starting);
}

#[test]
fn a_session_that_could_not_start_says_why_and_one_that_failed_is_terminated() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('S'));
    let cmds = update(
        &mut s,
        Msg::ShellReady(Err(
            "session-manager-plugin was not found on PATH: install…".into(),
        )),
    );
    assert!(cmds.is_empty());
    let flash = s.flash.clone().unwrap();
    assert!(
        flash.is_error && flash.text.contains("not found on PATH"),
        "{flash:?}"
    );
    // The whole message, with its fix, wrapped in a modal: the bottom line would cut it.
    assert!(
        matches!(&s.overlay, Overlay::Message { text, .. } if text.contains("install")),
        "{:?}",
        s.overlay
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);

    let ended = |code| crate::ssm::shell::Ended {
        target: "i-0".into(),
        session_id: "s-1".into(),
        exit_code: code,
        spawn_error: None,
        elapsed: std::time::Duration::from_secs(2),
    };
    assert_eq!(
        update(&mut s, Msg::ShellEnded(ended(None))),
        vec![Cmd::TerminateSession("s-1".into())],
        "a killed plugin may leave its session open"
    );
    assert!(s.flash.as_ref().unwrap().text.contains("killed"));
    assert!(
        update(&mut s, Msg::ShellEnded(ended(Some(0)))).is_empty(),
        "a clean exit was closed by the plugin itself"
    );
}

#[test]
fn read_only_refuses_sessions_and_hides_them_from_completion() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    s.read_only = true;
    assert!(update(&mut s, key('S')).is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("read-only"));
    s.focus = PanelId::Database;
    assert!(update(&mut s, key('t')).is_empty());
    let words = completions(&s, "");
    assert!(
        !words
            .iter()
            .any(|w| w == "shell" || w == "open_tunnel" || w == "run_command")
    );
    let cmds = run_command_line(&mut s, "run uptime");
    assert!(
        cmds.is_empty() && s.overlay == Overlay::None,
        "{:?}",
        s.overlay
    );
}

fn with_endpoint_and_instances() -> State {
    let mut d = db(true);
    d.endpoint = Some("db.example".into());
    d.port = Some(5432);
    let mut s = on_database(d);
    update(
        &mut s,
        polled(
            PanelId::Capacity,
            PanelData::Capacity(CapacityPanel {
                groups: vec![group(1, 2, 4, 2)],
                activities: vec![],
            }),
        ),
    );
    s
}

#[test]
fn a_tunnel_goes_through_a_healthy_instance_and_is_listed_until_closed() {
    let mut s = with_endpoint_and_instances();
    let cmds = update(&mut s, key('t'));
    assert_eq!(
        cmds,
        vec![Cmd::OpenTunnel {
            id: 0,
            host: "db.example".into(),
            remote_port: 5432,
            via: "i-0".into()
        }]
    );
    assert_eq!(s.overlay, Overlay::Tunnels);
    assert_eq!(s.tunnels.rows[0].status, TunnelStatus::Starting);
    let tunnel = |u| Msg::Tunnel { id: 0, update: u };
    update(&mut s, tunnel(TunnelUpdate::Port(15432)));
    update(&mut s, tunnel(TunnelUpdate::Event(Event::Listening)));
    update(&mut s, tunnel(TunnelUpdate::Event(Event::Connection)));
    let row = &s.tunnels.rows[0];
    assert_eq!(
        (row.local_port, &row.status, row.connections),
        (Some(15432), &TunnelStatus::Open, 1)
    );
    assert!(s.flash.as_ref().unwrap().text.contains("127.0.0.1:15432"));
    assert_eq!(update(&mut s, key('x')), vec![Cmd::CloseTunnel(0)]);
    assert_eq!(s.tunnels.rows[0].status, TunnelStatus::Closing);
    update(
        &mut s,
        tunnel(TunnelUpdate::Event(Event::Closed {
            reason: "closed on request".into(),
            ok: true,
        })),
    );
    assert_eq!(s.tunnels.live(), 0);
    assert!(
        update(&mut s, key('x')).is_empty(),
        "a closed tunnel is not closed twice"
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn a_tunnel_that_dies_is_an_error_and_quitting_closes_the_live_ones() {
    let mut s = with_endpoint_and_instances();
    update(&mut s, key('t'));
    update(&mut s, key('t')); // the list has the keys now: t is not bound there
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('t'));
    assert_eq!(s.tunnels.live(), 2);
    update(
        &mut s,
        Msg::Tunnel {
            id: 0,
            update: TunnelUpdate::Event(Event::Closed {
                reason: "the plugin exited with code 255: TargetNotConnected".into(),
                ok: false,
            }),
        },
    );
    let flash = s.flash.clone().unwrap();
    assert!(
        flash.is_error && flash.text.contains("TargetNotConnected"),
        "{flash:?}"
    );
    assert!(
        matches!(&s.overlay, Overlay::Message { text, .. } if text.contains("TargetNotConnected")),
        "{:?}",
        s.overlay
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(update(&mut s, key('q')), vec![Cmd::Quit]);
    assert!(
        s.tunnels
            .rows
            .iter()
            .all(|t| t.status != TunnelStatus::Open && t.status != TunnelStatus::Starting)
    );
}

#[test]
fn run_confirms_the_command_on_exactly_the_in_service_instances() {
    let mut g = group(1, 3, 4, 3);
    g.instances[2].lifecycle = "Standby".into();
    let mut s = on_capacity(g);
    update(&mut s, key('!'));
    assert!(matches!(&s.overlay, Overlay::Command(i) if i.text == "run "));
    typed(&mut s, "uptime  -p");
    update(&mut s, code(KeyCode::Enter));
    let c = confirm(&s);
    assert_eq!(
        c.op,
        Some(Operation::RunCommand {
            group: "web-asg".into(),
            instances: vec!["i-0".into(), "i-1".into()],
            command: "uptime  -p".into(),
            timeout_secs: crate::ops::command::DEFAULT_TIMEOUT_SECS,
        })
    );
    assert!(
        update(&mut s, code(KeyCode::Enter)).is_empty(),
        "enter alone never runs it"
    );
    let cmds = update(&mut s, key('y'));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Perform {
                op: Operation::RunCommand { .. },
                ..
            }]
        ),
        "{cmds:?}"
    );
    let mut s = on_capacity(group(1, 2, 4, 2));
    assert!(run_command_line(&mut s, "run   ").is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("no command given"));
}

#[test]
fn keys_typed_while_a_shell_starts_do_not_act_and_esc_cancels_it() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('S'));
    // Typed ahead for the remote shell: "-" then "y" must not scale the group down.
    assert!(update(&mut s, key('-')).is_empty());
    assert!(update(&mut s, key('y')).is_empty());
    assert_eq!(s.overlay, Overlay::None, "no confirmation opened");
    assert!(s.flash.as_ref().unwrap().text.contains("not acted on"));
    // Esc cancels: the session AWS opens meanwhile is ended, not handed over.
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
    assert!(!s.shell_starting);
    assert_eq!(
        update(&mut s, Msg::ShellReady(Ok(Box::new(prepared())))),
        vec![Cmd::TerminateSession("s-1".into())]
    );
    // Back to normal: keys act again, and the next shell is handed over.
    update(&mut s, key('S'));
    assert!(matches!(
        &update(&mut s, Msg::ShellReady(Ok(Box::new(prepared()))))[..],
        [Cmd::HandOver(_)]
    ));
}

#[test]
fn quit_still_quits_while_a_shell_starts_and_a_late_failure_does_not_cover_a_confirmation() {
    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('S'));
    assert_eq!(update(&mut s, key('q')), vec![Cmd::Quit]);

    let mut s = on_capacity(group(1, 2, 4, 2));
    update(&mut s, key('S'));
    update(&mut s, Msg::ShellReady(Err("StartSession failed".into())));
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('+'));
    assert!(matches!(s.overlay, Overlay::Confirm(_)));
    // A tunnel failing now must not replace the confirmation the user is reading.
    s.tunnels.push(crate::state::TunnelRow {
        id: 7,
        db: "ha-web-db".into(),
        engine: "postgres".into(),
        host: "db.example".into(),
        remote_port: 5432,
        via: "i-0".into(),
        local_port: Some(5432),
        session_id: None,
        opened_at: s.now,
        status: TunnelStatus::Starting,
        connections: 0,
    });
    update(
        &mut s,
        Msg::Tunnel {
            id: 7,
            update: TunnelUpdate::Event(Event::Closed {
                reason: "StartSession failed".into(),
                ok: false,
            }),
        },
    );
    assert!(matches!(s.overlay, Overlay::Confirm(_)), "{:?}", s.overlay);
}
