//! The last hour of an alarm's metric as a one-line text sparkline that fits a table cell.
use super::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last hour of a metric as `width` bars, oldest left. Each bar is one time slice of the
/// hour (the highest value in it); a slice with no data stays blank, never interpolated, so
/// gaps show as gaps. Bars on the alarming side of the threshold (`comparison` is the alarm's
/// ComparisonOperator) are drawn in the bad style.
pub fn sparkline(
    points: &[(DateTime<Utc>, f64)],
    now: DateTime<Utc>,
    width: usize,
    threshold: Option<f64>,
    comparison: Option<&str>,
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
    let breach = |v: f64| match (threshold, comparison) {
        (Some(t), Some("GreaterThanOrEqualToThreshold")) => v >= t,
        (Some(t), Some("GreaterThanThreshold")) => v > t,
        (Some(t), Some("LessThanThreshold")) => v < t,
        (Some(t), Some("LessThanOrEqualToThreshold")) => v <= t,
        // Anomaly bands and unknown operators: no single threshold to colour against.
        _ => false,
    };
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
        let line = sparkline(&pts, now, 6, None, None, Theme::new(false));
        assert_eq!(line.to_string(), "█▇  ▂▁");
        assert_eq!(
            sparkline(&[], now, 3, None, None, Theme::new(false)).to_string(),
            "   "
        );
    }

    #[test]
    fn breaching_bars_follow_the_comparison() {
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
        let pts: Vec<_> = [30, 0]
            .iter()
            .zip([90.0, 10.0])
            .map(|(m, v)| (now - chrono::Duration::minutes(*m), v))
            .collect();
        let t = Theme::new(true);
        let high = sparkline(&pts, now, 2, Some(80.0), Some("GreaterThanThreshold"), t);
        assert_eq!(high.spans[0].style, t.bad(), "{high:?}");
        assert_ne!(high.spans.last().unwrap().style, t.bad());
        let low = sparkline(&pts, now, 2, Some(20.0), Some("LessThanThreshold"), t);
        assert_ne!(low.spans[0].style, t.bad());
        assert_eq!(low.spans.last().unwrap().style, t.bad(), "{low:?}");
    }
}
