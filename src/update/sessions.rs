//! Session Manager in the console: a shell on the selected instance (the terminal is handed
//! to the plugin), tunnels to the database and their list, and Run Command on the group.
use super::flash;
use crate::action::Action;
use crate::msg::{Cmd, TunnelUpdate};
use crate::ops::Operation;
use crate::ssm::tunnel::Event;
use crate::state::{Confirm, Overlay, PanelId, State, TextInput, TunnelRow, TunnelStatus};

pub(super) fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    if state.read_only && action.opens_session() {
        flash(state, crate::ssm::READ_ONLY_REFUSAL, true);
        return vec![];
    }
    match action {
        Action::Shell => shell(state),
        Action::OpenTunnel => open_tunnel(state),
        Action::Tunnels => {
            state.overlay = match state.overlay {
                Overlay::Tunnels => Overlay::None,
                _ => Overlay::Tunnels,
            };
            vec![]
        }
        Action::CloseTunnel => close_selected(state),
        _ => vec![],
    }
}

fn shell(state: &mut State) -> Vec<Cmd> {
    if state.shell_starting {
        flash(state, "a session is already starting", true);
        return vec![];
    }
    let selected = state.view(PanelId::Capacity).selected.clone();
    let instance = state.capacity.data.as_ref().and_then(|c| {
        c.groups
            .iter()
            .flat_map(|g| &g.instances)
            .find(|i| Some(&i.id) == selected.as_ref())
            .cloned()
    });
    let Some(instance) = instance else {
        flash(
            state,
            "select an instance in the capacity panel first",
            true,
        );
        return vec![];
    };
    // Not refused when out of service: a standby or unhealthy instance is often exactly the
    // one to look at; the message says its state.
    let state_note = if instance.lifecycle == "InService" {
        String::new()
    } else {
        format!(" ({})", instance.lifecycle)
    };
    let text = format!("starting a session on {}{state_note}…", instance.id);
    flash(state, text, false);
    state.shell_starting = true;
    vec![Cmd::StartShell {
        instance: instance.id,
    }]
}

/// A key while a shell session is being started: quit still quits, close (esc) cancels the
/// shell, anything else is not acted on (it was typed ahead for the remote shell).
pub(super) fn key_while_starting(state: &mut State, action: Option<Action>) -> Vec<Cmd> {
    match action {
        Some(Action::Quit) => super::on_action(state, Action::Quit),
        Some(Action::Close) => {
            state.shell_starting = false;
            state.shell_cancelled = true;
            flash(
                state,
                "shell cancelled: its session is ended as soon as AWS has opened it",
                false,
            );
            vec![]
        }
        _ => {
            let contexts = state.key_contexts();
            let esc = state.keymap.key_in(&contexts, Action::Close);
            let esc = esc.unwrap_or_default();
            let text =
                format!("starting a session: keys are not acted on meanwhile ({esc} cancels)");
            flash(state, text, false);
            vec![]
        }
    }
}

pub(super) fn shell_ready(
    state: &mut State,
    result: Result<Box<crate::ssm::Prepared>, String>,
) -> Vec<Cmd> {
    state.shell_starting = false;
    if std::mem::take(&mut state.shell_cancelled) {
        return match result {
            Ok(prepared) => vec![Cmd::TerminateSession(prepared.session_id)],
            Err(_) => vec![],
        };
    }
    match result {
        Ok(prepared) => vec![Cmd::HandOver(prepared)],
        Err(e) => {
            flash(state, format!("no session: {e}"), true);
            // The fix (an install link, the instance profile) is longer than the bottom line;
            // shown unless the user has moved on to something else.
            if matches!(state.overlay, Overlay::None | Overlay::Tunnels) {
                state.overlay = Overlay::Message {
                    title: "No session".into(),
                    text: e,
                };
            }
            vec![]
        }
    }
}

pub(super) fn shell_ended(state: &mut State, ended: crate::ssm::shell::Ended) -> Vec<Cmd> {
    let failed = ended.exit_code != Some(0);
    flash(state, ended.summary(), failed);
    if ended.needs_terminate() {
        vec![Cmd::TerminateSession(ended.session_id)]
    } else {
        vec![]
    }
}

fn open_tunnel(state: &mut State) -> Vec<Cmd> {
    let Some(panel) = state.database.data.as_ref() else {
        flash(state, "database not loaded yet: wait for the panel", true);
        return vec![];
    };
    let selected = state.view(PanelId::Database).selected.clone();
    let db = panel
        .databases
        .iter()
        .find(|d| Some(&d.identifier) == selected.as_ref())
        .or_else(|| panel.databases.first());
    let Some(db) = db else {
        flash(state, "the stack has no database", true);
        return vec![];
    };
    let (Some(host), Some(port)) = (db.endpoint.clone(), db.port) else {
        let text = format!(
            "{} has no endpoint yet (status {})",
            db.identifier, db.status
        );
        flash(state, text, true);
        return vec![];
    };
    let Ok(remote_port) = u16::try_from(port) else {
        flash(
            state,
            format!("{} reports port {port}", db.identifier),
            true,
        );
        return vec![];
    };
    let groups = state
        .capacity
        .data
        .as_ref()
        .map(|c| c.groups.clone())
        .unwrap_or_default();
    let Some(via) = crate::ssm::healthy_instance(&groups) else {
        flash(
            state,
            "no in-service, healthy instance to tunnel through (see the capacity panel)",
            true,
        );
        return vec![];
    };
    let id = state.tunnels.next_id;
    state.tunnels.next_id += 1;
    let (db_id, engine) = (db.identifier.clone(), db.engine.clone());
    state.tunnels.push(TunnelRow {
        id,
        db: db_id,
        engine,
        host: host.clone(),
        remote_port,
        via: via.clone(),
        local_port: None,
        session_id: None,
        opened_at: state.now,
        status: TunnelStatus::Starting,
        connections: 0,
    });
    state.overlay = Overlay::Tunnels;
    vec![Cmd::OpenTunnel {
        id,
        host,
        remote_port,
        via,
    }]
}

