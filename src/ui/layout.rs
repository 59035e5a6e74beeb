//! Where things go on the screen, recomputed from the frame's size every frame so a resize
//! never leaves anything behind.
//!
//! Rules: a panel cell must be at least `MIN_CELL_W` x `MIN_CELL_H` to be worth a grid slot.
//! - 3 columns x 2 rows when three cells fit across and two down (>= 138x22, e.g. 160x48);
//! - else 2 columns x 3 rows when two fit across and three down (>= 92x29, e.g. 120x36);
//! - else one panel at a time under a tab bar (80x24), as when the focused panel is zoomed.
use crate::state::PanelId;
use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_CELL_W: u16 = 46;
pub const MIN_CELL_H: u16 = 9;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// One panel, full size, with the tab bar above it listing every panel.
    Single { tabs: Rect, panel: Rect },
    /// Every panel in reading order (left to right, top to bottom).
    Grid(Vec<(PanelId, Rect)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub top: Rect,
    pub body: Body,
    pub bottom: Rect,
}

/// How many grid columns fit in `area` (0: no grid).
pub fn grid_columns(area: Rect) -> u16 {
    let body_h = area.height.saturating_sub(2);
    let panels = PanelId::all().count() as u16;
    [3u16, 2]
        .into_iter()
        .find(|cols| {
            let rows = panels.div_ceil(*cols);
            area.width / cols >= MIN_CELL_W && body_h / rows >= MIN_CELL_H
        })
        .unwrap_or(0)
}

pub fn compute(area: Rect, zoomed: bool) -> Screen {
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let cols = grid_columns(area);
    let body = if zoomed || cols == 0 {
        let [tabs, panel] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(middle);
        Body::Single { tabs, panel }
    } else {
        Body::Grid(grid(middle, cols))
    };
    Screen { top, body, bottom }
}

fn grid(area: Rect, cols: u16) -> Vec<(PanelId, Rect)> {
    let panels: Vec<PanelId> = PanelId::all().collect();
    let rows = (panels.len() as u16).div_ceil(cols);
    let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows as usize]).split(area);
    let mut out = Vec::with_capacity(panels.len());
    for (r, row) in row_areas.iter().enumerate() {
        let cells = Layout::horizontal(vec![Constraint::Fill(1); cols as usize]).split(*row);
        for (c, cell) in cells.iter().enumerate() {
            if let Some(p) = panels.get(r * cols as usize + c) {
                out.push((*p, *cell));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(w: u16, h: u16) -> u16 {
        grid_columns(Rect::new(0, 0, w, h))
    }

    #[test]
    fn sizes_pick_the_documented_layouts() {
        assert_eq!(cols(80, 24), 0);
        assert_eq!(cols(120, 36), 2);
        assert_eq!(cols(160, 48), 3);
        assert_eq!(cols(140, 40), 3);
        assert_eq!(cols(200, 60), 3);
        assert_eq!(cols(100, 28), 0);
        let s = compute(Rect::new(0, 0, 160, 48), false);
        match s.body {
            Body::Grid(cells) => {
                assert_eq!(cells.len(), 6);
                assert!(cells.iter().all(|(_, r)| r.width >= MIN_CELL_W));
            }
            b => panic!("{b:?}"),
        }
        assert!(matches!(
            compute(Rect::new(0, 0, 160, 48), true).body,
            Body::Single { .. }
        ));
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (10, 2), (80, 3)] {
            compute(Rect::new(0, 0, w, h), false);
        }
    }
}
