//! The console's rendering: a pure function of `State` to one frame (no I/O, no clock, no
//! environment), laid out afresh from the frame's size on every call.
//!
//! Drawing order is fixed: top bar, panels (grid or one under a tab bar), the bottom line
//! (hints, or the command line / filter being typed), then the help overlay over everything.
mod activity;
mod bar;
mod cmdline;
mod confirm;
mod help;
mod keys;
pub mod layout;
mod message;
mod panels;
mod sparkline;
pub mod theme;
mod tunnels;
mod widgets;

use crate::state::{Overlay, State};
use layout::Body;
use panels::{Ctx, Derived};
use ratatui::Frame;
use theme::Theme;

pub use help::help_lines;

/// Whether a panel needs attention (what the ✖ on its tab says): a failing feed, or bad
/// states in what it shows.
pub fn trouble(state: &State, panel: crate::state::PanelId) -> bool {
    panels::trouble(state, &Derived::of(state), panel)
}

pub fn render(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let theme = Theme::new(state.color);
    let screen = layout::compute(area, state.zoomed);
    let derived = Derived::of(state);
    bar::top(frame, screen.top, state, theme);
    match &screen.body {
        Body::Single { tabs, panel } => {
            bar::tabs(frame, *tabs, state, &derived, theme);
            let ctx = Ctx {
                focused: true,
                theme,
                derived: &derived,
            };
            panels::render(frame, *panel, state, state.focus, ctx);
        }
        Body::Grid(cells) => {
            for (panel, rect) in cells {
                let ctx = Ctx {
                    focused: *panel == state.focus,
                    theme,
                    derived: &derived,
                };
                panels::render(frame, *rect, state, *panel, ctx);
            }
        }
    }
    match &state.overlay {
        Overlay::Command(input) => cmdline::command(frame, screen.bottom, state, input, theme),
        Overlay::Filter(input) => cmdline::filter(frame, screen.bottom, state, input, theme),
        _ => bar::hints(frame, screen.bottom, state, theme),
    }
    match &state.overlay {
        Overlay::Help { scroll } => help::render(frame, area, state, *scroll, theme),
        Overlay::Confirm(c) => confirm::confirm(frame, area, state, c, theme),
        Overlay::ScaleForm(f) => confirm::scale_form(frame, area, state, f, theme),
        Overlay::Activity => {
            if let Some(a) = &state.activity {
                activity::render(frame, area, state, a, theme);
            }
        }
        Overlay::Tunnels => tunnels::render(frame, area, state, theme),
        Overlay::Message { title, text } => message::render(frame, area, state, title, text, theme),
        _ => {}
    }
}
