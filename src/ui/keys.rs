//! Which key the merged keymap binds to an action, as the screen shows it: no key is ever
//! written in the UI code, so a user's keymap changes the titles, tabs and hints too.
use crate::action::{Action, Context};
use crate::state::State;

/// The key that reaches `action` where the user is now: the focused panel's context, then the
/// list keys, then the global ones (the order `update` looks keys up in), skipping a key a
/// more specific context rebinds.
pub fn key_for(state: &State, action: Action) -> Option<String> {
    let contexts = [state.focus.context(), Context::List, Context::Global];
    state.keymap.key_in(&contexts, action)
}

/// The key for `action` inside an overlay's own context (help, command line, filter).
pub fn key_in(state: &State, ctx: Context, action: Action) -> Option<String> {
    state.keymap.key_for(ctx, action)
}
