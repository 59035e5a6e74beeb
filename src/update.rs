//! `update`: the pure state machine of the console. A message in, the state changed and the
//! effects to run out; no I/O, no clock (time comes in `Msg::Tick`).
mod actions;
mod command;
mod keys;
mod sessions;

use crate::action::Action;
use crate::msg::{Cmd, Msg, PanelData};
use crate::state::{Flash, Overlay, PanelId, State, with_feed};

pub use command::{completions, run_command_line};

/// Applies one message. Returns the effects to run, in order.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Action(action) => on_action(state, action),
        Msg::Tick { now } => {
            state.now = now;
            // Flash messages fade after a while so they never mask newer news.
            if state
                .flash
                .as_ref()
                .is_some_and(|f| (now - f.at).num_seconds() >= 8)
            {
                state.flash = None;
            }
            vec![]
        }
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            vec![]
        }
        Msg::PollStarted { panel, stack } => {
            if stack == state.stack {
                set_polling(state, panel);
            }
            vec![]
        }
        Msg::Polled {
            panel,
            stack,
            at,
            result,
        } => {
            if stack != state.stack {
                return vec![]; // a late answer about the stack we just switched away from
            }
            on_polled(state, panel, at, result)
        }
        Msg::Resumed => vec![Cmd::RefreshAll],
        Msg::Reviewed(result) => actions::reviewed(state, result),
        Msg::Progress { id, progress } => {
            actions::progress(state, id, progress);
            vec![]
        }
        Msg::Finished { id, result } => actions::finished(state, id, result),
        Msg::Terminated => {
            state.quitting = true;
            sessions::close_all_on_quit(state);
            vec![Cmd::Quit]
        }
        Msg::ShellReady(result) => sessions::shell_ready(state, result),
        Msg::ShellEnded(ended) => sessions::shell_ended(state, ended),
        Msg::Tunnel { id, update } => sessions::tunnel_update(state, id, update),
    }
}

fn set_polling(state: &mut State, panel: PanelId) {
    with_feed!(mut state, panel, |f| f.polling = true);
}

fn on_polled(
    state: &mut State,
    panel: PanelId,
    at: chrono::DateTime<chrono::Utc>,
    result: Result<PanelData, crate::aws::AwsError>,
) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match result {
        Ok(PanelData::Stack(data)) => {
            // Discovery rides on the stack poll: new or changed resources restart the data
            // pollers on them (an ASG replaced by an update has a new name).
            if state.resources.as_ref() != Some(&data.resources) {
                state.resources = Some(data.resources.clone());
                cmds.push(Cmd::WatchResources(data.resources.clone()));
            }
            state.stack_feed.accept(at, Ok(data));
        }
        Ok(PanelData::Targets(data)) => state.targets.accept(at, Ok(data)),
        Ok(PanelData::Capacity(data)) => state.capacity.accept(at, Ok(data)),
        Ok(PanelData::Database(data)) => state.database.accept(at, Ok(data)),
        Ok(PanelData::Alarms(data)) => state.alarms.accept(at, Ok(data)),
        Ok(PanelData::Zones(data)) => state.zones.accept(at, Ok(data)),
        Err(e) => with_feed!(mut state, panel, |f| f.accept(at, Err(e))),
    }
    keep_selection_visible(state, panel);
    cmds
}

/// After new rows arrive the selection stays on the same resource id; if that resource is
/// gone, it moves to the row now at the same place.
fn keep_selection_visible(state: &mut State, panel: PanelId) {
    let ids = state.row_ids(panel);
    let view = state.view_mut(panel);
    match &view.selected {
        Some(id) if ids.contains(id) => {}
        _ => view.selected = ids.first().cloned(),
    }
}

pub(crate) fn flash(state: &mut State, text: impl Into<String>, is_error: bool) {
    state.flash = Some(Flash {
        text: text.into(),
        is_error,
        at: state.now,
    });
}

/// Rows a page moves: the visible height of a table, roughly.
fn page_rows(state: &State) -> usize {
    (state.height as usize).saturating_sub(8).max(1)
}

fn move_selection(state: &mut State, delta: isize, to_end: Option<bool>) {
    let panel = state.focus;
    let ids = state.row_ids(panel);
    if ids.is_empty() {
        return;
    }
    let current = state.selected_index(panel).unwrap_or(0) as isize;
    let last = ids.len() as isize - 1;
    let target = match to_end {
        Some(true) => last,
        Some(false) => 0,
        None => (current + delta).clamp(0, last),
    };
    state.view_mut(panel).selected = Some(ids[target as usize].clone());
}

