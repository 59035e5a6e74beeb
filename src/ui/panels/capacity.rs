//! Capacity panel: the Auto Scaling group's min / desired / max, how many instances are in
//! each lifecycle state, the instances themselves, and the recent scaling activities.
use super::{Ctx, empty_line, selected_pos, table, table_width, table_window};
use crate::domain::{AutoScalingGroup, CapacityPanel, ScalingActivity};
use crate::state::{PanelId, State};
use crate::ui::theme::{Theme, Tone};
use crate::ui::widgets::{Col, Columns, clock, dim, state_span, truncate, truncate_line, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const COLS: [Col; 6] = [
    Col::fixed("Instance", 19, 19, 0),
    Col::fixed("AZ", 10, 10, 2),
    Col::fixed("Lifecycle", 11, 14, 0),
    Col::fixed("Health", 9, 11, 1),
    Col::fixed("LT ver", 6, 6, 3),
    Col::flex("Type", 9, 1, 4),
];

/// Instances per lifecycle family: in service, pending, terminating, standby.
fn lifecycle_counts(g: &AutoScalingGroup) -> [usize; 4] {
    let mut n = [0; 4];
    for i in &g.instances {
        let l = i.lifecycle.as_str();
        if l == "InService" {
            n[0] += 1;
        } else if l.starts_with("Pending") || l.starts_with("Warmed:Pending") {
            n[1] += 1;
        } else if l.starts_with("Terminating") {
            n[2] += 1;
        } else if l.contains("Standby") {
            n[3] += 1;
        }
    }
    n
}

/// "2/4 in service": what the on-call engineer asks first.
pub fn title(state: &State, theme: Theme) -> Vec<Span<'static>> {
    let Some(c) = &state.capacity.data else {
        return Vec::new();
    };
    let in_service: usize = c.groups.iter().map(|g| g.in_service()).sum();
    let desired: i32 = c.groups.iter().map(|g| g.desired).sum();
    let style = if (in_service as i32) < desired {
        theme.warn()
    } else {
        theme.good()
    };
    vec![Span::styled(
        format!("{in_service}/{desired} in service"),
        style,
    )]
}

pub fn trouble(state: &State) -> bool {
    state.capacity.data.as_ref().is_some_and(|c| {
        c.groups.iter().any(|g| {
            (g.in_service() as i32) < g.min || g.instances.iter().any(|i| i.health == "Unhealthy")
        })
    })
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let Some(data) = &state.capacity.data else {
        return;
    };
    let shown_groups = data.groups.len().min(2);
    let activity_lines = match area.height {
        h if h >= 14 => data.activities.len().clamp(1, 3) + 1,
        h if h >= 9 => 1,
        _ => 0,
    };
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(shown_groups as u16 * 2),
        Constraint::Fill(1),
        Constraint::Length(activity_lines as u16),
    ])
    .areas(area);
    let w = area.width as usize;
    let lines: Vec<Line> = data.groups[..shown_groups]
        .iter()
        .flat_map(|g| group_lines(g, w, theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), top);

    let rows = state.instance_rows();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_line(state, PanelId::Capacity, "instances", theme)),
            body,
        );
    } else {
        let sel = selected_pos(state, PanelId::Capacity, &rows, |i, s| i.id == s);
        let win = table_window(state, PanelId::Capacity, rows.len(), sel, body);
        let start = win.start;
        // Fixed columns no wider than what the visible rows hold: the room goes to names.
        let mut cols = COLS;
        cols[2] = cols[2].fitted(rows[win.clone()].iter().map(|i| 2 + width(&i.lifecycle)));
        cols[3] = cols[3].fitted(rows[win.clone()].iter().map(|i| 2 + width(&i.health)));
        let columns = Columns::fit(table_width(body), &cols);
        let table_rows = rows[win]
            .iter()
            .map(|i| {
                columns.row(vec![
                    Line::raw(i.id.as_str()),
                    Line::raw(i.az.as_str()),
                    Line::from(state_span(&i.lifecycle, theme)),
                    Line::from(state_span(&i.health, theme)),
                    Line::raw(i.launch_template_version.as_deref().unwrap_or("—")),
                    Line::raw(i.instance_type.as_deref().unwrap_or("—")),
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
    }
    if activity_lines > 0 {
        frame.render_widget(
            Paragraph::new(activities(data, activity_lines, w, theme)),
            bottom,
        );
    }
}

fn group_lines(g: &AutoScalingGroup, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let sizes = format!("min {} · desired {} · max {}", g.min, g.desired, g.max);
    let name = truncate(&g.name, width.saturating_sub(sizes.len() + 2).max(8)).into_owned();
    let head = Line::from(vec![
        Span::styled(name, theme.label()),
        Span::raw("  "),
        Span::styled(sizes, theme.accent()),
    ]);
    let n = lifecycle_counts(g);
    let short = g.desired - n[0] as i32;
    let mut spans = Vec::new();
    for (count, symbol, word, tone) in [
        (n[0], "✔", "in service", Tone::Good),
        (n[1], "…", "pending", Tone::Busy),
        (n[2], "↓", "terminating", Tone::Busy),
        (n[3], "?", "standby", Tone::Unknown),
    ] {
        let style = if count == 0 {
            theme.dim()
        } else if tone == Tone::Good && short > 0 {
            theme.warn()
        } else {
            theme.tone(tone)
        };
        spans.push(Span::styled(format!("{symbol} {count} {word}"), style));
        spans.push(Span::raw("  "));
    }
    if short > 0 {
        spans.push(Span::styled(
            format!("{short} short of desired"),
            theme.warn(),
        ));
    }
    vec![
        truncate_line(head, width),
        truncate_line(Line::from(spans), width),
    ]
}

/// AWS StatusCode of an activity as a state the theme knows.
fn activity_state(status: &str) -> &'static str {
    match status {
        "Successful" => "healthy",
        "Failed" => "failed",
        "Cancelled" => "unused",
        _ => "Pending",
    }
}

fn activities(
    data: &CapacityPanel,
    lines: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    if data.activities.is_empty() {
        return vec![Line::from(vec![
            Span::styled("Scaling activities ", theme.label()),
            dim("none reported", theme),
        ])];
    }
    let line = |a: &ScalingActivity| {
        let s = activity_state(&a.status);
        let symbol = crate::status::state_symbol(s);
        truncate_line(
            Line::from(vec![
                dim(clock(a.start), theme),
                Span::raw(" "),
                Span::styled(format!("{symbol} {}", a.status), theme.state(s)),
                Span::raw(" "),
                Span::raw(a.description.clone()),
            ]),
            width,
        )
    };
    if lines == 1 {
        // One line: the latest activity, labelled so it is not read as an instance row.
        let mut l = line(&data.activities[0]);
        l.spans
            .insert(0, Span::styled("Last activity ", theme.label()));
        return vec![truncate_line(l, width)];
    }
    let mut out = vec![Line::styled("Scaling activities", theme.label())];
    out.extend(data.activities.iter().take(lines - 1).map(line));
    out
}
