//! The zones panel's lower half when it has room: each AZ as a card, side by side like the
//! stack itself, with everything that lives there and, for an AZ in trouble, a red border,
//! "✖ … TROUBLE" in its title and the reasons inside.
use super::Ctx;
use super::zones::ratio;
use crate::status::state_symbol;
use crate::ui::theme::Theme;
use crate::ui::widgets::{dim, into_spans, kv, truncate_line};
use crate::zones::ZoneRow;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

/// Narrower than this a card cuts every value; the detail lines read better then.
const MIN_CARD_W: u16 = 28;
const MAX_CARDS: usize = 4;
const PAD: usize = 8;

/// Height of the row of cards for a panel `width` wide, or None when cards would be too
/// narrow to read (the detail lines of the selected AZ read better then).
pub fn height(width: u16, rows: &[ZoneRow], nat_failures: &[(&str, &str)]) -> Option<usize> {
    let n = rows.len();
    if n == 0 || n > MAX_CARDS || width / (n as u16) < MIN_CARD_W {
        return None;
    }
    // The theme does not change how many lines a card has.
    let theme = Theme::new(false);
    let tallest = rows
        .iter()
        .map(|z| card_lines(z, nat_failures, theme).len())
        .max()
        .unwrap_or(0);
    Some(tallest + 2)
}

/// Every AZ as a card, side by side, in `area` (as tall as `height` said).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    rows: &[ZoneRow],
    sel: Option<usize>,
    nat_failures: &[(&str, &str)],
    ctx: Ctx,
) {
    let theme = ctx.theme;
    let n = rows.len();
    let cards: Vec<Vec<Line>> = rows
        .iter()
        .map(|z| card_lines(z, nat_failures, theme))
        .collect();
    let tallest = cards.iter().map(Vec::len).max().unwrap_or(0) as u16 + 2;
    let area = Rect {
        height: area.height.min(tallest),
        ..area
    };
    let cells = Layout::horizontal(vec![Constraint::Fill(1); n]).split(area);
    for (i, ((z, lines), cell)) in rows.iter().zip(cards).zip(cells.iter()).enumerate() {
        let bad = !z.trouble.is_empty();
        let selected = sel == Some(i);
        let (title, title_style) = if bad {
            (format!(" ✖ {} TROUBLE ", z.az), theme.bad())
        } else {
            (format!(" ✔ {} ok ", z.az), theme.good())
        };
        let border_style = if bad {
            theme.border(false, true)
        } else {
            theme.border(selected && ctx.focused, false)
        };
        let block = Block::bordered()
            .border_type(if selected {
                BorderType::Thick
            } else {
                BorderType::Rounded
            })
            .border_style(border_style)
            .title(Line::styled(title, title_style));
        let inner_w = cell.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = lines
            .into_iter()
            .map(|l| truncate_line(l, inner_w))
            .collect();
        frame.render_widget(Paragraph::new(lines).block(block), *cell);
    }
}

/// Everything in one AZ, one fact a line, then the reasons it is in trouble.
pub fn card_lines<'a>(
    z: &'a ZoneRow,
    nat_failures: &[(&str, &'a str)],
    theme: Theme,
) -> Vec<Line<'a>> {
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut out = vec![
        kv(
            "Public",
            PAD,
            vec![Span::raw(list(&z.public_subnets))],
            theme,
        ),
        kv(
            "Private",
            PAD,
            vec![Span::raw(list(&z.private_subnets))],
            theme,
        ),
    ];
    if z.nat.is_empty() {
        out.push(kv("NAT", PAD, vec![dim("none in this AZ", theme)], theme));
    }
    for (i, (id, state)) in z.nat.iter().enumerate() {
        let label = if i == 0 { "NAT" } else { "" };
        out.push(kv(
            label,
            PAD,
            vec![
                Span::raw(format!("{id} ")),
                Span::styled(
                    format!("{} {state}", state_symbol(state)),
                    theme.state(state),
                ),
            ],
            theme,
        ));
        // AWS's own words for a failed gateway: what to fix.
        if let Some((_, why)) = nat_failures.iter().find(|(n, _)| n == id) {
            out.push(kv("", PAD, vec![Span::styled(*why, theme.bad())], theme));
        }
    }
    let mut ec2 = into_spans(ratio(z.instances_in_service, z.instances_total, theme));
    ec2.push(Span::raw(" in service"));
    out.push(kv("EC2", PAD, ec2, theme));
    let mut tg = into_spans(ratio(z.targets_healthy, z.targets_total, theme));
    tg.push(Span::raw(" healthy"));
    out.push(kv("Targets", PAD, tg, theme));
    let db = match (z.db_primary.is_empty(), z.db_standby.is_empty()) {
        (true, true) => vec![dim("—", theme)],
        (false, true) => vec![Span::styled(
            format!("★ primary {}", list(&z.db_primary)),
            theme.accent(),
        )],
        (true, false) => vec![Span::raw(format!("standby {}", list(&z.db_standby)))],
        (false, false) => vec![Span::styled(
            format!(
                "★ primary {} · standby {}",
                list(&z.db_primary),
                list(&z.db_standby)
            ),
            theme.warn(),
        )],
    };
    out.push(kv("DB", PAD, db, theme));
    out.extend(
        z.trouble
            .iter()
            .map(|r| Line::styled(format!("✖ {r}"), theme.bad())),
    );
    out
}
