//! An interactive shell on one instance: the session request, running the plugin in the
//! foreground with the terminal handed over, and what to say (and clean up) when it ends.
use super::Prepared;
use crate::domain::SessionRequest;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A session that ends sooner than this probably failed: its output is kept on screen.
pub const SHORT_SESSION: Duration = Duration::from_secs(5);

/// StartSession for a shell: no document (the account's default shell profile applies).
pub fn request(instance: &str) -> SessionRequest {
    SessionRequest {
        target: instance.to_string(),
        document: None,
        parameters: BTreeMap::new(),
        reason: "opsdeck shell".into(),
    }
}

/// How a shell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub target: String,
    pub session_id: String,
    /// The plugin's exit code; `None` when it was killed by a signal or did not start.
    pub exit_code: Option<i32>,
    /// Why the plugin could not be started at all.
    pub spawn_error: Option<String>,
    pub elapsed: Duration,
}

impl Ended {
    /// The plugin ends a session it closed normally itself; after a failure or a kill the
    /// session may still be open on AWS and must be terminated.
    pub fn needs_terminate(&self) -> bool {
        self.exit_code != Some(0)
    }

    /// Short enough that its output (an error, usually) should be read before the console
    /// paints over it.
    pub fn was_short(&self) -> bool {
        self.elapsed < SHORT_SESSION || self.spawn_error.is_some()
    }

    pub fn summary(&self) -> String {
        let how = match (&self.spawn_error, self.exit_code) {
            (Some(e), _) => format!("the plugin did not start: {e}"),
            (None, Some(0)) => "ended".into(),
            (None, Some(code)) => format!("ended with exit code {code}"),
            (None, None) => "ended: the plugin was killed".into(),
        };
        format!(
            "session {} on {} {how} after {}",
            self.session_id,
            self.target,
            crate::ops::timeline::clock(self.elapsed)
        )
    }
}

/// Runs the plugin with the terminal. The caller must have released the terminal (the
/// console) or never taken it (headless). `stop` (opsdeck told to terminate) ends it.
pub async fn run_foreground(
    prepared: &Prepared,
    stop: &tokio_util::sync::CancellationToken,
) -> Ended {
    let started = Instant::now();
    let result = crate::tui::run_in_foreground(prepared.invocation.command(), stop).await;
    let (exit_code, spawn_error) = match result {
        Ok(status) => (status.code(), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ended {
        target: prepared.target.clone(),
        session_id: prepared.session_id.clone(),
        exit_code,
        spawn_error,
        elapsed: started.elapsed(),
    }
}
