//! Stack panel: the CloudFormation stack's status and reason, its outputs, and the last
//! events (time, logical id, status, reason), newest first.
use super::{Ctx, empty_line, selected_pos, table, table_width, table_window};
use crate::domain::StackPanel;
use crate::state::{PanelId, State};
use crate::ui::theme::{Theme, Tone};
use crate::ui::widgets::{
    Col, Columns, age_since, clock, dim, kv, state_span, truncate_line, width,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const COLS: [Col; 4] = [
    Col::fixed("Time", 8, 8, 1),
    Col::flex("Resource", 12, 2, 0).wanting(18),
    Col::fixed("Status", 14, 26, 0),
    Col::flex("Reason", 20, 3, 2),
];

const PAD: usize = 7;

pub fn trouble(state: &State) -> bool {
    state
        .stack_feed
        .data
        .as_ref()
        .is_some_and(|d| Tone::of(&d.summary.status) == Tone::Bad)
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let Some(data) = &state.stack_feed.data else {
        return;
    };
    // Outputs get at most a third of the panel: the events are what changes.
    let max_outputs = (area.height as usize / 3).max(1);
    let summary = summary_lines(data, state, max_outputs, area.width as usize, theme);
    let [top, body] = Layout::vertical([
        Constraint::Length(summary.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(summary), top);

    let rows = state.stack_events();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_line(state, PanelId::Stack, "events", theme)),
            body,
        );
        return;
    }
    let sel = selected_pos(state, PanelId::Stack, &rows, |e, s| e.id == s);
    // The selected event's whole reason below the table: the Reason column is the first to
    // go when the panel is narrow, and a failure's reason is the reason to look.
    let detail = if body.height >= 8 { 2 } else { 0 };
    let [body, bottom] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail)]).areas(body);
    let win = table_window(state, PanelId::Stack, rows.len(), sel, body);
    let start = win.start;
    // Fixed columns no wider than what the visible rows hold: the room goes to names.
    let mut cols = COLS;
    cols[2] = cols[2].fitted(rows[win.clone()].iter().map(|e| 2 + width(&e.status)));
    let columns = Columns::fit(table_width(body), &cols);
    let table_rows = rows[win]
        .iter()
        .map(|e| {
            columns.row(vec![
                Line::from(dim(clock(e.timestamp), theme)),
                Line::raw(e.logical_id.as_str()),
                Line::from(state_span(&e.status, theme)),
                Line::styled(
                    e.reason.as_deref().unwrap_or(""),
                    if e.is_failure() {
                        theme.bad()
                    } else {
                        theme.dim()
                    },
                ),
            ])
        })
        .collect();
    table(
        frame,
        body,
        &cols,
        &columns,
        table_rows,
        sel.map(|s| s - start),
        ctx,
    );
    if let (Some(i), true) = (sel, detail > 0) {
        let e = rows[i];
        let w = bottom.width as usize;
        let head = format!(
            "{} · {} · {}",
            e.logical_id,
            e.resource_type,
            clock(e.timestamp)
        );
        let why = match &e.reason {
            Some(r) => Line::styled(r.as_str(), theme.state(&e.status)),
            None => Line::from(dim("no reason reported", theme)),
        };
        let lines = vec![
            truncate_line(Line::from(dim(head, theme)), w),
            truncate_line(why, w),
        ];
        frame.render_widget(Paragraph::new(lines), bottom);
    }
}

fn summary_lines<'a>(
    data: &'a StackPanel,
    state: &State,
    max_outputs: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    let s = &data.summary;
    let mut status = vec![state_span(&s.status, theme)];
    if let Some(at) = s.last_updated.or(s.created) {
        status.push(dim(
            format!("  · changed {} ago", age_since(Some(at), state.now)),
            theme,
        ));
    }
    let mut out = vec![kv("Status", PAD, status, theme)];
    if let Some(reason) = &s.status_reason {
        out.push(kv(
            "Reason",
            PAD,
            vec![Span::styled(reason.as_str(), theme.state(&s.status))],
            theme,
        ));
    }
    if s.outputs.is_empty() {
        // The sandbox emulator often reports none: say so rather than show an empty section.
        out.push(kv(
            "Outputs",
            PAD,
            vec![dim("no outputs reported", theme)],
            theme,
        ));
    } else {
        let key_w = s.outputs.keys().map(|k| k.len()).max().unwrap_or(0);
        let shown = if s.outputs.len() > max_outputs {
            max_outputs.saturating_sub(1).max(1)
        } else {
            s.outputs.len()
        };
        for (i, (k, v)) in s.outputs.iter().take(shown).enumerate() {
            let label = if i == 0 { "Outputs" } else { "" };
            out.push(kv(
                label,
                PAD,
                vec![
                    Span::styled(format!("{k:<key_w$}  "), theme.dim()),
                    Span::raw(v.as_str()),
                ],
                theme,
            ));
        }
        if shown < s.outputs.len() {
            out.push(kv(
                "",
                PAD,
                vec![dim(format!("+{} more", s.outputs.len() - shown), theme)],
                theme,
            ));
        }
    }
    out.into_iter().map(|l| truncate_line(l, width)).collect()
}
