//! Small building blocks shared by the panels: truncation with "…", ages, column fitting,
//! the visible window of a long table, key/value lines and the text sparkline.
use super::theme::Theme;
use crate::status::state_symbol;
use chrono::{DateTime, Utc};
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use std::borrow::Cow;
use std::ops::Range;

/// Display width of a string. AWS names are ASCII, so the fast path is the common one.
pub fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        Span::raw(s).width()
    }
}

fn char_width(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        let mut buf = [0u8; 4];
        Span::raw(&*c.encode_utf8(&mut buf)).width()
    }
}

/// `s` cut to `max` columns, ending in "…" when something was cut: a long name never wraps
/// into the next cell and the reader knows it is incomplete.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// A line cut to `max` columns span by span, keeping each span's style.
pub fn truncate_line(line: Line<'_>, max: usize) -> Line<'_> {
    if line.width() <= max {
        return line;
    }
    let style = line.style;
    let mut left = max;
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = span.width();
        // The whole line is too wide, so a span that exactly fills what is left still has
        // something after it: it must carry the "…" itself.
        if w < left {
            left -= w;
            spans.push(span);
        } else {
            let cut = truncate(&span.content, left).into_owned();
            spans.push(Span::styled(cut, span.style));
            left = 0;
        }
    }
    Line::from(spans).style(style)
}

/// A line's spans with the line's own style folded into each, for splicing into another line
/// (`Line::styled` keeps its style on the line, which would be lost with the line).
pub fn into_spans(line: Line<'_>) -> Vec<Span<'_>> {
    let style = line.style;
    line.spans
        .into_iter()
        .map(|s| {
            let own = s.style;
            s.style(style.patch(own))
        })
        .collect()
}

/// "3s", "4m", "2h05m", "3d04h": an age as short as a table cell needs.
pub fn age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86400, (s % 86400) / 3600),
    }
}

pub fn age_since(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map(|t| age((now - t).num_seconds()))
        .unwrap_or_else(|| "—".into())
}

/// HH:MM:SS of a UTC time, "—" when unknown.
pub fn clock(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "—".into())
}

/// "✔ healthy" in the state's style.
pub fn state_span(state: &str, theme: Theme) -> Span<'static> {
    Span::styled(
        format!("{} {state}", state_symbol(state)),
        theme.state(state),
    )
}

/// One column of a panel table. `priority` 0 is never dropped; when the panel is too narrow
/// the column with the highest number goes first, so the state and the id always survive.
/// A column gets `min` columns, then grows toward `max` (fixed-size content such as ids and
/// states, most important first), and what is left goes to the columns with a `grow` weight
/// (free text such as names and reasons).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    pub grow: u16,
    /// A free-text column grows to this before the fixed columns grow: a name needs some
    /// room before a state word needs all of its own.
    pub want: u16,
    pub priority: u8,
}

impl Col {
    /// Content of a known width (ids, states, AZs): `min` when squeezed, `max` at best.
    pub const fn fixed(title: &'static str, min: u16, max: u16, priority: u8) -> Col {
        Col {
            title,
            min,
            max,
            grow: 0,
            want: 0,
            priority,
        }
    }

    /// This column no wider than its content (the widest of `cells`) or its title, so a
    /// column of "✔ OK" does not hold room for "? INSUFFICIENT_DATA" that is not on screen.
    pub fn fitted(mut self, cells: impl Iterator<Item = usize>) -> Col {
        let content = cells.max().unwrap_or(0).max(width(self.title));
        self.max = self.max.min(u16::try_from(content).unwrap_or(u16::MAX));
        self.min = self.min.min(self.max);
        self
    }

    /// Free text that takes a `grow` share of whatever room is left.
    pub const fn flex(title: &'static str, min: u16, grow: u16, priority: u8) -> Col {
        Col {
            title,
            min,
            max: u16::MAX,
            grow,
            want: 0,
            priority,
        }
    }

    pub const fn wanting(mut self, want: u16) -> Col {
        self.want = want;
        self
    }
}

