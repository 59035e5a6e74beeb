//! Zones panel, the signature view: one row per Availability Zone with its NAT gateway,
//! instances in service, healthy targets, where the database primary and standby live, and its
//! subnets. An AZ in trouble is told four ways at once: ✖, the word TROUBLE, the bad colour,
//! and its reasons on the lines right under it.
use super::{Ctx, zone_cards};
use crate::state::{PanelId, State};
use crate::ui::theme::{Theme, Tone};
use crate::ui::widgets::{Col, Columns, MARKER, dim, into_spans, truncate_line};
use crate::zones::ZoneRow;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::fmt::Display;

const HEALTH: usize = 1;
const COLS: [Col; 7] = [
    Col::fixed("AZ", 12, 17, 0),
    Col::fixed("Health", 7, 7, 2),
    Col::fixed("EC2", 5, 5, 0),
    Col::fixed("Targets", 7, 7, 0),
    Col::fixed("NAT", 11, 14, 1),
    Col::fixed("Database", 9, 17, 3),
    Col::flex("Subnets", 14, 1, 4),
];

/// Reasons shown under one AZ before "+N more".
const MAX_REASONS: usize = 3;

pub fn title(state: &State, rows: &[ZoneRow], theme: Theme) -> Vec<Span<'static>> {
    if state.zones.data.is_none() {
        return Vec::new();
    }
    let bad = rows.iter().filter(|z| !z.trouble.is_empty()).count();
    let mut spans = vec![Span::raw(format!("{} AZs", rows.len()))];
    if bad > 0 {
        spans.push(Span::styled(format!(" {bad}✖"), theme.bad()));
    }
    spans
}

pub fn trouble(rows: &[ZoneRow]) -> bool {
    rows.iter().any(|z| !z.trouble.is_empty())
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let rows = &ctx.derived.zones;
    let w = area.width as usize;
    let mut lines = vec![truncate_line(summary(rows, theme), w)];
    if rows.is_empty() {
        lines.push(Line::from(dim("no subnets reported for this stack", theme)));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let sel = super::selected_pos(state, PanelId::Zones, rows, |z, s| z.az == s);
    let nat_failures = state
        .zones
        .data
        .iter()
        .flat_map(|z| &z.nat_gateways)
        .filter_map(|n| n.failure.as_deref().map(|f| (n.id.as_str(), f)))
        .collect::<Vec<_>>();
    let height = area.height as usize;
    // With room for every AZ as a card side by side (the stack's shape at a glance), the
    // reasons go in the cards; otherwise right under each row.
    let cards_h = zone_cards::height(area.width, rows, &nat_failures);
    let cards = cards_h.is_some_and(|h| 2 + rows.len() + 1 + h <= height);
    let columns = Columns::fit(super::table_width(area), &COLS);
    lines.push(header(&columns, theme));
    let mut sel_span = (0, 0);
    for (i, z) in rows.iter().enumerate() {
        let start = lines.len();
        let selected = sel == Some(i);
        lines.push(row_line(z, &columns, selected, ctx, w));
        if !cards {
            lines.extend(reason_lines(z, !columns.has(HEALTH), w, theme));
        }
        if selected {
            sel_span = (start, lines.len());
        }
    }
    let rows_end = lines.len();
    if rows_end > height {
        // Scroll only when the rows overflow, far enough to show the whole selected AZ.
        let scroll = sel_span.1.saturating_sub(height);
        frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), area);
        return;
    }
    frame.render_widget(Paragraph::new(lines), area);
    let below = Rect {
        y: area.y + rows_end as u16 + 1,
        height: (height - rows_end).saturating_sub(1) as u16,
        ..area
    };
    if cards {
        zone_cards::render(frame, below, rows, sel, &nat_failures, ctx);
    } else if let Some(i) = sel {
        // No room for cards: the selected AZ in detail, if that fits.
        let detail = zone_cards::card_lines(&rows[i], &nat_failures, theme);
        if detail.len() < below.height as usize {
            let mut lines = vec![Line::styled(rows[i].az.clone(), theme.accent())];
            lines.extend(detail.into_iter().map(|l| truncate_line(l, w)));
            frame.render_widget(Paragraph::new(lines), below);
        }
    }
}

fn summary(rows: &[ZoneRow], theme: Theme) -> Line<'static> {
    let bad: Vec<&str> = rows
        .iter()
        .filter(|z| !z.trouble.is_empty())
        .map(|z| z.az.as_str())
        .collect();
    let mut spans = if bad.is_empty() {
        vec![Span::styled(
            format!("✔ all {} AZs healthy", rows.len()),
            theme.good(),
        )]
    } else {
        vec![Span::styled(
            format!(
                "✖ TROUBLE in {} ({} of {} AZs)",
                bad.join(", "),
                bad.len(),
                rows.len()
            ),
            theme.bad(),
        )]
    };
    let primary: Vec<&str> = rows
        .iter()
        .filter(|z| !z.db_primary.is_empty())
        .map(|z| z.az.as_str())
        .collect();
    let standby: Vec<&str> = rows
        .iter()
        .filter(|z| !z.db_standby.is_empty())
        .map(|z| z.az.as_str())
        .collect();
    if !primary.is_empty() || !standby.is_empty() {
        let list = |v: &[&str]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join(", ")
            }
        };
        spans.push(dim(
            format!(" · DB ★ {} / standby {}", list(&primary), list(&standby)),
            theme,
        ));
    }
    Line::from(spans)
}

