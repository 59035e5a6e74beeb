//! Child processes (a session's plugin): the signals they start with, and ending one politely
//! (a signal, a grace period, then a kill). The foreground shell and the background tunnel
//! both use these.
use std::process::ExitStatus;
use std::time::Duration;
use tokio::process::{Child, Command};

/// The signals a user types at a terminal (Ctrl-C, Ctrl-\, Ctrl-Z).
pub const TYPED_SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP];

/// The child starts with default handling of the typed signals, whatever opsdeck does with
/// them at the moment: an ignored signal is inherited through exec, and some programs cannot
/// undo that (and closing a tunnel relies on SIGINT).
pub fn default_typed_signals(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and calls only signal(2),
    // which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            for sig in TYPED_SIGNALS {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// Sends `signal`, waits up to `grace` for the child to end, then kills it.
pub async fn end(
    child: &mut Child,
    signal: libc::c_int,
    grace: Duration,
) -> std::io::Result<ExitStatus> {
    if let Some(pid) = child.id() {
        // SAFETY: kill(2) on our own child's pid, which cannot have been reaped yet (we hold it).
        unsafe {
            libc::kill(pid as libc::pid_t, signal);
        }
    }
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            let _ = child.kill().await;
            child.wait().await
        }
    }
}
