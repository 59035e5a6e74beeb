//! Drawing a `State` into a `TestBackend` and reading the screen back: text, where a string
//! is, and one-character-per-cell maps of styles and colours for snapshots.
#![allow(dead_code)]
use opsdeck::state::State;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

pub fn draw(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| opsdeck::ui::render(f, state)).unwrap();
    t
}

pub fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// Where `needle` starts on screen, as (x, y).
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let first = needle.chars().next()?;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol().starts_with(first) {
                let got: String = (x..buf.area.width.min(x + needle.chars().count() as u16))
                    .map(|xx| buf[(xx, y)].symbol())
                    .collect();
                if got == needle {
                    return Some((x, y));
                }
            }
        }
    }
    None
}

/// One character per cell telling its style: what a screen looks like to someone who cannot
/// tell the colours apart (or runs NO_COLOR). R reversed, B bold, D dim, U underlined.
pub fn modifier_mask(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let m = buf[(x, y)].modifier;
            out.push(if m.contains(Modifier::REVERSED) {
                'R'
            } else if m.contains(Modifier::BOLD) {
                'B'
            } else if m.contains(Modifier::DIM) {
                'D'
            } else if m.contains(Modifier::UNDERLINED) {
                'U'
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    out
}

/// One character per cell for its foreground colour: r g y c m, "." for the default.
pub fn colour_mask(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push(match buf[(x, y)].fg {
                Color::Red => 'r',
                Color::Green => 'g',
                Color::Yellow => 'y',
                Color::Cyan => 'c',
                Color::Magenta => 'm',
                Color::Reset => '.',
                _ => '?',
            });
        }
        out.push('\n');
    }
    out
}
