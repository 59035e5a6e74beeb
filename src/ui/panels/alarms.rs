//! Alarms panel: ALARM first, then INSUFFICIENT_DATA, then OK (the order of
//! `State::alarm_rows`), each with its age, the last hour of its metric as a sparkline and
//! the reason; the selected alarm's metric and full reason below.
use super::{Ctx, empty_line, selected_pos, table, table_width, table_window};
use crate::domain::Alarm;
use crate::state::{PanelId, State};
use crate::ui::sparkline::sparkline;
use crate::ui::theme::{Theme, Tone};
use crate::ui::widgets::{Col, Columns, age_since, dim, state_span, truncate, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const SPARK: usize = 3;
const COLS: [Col; 6] = [
    Col::fixed("State", 11, 19, 0),
    Col::flex("Alarm", 14, 3, 0).wanting(24),
    Col::fixed("Since", 5, 5, 1),
    Col::fixed("Last hour", 10, 30, 2),
    Col::fixed("Now", 6, 7, 4),
    Col::flex("Reason", 16, 2, 3),
];

fn counts(state: &State) -> [usize; 3] {
    let mut n = [0; 3];
    for a in state.alarms.data.iter().flat_map(|d| &d.alarms) {
        n[a.severity_rank() as usize] += 1;
    }
    n
}

/// "2✖ 1? 5✔": alarming, without data, fine.
pub fn title(state: &State, theme: Theme) -> Vec<Span<'static>> {
    if state.alarms.data.is_none() {
        return Vec::new();
    }
    let n = counts(state);
    let span = |count: usize, symbol: &str, st: &str| {
        let style = if count == 0 {
            theme.dim()
        } else {
            theme.state(st)
        };
        Span::styled(format!("{count}{symbol}"), style)
    };
    vec![
        span(n[0], "✖", "ALARM"),
        Span::raw(" "),
        span(n[1], "?", "INSUFFICIENT_DATA"),
        Span::raw(" "),
        span(n[2], "✔", "OK"),
    ]
}

pub fn trouble(state: &State) -> bool {
    counts(state)[0] > 0
}

/// A metric value as short as a cell: 91.2, 0.42, 1234.
/// A metric value in at most 6 columns: 0.42, 91.2, 1234, 17.4G (free storage is in bytes).
fn short(v: f64) -> String {
    let a = v.abs();
    for (scale, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e4, "k")] {
        if a >= scale {
            return format!("{:.1}{suffix}", v / scale);
        }
    }
    match a {
        a if a >= 1000.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

fn comparison(c: &str) -> &str {
    match c {
        "GreaterThanOrEqualToThreshold" => "≥",
        "GreaterThanThreshold" => ">",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        other => other,
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let Some(data) = &state.alarms.data else {
        return;
    };
    let rows = state.alarm_rows();
    let sel = selected_pos(state, PanelId::Alarms, &rows, |a, s| a.name == s);
    let detail = if area.height >= 8 && sel.is_some() {
        2
    } else {
        0
    };
    let [body, bottom] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail)]).areas(area);
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_line(state, PanelId::Alarms, "alarms", theme)),
            body,
        );
        return;
    }
    let win = table_window(state, PanelId::Alarms, rows.len(), sel, body);
    let start = win.start;
    // Fixed columns no wider than what the visible rows hold: the room goes to names.
    let mut cols = COLS;
    cols[0] = cols[0].fitted(rows[win.clone()].iter().map(|a| 2 + width(&a.state)));
    let columns = Columns::fit(table_width(body), &cols);
    let spark_w = columns.width_of(SPARK).unwrap_or(0) as usize;
    let history_error = super::section_error(&data.errors, "history");
    let table_rows = rows[win]
        .iter()
        .map(|a| {
            // Draw nothing that was not measured: no series, no bars, and say why.
            let (spark, now) = match (data.history.get(&a.name), history_error) {
                (Some(h), _) if h.is_empty() => {
                    (Line::from(dim("no data", theme)), Line::default())
                }
                (None, Some(_)) => (
                    Line::styled("? not read", theme.tone(Tone::Unknown)),
                    Line::default(),
                ),
                // Not queried: metric math or a percentile statistic has no single series.
                (None, None) => (Line::from(dim("—", theme)), Line::default()),
                (Some(h), _) => (
                    sparkline(
                        h,
                        state.now,
                        spark_w,
                        a.threshold,
                        a.comparison.as_deref(),
                        theme,
                    ),
                    Line::raw(h.last().map(|(_, v)| short(*v)).unwrap_or_default()),
                ),
            };
            columns.row(vec![
                Line::from(state_span(&a.state, theme)),
                // A muted alarm still changes state but pages nobody: say so on its row.
                if a.actions_enabled {
                    Line::raw(a.name.as_str())
                } else {
                    Line::from(vec![
                        Span::raw(a.name.as_str()),
                        Span::styled(" (muted)", theme.warn()),
                    ])
                },
                Line::from(dim(age_since(a.since, state.now), theme)),
                spark,
                now,
                Line::styled(a.reason.as_deref().unwrap_or(""), theme.dim()),
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
        let lines = detail_lines(rows[i], bottom.width as usize, theme);
        frame.render_widget(Paragraph::new(lines), bottom);
    }
}

fn detail_lines(a: &Alarm, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let metric = [
        a.namespace.clone(),
        a.metric.clone(),
        a.statistic.clone(),
        match (&a.comparison, a.threshold) {
            (Some(c), Some(t)) => Some(format!("{} {}", comparison(c), short(t))),
            _ => None,
        },
        a.period_secs.map(|p| format!("per {p}s")),
        (!a.actions_enabled).then(|| "actions muted".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let head = format!("{} · {metric}", a.name);
    let reason = a.reason.as_deref().unwrap_or("no reason reported");
    vec![
        Line::from(dim(truncate(&head, width).into_owned(), theme)),
        Line::styled(truncate(reason, width).into_owned(), theme.state(&a.state)),
    ]
}
