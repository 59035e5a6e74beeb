//! The text-input overlays on the bottom line: the command line (":" + text, with its
//! completion candidates in a popup above) and the filter ("/" + text).
use super::keys::key_in;
use super::theme::Theme;
use super::widgets::{dim, truncate, truncate_line, width};
use crate::action::{Action, Context};
use crate::state::{State, TextInput};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

/// Most candidates shown at once; the list scrolls to the highlighted one.
const MAX_CANDIDATES: u16 = 8;

pub fn command(frame: &mut Frame, bottom: Rect, state: &State, input: &TextInput, theme: Theme) {
    let hint = hint(
        state,
        Context::Command,
        &[
            (Action::Complete, "complete"),
            (Action::Submit, "run"),
            (Action::Close, "cancel"),
        ],
    );
    prompt(frame, bottom, ":", input, hint, theme);
    if !input.completions.is_empty() {
        completions(frame, bottom, input, theme);
    }
}

pub fn filter(frame: &mut Frame, bottom: Rect, state: &State, input: &TextInput, theme: Theme) {
    let hint = hint(
        state,
        Context::Filter,
        &[(Action::Submit, "apply"), (Action::Close, "clear")],
    );
    let prefix = format!("/ {} ", state.focus.title().to_lowercase());
    prompt(frame, bottom, &prefix, input, hint, theme);
}

fn hint(state: &State, ctx: Context, actions: &[(Action, &str)]) -> String {
    actions
        .iter()
        .filter_map(|(a, label)| key_in(state, ctx, *a).map(|k| format!("{k} {label}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Prompt, text and a reversed-space cursor (visible without colour), the keys on the right
/// when they fit. The real cursor is placed there too, for terminals and screen readers.
fn prompt(
    frame: &mut Frame,
    area: Rect,
    prefix: &str,
    input: &TextInput,
    hint: String,
    theme: Theme,
) {
    if area.is_empty() {
        return;
    }
    let room = (area.width as usize).saturating_sub(width(prefix) + 1);
    // A text longer than the line shows its end: that is where the typing happens.
    let text = if width(&input.text) > room {
        let skip = input
            .text
            .chars()
            .count()
            .saturating_sub(room.saturating_sub(1));
        format!("…{}", input.text.chars().skip(skip).collect::<String>())
    } else {
        input.text.clone()
    };
    let used = width(prefix) + width(&text);
    let mut spans = vec![
        Span::styled(prefix.to_string(), theme.key()),
        Span::raw(text),
        Span::styled(" ", theme.selected()),
    ];
    let free = (area.width as usize).saturating_sub(used + 1);
    if width(&hint) + 2 <= free {
        spans.push(Span::raw(" ".repeat(free - width(&hint))));
        spans.push(dim(hint, theme));
    }
    frame.render_widget(
        Paragraph::new(truncate_line(Line::from(spans), area.width as usize)),
        area,
    );
    let x = area.x + (used as u16).min(area.width.saturating_sub(1));
    frame.set_cursor_position(Position::new(x, area.y));
}

/// The candidates of the last Tab, above the command line, the one Tab would pick highlighted.
/// An action's description rides along so the list also teaches what the names do.
fn completions(frame: &mut Frame, bottom: Rect, input: &TextInput, theme: Theme) {
    let described: Vec<(&str, Option<&str>)> = input
        .completions
        .iter()
        .map(|c| {
            let last = c.rsplit(' ').next().unwrap_or(c);
            (c.as_str(), Action::from_name(last).map(|a| a.description()))
        })
        .collect();
    let name_w = described.iter().map(|(c, _)| width(c)).max().unwrap_or(0);
    let full_w = described
        .iter()
        .map(|(_, d)| name_w + d.map_or(0, |d| width(d) + 2))
        .max()
        .unwrap_or(0);
    let h = (described.len() as u16).min(MAX_CANDIDATES) + 2;
    let w = (full_w as u16 + 4).min(bottom.width);
    if bottom.y < h || w < 5 {
        return;
    }
    let area = Rect::new(bottom.x, bottom.y - h, w, h);
    let inner_w = w.saturating_sub(4) as usize;
    let items: Vec<ListItem> = described
        .iter()
        .map(|(c, d)| {
            let mut spans = vec![Span::raw(format!("{c:<name_w$}"))];
            if let Some(d) = d {
                spans.push(dim(format!("  {d}"), theme));
            }
            ListItem::new(truncate_line(Line::from(spans), inner_w))
        })
        .collect();
    let title = format!(
        " {}/{} ",
        input.completion_index.min(described.len() - 1) + 1,
        described.len()
    );
    let list = List::new(items)
        .block(
            Block::bordered()
                .border_style(theme.border(true, false))
                .title(truncate(&title, w as usize).into_owned()),
        )
        .highlight_symbol("▶ ")
        .highlight_style(theme.selected());
    let mut ls =
        ListState::default().with_selected(Some(input.completion_index.min(described.len() - 1)));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(list, area, &mut ls);
}
