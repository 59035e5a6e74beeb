//! A message too long for the bottom line, wrapped in a modal: an error with its fix (an
//! install link, a missing permission) must be readable whole.
use super::confirm::{centred, footer, modal};
use super::theme::Theme;
use crate::action::{Action, Context};
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Wide enough for an AWS documentation link on one line.
const MAX_WIDTH: u16 = 140;

pub fn render(frame: &mut Frame, area: Rect, state: &State, title: &str, text: &str, theme: Theme) {
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner = width.saturating_sub(2).max(10) as usize;
    // Links and paths are not split at their slashes or hyphens: only a word longer than a
    // line is cut.
    let options = textwrap::Options::new(inner)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let lines: Vec<Line<'static>> = textwrap::wrap(text, options)
        .into_iter()
        .map(|l| Line::styled(l.into_owned(), theme.bad()))
        .collect();
    let popup = centred(area, MAX_WIDTH, lines.len());
    let footer = footer(state, Context::Message, &[(Action::Close, "close")]);
    modal(frame, popup, title, lines, footer, theme);
}
