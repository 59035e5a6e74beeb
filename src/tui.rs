//! The terminal's lifecycle, and only here: enter (raw mode, alternate screen, hidden cursor),
//! restore (exactly undone), suspend to the shell and resume, hand the terminal to a child
//! (a session's plugin) and take it back with the start-up settings, and a panic hook that
//! restores the terminal before the report is printed.
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

/// The terminal settings (termios of stdin) as they were when opsdeck started, before raw
/// mode: what a child that died mid-session is cleaned up to.
static STARTUP_TERMIOS: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

/// Records the terminal settings at start-up (once; a no-op when stdin is not a terminal).
pub fn capture_startup_settings() {
    // SAFETY: tcgetattr only writes into the zeroed struct we own.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::isatty(libc::STDIN_FILENO) == 1 && libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0
        {
            let _ = STARTUP_TERMIOS.set(t);
        }
    }
}

/// Puts back the settings captured at start-up, whatever a child left behind (a plugin
/// killed in cbreak/-echo mode leaves a terminal that neither echoes nor edits lines).
pub fn restore_startup_settings() {
    if let Some(t) = STARTUP_TERMIOS.get() {
        // SAFETY: tcsetattr reads the struct captured by tcgetattr on the same descriptor.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, t);
        }
    }
}

/// Gives the terminal to a child process: main screen, cursor shown, the start-up settings.
/// The caller must have stopped reading input first.
pub fn release() {
    restore();
    restore_startup_settings();
    let _ = execute!(stdout(), cursor::Show);
}

/// Takes the terminal back after a child process and forces a full repaint.
pub fn reclaim(term: &mut Term) -> Result<()> {
    restore_startup_settings();
    take_over()?;
    redraw_all(term)
}

/// Prints `prompt` and waits for one key press (raw mode only while waiting), so output a
/// child printed just before it ended can be read before the console covers it. Also ends
/// when the terminal hangs up or `stop` is cancelled: it never waits on a dead terminal.
pub async fn wait_for_key(prompt: &str, stop: &tokio_util::sync::CancellationToken) {
    use std::io::Write;
    // What was typed before the prompt was meant for the remote shell (a command being typed
    // as the session died): none of it may reach the console as keys.
    // SAFETY: tcflush on our own stdin descriptor.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
    let mut out = stdout();
    let _ = write!(out, "\r\n\x1b[7m {prompt} \x1b[0m");
    let _ = out.flush();
    let stop = stop.clone();
    let _ = tokio::task::spawn_blocking(move || {
        if terminal::enable_raw_mode().is_err() {
            return;
        }
        // poll(2) on stdin rather than crossterm's reader: a hung-up terminal reads 0 bytes
        // forever, and the reader would spin instead of returning.
        while !stop.is_cancelled() {
            match read_byte(200) {
                Read::Byte(0x1b) => {
                    consume_escape_sequence();
                    break;
                }
                // One key: what was typed after it stays for the console (a quick "any key,
                // then q" quits).
                Read::Byte(_) | Read::Gone => break,
                Read::Nothing => {}
            }
        }
        let _ = terminal::disable_raw_mode();
    })
    .await;
    let _ = write!(out, "\r\n");
}

enum Read {
    Byte(u8),
    /// Nothing within the wait.
    Nothing,
    /// The terminal hung up or failed.
    Gone,
}

/// One byte of stdin, waiting at most `wait_ms`.
fn read_byte(wait_ms: i32) -> Read {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd we own.
    let ready = unsafe { libc::poll(&mut fd, 1, wait_ms) };
    if ready < 0 {
        let interrupted = std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted;
        return if interrupted {
            Read::Nothing
        } else {
            Read::Gone
        };
    }
    if ready == 0 {
        return Read::Nothing;
    }
    if fd.revents & libc::POLLIN == 0 {
        return Read::Gone;
    }
    let mut byte = [0u8; 1];
    // SAFETY: reads into a buffer we own.
    match unsafe { libc::read(libc::STDIN_FILENO, byte.as_mut_ptr().cast(), 1) } {
        1 => Read::Byte(byte[0]),
        _ => Read::Gone,
    }
}