/// Width of the selection marker column ("▶ ") every table reserves, so columns do not jump
/// when a row becomes selected.
pub const MARKER: &str = "▶ ";
pub const MARKER_WIDTH: u16 = 2;

/// Which columns fit into a width, and how wide each kept one is.
#[derive(Debug, Clone)]
pub struct Columns {
    widths: Vec<Option<u16>>,
}

impl Columns {
    pub fn fit(width: u16, cols: &[Col]) -> Columns {
        let mut kept: Vec<bool> = vec![true; cols.len()];
        let need = |kept: &[bool]| -> u32 {
            let n = kept.iter().filter(|k| **k).count() as u32;
            cols.iter()
                .zip(kept)
                .filter(|(_, k)| **k)
                .map(|(c, _)| u32::from(c.min))
                .sum::<u32>()
                + n.saturating_sub(1)
        };
        while need(&kept) > u32::from(width) {
            let drop = cols
                .iter()
                .enumerate()
                .filter(|(i, c)| kept[*i] && c.priority > 0)
                .max_by_key(|(i, c)| (c.priority, *i));
            match drop {
                Some((i, _)) => kept[i] = false,
                None => break,
            }
        }
        let mut widths: Vec<Option<u16>> = cols
            .iter()
            .zip(&kept)
            .map(|(c, k)| k.then_some(c.min))
            .collect();
        let mut extra = u32::from(width).saturating_sub(need(&kept));
        // Free text to its wanted width, then fixed-size content to its full width, most
        // important first (an id cut short is useless), then the rest to free text.
        let mut order: Vec<usize> = (0..cols.len()).filter(|i| kept[*i]).collect();
        order.sort_by_key(|i| (cols[*i].grow == 0, cols[*i].priority, *i));
        for i in order {
            let target = if cols[i].grow > 0 {
                cols[i].want
            } else {
                cols[i].max
            };
            let add = extra.min(u32::from(target.saturating_sub(cols[i].min)));
            widths[i] = widths[i].map(|w| w + add as u16);
            extra -= add;
        }
        let weights: u32 = (0..cols.len())
            .filter(|i| kept[*i])
            .map(|i| u32::from(cols[i].grow))
            .sum();
        let total = extra;
        let flex: Vec<usize> = (0..cols.len())
            .filter(|i| kept[*i] && cols[*i].grow > 0)
            .collect();
        for (n, i) in flex.iter().enumerate() {
            // The last flexible column takes the rounding remainder.
            let add = if n + 1 == flex.len() {
                extra
            } else {
                (total * u32::from(cols[*i].grow))
                    .checked_div(weights)
                    .unwrap_or(0)
            };
            widths[*i] = widths[*i].map(|w| w + add as u16);
            extra -= add;
        }
        Columns { widths }
    }

    pub fn has(&self, col: usize) -> bool {
        self.widths.get(col).copied().flatten().is_some()
    }

    pub fn width_of(&self, col: usize) -> Option<u16> {
        self.widths.get(col).copied().flatten()
    }

    pub fn constraints(&self) -> Vec<Constraint> {
        self.widths
            .iter()
            .flatten()
            .map(|w| Constraint::Length(*w))
            .collect()
    }

    pub fn header(&self, cols: &[Col], theme: Theme) -> Row<'static> {
        self.row(cols.iter().map(|c| Line::raw(c.title)).collect())
            .style(theme.header())
    }

    /// A row from one line per column (all columns, in order); dropped columns are skipped
    /// and every cell is cut to its column with "…".
    pub fn row<'a>(&self, cells: Vec<Line<'a>>) -> Row<'a> {
        Row::new(
            cells
                .into_iter()
                .zip(&self.widths)
                .filter_map(|(line, w)| w.map(|w| Cell::from(truncate_line(line, w as usize)))),
        )
    }
}

