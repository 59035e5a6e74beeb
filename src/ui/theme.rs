//! Colours and modifiers of the console, in one place so NO_COLOR is honoured everywhere.
//!
//! Every state is told by symbol and word first (`status::state_symbol`); colour is an accent.
//! Foregrounds are only the terminal's default or red/yellow/green/cyan/magenta, so text reads
//! on dark and light backgrounds alike. With `color == false` no colour is emitted at all, only
//! bold / reversed / dim / underlined.
use crate::status::state_symbol;
use ratatui::style::{Color, Modifier, Style};

/// How a state reads to an on-call engineer, derived from its symbol so the table of states
/// stays in one place (`status::state_symbol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    /// Moving: draining, pending, in progress.
    Busy,
    /// Not measurable right now: INSUFFICIENT_DATA, standby, unused.
    Unknown,
    Plain,
}

impl Tone {
    pub fn of(state: &str) -> Tone {
        match state_symbol(state) {
            "✔" => Tone::Good,
            "✖" => Tone::Bad,
            "↓" | "…" => Tone::Busy,
            "?" => Tone::Unknown,
            _ => Tone::Plain,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            // Bad is also bold so it still stands out without colour.
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Good => self.fg(Color::Green),
            Tone::Busy => self.fg(Color::Yellow),
            Tone::Unknown => self.fg(Color::Magenta),
            Tone::Plain => Style::new(),
        }
    }

    /// Style of a state word (healthy, ALARM, InService, UPDATE_COMPLETE...).
    pub fn state(&self, state: &str) -> Style {
        self.tone(Tone::of(state))
    }

    pub fn bad(&self) -> Style {
        self.tone(Tone::Bad)
    }

    pub fn good(&self) -> Style {
        self.tone(Tone::Good)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: ages, headers of key/value lines, "none reported".
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Labels in key/value sections.
    pub fn label(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool, stale: bool) -> Style {
        match (focused, stale) {
            (_, true) => self.fg(Color::Red),
            (true, false) => self.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (false, false) => Style::new(),
        }
    }

    /// The "STALE 25s · throttled" badge: reversed, so it shows even without colour.
    pub fn stale_badge(&self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// A selected row in the focused panel.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The selected row of a panel without focus: still findable, not shouting.
    pub fn selected_unfocused(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn bar(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_colour_means_no_colour() {
        let t = Theme::new(false);
        for s in [
            t.bad(),
            t.good(),
            t.warn(),
            t.state("draining"),
            t.state("INSUFFICIENT_DATA"),
            t.border(true, false),
            t.border(false, true),
            t.stale_badge(),
            t.key(),
            t.label(),
        ] {
            assert_eq!(s.fg, None, "{s:?}");
            assert_eq!(s.bg, None, "{s:?}");
        }
        assert_eq!(Theme::new(true).state("unhealthy").fg, Some(Color::Red));
        assert_eq!(Theme::new(true).state("healthy").fg, Some(Color::Green));
    }
}
