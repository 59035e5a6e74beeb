//! A port-forwarding tunnel to the database through an instance
//! (AWS-StartPortForwardingSessionToRemoteHost): the local port, the plugin in the background
//! with its output parsed, and closing it (interrupt the plugin, then TerminateSession).
use super::Prepared;
use crate::aws::Clients;
use crate::domain::SessionRequest;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;

pub const DOCUMENT: &str = "AWS-StartPortForwardingSessionToRemoteHost";

/// How long an interrupted plugin gets to close its session before it is killed.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// Where a tunnel goes: local port → instance → host:port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub instance: String,
    pub host: String,
    pub remote_port: u16,
    pub local_port: u16,
}

impl Spec {
    pub fn request(&self) -> SessionRequest {
        SessionRequest {
            target: self.instance.clone(),
            document: Some(DOCUMENT.into()),
            parameters: BTreeMap::from([
                ("host".into(), vec![self.host.clone()]),
                ("portNumber".into(), vec![self.remote_port.to_string()]),
                ("localPortNumber".into(), vec![self.local_port.to_string()]),
            ]),
            reason: "opsdeck database tunnel".into(),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "127.0.0.1:{} → {}:{} via {}",
            self.local_port, self.host, self.remote_port, self.instance
        )
    }
}

/// The local port to listen on: the one asked for if it is free, else the database's own port
/// when free (so clients' default port works), else one the OS picks; never one in `taken`
/// (given to another tunnel whose plugin has not bound it yet).
pub fn choose_local_port(
    wanted: Option<u16>,
    remote_port: u16,
    taken: &[u16],
) -> Result<u16, String> {
    let free = |port: u16| {
        (!taken.contains(&port))
            .then(|| TcpListener::bind((Ipv4Addr::LOCALHOST, port)).ok())
            .flatten()
    };
    if let Some(port) = wanted {
        return free(port).map(|_| port).ok_or_else(|| {
            format!(
                "local port {port} is in use on this machine: pick another with --local-port, or leave it out to get a free one"
            )
        });
    }
    if remote_port != 0 && free(remote_port).is_some() {
        return Ok(remote_port);
    }
    // Port 0: the OS picks a free one (retried in the unlikely case it picks a taken one).
    for _ in 0..8 {
        let picked = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port());
        if let Some(port) = picked.ok().filter(|p| !taken.contains(p)) {
            return Ok(port);
        }
    }
    Err(
        "no free local port on 127.0.0.1: close something listening, or pass one with --local-port"
            .into(),
    )
}

/// How to connect through the tunnel with the engine's usual client, when it has one.
pub fn client_hint(engine: &str, local_port: u16) -> Option<String> {
    let engine = engine.to_ascii_lowercase();
    if engine.contains("postgres") {
        Some(format!("psql -h 127.0.0.1 -p {local_port}"))
    } else if engine.contains("mysql") || engine.contains("mariadb") {
        Some(format!("mysql -h 127.0.0.1 -P {local_port}"))
    } else {
        None
    }
}

/// What the background plugin reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The local port is open and waiting for connections.
    Listening,
    /// A client connected through the tunnel.
    Connection,
    /// Any other line the plugin printed.
    Output(String),
    /// The tunnel is closed: why, in a sentence.
    Closed { reason: String, ok: bool },
}

/// Reads one line of the plugin's output.
pub fn parse_line(line: &str) -> Event {
    let line = line.trim();
    // The plugin prints "Port N opened for sessionId X." and then "Waiting for connections...":
    // the second is the one that means ready, and it comes once.
    if line.contains("Waiting for connections") {
        Event::Listening
    } else if line.starts_with("Connection accepted") {
        Event::Connection
    } else {
        Event::Output(line.to_string())
    }
}

