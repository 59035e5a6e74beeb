//! The last hour of an alarm's metric as a one-line text sparkline that fits a table cell.
use super::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last hour of a metric as `width` bars, oldest left. Each bar is one time slice of the
/// hour (the highest value in it); a slice with no data stays blank, never interpolated, so
/// gaps show as gaps. Bars past the alarm's threshold are drawn in the bad style.
pub fn sparkline(
    points: &[(DateTime<Utc>, f64)],
    now: DateTime<Utc>,
    width: usize,
    threshold: Option<f64>,
    theme: Theme,
) -> Line<'static> {
    const HOUR_SECS: i64 = 3600;
    if width == 0 {
        return Line::default();
    }
    let mut slots: Vec<Option<f64>> = vec![None; width];
    for (at, v) in points {
        let back = (now - *at).num_seconds();
        if !(0..HOUR_SECS).contains(&back) || !v.is_finite() {
            continue;
        }
        let slot = width - 1 - (back as usize * width / HOUR_SECS as usize);
        slots[slot] = Some(slots[slot].map_or(*v, |old: f64| old.max(*v)));
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in slots.iter().flatten().chain(threshold.iter()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    lo = lo.min(0.0);
    let breach = |v: f64| threshold.is_some_and(|t| v >= t);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_bad = false;
    for slot in &slots {
        let (c, bad) = match slot {
            None => (' ', false),
            Some(v) => {
                let frac = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                let i = ((frac * 7.0).round() as usize).min(7);
                (BARS[i], breach(*v))
            }
        };
        if bad != run_bad && !run.is_empty() {
            spans.push(bar_span(std::mem::take(&mut run), run_bad, theme));
        }
        run_bad = bad;
        run.push(c);
    }
    spans.push(bar_span(run, run_bad, theme));
    Line::from(spans)
}

fn bar_span(text: String, bad: bool, theme: Theme) -> Span<'static> {
    Span::styled(text, if bad { theme.bad() } else { Style::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sparkline_leaves_gaps_blank() {
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
        let pts: Vec<_> = [50, 40, 10, 0]
            .iter()
            .map(|m| (now - chrono::Duration::minutes(*m), *m as f64))
            .collect();
        let line = sparkline(&pts, now, 6, None, Theme::new(false));
        assert_eq!(line.to_string(), "█▇  ▂▁");
        assert_eq!(
            sparkline(&[], now, 3, None, Theme::new(false)).to_string(),
            "   "
        );
    }
}