fn close_selected(state: &mut State) -> Vec<Cmd> {
    let Some(row) = state.tunnels.selected_row() else {
        flash(state, "no tunnel to close", false);
        return vec![];
    };
    if !row.is_live() {
        flash(state, "that tunnel is already closed", false);
        return vec![];
    }
    let id = row.id;
    if let Some(row) = state.tunnels.get_mut(id) {
        row.status = TunnelStatus::Closing;
    }
    vec![Cmd::CloseTunnel(id)]
}

pub(super) fn tunnel_update(state: &mut State, id: u64, update: TunnelUpdate) -> Vec<Cmd> {
    let now = state.now;
    let Some(row) = state.tunnels.get_mut(id) else {
        return vec![];
    };
    let mut news = None;
    let mut message = None;
    match update {
        TunnelUpdate::Port(p) => row.local_port = Some(p),
        TunnelUpdate::Session(s) => row.session_id = Some(s),
        TunnelUpdate::Event(Event::Listening) => {
            if row.status == TunnelStatus::Starting {
                row.status = TunnelStatus::Open;
                row.opened_at = now;
                news = Some((
                    format!(
                        "tunnel open: 127.0.0.1:{} → {}:{}",
                        row.local_port.unwrap_or_default(),
                        row.host,
                        row.remote_port
                    ),
                    false,
                ));
            }
        }
        TunnelUpdate::Event(Event::Connection) => row.connections += 1,
        // Logged by the tunnel's task; the list shows state, not the plugin's chatter.
        TunnelUpdate::Event(Event::Output(_)) => {}
        TunnelUpdate::Event(Event::Closed { reason, ok }) => {
            let failed = !ok && row.status != TunnelStatus::Closing;
            news = Some((format!("tunnel to {} closed: {reason}", row.db), failed));
            if failed {
                message = Some((format!("Tunnel to {} closed", row.db), reason.clone()));
            }
            row.status = TunnelStatus::Closed { reason, ok };
        }
    }
    if let Some((text, is_error)) = news {
        flash(state, text, is_error);
    }
    // Why it failed, whole (the list and the bottom line cut it), unless the user is in the
    // middle of something else.
    if let Some((title, text)) = message
        && matches!(state.overlay, Overlay::None | Overlay::Tunnels)
    {
        state.overlay = Overlay::Message { title, text };
    }
    vec![]
}

/// Quitting closes every live tunnel (the effects wait for them before the console exits).
pub(super) fn close_all_on_quit(state: &mut State) {
    for row in state.tunnels.rows.iter_mut().filter(|t| t.is_live()) {
        row.status = TunnelStatus::Closing;
    }
}

/// The `run` key: the command line, ready for the command.
pub(super) fn open_run_prompt(state: &mut State) -> Vec<Cmd> {
    state.overlay = Overlay::Command(TextInput {
        text: "run ".into(),
        ..Default::default()
    });
    vec![]
}

/// `:run CMD`: confirm running CMD on the group's in-service instances.
pub(super) fn confirm_run(state: &mut State, command: &str) -> Vec<Cmd> {
    let command = match crate::ops::command::validate(command) {
        Ok(c) => c,
        Err(e) => {
            flash(state, e, true);
            return vec![];
        }
    };
    let group = match super::actions::the_group(state) {
        Ok(g) => g.clone(),
        Err(e) => {
            flash(state, e, true);
            return vec![];
        }
    };
    let instances = crate::ops::command::in_service_ids(&group);
    if instances.is_empty() {
        flash(
            state,
            format!("not sent: {} has no instance in service", group.name),
            true,
        );
        return vec![];
    }
    let op = Operation::RunCommand {
        group: group.name.clone(),
        instances: instances.clone(),
        command: command.clone(),
        timeout_secs: crate::ops::command::DEFAULT_TIMEOUT_SECS,
    };
    let mut c = Confirm::new(
        format!("Run a command on {} instance(s)", instances.len()),
        Some(op),
    );
    c.lines.push(format!("command:   {command}"));
    c.lines.push(format!("group:     {}", group.name));
    c.lines.push(format!("instances: {}", instances.join(", ")));
    c.lines.push(format!(
        "stopped after {}s on an instance; output in the progress view",
        crate::ops::command::DEFAULT_TIMEOUT_SECS
    ));
    c.warnings
        .push("it runs as root on every instance listed, all at once".into());
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}
