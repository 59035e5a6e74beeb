//! The tunnels list: each tunnel the console opened, its local port, where it goes, its age
//! and state; and the hint-bar badge while any is open.
use super::confirm::{centred, footer, modal};
use super::theme::Theme;
use super::widgets::dim;
use crate::action::{Action, Context};
use crate::ops::timeline::clock;
use crate::state::{State, TunnelStatus};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let mut lines: Vec<Line<'static>> = Vec::new();
    if state.tunnels.rows.is_empty() {
        let key = super::keys::key_for(state, Action::OpenTunnel).unwrap_or_default();
        lines.push(
            dim(
                format!("no tunnels: {key} in the database panel opens one"),
                theme,
            )
            .into(),
        );
    }
    for (i, t) in state.tunnels.rows.iter().enumerate() {
        let marker = if i == state.tunnels.selected {
            "▶ "
        } else {
            "  "
        };
        let local = t
            .local_port
            .map(|p| format!("127.0.0.1:{p}"))
            .unwrap_or_else(|| "127.0.0.1:…".into());
        let age = clock((state.now - t.opened_at).to_std().unwrap_or_default());
        let style = match &t.status {
            TunnelStatus::Open => theme.good(),
            TunnelStatus::Starting | TunnelStatus::Closing => theme.accent(),
            TunnelStatus::Closed { ok: true, .. } => theme.dim(),
            TunnelStatus::Closed { ok: false, .. } => theme.bad(),
        };
        let age = if t.is_live() { age } else { "-".into() };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{local:<16} "), theme.key()),
            Span::styled(t.status_text(), style),
            Span::raw(format!("  · age {age} · {} connection(s)", t.connections)),
        ]));
        let hint = t
            .local_port
            .filter(|_| t.status == TunnelStatus::Open)
            .and_then(|p| crate::ssm::tunnel::client_hint(&t.engine, p));
        if let Some(hint) = hint {
            lines.push(Line::from(vec![
                Span::raw("    connect: "),
                Span::styled(hint, theme.accent()),
            ]));
        }
        let session = t
            .session_id
            .as_deref()
            .map(|s| format!(" · session {s}"))
            .unwrap_or_default();
        lines.push(
            dim(
                format!(
                    "    → {}:{} ({}) via {}{session}",
                    t.host, t.remote_port, t.db, t.via
                ),
                theme,
            )
            .into(),
        );
    }
    lines.push(Line::default());
    lines.push(dim("quitting opsdeck closes every tunnel", theme).into());
    let popup = centred(area, 130, lines.len() + 2);
    let footer = footer(
        state,
        Context::Tunnels,
        &[
            (Action::CloseTunnel, "close tunnel"),
            (Action::Close, "hide"),
        ],
    );
    modal(frame, popup, "Tunnels", lines, footer, theme);
}

/// "⇄ 2 tunnels (T)" while any is open.
pub fn badge(state: &State) -> Option<String> {
    let live = state.tunnels.live();
    if live == 0 {
        return None;
    }
    let key = super::keys::key_for(state, Action::Tunnels).unwrap_or_default();
    let ports: Vec<String> = state
        .tunnels
        .rows
        .iter()
        .filter(|t| t.is_live())
        .filter_map(|t| t.local_port.map(|p| format!(":{p}")))
        .collect();
    Some(format!(
        "⇄ {live} tunnel{} {} ({key})",
        if live == 1 { "" } else { "s" },
        ports.join(" ")
    ))
}
