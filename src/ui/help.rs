//! The help overlay, generated from the merged keymap: for every context, its bindings and
//! what each action does. A user's keymap is therefore always documented as it really is.
use super::keys::key_in;
use super::theme::Theme;
use super::widgets::{dim, truncate_line, width};
use crate::action::{Action, Context};
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

fn context_title(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::List => "In every panel",
        Context::Stack => "Stack panel",
        Context::Targets => "Targets panel",
        Context::Capacity => "Capacity panel",
        Context::Database => "Database panel",
        Context::Alarms => "Alarms panel",
        Context::Zones => "Zones panel",
        Context::Help => "In this help",
        Context::Command => "On the command line",
        Context::Filter => "While filtering",
        Context::Confirm => "In a confirmation",
        Context::Form => "In the scaling form",
        Context::Activity => "In the progress view",
        Context::Tunnels => "In the tunnels list",
        Context::Message => "In a message",
    }
}

/// Every context's bindings, one line per action with all its keys ("j, down").
pub fn help_lines(state: &State, theme: Theme) -> Vec<Line<'static>> {
    let sections: Vec<(Context, Vec<(String, Action)>)> = Context::all()
        .map(|ctx| {
            let mut merged: Vec<(String, Action)> = Vec::new();
            // Under --read-only the mutating actions do not exist for the user.
            let visible = state
                .keymap
                .bindings(ctx)
                .into_iter()
                .filter(|(_, a)| !(state.read_only && a.refused_read_only()));
            for (key, action) in visible {
                match merged.iter_mut().find(|(_, a)| *a == action) {
                    Some((keys, _)) => {
                        keys.push_str(", ");
                        keys.push_str(&key);
                    }
                    None => merged.push((key, action)),
                }
            }
            (ctx, merged)
        })
        .filter(|(_, b)| !b.is_empty())
        .collect();
    let key_w = sections
        .iter()
        .flat_map(|(_, b)| b.iter().map(|(k, _)| width(k)))
        .max()
        .unwrap_or(0)
        .min(18);
    let mut lines = Vec::new();
    for (ctx, bindings) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(context_title(ctx), theme.header()));
        for (keys, action) in bindings {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("{keys:<key_w$}"), theme.key()),
                Span::raw("  "),
                Span::raw(action.description()),
                dim(format!("  :{}", action.name()), theme),
            ]));
        }
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, scroll: u16, theme: Theme) {
    let w = area.width.saturating_sub(4).min(88);
    let h = area.height.saturating_sub(2);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    if popup.width < 3 || popup.height < 3 {
        return;
    }
    let inner_w = popup.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = help_lines(state, theme)
        .into_iter()
        .map(|l| truncate_line(l, inner_w))
        .collect();
    let view_h = popup.height.saturating_sub(2) as usize;
    // Clamped here so a scroll past the end still shows the last page, not an empty box.
    let max_scroll = lines.len().saturating_sub(view_h);
    let scroll = (scroll as usize).min(max_scroll);
    let keys = [
        (Action::SelectNext, "scroll"),
        (Action::PageDown, "page"),
        (Action::Close, "close"),
    ]
    .into_iter()
    .filter_map(|(a, label)| key_in(state, Context::Help, a).map(|k| format!("{k} {label}")))
    .collect::<Vec<_>>()
    .join(" · ");
    let position = if max_scroll > 0 {
        format!(
            " {}-{}/{} ",
            scroll + 1,
            (scroll + view_h).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true, false))
        .title(Line::styled(
            " Help: keys from the active keymap ",
            theme.accent(),
        ))
        .title_bottom(Line::from(dim(format!(" {keys} "), theme)))
        .title_bottom(Line::from(dim(position, theme)).right_aligned());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        popup,
    );
}