fn header(columns: &Columns, theme: Theme) -> Line<'static> {
    let cells = COLS.iter().map(|c| Line::raw(c.title)).collect();
    let mut line = cells_line(columns, cells, "  ");
    line.style = theme.header();
    line
}

/// Cells laid out at the column widths (dropped columns skipped), after a marker column.
fn cells_line<'a>(columns: &Columns, cells: Vec<Line<'a>>, marker: &'a str) -> Line<'a> {
    let mut spans = vec![Span::raw(marker)];
    let mut first = true;
    for (i, cell) in cells.into_iter().enumerate() {
        let Some(w) = columns.width_of(i) else {
            continue;
        };
        if !first {
            spans.push(Span::raw(" "));
        }
        first = false;
        let cell = truncate_line(cell, w as usize);
        let pad = (w as usize).saturating_sub(cell.width());
        spans.extend(into_spans(cell));
        if pad > 0 {
            spans.push(Span::raw(" ".repeat(pad)));
        }
    }
    Line::from(spans)
}

/// "1/2" coloured by how much of the whole is good. Generic so it takes the counts in
/// whatever integer type `zones::ZoneRow` keeps them.
pub(super) fn ratio<N: Copy + PartialOrd + Default + Display>(
    good: N,
    total: N,
    theme: Theme,
) -> Line<'static> {
    let zero = N::default();
    let style = if total == zero {
        theme.dim()
    } else if good == zero {
        theme.bad()
    } else if good < total {
        theme.warn()
    } else {
        theme.good()
    };
    Line::styled(format!("{good}/{total}"), style)
}

/// The NAT cell: the worst state among the AZ's gateways (one failed NAT is the news).
fn nat_cell(z: &ZoneRow, theme: Theme) -> Line<'static> {
    if z.nat.is_empty() {
        return Line::from(dim("— none", theme));
    }
    let rank = |s: &str| match Tone::of(s) {
        Tone::Bad => 0,
        Tone::Busy => 1,
        Tone::Unknown | Tone::Plain => 2,
        Tone::Good => 3,
    };
    let worst = z
        .nat
        .iter()
        .map(|(_, s)| s.as_str())
        .min_by_key(|s| rank(s))
        .unwrap_or("");
    let n = z.nat.iter().filter(|(_, s)| s == worst).count();
    let text = if n > 1 {
        format!("{} {n}× {worst}", crate::status::state_symbol(worst))
    } else {
        format!("{} {worst}", crate::status::state_symbol(worst))
    };
    Line::styled(text, theme.state(worst))
}

fn db_cell(z: &ZoneRow, theme: Theme) -> Line<'static> {
    match (z.db_primary.is_empty(), z.db_standby.is_empty()) {
        (false, true) => Line::styled("★ primary", theme.accent()),
        (true, false) => Line::raw("standby"),
        (false, false) => Line::styled("★ primary+standby", theme.warn()),
        (true, true) => Line::from(dim("—", theme)),
    }
}

fn subnets_cell(z: &ZoneRow) -> Line<'static> {
    let mut parts = Vec::new();
    if !z.public_subnets.is_empty() {
        parts.push(format!("pub {}", z.public_subnets.join(",")));
    }
    if !z.private_subnets.is_empty() {
        parts.push(format!("priv {}", z.private_subnets.join(",")));
    }
    Line::raw(parts.join(" · "))
}

fn row_line<'a>(z: &'a ZoneRow, columns: &Columns, selected: bool, ctx: Ctx, w: usize) -> Line<'a> {
    let theme = ctx.theme;
    let bad = !z.trouble.is_empty();
    let (symbol, word, style) = if bad {
        ("✖", "TROUBLE", theme.bad())
    } else {
        ("✔", "ok", theme.good())
    };
    let cells = vec![
        Line::styled(format!("{symbol} {}", z.az), style),
        Line::styled(word, style),
        ratio(z.instances_in_service, z.instances_total, theme),
        ratio(z.targets_healthy, z.targets_total, theme),
        nat_cell(z, theme),
        db_cell(z, theme),
        subnets_cell(z),
    ];
    let marker = if selected { MARKER } else { "  " };
    let mut line = cells_line(columns, cells, marker);
    if selected {
        let pad = w.saturating_sub(line.width());
        if pad > 0 {
            line.spans.push(Span::raw(" ".repeat(pad)));
        }
        line = line.patch_style(ctx.selected());
    }
    line
}

fn reason_lines(z: &ZoneRow, say_trouble: bool, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = z
        .trouble
        .iter()
        .take(MAX_REASONS)
        .enumerate()
        .map(|(i, r)| {
            // Without the Health column the word TROUBLE rides on the first reason.
            let lead = if i == 0 && say_trouble {
                "TROUBLE: "
            } else {
                ""
            };
            truncate_line(
                Line::from(vec![
                    Span::raw("    "),
                    Span::styled(format!("✖ {lead}{r}"), theme.bad()),
                ]),
                w,
            )
        })
        .collect();
    if z.trouble.len() > MAX_REASONS {
        out.push(Line::from(dim(
            format!("      +{} more", z.trouble.len() - MAX_REASONS),
            theme,
        )));
    }
    out
}