/// After ESC: the rest of an escape sequence (an arrow, a function key), whole, even when it
/// arrives split, so none of it reaches the console as keys. CSI and SS3 sequences end with a
/// byte in 0x40..=0x7E; anything else after ESC is a single Alt-key byte.
fn consume_escape_sequence() {
    match read_byte(100) {
        Read::Byte(b'[') | Read::Byte(b'O') => {
            for _ in 0..32 {
                match read_byte(100) {
                    Read::Byte(b) if (0x40..=0x7e).contains(&b) => return,
                    Read::Byte(_) => {}
                    Read::Nothing | Read::Gone => return,
                }
            }
        }
        _ => {}
    }
}

/// Terminal modes a remote full-screen program may have left on when its session died
/// (termios does not cover them): mouse and focus reporting, bracketed paste, application
/// cursor keys and keypad, the kitty keyboard protocol, scroll region, attributes, a hidden
/// cursor and the alternate screen (1047, which unlike 1049 does not move the cursor; the
/// scroll region reset, which homes the cursor, is wrapped in save/restore). Each is
/// reset; a terminal ignores what it does not know.
const RESET_MODES: &str = "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1004l\x1b[?2004l\x1b[?1l\x1b>\x1b[<u\x1b7\x1b[r\x1b8\x1b[0m\x1b[?25h\x1b[?1047l";

/// Runs `cmd` in the foreground with the terminal inherited and waits for it. While it runs,
/// the signals typed at the terminal reach only the child: opsdeck ignores them, and the
/// child starts with their default handling (an ignored signal would be inherited through
/// exec, and some programs cannot undo that). The start-up terminal settings are restored
/// afterwards, even if the child died without restoring its own.
pub async fn run_in_foreground(
    mut cmd: tokio::process::Command,
    stop: &tokio_util::sync::CancellationToken,
) -> std::io::Result<std::process::ExitStatus> {
    cmd.stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit());
    crate::child::default_typed_signals(&mut cmd);
    let ignored = IgnoredSignals::ignore(&crate::child::TYPED_SIGNALS);
    let status = match cmd.spawn() {
        Ok(mut child) => {
            tokio::select! {
                status = child.wait() => status,
                _ = stop.cancelled() => {
                    // opsdeck is told to end (SIGTERM, or the terminal hung up): so is the
                    // session's plugin, with a kill if it does not go within 3 s.
                    crate::child::end(&mut child, libc::SIGTERM, std::time::Duration::from_secs(3)).await
                }
            }
        }
        Err(e) => Err(e),
    };
    drop(ignored);
    restore_startup_settings();
    {
        use std::io::{IsTerminal, Write};
        // Only to a terminal: in a pipe or a log they would be noise.
        let mut out = stdout();
        if out.is_terminal() {
            let _ = out.write_all(RESET_MODES.as_bytes());
            let _ = out.flush();
        }
    }
    status
}

/// Signals set to be ignored, with their previous handling put back on drop.
pub struct IgnoredSignals(Vec<(libc::c_int, libc::sigaction)>);

impl IgnoredSignals {
    /// Ctrl-C, Ctrl-\ and Ctrl-Z ignored until the guard is dropped: while opsdeck closes
    /// its sessions at exit, a Ctrl-C must not kill it half-way.
    pub fn typed() -> IgnoredSignals {
        IgnoredSignals::ignore(&crate::child::TYPED_SIGNALS)
    }

    fn ignore(signals: &[libc::c_int]) -> IgnoredSignals {
        let mut saved = Vec::new();
        for &sig in signals {
            // SAFETY: sigaction with a zeroed struct set to SIG_IGN; the old action is kept
            // to be reinstalled unchanged.
            unsafe {
                let mut ignore: libc::sigaction = std::mem::zeroed();
                ignore.sa_sigaction = libc::SIG_IGN;
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &ignore, &mut old) == 0 {
                    saved.push((sig, old));
                }
            }
        }
        IgnoredSignals(saved)
    }
}

impl Drop for IgnoredSignals {
    fn drop(&mut self) {
        for (sig, old) in &self.0 {
            // SAFETY: reinstalls exactly the action sigaction returned.
            unsafe {
                libc::sigaction(*sig, old, std::ptr::null_mut());
            }
        }
    }
}
