//! The frame every panel shares (border, title with key, age, polling and STALE badge, the
//! loading / error placeholder) and the dispatch to each panel's own body.
mod alarms;
mod capacity;
mod database;
mod stack;
mod targets;
mod zone_cards;
mod zones;

use super::keys;
use super::theme::Theme;
use super::widgets::{age, truncate, truncate_line};
use crate::action::Action;
use crate::state::{PanelId, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

/// What several parts of one frame derive from the state, computed once per frame rather
/// than by each part that needs it.
#[derive(Debug, Default)]
pub struct Derived {
    /// `State::zone_rows()`: the zones title, the tab marker and the body all need it.
    pub zones: Vec<crate::zones::ZoneRow>,
}

impl Derived {
    pub fn of(state: &State) -> Derived {
        Derived {
            zones: if state.zones.data.is_some() {
                state.zone_rows()
            } else {
                Vec::new()
            },
        }
    }
}

/// What a panel body needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub focused: bool,
    pub theme: Theme,
    pub derived: &'a Derived,
}

impl Ctx<'_> {
    /// Style of the selected row: loud in the focused panel, quiet elsewhere.
    pub fn selected(&self) -> Style {
        if self.focused {
            self.theme.selected()
        } else {
            self.theme.selected_unfocused()
        }
    }
}

pub fn focus_action(panel: PanelId) -> Action {
    match panel {
        PanelId::Stack => Action::FocusStack,
        PanelId::Targets => Action::FocusTargets,
        PanelId::Capacity => Action::FocusCapacity,
        PanelId::Database => Action::FocusDatabase,
        PanelId::Alarms => Action::FocusAlarms,
        PanelId::Zones => Action::FocusZones,
    }
}

/// Whether a panel needs the on-call engineer's eyes: its feed is failing, or what it shows
/// is in a bad state. Marks the panel's tab with ✖ when only one panel is on screen.
pub fn trouble(state: &State, derived: &Derived, panel: PanelId) -> bool {
    let (_, error, _, _) = state.feed_status(panel);
    error.is_some()
        || match panel {
            PanelId::Stack => stack::trouble(state),
            PanelId::Targets => targets::trouble(state),
            PanelId::Capacity => capacity::trouble(state),
            PanelId::Database => database::trouble(state),
            PanelId::Alarms => alarms::trouble(state),
            PanelId::Zones => zones::trouble(&derived.zones),
        }
}

/// Draws one panel: its frame, then its body, or the placeholder while it has no data.
pub fn render(frame: &mut Frame, area: Rect, state: &State, panel: PanelId, ctx: Ctx) {
    let summary = match panel {
        PanelId::Targets => targets::title(state, ctx.theme),
        PanelId::Capacity => capacity::title(state, ctx.theme),
        PanelId::Alarms => alarms::title(state, ctx.theme),
        PanelId::Zones => zones::title(state, &ctx.derived.zones, ctx.theme),
        PanelId::Stack | PanelId::Database => Vec::new(),
    };
    let block = chrome(state, panel, ctx, summary, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let (_, error, _, has_data) = state.feed_status(panel);
    if !has_data {
        let text = match error {
            // Never loaded and failing: the error is all there is, with what to do about it.
            Some(e) => Line::styled(format!("✖ {e}"), ctx.theme.bad()),
            None => Line::styled("loading…", ctx.theme.dim()),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    }
    match panel {
        PanelId::Stack => stack::render(frame, inner, state, ctx),
        PanelId::Targets => targets::render(frame, inner, state, ctx),
        PanelId::Capacity => capacity::render(frame, inner, state, ctx),
        PanelId::Database => database::render(frame, inner, state, ctx),
        PanelId::Alarms => alarms::render(frame, inner, state, ctx),
        PanelId::Zones => zones::render(frame, inner, state, ctx),
    }
}

/// The border and titles. Focus is told by a thick border and a "▶" before the name (so it
/// shows without colour); a failing feed by a reversed "STALE 25s · throttled" badge placed
/// right after the name, where truncation cannot reach it, and the error on the bottom border.
fn chrome<'a>(
    state: &State,
    panel: PanelId,
    ctx: Ctx,
    summary: Vec<Span<'a>>,
    width: u16,
) -> Block<'a> {
    let theme = ctx.theme;
    let (updated_at, error, polling, has_data) = state.feed_status(panel);
    let mut spans: Vec<Span> = Vec::new();
    if ctx.focused {
        spans.push(Span::styled("▶ ", theme.accent()));
    }
    if let Some(key) = keys::key_for(state, focus_action(panel)) {
        spans.push(Span::styled(format!("[{key}] "), theme.key()));
    }
    spans.push(Span::styled(
        panel.title(),
        Style::new().add_modifier(ratatui::style::Modifier::BOLD),
    ));
    let age_secs = updated_at.map(|t| (state.now - t).num_seconds());
    match (error, has_data) {
        (Some(e), true) => spans.push(Span::styled(
            format!(" STALE {} · {} ", age(age_secs.unwrap_or(0)), e.label()),
            theme.stale_badge(),
        )),
        (Some(e), false) => spans.push(Span::styled(
            format!(" ✖ {} ", e.label()),
            theme.stale_badge(),
        )),
        (None, _) => {}
    }
    if !summary.is_empty() {
        spans.push(Span::raw(" "));
        spans.extend(summary);
    }
    match (error, age_secs) {
        (None, Some(s)) => spans.push(Span::styled(
            format!(" · updated {} ago", age(s)),
            theme.dim(),
        )),
        (None, None) => spans.push(Span::styled(" · loading…", theme.dim())),
        (Some(_), _) => {}
    }
    if polling {
        spans.push(Span::styled(" ⟳", theme.accent()));
    }
    let room = width.saturating_sub(4) as usize;
    let mut title = truncate_line(Line::from(spans), room);
    title.spans.insert(0, Span::raw(" "));
    title.spans.push(Span::raw(" "));
    let mut block = Block::bordered()
        .border_type(if ctx.focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(ctx.focused, error.is_some()))
        .title(title);
    if let (Some(e), true) = (error, has_data) {
        let text = format!(" last poll failed: {e} ");
        block = block.title_bottom(Line::styled(
            truncate(&text, room).into_owned(),
            theme.bad(),
        ));
    } else if let Some(text) = partial(state, panel) {
        block = block.title_bottom(Line::styled(
            truncate(&text, room).into_owned(),
            theme.warn(),
        ));
    }
    block
}

