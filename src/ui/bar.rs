//! The one-line bars: the top bar (where the console points and the stack's status), the tab
//! bar shown when one panel fills the body, and the hint bar generated from the keymap.
use super::keys;
use super::panels::{Derived, focus_action, trouble};
use super::theme::Theme;
use super::widgets::{dim, state_span, truncate_line, width};
use crate::action::Action;
use crate::state::{PanelId, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const SEP: &str = " │ ";

pub fn top(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let clock = state.now.format("%H:%M:%S UTC").to_string();
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width(&clock) as u16 + 1),
    ])
    .areas(area);
    let status = match &state.stack_feed.data {
        Some(d) => state_span(&d.summary.status, theme),
        None => dim("stack status loading…", theme),
    };
    let line = Line::from(vec![
        Span::styled(" opsdeck", theme.accent()),
        dim(SEP, theme),
        Span::styled(
            state.stack.as_str(),
            ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD),
        ),
        dim(SEP, theme),
        status,
        dim(SEP, theme),
        Span::raw(state.target_label.as_str()),
    ]);
    let mut line = line;
    if state.read_only {
        line.spans.push(dim(SEP, theme));
        line.spans.push(Span::styled("READ-ONLY", theme.warn()));
    }
    frame.render_widget(
        Paragraph::new(truncate_line(line, left.width as usize)),
        left,
    );
    frame.render_widget(
        Paragraph::new(Line::from(dim(clock, theme)).right_aligned()),
        right,
    );
}

/// Every panel with its focus key, the focused one reversed, ✖ on those that need attention:
/// with one panel on screen this is how trouble elsewhere still shows.
pub fn tabs(frame: &mut Frame, area: Rect, state: &State, derived: &Derived, theme: Theme) {
    // Roomy, then tighter, then without brackets: the first that fits.
    let build = |gap: &str, compact: bool| {
        let mut spans = vec![Span::raw(" ")];
        for (i, p) in PanelId::all().enumerate() {
            if i > 0 {
                spans.push(Span::raw(gap.to_string()));
            }
            spans.extend(tab(state, derived, p, compact, theme));
        }
        Line::from(spans)
    };
    let line = [("  ", false), (" ", false), (" ", true)]
        .into_iter()
        .map(|(gap, compact)| build(gap, compact))
        .find(|l| l.width() <= area.width as usize)
        .unwrap_or_else(|| build(" ", true));
    frame.render_widget(
        Paragraph::new(truncate_line(line, area.width as usize)),
        area,
    );
}

fn tab(
    state: &State,
    derived: &Derived,
    p: PanelId,
    compact: bool,
    theme: Theme,
) -> Vec<Span<'static>> {
    let focused = p == state.focus;
    let key = keys::key_for(state, focus_action(p));
    let label = match (key, compact) {
        (Some(k), false) => format!("[{k}] {}", p.title()),
        (Some(k), true) => format!("{k} {}", p.title()),
        (None, _) => p.title().to_string(),
    };
    let style = if focused {
        theme
            .selected()
            .add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        ratatui::style::Style::new()
    };
    let mut spans = vec![Span::styled(label, style)];
    if trouble(state, derived, p) {
        spans.push(Span::styled(if compact { "✖" } else { " ✖" }, theme.bad()));
    }
    spans
}

/// The actions the hint bar offers, in the order they are read.
const HINTS: [(Action, &str); 7] = [
    (Action::Help, "help"),
    (Action::CommandLine, "command"),
    (Action::Filter, "filter"),
    (Action::Zoom, "zoom"),
    (Action::Refresh, "refresh"),
    (Action::FocusNext, "next panel"),
    (Action::Quit, "quit"),
];

/// Flash message first, then the focused panel's filter, then the keys: when the line is
/// too short, what was just said matters more than the keys one already knows.
pub fn hints(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let mut spans = vec![Span::raw(" ")];
    if let Some(flash) = &state.flash {
        let (text, style) = if flash.is_error {
            (format!("✖ {}", flash.text), theme.bad())
        } else {
            (flash.text.clone(), theme.accent())
        };
        spans.push(Span::styled(text, style));
        spans.push(dim(SEP, theme));
    }
    if let Some((text, _)) = super::activity::badge(state) {
        spans.push(Span::styled(text, theme.accent()));
        spans.push(dim(SEP, theme));
    }
    if let Some(text) = super::tunnels::badge(state) {
        spans.push(Span::styled(text, theme.good()));
        spans.push(dim(SEP, theme));
    }
    let filter = &state.view(state.focus).filter;
    if !filter.is_empty() {
        spans.push(Span::styled(format!("/ filter: {filter}"), theme.warn()));
        spans.push(dim(SEP, theme));
    }
    for (action, label) in HINTS {
        let Some(key) = keys::key_for(state, action) else {
            continue;
        };
        let label = match (action, state.zoomed) {
            (Action::Zoom, true) => "unzoom",
            _ => label,
        };
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    frame.render_widget(
        Paragraph::new(truncate_line(Line::from(spans), area.width as usize)),
        area,
    );
}
