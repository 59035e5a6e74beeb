//! Effects: turns `Cmd`s into tokio tasks. One poller per panel, each awaiting its own request
//! before sleeping (no overlapping polls), with a timeout on every poll, exponential backoff
//! with jitter after errors, a `Notify` for refresh-now and a `CancellationToken` to stop.
use crate::aws::{AwsError, Clients, error::AwsErrorKind};
use crate::domain::StackResources;
use crate::fetch;
use crate::msg::{Cmd, Msg, PanelData};
use crate::state::{Intervals, PanelId};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc::UnboundedSender};
use tokio_util::sync::CancellationToken;

mod sessions;

/// The longest a failing panel waits between tries, however many failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Delay before the next poll after `failures` consecutive failures (0 = healthy): the
/// interval, doubled per failure up to `MAX_BACKOFF`, then scaled by `jitter` in [0.5, 1.0]
/// so many consoles hitting one throttled account do not retry in lockstep.
pub fn next_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    if failures == 0 {
        return interval;
    }
    let factor = 2u32.saturating_pow(failures.min(16));
    let backoff = interval.saturating_mul(factor).min(MAX_BACKOFF);
    backoff.mul_f64(jitter.clamp(0.5, 1.0))
}

struct Poller {
    cancel: CancellationToken,
    refresh: Arc<Notify>,
}

/// What a poller polls: the stack itself, or one panel of its discovered resources.
#[derive(Clone)]
enum Subject {
    Stack(String),
    Resources(Arc<StackResources>),
}

/// Owns the pollers; lives on the UI task, spawns everything else.
pub struct Effects {
    clients: Clients,
    auditor: crate::audit::Auditor,
    sandbox: bool,
    tx: UnboundedSender<Msg>,
    intervals: Intervals,
    poll_timeout: Duration,
    stack: String,
    pollers: HashMap<PanelId, Poller>,
    /// Shells being started, tunnels, TerminateSession clean-ups.
    sessions: sessions::Sessions,
}

impl Effects {
    pub fn new(
        clients: Clients,
        tx: UnboundedSender<Msg>,
        intervals: Intervals,
        poll_timeout: Duration,
        auditor: crate::audit::Auditor,
        sandbox: bool,
    ) -> Effects {
        let sessions = sessions::Sessions::new(clients.clone(), auditor.clone(), tx.clone());
        Effects {
            clients,
            auditor,
            sandbox,
            tx,
            intervals,
            poll_timeout,
            stack: String::new(),
            pollers: HashMap::new(),
            sessions,
        }
    }

    /// Runs one command. `Suspend` and `Quit` also need the terminal: the app handles those
    /// after calling this.
    pub fn run(&mut self, cmd: &Cmd) {
        match cmd {
            Cmd::WatchStack(stack) => {
                self.stop_all();
                self.stack = stack.clone();
                self.spawn(PanelId::Stack, Subject::Stack(stack.clone()));
            }
            Cmd::WatchResources(resources) => {
                let resources = Arc::new(resources.clone());
                for panel in PanelId::all().filter(|p| *p != PanelId::Stack) {
                    if let Some(old) = self.pollers.remove(&panel) {
                        old.cancel.cancel();
                    }
                    self.spawn(panel, Subject::Resources(resources.clone()));
                }
            }
            Cmd::Refresh(panel) => {
                if let Some(p) = self.pollers.get(panel) {
                    p.refresh.notify_one();
                }
            }
            Cmd::RefreshAll => self.pollers.values().for_each(|p| p.refresh.notify_one()),
            Cmd::Quit => self.stop_all(),
            Cmd::Suspend | Cmd::HandOver(_) => {}
            Cmd::StartShell { instance } => self.sessions.start_shell(&self.stack, instance),
            Cmd::TerminateSession(id) => self.sessions.terminate(id),
            Cmd::OpenTunnel {
                id,
                host,
                remote_port,
                via,
            } => self
                .sessions
                .open_tunnel(&self.stack, *id, (host, *remote_port), via),
            Cmd::CloseTunnel(id) => self.sessions.close_tunnel(*id),
            Cmd::Review(request) => {
                let (clients, tx, stack) =
                    (self.clients.clone(), self.tx.clone(), self.stack.clone());
                let (request, sandbox) = (request.clone(), self.sandbox);
                tokio::spawn(async move {
                    let result = crate::ops::deploy::prepare(&clients, &stack, request, sandbox)
                        .await
                        .map(Box::new)
                        .map_err(|e| format!("{e:#}"));
                    let _ = tx.send(Msg::Reviewed(result));
                });
            }
            Cmd::Discard { change_set, create } => {
                let (clients, stack) = (self.clients.clone(), self.stack.clone());
                let (change_set, create) = (change_set.clone(), *create);
                tokio::spawn(async move {
                    if let Err(e) =
                        crate::ops::deploy::discard(&clients, &stack, &change_set, create).await
                    {
                        tracing::warn!(error = %e, change_set, "declined change set not deleted");
                    }
                });
            }
            Cmd::Perform { id, op } => {
                let (clients, tx, stack) =
                    (self.clients.clone(), self.tx.clone(), self.stack.clone());
                let (auditor, op, id) = (self.auditor.clone(), op.clone(), *id);
                // Not tied to the pollers: switching stacks or closing the progress view
                // never abandons an operation half-followed.
                tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    let mut sink = move |progress| {
                        let _ = progress_tx.send(Msg::Progress { id, progress });
                    };
                    let opts = crate::ops::run::RunOptions::default();
                    let result = auditor
                        .perform(&clients, &stack, &op, &opts, &mut sink)
                        .await;
                    let _ = tx.send(Msg::Finished { id, result });
                });
            }
            Cmd::Audit {
                op,
                outcome,
                detail,
            } => {
                let (clients, stack, auditor) = (
                    self.clients.clone(),
                    self.stack.clone(),
                    self.auditor.clone(),
                );
                let (op, outcome, detail) = (op.clone(), outcome.clone(), detail.clone());
                tokio::spawn(async move {
                    if let Err(e) = auditor
                        .record(&clients, &stack, &op, outcome, &detail, 0)
                        .await
                    {
                        tracing::error!("audit log not written: {e:#}");
                    }
                });
            }
        }
    }

    /// Closes every session (see `sessions::Sessions::close_all`); false if some did not
    /// close in time.
    pub async fn close_sessions(&mut self) -> bool {
        self.sessions.close_all().await
    }

    /// TerminateSession for a session nobody will use (found unclaimed at quit).
    pub fn terminate_session(&mut self, session_id: &str) {
        self.sessions.terminate(session_id);
    }

    pub fn stop_all(&mut self) {
        for (_, p) in self.pollers.drain() {
            p.cancel.cancel();
        }
    }

    fn spawn(&mut self, panel: PanelId, subject: Subject) {
        let cancel = CancellationToken::new();
        let refresh = Arc::new(Notify::new());
        let task = PollTask {
            panel,
            subject,
            stack: self.stack.clone(),
            clients: self.clients.clone(),
            tx: self.tx.clone(),
            interval: self.intervals.of(panel),
            timeout: self.poll_timeout,
            cancel: cancel.clone(),
            refresh: refresh.clone(),
        };
        tokio::spawn(task.run());
        self.pollers.insert(panel, Poller { cancel, refresh });
    }
}

