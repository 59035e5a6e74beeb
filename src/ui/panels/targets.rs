//! Targets panel: every target of every target group, unhealthy first, with its AZ, state,
//! reason and description; per-group counts on top and the selected target's full reason below.
use super::{Ctx, empty_line, selected_pos, table, table_width, table_window};
use crate::domain::{Target, TargetGroupHealth};
use crate::state::{PanelId, State};
use crate::status::state_symbol;
use crate::ui::theme::Theme;
use crate::ui::widgets::{Col, Columns, dim, state_span, truncate, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const COLS: [Col; 5] = [
    Col::fixed("State", 11, 13, 0),
    Col::fixed("Target", 19, 19, 0),
    Col::fixed("AZ", 10, 10, 1),
    Col::flex("Group", 10, 1, 3),
    Col::flex("Reason", 16, 3, 2),
];

/// The states counted in the title, in the order they are read.
const COUNTED: [&str; 3] = ["healthy", "unhealthy", "draining"];

fn counts(state: &State) -> [usize; 5] {
    let mut n = [0usize; 5];
    for t in state.targets.data.iter().flatten().flat_map(|g| &g.targets) {
        let i = match t.state.as_str() {
            "healthy" => 0,
            "unhealthy" => 1,
            "draining" => 2,
            "initial" => 3,
            _ => 4,
        };
        n[i] += 1;
    }
    n
}

/// "3✔ 1✖ 0↓" always (so a zero is visibly zero), then "2…" initial and "1?" other only when
/// there are some.
pub fn title(state: &State, theme: Theme) -> Vec<Span<'static>> {
    if state.targets.data.is_none() {
        return Vec::new();
    }
    let n = counts(state);
    let mut spans = Vec::new();
    for (i, s) in COUNTED.iter().enumerate() {
        spans.push(count_span(n[i], state_symbol(s), s, theme));
        spans.push(Span::raw(" "));
    }
    if n[3] > 0 {
        spans.push(count_span(n[3], "…", "initial", theme));
        spans.push(Span::raw(" "));
    }
    if n[4] > 0 {
        spans.push(count_span(n[4], "?", "unused", theme));
    }
    if spans.last().is_some_and(|s| s.content == " ") {
        spans.pop();
    }
    spans
}

fn count_span(n: usize, symbol: &str, state: &str, theme: Theme) -> Span<'static> {
    let style = if n == 0 {
        theme.dim()
    } else {
        theme.state(state)
    };
    Span::styled(format!("{n}{symbol}"), style)
}

pub fn trouble(state: &State) -> bool {
    counts(state)[1] > 0
}

/// Same test as `state::target_row_id(g, t) == sel`, without building the id of every row.
fn is_row(g: &TargetGroupHealth, t: &Target, sel: &str) -> bool {
    sel.strip_prefix(g.arn.as_str())
        .and_then(|rest| rest.strip_prefix('|'))
        .is_some_and(|id| id == t.id)
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let groups = state.targets.data.as_deref().unwrap_or_default();
    let rows = state.target_rows();
    let sel = selected_pos(state, PanelId::Targets, &rows, |(g, t), s| is_row(g, t, s));
    // Group lines and the detail only when there is room for a useful table besides them.
    let group_lines = if area.height >= 12 {
        groups.len().min(3)
    } else {
        0
    };
    let detail = if area.height >= 8 && sel.is_some() {
        2
    } else {
        0
    };
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(
            group_lines as u16 + u16::from(groups.len() > group_lines && group_lines > 0),
        ),
        Constraint::Fill(1),
        Constraint::Length(detail),
    ])
    .areas(area);
    if group_lines > 0 {
        let mut lines: Vec<Line> = groups
            .iter()
            .take(group_lines)
            .map(|g| group_line(g, top.width as usize, theme))
            .collect();
        if groups.len() > group_lines {
            lines.push(Line::from(dim(
                format!("+{} more groups", groups.len() - group_lines),
                theme,
            )));
        }
        frame.render_widget(Paragraph::new(lines), top);
    }
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_line(state, PanelId::Targets, "targets", theme)),
            body,
        );
        return;
    }
    let win = table_window(state, PanelId::Targets, rows.len(), sel, body);
    let start = win.start;
    // Fixed columns no wider than what the visible rows hold: the room goes to names.
    let mut cols = COLS;
    cols[0] = cols[0].fitted(rows[win.clone()].iter().map(|(_, t)| 2 + width(&t.state)));
    let columns = Columns::fit(table_width(body), &cols);
    let table_rows = rows[win]
        .iter()
        .map(|(g, t)| {
            let reason = match (&t.reason, &t.description) {
                (Some(r), Some(d)) => format!("{r} — {d}"),
                (Some(r), None) => r.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => String::new(),
            };
            columns.row(vec![
                Line::from(state_span(&t.state, theme)),
                Line::raw(t.id.as_str()),
                Line::raw(t.az.as_deref().unwrap_or("—")),
                Line::raw(g.name.as_str()),
                Line::styled(reason, theme.state(&t.state)),
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
        let (g, t) = rows[i];
        frame.render_widget(
            Paragraph::new(detail_lines(g, t, bottom.width as usize, theme)),
            bottom,
        );
    }
}

fn group_line(g: &TargetGroupHealth, width: usize, theme: Theme) -> Line<'static> {
    let proto = match (&g.protocol, g.port) {
        (Some(p), Some(port)) => format!("{p}:{port}"),
        (Some(p), None) => p.clone(),
        (None, Some(port)) => port.to_string(),
        (None, None) => String::new(),
    };
    let healthy = g.count("healthy");
    let total = g.targets.len();
    let tally = format!("{healthy}/{total} healthy");
    let tally_style = if healthy < total {
        theme.warn()
    } else {
        theme.good()
    };
    // The name gets what the protocol and tally leave, so the numbers are never cut.
    let fixed = proto.len() + tally.len() + 4;
    let name = truncate(&g.name, width.saturating_sub(fixed).max(8)).into_owned();
    Line::from(vec![
        Span::styled(name, theme.label()),
        Span::raw("  "),
        dim(proto, theme),
        Span::raw("  "),
        Span::styled(tally, tally_style),
    ])
}

fn detail_lines(
    g: &TargetGroupHealth,
    t: &Target,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let port = t.port.map(|p| format!(":{p}")).unwrap_or_default();
    let head = format!(
        "{}{port} in {} · {}",
        t.id,
        t.az.as_deref().unwrap_or("—"),
        g.name
    );
    let why = match (&t.reason, &t.description) {
        (None, None) => Line::from(dim("no reason reported", theme)),
        (r, d) => {
            let text = [r.as_deref(), d.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — ");
            Line::styled(truncate(&text, width).into_owned(), theme.state(&t.state))
        }
    };
    vec![
        Line::from(dim(truncate(&head, width).into_owned(), theme)),
        why,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_test_matches_the_state_row_id() {
        let t = Target {
            id: "i-1".into(),
            port: None,
            az: None,
            state: "healthy".into(),
            reason: None,
            description: None,
        };
        let g = TargetGroupHealth {
            arn: "arn:tg/a".into(),
            name: "a".into(),
            port: None,
            protocol: None,
            load_balancers: vec![],
            targets: vec![t.clone()],
        };
        let id = crate::state::target_row_id(&g, &t);
        assert!(is_row(&g, &t, &id));
        assert!(!is_row(&g, &t, "arn:tg/a|i-2"));
        assert!(!is_row(&g, &t, "arn:tg/b|i-1"));
    }
}