/// Runs the plugin in the background until it exits or `close` is cancelled, then closes:
/// SIGINT (the plugin closes its session), a kill after a grace period, and TerminateSession
/// in every case so nothing stays open on AWS. Ends with `Event::Closed`.
pub async fn run(
    clients: &Clients,
    prepared: &Prepared,
    close: CancellationToken,
    mut on_event: impl FnMut(Event),
) {
    let mut cmd = prepared.invocation.command();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: a Ctrl-C typed in the terminal (or in a shell session the
        // console hands over) never reaches a background tunnel; only opsdeck closes it.
        .process_group(0)
        .kill_on_drop(true);
    // Closing relies on SIGINT, whatever opsdeck ignores at the moment (a shell session in
    // the foreground ignores it).
    crate::child::default_typed_signals(&mut cmd);
    // If opsdeck itself is killed (no chance to close), the kernel ends the plugin too: no
    // orphan keeps a port open. (The parent here is the runtime's worker thread, which lives
    // as long as opsdeck.) SAFETY: prctl(2) is async-signal-safe; it runs in the forked child.
    #[cfg(target_os = "linux")]
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            let _ = super::terminate(clients, &prepared.session_id).await;
            on_event(Event::Closed {
                reason: format!("the plugin did not start: {e}"),
                ok: false,
            });
            return;
        }
    };
    let mut stdout = child.stdout.take().map(|s| BufReader::new(s).lines());
    let mut stderr = child.stderr.take().map(|s| BufReader::new(s).lines());
    let mut last = LastOutput::default();
    let closed_by_us;
    let status = loop {
        tokio::select! {
            Some(line) = next_line(&mut stdout) => last.note(&line, false, &mut on_event),
            Some(line) = next_line(&mut stderr) => last.note(&line, true, &mut on_event),
            status = child.wait() => { closed_by_us = false; break status; }
            _ = close.cancelled() => {
                closed_by_us = true;
                // SIGINT, as Ctrl-C would: the plugin then ends its session.
                break crate::child::end(&mut child, libc::SIGINT, CLOSE_GRACE).await;
            }
        }
    };
    // The exit can win the race against its last words (the error that explains it): read
    // what is left in both pipes, bounded in case something else still holds them open.
    let drain = async {
        while let Some(line) = next_line_or_end(&mut stdout).await {
            last.note(&line, false, &mut on_event);
        }
        while let Some(line) = next_line_or_end(&mut stderr).await {
            last.note(&line, true, &mut on_event);
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
    let terminated = super::terminate(clients, &prepared.session_id).await;
    let code = status.as_ref().ok().and_then(|s| s.code());
    let (mut reason, mut ok) = if closed_by_us {
        ("closed on request".to_string(), true)
    } else {
        let why = last.why().map(|l| format!(": {l}")).unwrap_or_default();
        match code {
            Some(c) => (format!("the plugin exited with code {c}{why}"), c == 0),
            None => (format!("the plugin was killed{why}"), false),
        }
    };
    if let Err(e) = terminated {
        reason += &format!(
            "; TerminateSession failed ({e}): session {} ends at its idle timeout",
            prepared.session_id
        );
        ok = false;
    }
    on_event(Event::Closed { reason, ok });
}

/// The plugin's last words on each stream: an error on stderr explains an exit better than
/// whatever stdout said last.
#[derive(Default)]
struct LastOutput {
    stdout: Option<String>,
    stderr: Option<String>,
}

impl LastOutput {
    fn note(&mut self, line: &str, is_stderr: bool, on_event: &mut impl FnMut(Event)) {
        let event = parse_line(line);
        if let Event::Output(text) = &event {
            if text.is_empty() {
                return;
            }
            let slot = if is_stderr {
                &mut self.stderr
            } else {
                &mut self.stdout
            };
            *slot = Some(text.clone());
        }
        on_event(event);
    }

    fn why(self) -> Option<String> {
        self.stderr.or(self.stdout)
    }
}

/// The next line of a pipe, `None` at its end (or once it was found closed).
async fn next_line_or_end<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut Option<tokio::io::Lines<R>>,
) -> Option<String> {
    let line = lines.as_mut()?.next_line().await.ok().flatten();
    if line.is_none() {
        *lines = None;
    }
    line
}

/// The next line of a pipe; pending forever once it is closed, so `select!` stops asking.
async fn next_line<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut Option<tokio::io::Lines<R>>,
) -> Option<String> {
    match next_line_or_end(lines).await {
        Some(line) => Some(line),
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_output_is_understood() {
        assert_eq!(
            parse_line("Port 15432 opened for sessionId s-0123."),
            Event::Output("Port 15432 opened for sessionId s-0123.".into())
        );
        assert_eq!(parse_line("Waiting for connections...\n"), Event::Listening);
        assert_eq!(
            parse_line("Connection accepted for session [s-0123]"),
            Event::Connection
        );
        assert_eq!(
            parse_line("Starting session with SessionId: s-0123"),
            Event::Output("Starting session with SessionId: s-0123".into())
        );
    }

    #[test]
    fn a_busy_port_is_refused_with_the_fix_and_a_free_one_is_found() {
        let busy = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = busy.local_addr().unwrap().port();
        let err = choose_local_port(Some(port), 5432, &[]).unwrap_err();
        assert!(
            err.contains("in use") && err.contains("--local-port"),
            "{err}"
        );
        // The remote port is busy too: another free port is chosen.
        let chosen = choose_local_port(None, port, &[]).unwrap();
        assert_ne!(chosen, port);
        assert!(TcpListener::bind((Ipv4Addr::LOCALHOST, chosen)).is_ok());
        // Free, but given to another tunnel that has not bound it yet.
        let again = choose_local_port(None, chosen, &[chosen]).unwrap();
        assert_ne!(again, chosen);
    }

    #[test]
    fn clients_are_suggested_for_the_engine() {
        assert_eq!(
            client_hint("aurora-postgresql", 15432).as_deref(),
            Some("psql -h 127.0.0.1 -p 15432")
        );
        assert_eq!(
            client_hint("mysql", 3306).as_deref(),
            Some("mysql -h 127.0.0.1 -P 3306")
        );
        assert_eq!(client_hint("sqlserver-se", 1433), None);
    }

    #[test]
    fn the_request_names_the_document_and_ports() {
        let spec = Spec {
            instance: "i-1".into(),
            host: "db.example".into(),
            remote_port: 5432,
            local_port: 15432,
        };
        let json: serde_json::Value = serde_json::from_str(&spec.request().to_json()).unwrap();
        assert_eq!(json["DocumentName"], DOCUMENT);
        assert_eq!(json["Parameters"]["host"][0], "db.example");
        assert_eq!(json["Parameters"]["localPortNumber"][0], "15432");
    }
}