impl Drop for Effects {
    fn drop(&mut self) {
        self.stop_all();
    }
}

struct PollTask {
    panel: PanelId,
    subject: Subject,
    stack: String,
    clients: Clients,
    tx: UnboundedSender<Msg>,
    interval: Duration,
    timeout: Duration,
    cancel: CancellationToken,
    refresh: Arc<Notify>,
}

impl PollTask {
    async fn run(self) {
        let mut failures = 0u32;
        loop {
            let _ = self.tx.send(Msg::PollStarted {
                panel: self.panel,
                stack: self.stack.clone(),
            });
            let result = tokio::select! {
                r = tokio::time::timeout(self.timeout, poll(self.panel, &self.subject, &self.clients)) => {
                    r.unwrap_or_else(|_| Err(AwsError::new(
                        AwsErrorKind::Timeout,
                        self.panel.title(),
                        format!("no answer within {}s", self.timeout.as_secs()),
                    )))
                }
                _ = self.cancel.cancelled() => return,
            };
            failures = if result.is_ok() {
                0
            } else {
                failures.saturating_add(1)
            };
            if let Err(e) = &result {
                tracing::warn!(panel = self.panel.name(), error = %e, failures, "poll failed");
            }
            let msg = Msg::Polled {
                panel: self.panel,
                stack: self.stack.clone(),
                at: chrono::Utc::now(),
                result,
            };
            if self.tx.send(msg).is_err() {
                return; // the app is gone
            }
            let delay = next_delay(self.interval, failures, 0.5 + fastrand::f64() / 2.0);
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.refresh.notified() => {}
                _ = self.cancel.cancelled() => return,
            }
        }
    }
}

/// One poll of one panel.
async fn poll(panel: PanelId, subject: &Subject, clients: &Clients) -> Result<PanelData, AwsError> {
    match (panel, subject) {
        (PanelId::Stack, Subject::Stack(stack)) => fetch::stack_panel(clients, stack)
            .await
            .map(PanelData::Stack),
        (PanelId::Targets, Subject::Resources(r)) => fetch::targets_panel(clients, r)
            .await
            .map(PanelData::Targets),
        (PanelId::Capacity, Subject::Resources(r)) => fetch::capacity_panel(clients, r)
            .await
            .map(PanelData::Capacity),
        (PanelId::Database, Subject::Resources(r)) => fetch::database_panel(clients, r)
            .await
            .map(PanelData::Database),
        (PanelId::Alarms, Subject::Resources(r)) => {
            fetch::alarms_panel(clients, r, chrono::Utc::now())
                .await
                .map(PanelData::Alarms)
        }
        (PanelId::Zones, Subject::Resources(r)) => {
            fetch::zones_panel(clients, r).await.map(PanelData::Zones)
        }
        (panel, _) => Err(AwsError::new(
            AwsErrorKind::Other,
            panel.title(),
            "poller started without its subject",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_failures_is_capped_and_jittered() {
        let i = Duration::from_secs(5);
        assert_eq!(
            next_delay(i, 0, 0.7),
            i,
            "healthy polls keep their interval"
        );
        assert_eq!(next_delay(i, 1, 1.0), Duration::from_secs(10));
        assert_eq!(next_delay(i, 3, 1.0), Duration::from_secs(40));
        assert_eq!(next_delay(i, 30, 1.0), MAX_BACKOFF);
        assert_eq!(next_delay(i, 1, 0.5), Duration::from_secs(5));
        assert_eq!(
            next_delay(i, 1, 0.0),
            Duration::from_secs(5),
            "jitter is clamped"
        );
    }
}
