//! The progress view of the running or last action: its timeline, its current status line,
//! an elapsed clock, and the verdict once it ends.
use super::confirm::{centred, footer, modal};
use super::theme::Theme;
use super::widgets::dim;
use crate::action::{Action, Context};
use crate::ops::timeline::clock;
use crate::state::{Activity, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn render(frame: &mut Frame, area: Rect, state: &State, a: &Activity, theme: Theme) {
    let end = a.finished.unwrap_or(state.now);
    let elapsed = clock((end - a.started).to_std().unwrap_or_default());
    let mut lines: Vec<Line<'static>> = a.lines.iter().map(|l| Line::raw(l.clone())).collect();
    if lines.is_empty() {
        lines.push(dim("waiting for the first observation…", theme).into());
    }
    lines.push(Line::default());
    if let Some(s) = &a.status {
        lines.push(Line::styled(format!("now: {s}"), theme.accent()));
    }
    match &a.verdict {
        None => lines.push(Line::raw(format!("running · {elapsed}"))),
        Some(v) if v.ok => lines.push(Line::styled(
            format!("✔ {} ({elapsed})", v.text),
            theme.good(),
        )),
        Some(v) => lines.push(Line::styled(
            format!("✖ {} ({elapsed})", v.text),
            theme.bad(),
        )),
    }
    // The whole screen height: a deploy's events are worth the room.
    let popup = centred(area, 130, area.height as usize);
    let footer = footer(
        state,
        Context::Activity,
        &[(Action::Close, "hide (it keeps running)")],
    );
    modal(frame, popup, &a.title, lines, footer, theme);
}

/// One line for the hint bar while an action runs and its view is hidden.
pub fn badge(state: &State) -> Option<(String, bool)> {
    let a = state.activity.as_ref()?;
    let key = super::keys::key_for(state, Action::Activity).unwrap_or_default();
    match &a.verdict {
        None => Some((
            format!(
                "⟳ {}: {} ({key} to watch)",
                a.title,
                a.status.as_deref().unwrap_or("started")
            ),
            false,
        )),
        Some(_) => None,
    }
}
