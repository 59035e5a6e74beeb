//! Database panel: the selected RDS instance in detail (status, engine, Multi-AZ with the
//! primary and standby AZs, endpoint, storage, pending modifications and maintenance) and the
//! recent RDS events. With several instances, a short list to pick from sits on top.
use super::{Ctx, empty_line, selected_pos, table, table_width};
use crate::domain::{Database, DatabasePanel};
use crate::state::{PanelId, State};
use crate::ui::theme::{Theme, Tone};
use crate::ui::widgets::{Col, Columns, clock, dim, kv, state_span, truncate_line, window};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const COLS: [Col; 4] = [
    Col::flex("Identifier", 12, 2, 0).wanting(24),
    Col::fixed("Status", 11, 14, 0),
    Col::flex("Engine", 8, 1, 2),
    Col::fixed("AZ", 10, 10, 1),
];

const PAD: usize = 11;

pub fn trouble(state: &State) -> bool {
    state
        .database
        .data
        .iter()
        .flat_map(|d| &d.databases)
        .any(|d| Tone::of(&d.status) == Tone::Bad)
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let Some(data) = &state.database.data else {
        return;
    };
    let rows = state.database_rows();
    let Some(sel) = selected_pos(state, PanelId::Database, &rows, |d, s| d.identifier == s) else {
        frame.render_widget(
            Paragraph::new(empty_line(state, PanelId::Database, "databases", theme)),
            area,
        );
        return;
    };
    let list_h = if rows.len() > 1 {
        (rows.len().min(4) + 2) as u16
    } else {
        0
    };
    let [list, detail] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Fill(1)]).areas(area);
    if list_h > 0 {
        let columns = Columns::fit(table_width(list), &COLS);
        let hint = state.view(PanelId::Database).offset;
        // One line under the list stays empty to separate it from the detail.
        let win = window(
            rows.len(),
            Some(sel),
            hint,
            list.height.saturating_sub(2) as usize,
        );
        let start = win.start;
        let table_rows = rows[win]
            .iter()
            .map(|d| {
                columns.row(vec![
                    Line::raw(d.identifier.as_str()),
                    Line::from(state_span(&d.status, theme)),
                    Line::raw(d.engine.as_str()),
                    Line::raw(d.az.as_deref().unwrap_or("—")),
                ])
            })
            .collect();
        table(
            frame,
            list,
            &COLS,
            &columns,
            table_rows,
            Some(sel - start),
            ctx,
        );
    }
    let width = detail.width as usize;
    let mut lines = detail_lines(rows[sel], data, theme);
    let left = (detail.height as usize).saturating_sub(lines.len());
    if left > 0 {
        lines.extend(events(data, rows[sel], rows.len() > 1, left, theme));
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| truncate_line(l, width)).collect();
    frame.render_widget(Paragraph::new(lines), detail);
}

fn or_dash(v: Option<&str>) -> String {
    v.unwrap_or("—").to_string()
}

