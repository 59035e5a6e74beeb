//! The Session Manager effects: starting a shell's session, opening and closing tunnels, and
//! TerminateSession clean-ups. Every task is tracked, so quitting can close what is open and
//! nothing is left running on AWS because the console exited at the wrong moment.
use crate::aws::Clients;
use crate::msg::{Msg, TunnelUpdate};
use crate::ssm::{self, tunnel};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long quitting waits for sessions to close: a tunnel interrupts its plugin and waits up
/// to 3 s for it, then TerminateSession; a shell still starting finishes StartSession first.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);

struct Tracked {
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

pub(super) struct Sessions {
    clients: Clients,
    auditor: crate::audit::Auditor,
    tx: UnboundedSender<Msg>,
    /// Tunnel tasks by id, and the local port each was given (never given twice).
    tunnels: HashMap<u64, (Tracked, u16)>,
    /// The shell whose session is being started.
    shell_start: Option<Tracked>,
    /// TerminateSession calls under way.
    cleanups: Vec<JoinHandle<()>>,
}

impl Sessions {
    pub(super) fn new(
        clients: Clients,
        auditor: crate::audit::Auditor,
        tx: UnboundedSender<Msg>,
    ) -> Sessions {
        Sessions {
            clients,
            auditor,
            tx,
            tunnels: HashMap::new(),
            shell_start: None,
            cleanups: Vec::new(),
        }
    }

    /// Plugin check and StartSession for a shell, answered by `Msg::ShellReady`. Cancelled
    /// by quitting: a session AWS opened meanwhile is terminated, not handed over.
    pub(super) fn start_shell(&mut self, stack: &str, instance: &str) {
        let (clients, tx) = (self.clients.clone(), self.tx.clone());
        let (auditor, stack) = (self.auditor.clone(), stack.to_string());
        let request = ssm::shell::request(instance);
        let cancel = CancellationToken::new();
        let cancelled = cancel.clone();
        let task = tokio::spawn(async move {
            let result = ssm::prepare_audited(&clients, &auditor, &stack, &request).await;
            match result {
                Ok(p) if cancelled.is_cancelled() => {
                    let _ = ssm::terminate(&clients, &p.session_id).await;
                }
                result => {
                    let result = result.map(Box::new).map_err(|e| e.to_string());
                    let _ = tx.send(Msg::ShellReady(result));
                }
            }
        });
        self.shell_start = Some(Tracked { cancel, task });
    }

    pub(super) fn terminate(&mut self, session_id: &str) {
        let (clients, id) = (self.clients.clone(), session_id.to_string());
        self.cleanups.retain(|t| !t.is_finished());
        self.cleanups.push(tokio::spawn(async move {
            let _ = ssm::terminate(&clients, &id).await;
        }));
    }

    /// A tunnel's task: a local port no other tunnel holds, StartSession, then the plugin in
    /// the background until closed; everything it sees goes out as `Msg::Tunnel`.
    pub(super) fn open_tunnel(
        &mut self,
        stack: &str,
        id: u64,
        (host, remote_port): (&str, u16),
        via: &str,
    ) {
        let tx = self.tx.clone();
        let (auditor, stack) = (self.auditor.clone(), stack.to_string());
        let send = move |update| {
            let _ = tx.send(Msg::Tunnel { id, update });
        };
        let closed =
            |reason: String| TunnelUpdate::Event(tunnel::Event::Closed { reason, ok: false });
        self.tunnels.retain(|_, (t, _)| !t.task.is_finished());
        // The port is only bound by the plugin a second or two later: another tunnel opened
        // meanwhile must not be given the same one.
        let taken: Vec<u16> = self.tunnels.values().map(|(_, port)| *port).collect();
        let local_port = match tunnel::choose_local_port(None, remote_port, &taken) {
            Ok(p) => p,
            Err(e) => return send(closed(e)),
        };
        send(TunnelUpdate::Port(local_port));
        let spec = tunnel::Spec {
            instance: via.to_string(),
            host: host.to_string(),
            remote_port,
            local_port,
        };
        let clients = self.clients.clone();
        let cancel = CancellationToken::new();
        let close = cancel.clone();
        let task = tokio::spawn(async move {
            // Not abandoned half-way when closed early: StartSession may already have
            // opened a session that must be terminated.
            let request = spec.request();
            let prepared = match ssm::prepare_audited(&clients, &auditor, &stack, &request).await {
                Ok(p) => p,
                Err(e) => return send(closed(e.to_string())),
            };
            send(TunnelUpdate::Session(prepared.session_id.clone()));
            if close.is_cancelled() {
                let _ = ssm::terminate(&clients, &prepared.session_id).await;
                return send(closed("closed before it opened".into()));
            }
            tunnel::run(&clients, &prepared, close, |event| {
                if let tunnel::Event::Output(line) = &event {
                    tracing::debug!(tunnel = id, "plugin: {line}");
                }
                send(TunnelUpdate::Event(event));
            })
            .await;
        });
        self.tunnels
            .insert(id, (Tracked { cancel, task }, local_port));
    }

    pub(super) fn close_tunnel(&mut self, id: u64) {
        if let Some((t, _)) = self.tunnels.get(&id) {
            t.cancel.cancel();
        }
    }

    /// Closes every tunnel, stops a shell being started, and waits (bounded) for them and
    /// for pending TerminateSession calls. Returns false when something did not finish in
    /// time (its session ends at its idle timeout on AWS).
    pub(super) async fn close_all(&mut self) -> bool {
        let mut tasks: Vec<JoinHandle<()>> = Vec::new();
        for (_, (t, _)) in self.tunnels.drain() {
            t.cancel.cancel();
            tasks.push(t.task);
        }
        if let Some(t) = self.shell_start.take() {
            t.cancel.cancel();
            tasks.push(t.task);
        }
        tasks.append(&mut self.cleanups);
        if tasks.is_empty() {
            return true;
        }
        let done = tokio::time::timeout(CLOSE_WITHIN, futures::future::join_all(tasks)).await;
        if done.is_err() {
            tracing::warn!("sessions did not close within {CLOSE_WITHIN:?}");
        }
        done.is_ok()
    }
}