/// Parts of a panel that the last poll could not read ("⚠ history not read: throttled"):
/// the rest is current, so this is a warning on the border, not a STALE badge.
fn partial(state: &State, panel: PanelId) -> Option<String> {
    let errors = match panel {
        PanelId::Database => &state.database.data.as_ref()?.errors,
        PanelId::Alarms => &state.alarms.data.as_ref()?.errors,
        _ => return None,
    };
    if errors.is_empty() {
        return None;
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {}", e.section, e.error.label()))
        .collect();
    Some(format!(" ⚠ not read: {} ", parts.join(", ")))
}

/// The error of one part of a panel that could not be read, if it failed.
pub fn section_error<'a>(
    errors: &'a [crate::domain::SectionError],
    section: &str,
) -> Option<&'a crate::aws::AwsError> {
    errors
        .iter()
        .find(|e| e.section == section)
        .map(|e| &e.error)
}

/// Index of the selected row among `rows`, as `State::selected_index` defines it (the first
/// row when the selected resource is gone), without rebuilding every row id per frame.
pub fn selected_pos<T>(
    state: &State,
    panel: PanelId,
    rows: &[T],
    is: impl Fn(&T, &str) -> bool,
) -> Option<usize> {
    if rows.is_empty() {
        return None;
    }
    let sel = state.view(panel).selected.as_deref();
    Some(
        sel.and_then(|s| rows.iter().position(|r| is(r, s)))
            .unwrap_or(0),
    )
}

/// The line shown instead of an empty table: says whether the filter hides the rows.
pub fn empty_line(state: &State, panel: PanelId, what: &str, theme: Theme) -> Line<'static> {
    let filter = &state.view(panel).filter;
    if filter.is_empty() {
        Line::styled(format!("no {what} reported"), theme.dim())
    } else {
        Line::styled(format!("no {what} match filter “{filter}”"), theme.dim())
    }
}

/// A panel table over only the visible window of rows: the caller builds `rows` for
/// `window` alone, so a 2,000-row table costs what its 20 visible rows cost.
pub fn table(
    frame: &mut Frame,
    area: Rect,
    cols: &[super::widgets::Col],
    columns: &super::widgets::Columns,
    rows: Vec<ratatui::widgets::Row>,
    selected: Option<usize>,
    ctx: Ctx,
) {
    use ratatui::widgets::{HighlightSpacing, Table, TableState};
    let table = Table::new(rows, columns.constraints())
        .header(columns.header(cols, ctx.theme))
        .column_spacing(1)
        .row_highlight_style(ctx.selected())
        .highlight_symbol(super::widgets::MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut ts = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut ts);
}

/// Width available to columns in a table of `area` (the marker column aside).
/// The rows of a table that fit `body` under its header line, keeping the selection in view
/// and honouring the panel's scroll offset when it can.
pub fn table_window(
    state: &State,
    panel: PanelId,
    len: usize,
    selected: Option<usize>,
    body: Rect,
) -> std::ops::Range<usize> {
    super::widgets::window(
        len,
        selected,
        state.view(panel).offset,
        body.height.saturating_sub(1) as usize,
    )
}

pub fn table_width(area: Rect) -> u16 {
    area.width.saturating_sub(super::widgets::MARKER_WIDTH)
}