fn detail_lines<'a>(db: &'a Database, data: &'a DatabasePanel, theme: Theme) -> Vec<Line<'a>> {
    let mut out = vec![kv(
        "Database",
        PAD,
        vec![
            Span::raw(db.identifier.as_str()),
            Span::raw("  "),
            state_span(&db.status, theme),
        ],
        theme,
    )];
    let multi = if db.multi_az {
        Span::styled("✔ yes", theme.good())
    } else {
        // An HA stack on a single-AZ database has nothing to fail over to: say so.
        Span::styled("✖ NO: single AZ, no standby", theme.warn())
    };
    out.push(kv("Multi-AZ", PAD, vec![multi], theme));
    out.push(kv(
        "Primary AZ",
        PAD,
        vec![Span::raw(or_dash(db.az.as_deref()))],
        theme,
    ));
    let standby = match (&db.secondary_az, db.multi_az) {
        (Some(az), _) => vec![Span::raw(az.as_str())],
        (None, true) => vec![
            Span::raw("—  "),
            dim("(not reported by this endpoint)", theme),
        ],
        (None, false) => vec![Span::raw("—")],
    };
    out.push(kv("Standby AZ", PAD, standby, theme));
    let endpoint = match (&db.endpoint, db.port) {
        (Some(e), Some(p)) => format!("{e}:{p}"),
        (Some(e), None) => e.clone(),
        (None, _) => "— (no endpoint yet)".into(),
    };
    out.push(kv("Endpoint", PAD, vec![Span::raw(endpoint)], theme));
    let engine = [
        Some(format!(
            "{} {}",
            db.engine,
            db.engine_version.as_deref().unwrap_or("")
        )),
        db.class.clone(),
        db.storage_gb.map(|g| format!("{g} GB")),
        db.cluster.as_ref().map(|c| format!("cluster {c}")),
    ]
    .into_iter()
    .flatten()
    .map(|s| s.trim().to_string())
    .collect::<Vec<_>>()
    .join(" · ");
    out.push(kv("Engine", PAD, vec![Span::raw(engine)], theme));
    match data.pending_modifications.get(&db.identifier) {
        Some(mods) if !mods.is_empty() => {
            for (i, m) in mods.iter().enumerate() {
                let label = if i == 0 { "Pending" } else { "" };
                out.push(kv(
                    label,
                    PAD,
                    vec![Span::styled(format!("⚠ {m}"), theme.warn())],
                    theme,
                ));
            }
        }
        _ => out.push(kv(
            "Pending",
            PAD,
            vec![dim("no modifications", theme)],
            theme,
        )),
    }
    let maint: Vec<_> = data
        .maintenance
        .iter()
        .filter(|m| m.resource.contains(db.identifier.as_str()))
        .collect();
    // An empty list next to an error means "unknown", never "none".
    match super::section_error(&data.errors, "maintenance") {
        Some(e) => out.push(kv("Maintenance", PAD, vec![unread(e, theme)], theme)),
        None if maint.is_empty() => out.push(kv(
            "Maintenance",
            PAD,
            vec![dim("none pending", theme)],
            theme,
        )),
        None => {}
    }
    for (i, m) in maint.iter().enumerate() {
        let when = m
            .current_apply_date
            .map(|d| format!(" (applies {})", d.format("%Y-%m-%d %H:%M")))
            .or(m
                .auto_applied_after
                .map(|d| format!(" (auto after {})", d.format("%Y-%m-%d"))))
            .unwrap_or_default();
        let text = match &m.description {
            Some(d) => format!("⚠ {}: {d}{when}", m.action),
            None => format!("⚠ {}{when}", m.action),
        };
        let label = if i == 0 { "Maintenance" } else { "" };
        out.push(kv(
            label,
            PAD,
            vec![Span::styled(text, theme.warn())],
            theme,
        ));
    }
    out
}

fn events<'a>(
    data: &'a DatabasePanel,
    db: &Database,
    several: bool,
    lines: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    if let Some(e) = super::section_error(&data.errors, "events") {
        return vec![kv("Events", PAD, vec![unread(e, theme)], theme)];
    }
    if data.events.is_empty() {
        return vec![kv(
            "Events",
            PAD,
            vec![dim("none in the last hour", theme)],
            theme,
        )];
    }
    let mut out = vec![Line::styled("Events (newest first)", theme.label())];
    for e in data.events.iter().take(lines.saturating_sub(1)) {
        let mut spans = vec![dim(clock(e.at), theme), Span::raw(" ")];
        // With one database every event is about it; with several, say which.
        if several || e.source != db.identifier {
            spans.push(Span::styled(format!("[{}] ", e.source), theme.label()));
        }
        spans.push(Span::raw(e.message.as_str()));
        out.push(Line::from(spans));
    }
    out
}

fn unread(e: &crate::aws::AwsError, theme: Theme) -> Span<'static> {
    Span::styled(format!("? could not be read: {}", e.label()), theme.warn())
}
