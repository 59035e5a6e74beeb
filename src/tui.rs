//! The terminal's lifecycle, and only here: enter (raw mode, alternate screen, hidden cursor),
//! restore (exactly undone), suspend to the shell and resume, and a panic hook that restores
//! the terminal before the report is printed.
use color_eyre::eyre::Result;
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether we changed the terminal and owe a restore (the panic hook and `restore` check it,
/// so restoring twice, or without having entered, is harmless).
static ENTERED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Installs, once, a panic hook that restores the terminal and then runs the previous hook
/// (color-eyre's report), so the report lands on a usable terminal.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

fn take_over() -> std::io::Result<()> {
    terminal::enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    execute!(stdout(), terminal::EnterAlternateScreen, cursor::Hide)
}

/// Takes over the terminal for the console.
pub fn enter() -> Result<Term> {
    install_panic_hook();
    take_over()?;
    let mut term = Terminal::new(CrosstermBackend::new(stdout()))?;
    redraw_all(&mut term)?;
    Ok(term)
}

/// Gives the terminal back as it was: raw mode off (crossterm restores the termios it saved),
/// main screen, cursor shown. Safe to call at any time and more than once.
pub fn restore() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
        let _ = execute!(stdout(), terminal::LeaveAlternateScreen, cursor::Show);
    }
}

/// Ctrl-Z: restore the terminal, stop the process (as the shell expects), and take the
/// terminal over again once the shell continues us with `fg`. The caller must have stopped
/// reading input first and must redraw everything after.
pub fn suspend(term: &mut Term) -> Result<()> {
    restore();
    // SAFETY: raise(2) with SIGTSTP; the default action stops us until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    take_over()?;
    redraw_all(term)
}

/// Forces the next draw to repaint every cell. `Terminal::clear` would also do it, but it asks
/// the terminal for the cursor position, and right after a resume that reply can be lost (the
/// old input reader may still hold crossterm's event lock), which failed the resume.
fn redraw_all(term: &mut Term) -> Result<()> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok(())
}
