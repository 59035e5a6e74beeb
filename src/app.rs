//! The console's run loop: the UI task owns `State`; messages from the terminal, the pollers
//! and the clock go through `update`; the effects run; the screen is redrawn when something
//! changed, coalesced and capped at ~30 fps (plus the 1 Hz tick for ages). Never a busy loop.
use crate::aws::Clients;
use crate::effects::Effects;
use crate::keymap::Keymap;
use crate::msg::{Cmd, Msg};
use crate::state::{Intervals, State};
use crate::tui;
use crate::update::update;
use color_eyre::eyre::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_util::sync::CancellationToken;

/// At most one frame per this long: redraws are coalesced, never a fixed-rate loop.
const FRAME: Duration = Duration::from_millis(33);

/// How the console is set up.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub stack: String,
    pub target_label: String,
    pub keymap: Arc<Keymap>,
    pub intervals: Intervals,
    pub poll_timeout: Duration,
    pub color: bool,
    /// Mutating actions hidden and refused (the clients refuse them too).
    pub read_only: bool,
    /// Where actions are audited.
    pub auditor: crate::audit::Auditor,
    /// On the sandbox a new stack is created with the sandbox preset.
    pub sandbox: bool,
}

/// State, effects and the message queue, without a terminal: the run loop wraps it, and
/// tests drive it directly.
pub struct Core {
    pub state: State,
    effects: Effects,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl Core {
    /// Builds the state and starts polling `options.stack`.
    pub fn start(clients: Clients, options: &ConsoleOptions) -> Core {
        let (tx, rx) = unbounded_channel();
        let mut state = State::new(
            &options.stack,
            &options.target_label,
            options.keymap.clone(),
            chrono::Utc::now(),
        );
        state.color = options.color;
        state.read_only = options.read_only;
        state.intervals = options.intervals.clone();
        let mut effects = Effects::new(
            clients,
            tx.clone(),
            options.intervals.clone(),
            options.poll_timeout,
            options.auditor.clone(),
            options.sandbox,
        );
        effects.run(&Cmd::WatchStack(options.stack.clone()));
        Core {
            state,
            effects,
            tx,
            rx,
        }
    }

    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// The next message from any source (pollers, input reader, signals).
    pub async fn recv(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }

    pub fn try_recv(&mut self) -> Option<Msg> {
        self.rx.try_recv().ok()
    }

    /// Applies one message and runs its effects; returns the commands that need the terminal
    /// (suspend, a shell session) or end the loop (quit).
    pub fn apply(&mut self, msg: Msg) -> Vec<Cmd> {
        let cmds = update(&mut self.state, msg);
        for cmd in &cmds {
            self.effects.run(cmd);
        }
        cmds.into_iter()
            .filter(|c| matches!(c, Cmd::Suspend | Cmd::Quit | Cmd::HandOver(_)))
            .collect()
    }

    pub fn stop(&mut self) {
        self.effects.stop_all();
    }

    /// Ends the session of a shell that will never be handed over (it became ready as the
    /// console quit); any other message is dropped.
    pub fn abandon(&mut self, msg: Msg) {
        if let Msg::ShellReady(Ok(prepared)) = msg {
            self.effects.terminate_session(&prepared.session_id);
        }
    }

    /// Stops polling, closes every tunnel and finishes session clean-ups, waiting (bounded)
    /// until their sessions are terminated. A shell being started is stopped first; one that
    /// became ready meanwhile (its message never handled) is terminated too. False if some
    /// did not close in time.
    pub async fn shutdown(&mut self) -> bool {
        self.effects.stop_all();
        let first = self.effects.close_sessions().await;
        while let Ok(msg) = self.rx.try_recv() {
            self.abandon(msg);
        }
        let second = self.effects.close_sessions().await;
        first && second
    }
}

/// Reads terminal events on a task of its own until stopped (before a suspend, so the shell
/// gets the keyboard back).
struct InputReader {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl InputReader {
    fn spawn(tx: UnboundedSender<Msg>) -> InputReader {
        let stop = CancellationToken::new();
        let token = stop.clone();
        let task = tokio::spawn(async move {
            let mut events = EventStream::new();
            loop {
                let event = tokio::select! {
                    e = events.next() => e,
                    _ = token.cancelled() => return,
                };
                let msg = match event {
                    Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => Msg::Key(key),
                    Some(Ok(Event::Resize(width, height))) => Msg::Resize { width, height },
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        tracing::error!("terminal input failed: {e}");
                        return;
                    }
                    None => return,
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        InputReader { stop, task }
    }

    /// Stops reading and waits until the reader (and its event stream) is gone, so nothing
    /// of opsdeck's reads the keyboard once a child owns it.
    async fn stop(mut self) {
        self.stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut self.task).await;
    }
}

impl Drop for InputReader {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// After the terminal was away: its size may have changed, and everything is redrawn and
/// refreshed.
fn resumed(core: &mut Core, term: &mut tui::Term) -> Result<()> {
    // The clock stood still while the terminal was away: without this, what `update` says
    // next would be stamped with the old time and fade at the next tick.
    core.apply(Msg::Tick {
        now: chrono::Utc::now(),
    });
    let size = term.size()?;
    core.apply(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    core.apply(Msg::Resumed);
    Ok(())
}

/// Runs a shell session's plugin with the terminal: main screen, start-up settings, typed
/// signals to the session only. A session that ended within seconds (an error, usually)
/// keeps its output on screen until a key is pressed. `terminated` (SIGTERM, SIGHUP) ends
/// the plugin and the wait.
async fn hand_over(
    prepared: &crate::ssm::Prepared,
    terminated: &CancellationToken,
) -> crate::ssm::shell::Ended {
    tui::release();
    // Never println!: it panics when the terminal has hung up, and a panic here would skip
    // closing the sessions.
    use std::io::Write;
    let mut out = std::io::stdout();
    if let Some(advice) = &prepared.advice {
        let _ = writeln!(out, "opsdeck: {advice}");
    }
    let _ = writeln!(
        out,
        "opsdeck: session {} on {}. Ctrl-C, Ctrl-\\ and Ctrl-Z go to the remote shell; `exit` returns to opsdeck.",
        prepared.session_id, prepared.target
    );
    let ended = crate::ssm::shell::run_foreground(prepared, terminated).await;
    if ended.was_short() && !terminated.is_cancelled() {
        tui::wait_for_key(
            &format!(
                "opsdeck: {} · press any key to return to the console",
                ended.summary()
            ),
            terminated,
        )
        .await;
    }
    ended
}

/// SIGTERM and SIGHUP (terminal closed) quit cleanly, restoring the terminal and closing
/// sessions, whatever is running; `terminated` also ends a shell session in progress.
fn forward_signals(tx: UnboundedSender<Msg>, terminated: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [SignalKind::terminate(), SignalKind::hangup()] {
        let (tx, terminated) = (tx.clone(), terminated.clone());
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                while s.recv().await.is_some() {
                    terminated.cancel();
                    if tx.send(Msg::Terminated).is_err() {
                        return;
                    }
                }
            });
        }
    }
}

/// Runs the console until the user quits. The terminal is restored on every way out.
pub async fn run(clients: Clients, options: ConsoleOptions) -> Result<()> {
    use std::io::Write;
    let mut core = Core::start(clients, &options);
    // Before the terminal is taken over: a SIGTERM from then on quits cleanly.
    let terminated = CancellationToken::new();
    forward_signals(core.sender(), terminated.clone());
    let mut term = tui::enter()?;
    let result = run_loop(&mut core, &mut term, &terminated).await;
    // The terminal first: closing tunnels can take a few seconds, and the user should see a
    // shell, and why it is waiting, not a frozen console.
    tui::restore();
    if core.state.tunnels.live() > 0 {
        // Not eprintln!: after a hang-up it would panic before the tunnels are closed.
        let _ = writeln!(
            std::io::stderr(),
            "opsdeck: closing {} tunnel(s)…",
            core.state.tunnels.live()
        );
    }
    // Ctrl-C is a signal again now that raw mode is off: it must not kill opsdeck while it
    // closes its sessions (at most a few seconds), or they would stay open on AWS.
    let typed = tui::IgnoredSignals::typed();
    let closed = core.shutdown().await;
    drop(typed);
    if !closed {
        let _ = writeln!(
            std::io::stderr(),
            "opsdeck: some sessions did not close in time; they end at their idle timeout on AWS (session ids in the log)"
        );
    }
    result
}

async fn run_loop(
    core: &mut Core,
    term: &mut tui::Term,
    terminated: &CancellationToken,
) -> Result<()> {
    let size = term.size()?;
    core.apply(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    let mut input = InputReader::spawn(core.sender());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        let due = last_draw.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
        if dirty && due.is_zero() {
            term.draw(|frame| crate::ui::render(frame, &core.state))?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        let mut pending = Vec::new();
        tokio::select! {
            msg = core.recv() => match msg {
                Some(msg) => pending.push(msg),
                None => return Ok(()),
            },
            _ = tick.tick() => pending.push(Msg::Tick { now: chrono::Utc::now() }),
            _ = tokio::time::sleep(due), if dirty => {}
        }
        // Drain what else is queued before drawing: one frame for a burst of messages.
        while let Some(msg) = core.try_recv() {
            pending.push(msg);
        }
        let mut pending = pending.into_iter();
        let mut handed_over = false;
        while let Some(msg) = pending.next() {
            dirty = true;
            // Keys read in the same burst as a session's hand-over were typed for the remote
            // shell, not for the console that comes back after it.
            if handed_over && matches!(msg, Msg::Key(_)) {
                continue;
            }
            for cmd in core.apply(msg) {
                match cmd {
                    Cmd::Quit => {
                        // A shell session that became ready in the same burst is never
                        // handed over: it is ended, not left open on AWS.
                        pending.for_each(|m| core.abandon(m));
                        return Ok(());
                    }
                    Cmd::Suspend => {
                        input.stop().await;
                        tui::suspend(term)?;
                        input = InputReader::spawn(core.sender());
                        resumed(core, term)?;
                    }
                    Cmd::HandOver(prepared) => {
                        handed_over = true;
                        if terminated.is_cancelled() {
                            core.abandon(Msg::ShellReady(Ok(prepared)));
                            continue;
                        }
                        // Nothing may read the keyboard while the session owns it.
                        input.stop().await;
                        let ended = hand_over(&prepared, terminated).await;
                        // The session's clean-up (TerminateSession) is on its way before the
                        // terminal is touched: reclaiming a hung-up terminal fails.
                        core.apply(Msg::Tick {
                            now: chrono::Utc::now(),
                        });
                        core.apply(Msg::ShellEnded(ended));
                        if terminated.is_cancelled() {
                            return Ok(());
                        }
                        tui::reclaim(term)?;
                        input = InputReader::spawn(core.sender());
                        resumed(core, term)?;
                    }
                    _ => {}
                }
            }
        }
    }
}