/// The rows of a `len`-row table that fit in `height` lines, keeping `selected` visible.
/// `hint` is a scroll offset `update` may keep in `View::offset`: used when it shows the
/// selection. Otherwise the table pages: the window starts at a multiple of `height`, so it
/// stays put while the selection moves within a page, whichever way it moves (render keeps no
/// memory of the previous frame to scroll smoothly from).
pub fn window(len: usize, selected: Option<usize>, hint: usize, height: usize) -> Range<usize> {
    if height == 0 || len == 0 {
        return 0..0;
    }
    let last_start = len.saturating_sub(height);
    let sel = selected.unwrap_or(0).min(len - 1);
    let start = if (hint..hint + height).contains(&sel) {
        hint.min(last_start)
    } else {
        ((sel / height) * height).min(last_start)
    };
    start..(start + height).min(len)
}

/// "label    value" with the label in the label style, padded to `pad` columns.
pub fn kv<'a>(label: &'a str, pad: usize, value: Vec<Span<'a>>, theme: Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{label:<pad$} "), theme.label())];
    spans.extend(value);
    Line::from(spans)
}

pub fn dim<'a>(text: impl Into<Cow<'a, str>>, theme: Theme) -> Span<'a> {
    Span::styled(text, theme.dim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("✔ healthy", 4), "✔ h…");
        assert_eq!(truncate("abc", 0), "");
        let line = Line::from(vec![Span::raw("ab"), Span::raw("cdef")]);
        assert_eq!(truncate_line(line, 4).to_string(), "abc…");
    }

    #[test]
    fn window_keeps_the_selection_visible() {
        assert_eq!(window(100, Some(0), 0, 10), 0..10);
        // Pages: the window does not move while the selection stays on its page.
        assert_eq!(window(100, Some(15), 0, 10), 10..20);
        assert_eq!(window(100, Some(19), 0, 10), 10..20);
        assert_eq!(window(100, Some(10), 0, 10), 10..20);
        // The last page is full, not a lone row.
        assert_eq!(window(25, Some(24), 0, 10), 15..25);
        // A hint that shows the selection wins.
        assert_eq!(window(100, Some(12), 8, 10), 8..18);
        assert_eq!(window(100, Some(3), 8, 10), 0..10);
        assert_eq!(window(5, Some(4), 3, 10), 0..5);
        assert_eq!(window(0, None, 0, 10), 0..0);
    }

    #[test]
    fn narrow_tables_drop_the_least_important_columns() {
        let cols = [
            Col::fixed("a", 8, 10, 0),
            Col::flex("b", 10, 1, 2),
            Col::fixed("c", 10, 10, 1),
            Col::flex("d", 5, 3, 3),
        ];
        let wide = Columns::fit(60, &cols);
        // 10 + 10 + 10 + 5 + 3 spaces = 38: 22 left, shared 1:3 by the text columns.
        let w: Vec<_> = (0..4).map(|i| wide.width_of(i)).collect();
        assert_eq!(w, [Some(10), Some(15), Some(10), Some(22)]);
        let narrow = Columns::fit(25, &cols);
        assert!(narrow.has(0) && !narrow.has(1) && narrow.has(2) && !narrow.has(3));
        assert_eq!(narrow.width_of(0), Some(10));
        // Nothing fits: the never-dropped columns stay, squeezed to their minimum.
        let tiny = Columns::fit(5, &cols);
        assert_eq!(tiny.width_of(0), Some(8));
    }

    #[test]
    fn fitted_columns_shrink_to_their_content() {
        let c = Col::fixed("State", 11, 19, 0).fitted([4, 4].into_iter());
        assert_eq!((c.min, c.max), (5, 5), "never narrower than the title");
        let c = Col::fixed("State", 11, 19, 0).fitted([13].into_iter());
        assert_eq!((c.min, c.max), (11, 13));
        let c = Col::fixed("State", 11, 19, 0).fitted([40].into_iter());
        assert_eq!((c.min, c.max), (11, 19));
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(age(3), "3s");
        assert_eq!(age(125), "2m");
        assert_eq!(age(3900), "1h05m");
        assert_eq!(age(90000), "1d01h");
    }
}
