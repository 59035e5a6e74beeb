//! The `:` command line: `stack NAME`, a panel name to jump to it, or any action by name;
//! with Tab completion over all of them.
use super::{flash, on_action};
use crate::action::Action;
use crate::msg::Cmd;
use crate::state::{Overlay, PanelId, State};

/// Every word the command line accepts, for completion.
fn vocabulary(state: &State) -> Vec<String> {
    let mut words: Vec<String> = vec!["stack ".to_string()];
    words.extend(PanelId::all().map(|p| p.name().to_string()));
    let contexts = [
        state.focus.context(),
        crate::action::Context::List,
        crate::action::Context::Global,
    ];
    // Actions of the focused panel first (its own context), then the rest that can run here.
    for ctx in contexts {
        for (_, action) in state.keymap.bindings(ctx) {
            let name = action.name().to_string();
            let hidden = state.read_only && action.refused_read_only();
            if action.is_command() && !hidden && !words.contains(&name) {
                words.push(name);
            }
        }
    }
    for action in
        Action::all().filter(|a| a.is_command() && !(state.read_only && a.refused_read_only()))
    {
        let name = action.name().to_string();
        if !words.contains(&name) {
            words.push(name);
        }
    }
    words
}

/// Candidates for what has been typed so far, in vocabulary order.
pub fn completions(state: &State, typed: &str) -> Vec<String> {
    let typed = typed.trim_start();
    vocabulary(state)
        .into_iter()
        .filter(|w| w.starts_with(typed) && w != typed)
        .collect()
}

/// Tab: complete to the next candidate, cycling on repeated Tab.
pub(super) fn complete(state: &mut State) {
    let Overlay::Command(input) = &state.overlay else {
        return;
    };
    if input.completions.is_empty() {
        let found = completions(state, &input.text);
        let Overlay::Command(input) = &mut state.overlay else {
            return;
        };
        if found.is_empty() {
            return;
        }
        input.completions = found;
        input.completion_index = 0;
    } else {
        let Overlay::Command(input) = &mut state.overlay else {
            return;
        };
        input.completion_index = (input.completion_index + 1) % input.completions.len();
    }
    let Overlay::Command(input) = &mut state.overlay else {
        return;
    };
    input.text = input.completions[input.completion_index].clone();
}

pub(super) fn submit(state: &mut State) -> Vec<Cmd> {
    let Overlay::Command(input) = std::mem::take(&mut state.overlay) else {
        return vec![];
    };
    run_command_line(state, &input.text)
}

/// Runs one command line. Errors are shown as a flash, never silently ignored.
pub fn run_command_line(state: &mut State, line: &str) -> Vec<Cmd> {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return vec![];
    };
    let rest: Vec<&str> = words.collect();
    if first == "stack" {
        return match rest.as_slice() {
            [name] if valid_stack_name(name) => {
                if *name == state.stack {
                    flash(state, format!("already on stack {name}"), false);
                    return vec![];
                }
                state.switch_stack(name);
                flash(state, format!("switched to stack {name}"), false);
                vec![Cmd::WatchStack(name.to_string())]
            }
            [name] => {
                flash(
                    state,
                    format!(
                        "{name:?} is not a stack name (letters, digits and -, starting with a letter)"
                    ),
                    true,
                );
                vec![]
            }
            _ => {
                flash(state, "usage: :stack NAME", true);
                vec![]
            }
        };
    }
    if first == "run" {
        if state.read_only || state.activity.as_ref().is_some_and(|a| a.running()) {
            return super::actions::on_dangerous(state, Action::RunCommand);
        }
        // The command is everything after "run", spacing kept.
        let command = line.trim_start().strip_prefix("run").unwrap_or_default();
        return super::sessions::confirm_run(state, command);
    }
    if first == "deploy" && !rest.is_empty() {
        if state.read_only {
            return super::actions::on_dangerous(state, Action::Deploy);
        }
        return match crate::ops::deploy::request_from_words(&rest) {
            Ok(request) => super::actions::deploy(state, request),
            Err(e) => {
                flash(
                    state,
                    format!("deploy: {e:#} (usage: :deploy [preset=NAME] [Param=VALUE]...)"),
                    true,
                );
                vec![]
            }
        };
    }
    if !rest.is_empty() {
        flash(state, format!("{first} takes no arguments"), true);
        return vec![];
    }
    if let Some(panel) = PanelId::from_name(first) {
        state.focus = panel;
        return vec![];
    }
    match Action::from_name(first).filter(|a| a.is_command()) {
        Some(action) => on_action(state, action),
        None if first == "q" => on_action(state, Action::Quit),
        None => {
            let hint = completions(state, first)
                .first()
                .map(|c| format!("; did you mean {}?", c.trim()))
                .unwrap_or_default();
            flash(
                state,
                format!("unknown command {first:?}{hint} (Tab completes)"),
                true,
            );
            vec![]
        }
    }
}

/// CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128.
fn valid_stack_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}
