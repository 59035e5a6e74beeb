//! Keys to actions through the merged keymap; text typed into the command line and filter.
use super::{actions, command, on_action};
use crate::action::Action;
use crate::msg::Cmd;
use crate::state::{Overlay, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    // While a shell session is being started, keys are typed ahead for the remote shell: none
    // may act on the console (a "-" then "y" would scale the group down).
    if state.shell_starting {
        let action = state.keymap.lookup(&state.key_contexts(), &key);
        return super::sessions::key_while_starting(state, action);
    }
    let plain_char = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    // While a name is typed into a confirmation, characters are text, never actions ("y"
    // inside a group name must not confirm).
    let typing_name = matches!(&state.overlay, Overlay::Confirm(c) if c.typed.is_some());
    let action = if typing_name && (plain_char || key.code == KeyCode::Backspace) {
        None
    } else {
        state.keymap.lookup(&state.key_contexts(), &key)
    };
    match (&state.overlay, action) {
        (Overlay::Confirm(_), Some(Action::Submit)) => actions::accept(state, true),
        (Overlay::Confirm(_), Some(Action::Close)) => actions::decline(state),
        (Overlay::Confirm(_), Some(Action::Confirm)) => actions::accept(state, false),
        (Overlay::Confirm(_), Some(Action::Quit)) => on_action(state, Action::Quit),
        (Overlay::Confirm(_), _) => {
            edit_text(state, key);
            vec![]
        }
        (Overlay::ScaleForm(_), Some(Action::Submit)) => actions::submit_scale_form(state),
        (Overlay::ScaleForm(_), Some(action)) => on_action(state, action),
        (Overlay::ScaleForm(_), None) => {
            edit_text(state, key);
            vec![]
        }
        (Overlay::Command(_), Some(Action::Submit)) => command::submit(state),
        (Overlay::Command(_), Some(Action::Complete)) => {
            command::complete(state);
            vec![]
        }
        (Overlay::Filter(input), Some(Action::Submit)) => {
            let text = input.text.clone();
            let panel = state.focus;
            state.view_mut(panel).filter = text;
            state.overlay = Overlay::None;
            super::keep_selection_visible(state, panel);
            vec![]
        }
        (Overlay::Filter(_), Some(Action::Close)) => {
            // Esc in the filter clears it: the quickest way back to every row.
            let panel = state.focus;
            state.view_mut(panel).filter.clear();
            state.overlay = Overlay::None;
            vec![]
        }
        (Overlay::Command(_) | Overlay::Filter(_), Some(action)) => on_action(state, action),
        (Overlay::Command(_) | Overlay::Filter(_), None) => {
            edit_text(state, key);
            vec![]
        }
        (_, Some(action)) => on_action(state, action),
        (_, None) => vec![],
    }
}

/// Text editing in a modal: the one place code looks at key codes (ARCHITECTURE rule 4).
fn edit_text(state: &mut State, key: KeyEvent) {
    let input = match &mut state.overlay {
        Overlay::Command(input) | Overlay::Filter(input) => input,
        Overlay::Confirm(c) if c.typed.is_some() => {
            c.error = None;
            &mut c.input
        }
        Overlay::ScaleForm(form) => {
            form.error = None;
            let field = &mut form.fields[form.field];
            match key.code {
                // Capacities are numbers: anything else would only be refused on submit.
                KeyCode::Char(c) if c.is_ascii_digit() => field.push(c),
                KeyCode::Backspace => {
                    field.pop();
                }
                _ => {}
            }
            return;
        }
        _ => return,
    };
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            input.text.push(c);
            input.completions.clear();
        }
        KeyCode::Backspace => {
            input.text.pop();
            input.completions.clear();
        }
        _ => {}
    }
    // The filter applies as you type, so you see what it matches before pressing Enter.
    if let Overlay::Filter(input) = &state.overlay {
        let text = input.text.clone();
        let panel = state.focus;
        state.view_mut(panel).filter = text;
    }
}