const QUIT_WARNING: &str = "an action is still running";

/// What an action does. Shared by keys and the command line.
pub fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    let focus = |state: &mut State, panel: PanelId| {
        state.focus = panel;
        vec![]
    };
    if action.is_dangerous() {
        return actions::on_dangerous(state, action);
    }
    if action.opens_session() || matches!(action, Action::Tunnels | Action::CloseTunnel) {
        return sessions::on_action(state, action);
    }
    match action {
        Action::Quit => {
            // Quitting never stops an operation in AWS, but it stops following it (and its
            // audit record would have no outcome): the first quit while one runs only warns.
            let running = state.activity.as_ref().is_some_and(|a| a.running());
            let warned = state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.starts_with(QUIT_WARNING));
            if running && !warned {
                flash(
                    state,
                    format!("{QUIT_WARNING}: quit again to leave it running unobserved"),
                    true,
                );
                return vec![];
            }
            state.quitting = true;
            sessions::close_all_on_quit(state);
            vec![Cmd::Quit]
        }
        Action::Help => {
            state.overlay = match state.overlay {
                Overlay::Help { .. } => Overlay::None,
                _ => Overlay::Help { scroll: 0 },
            };
            vec![]
        }
        Action::Refresh => vec![Cmd::Refresh(state.focus)],
        Action::RefreshAll => vec![Cmd::RefreshAll],
        Action::FocusNext => focus(state, state.focus.next()),
        Action::FocusPrev => focus(state, state.focus.prev()),
        Action::FocusStack => focus(state, PanelId::Stack),
        Action::FocusTargets => focus(state, PanelId::Targets),
        Action::FocusCapacity => focus(state, PanelId::Capacity),
        Action::FocusDatabase => focus(state, PanelId::Database),
        Action::FocusAlarms => focus(state, PanelId::Alarms),
        Action::FocusZones => focus(state, PanelId::Zones),
        Action::Zoom => {
            state.zoomed = !state.zoomed;
            vec![]
        }
        Action::CommandLine => {
            state.overlay = Overlay::Command(Default::default());
            vec![]
        }
        Action::Filter => {
            let text = state.view(state.focus).filter.clone();
            state.overlay = Overlay::Filter(crate::state::TextInput {
                text,
                ..Default::default()
            });
            vec![]
        }
        Action::Suspend => vec![Cmd::Suspend],
        Action::SelectNext | Action::SelectPrev if state.overlay == Overlay::Tunnels => {
            let delta = if action == Action::SelectNext { 1 } else { -1 };
            state.tunnels.move_selection(delta);
            vec![]
        }
        Action::SelectNext => scroll_or_select(state, 1),
        Action::SelectPrev => scroll_or_select(state, -1),
        Action::PageDown => {
            let page = page_rows(state) as isize;
            scroll_or_select(state, page)
        }
        Action::PageUp => {
            let page = page_rows(state) as isize;
            scroll_or_select(state, -page)
        }
        Action::SelectFirst => {
            move_selection(state, 0, Some(false));
            vec![]
        }
        Action::SelectLast => {
            move_selection(state, 0, Some(true));
            vec![]
        }
        Action::Close => match state.overlay {
            Overlay::Confirm(_) => actions::decline(state),
            _ => {
                state.overlay = Overlay::None;
                vec![]
            }
        },
        Action::Activity => {
            match (&state.overlay, &state.activity) {
                (Overlay::Activity, _) => state.overlay = Overlay::None,
                (_, Some(_)) => state.overlay = Overlay::Activity,
                (_, None) => flash(state, "no action has run yet", false),
            }
            vec![]
        }
        Action::Confirm => actions::accept(state, false),
        Action::NextField => {
            if let Overlay::ScaleForm(form) = &mut state.overlay {
                form.field = (form.field + 1) % form.fields.len();
            }
            vec![]
        }
        // Only meaningful while typing; handled in `keys`.
        Action::Submit | Action::Complete => vec![],
        // Every dangerous action returned above.
        _ => vec![],
    }
}

/// In the help overlay the list keys scroll it; elsewhere they move the selection.
fn scroll_or_select(state: &mut State, delta: isize) -> Vec<Cmd> {
    if let Overlay::Help { scroll } = &mut state.overlay {
        *scroll = (*scroll as isize + delta).max(0) as u16;
    } else {
        move_selection(state, delta, None);
    }
    vec![]
}

#[cfg(test)]
mod action_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;
