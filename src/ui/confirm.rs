//! The action modals: a confirmation (what will run, warnings, the name to type) and the
//! scaling form. Keys in their footers come from the keymap, like every hint.
use super::keys::key_in;
use super::theme::Theme;
use super::widgets::{dim, truncate_line};
use crate::action::{Action, Context};
use crate::state::{Confirm, FIELD_NAMES, ScaleForm, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

/// A centred box of at most `max_w` x `lines + 2`, inside `area`.
pub(super) fn centred(area: Rect, max_w: u16, lines: usize) -> Rect {
    let w = area.width.saturating_sub(4).min(max_w);
    let h = ((lines + 2) as u16).min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

pub(super) fn footer(state: &State, ctx: Context, keys: &[(Action, &str)]) -> String {
    keys.iter()
        .filter_map(|(a, label)| key_in(state, ctx, *a).map(|k| format!("{k} {label}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(super) fn modal(
    frame: &mut Frame,
    popup: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    footer: String,
    theme: Theme,
) {
    if popup.width < 10 || popup.height < 3 {
        return;
    }
    let inner_w = popup.width.saturating_sub(2) as usize;
    // Keep the end in view: the input line and the verdict are last.
    let view_h = popup.height.saturating_sub(2) as usize;
    let skip = lines.len().saturating_sub(view_h);
    let lines: Vec<Line> = lines
        .into_iter()
        .skip(skip)
        .map(|l| truncate_line(l, inner_w))
        .collect();
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true, false))
        .title(Line::styled(format!(" {title} "), theme.accent()))
        .title_bottom(Line::from(dim(format!(" {footer} "), theme)));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

pub fn confirm(frame: &mut Frame, area: Rect, state: &State, c: &Confirm, theme: Theme) {
    let mut lines: Vec<Line<'static>> = c.lines.iter().map(|l| Line::raw(l.clone())).collect();
    for w in &c.warnings {
        lines.push(Line::styled(format!("⚠ {w}"), theme.warn()));
    }
    lines.push(Line::default());
    let footer_keys: &[(Action, &str)] = match (&c.op, &c.typed) {
        (None, _) => {
            lines.push(Line::styled(
                "✖ nothing to confirm: a check above failed",
                theme.bad(),
            ));
            &[(Action::Close, "close")]
        }
        (Some(_), Some(name)) => {
            lines.push(Line::from(vec![
                Span::raw(format!("Type {name} to confirm: ")),
                Span::styled(c.input.text.clone(), theme.key()),
                Span::styled(" ", theme.selected()),
            ]));
            &[(Action::Submit, "confirm"), (Action::Close, "cancel")]
        }
        (Some(op), None) => {
            lines.push(Line::raw(format!("Run: {}?", op.summary())));
            &[(Action::Confirm, "yes, run it"), (Action::Close, "cancel")]
        }
    };
    if let Some(e) = &c.error {
        lines.push(Line::styled(format!("✖ {e}"), theme.bad()));
    }
    let popup = centred(area, 110, lines.len());
    let footer = footer(state, Context::Confirm, footer_keys);
    modal(frame, popup, &c.title, lines, footer, theme);
    if let (Some(_), Some(name)) = (&c.op, &c.typed) {
        // The terminal cursor sits in the input, for screen readers.
        let prefix = format!("Type {name} to confirm: ");
        let y = popup.y + popup.height.saturating_sub(2) - u16::from(c.error.is_some());
        let x = popup.x + 1 + (prefix.chars().count() + c.input.text.chars().count()) as u16;
        if x < popup.right() && y < popup.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}

pub fn scale_form(frame: &mut Frame, area: Rect, state: &State, form: &ScaleForm, theme: Theme) {
    let mut lines = vec![Line::raw(format!("Group {}", form.group)), Line::default()];
    for (i, (name, value)) in FIELD_NAMES.iter().zip(&form.fields).enumerate() {
        let focused = i == form.field;
        lines.push(Line::from(vec![
            Span::raw(if focused { "▸ " } else { "  " }),
            Span::styled(format!("{name:<8}"), theme.label()),
            Span::styled(
                value.clone(),
                if focused {
                    theme.key()
                } else {
                    ratatui::style::Style::new()
                },
            ),
            Span::styled(if focused { " " } else { "" }, theme.selected()),
        ]));
    }
    lines.push(Line::default());
    match &form.error {
        Some(e) => lines.push(Line::styled(format!("✖ {e}"), theme.bad())),
        None => lines.push(dim("checked against the group before anything is sent", theme).into()),
    }
    let popup = centred(area, 70, lines.len());
    let footer = footer(
        state,
        Context::Form,
        &[
            (Action::NextField, "next field"),
            (Action::Submit, "review"),
            (Action::Close, "cancel"),
        ],
    );
    modal(frame, popup, "Scale", lines, footer, theme);
}
