//! The two message types of the console: `Msg` (something happened) flows into `update`;
//! `Cmd` (an effect to run) flows out of it to `effects` and the app loop.
use crate::action::Action;
use crate::aws::AwsError;
use crate::deploy::DeployRequest;
use crate::domain::{
    AlarmsPanel, CapacityPanel, DatabasePanel, StackPanel, StackResources, TargetGroupHealth,
    ZonesPanel,
};
use crate::ops::deploy::Review;
use crate::ops::{Operation, Progress, Verdict};
use crate::state::PanelId;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

/// One successful poll of one panel.
// A few of these move through a channel per second: boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PanelData {
    Stack(StackPanel),
    Targets(Vec<TargetGroupHealth>),
    Capacity(CapacityPanel),
    Database(DatabasePanel),
    Alarms(AlarmsPanel),
    Zones(ZonesPanel),
}

impl PanelData {
    pub fn panel(&self) -> PanelId {
        match self {
            PanelData::Stack(_) => PanelId::Stack,
            PanelData::Targets(_) => PanelId::Targets,
            PanelData::Capacity(_) => PanelId::Capacity,
            PanelData::Database(_) => PanelId::Database,
            PanelData::Alarms(_) => PanelId::Alarms,
            PanelData::Zones(_) => PanelId::Zones,
        }
    }
}

// A few of these move through a channel per second: boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press from the terminal (releases and repeats are filtered out by the reader).
    Key(KeyEvent),
    /// An action from anywhere but a key (tests, signals).
    Action(Action),
    /// The 1 Hz clock: the only way time enters `update`.
    Tick {
        now: DateTime<Utc>,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// A poller began a request (for the "refreshing" marker).
    PollStarted {
        panel: PanelId,
        stack: String,
    },
    /// A poller finished. `stack` guards against late results after a stack switch.
    Polled {
        panel: PanelId,
        stack: String,
        at: DateTime<Utc>,
        result: Result<PanelData, AwsError>,
    },
    /// The terminal came back after a suspend or a child process: redraw everything.
    Resumed,
    /// A deploy's change set is built (or could not be).
    Reviewed(Result<Box<Review>, String>),
    /// Progress of the running action `id`.
    Progress {
        id: u64,
        progress: Progress,
    },
    /// The action `id` ended: a verdict from what was observed, or the call that failed.
    Finished {
        id: u64,
        result: Result<Verdict, AwsError>,
    },
    /// SIGTERM or SIGHUP: quit now, whatever runs (tunnels and sessions are still closed).
    Terminated,
    /// A shell session is started on AWS and its plugin ready to run (or why not).
    ShellReady(Result<Box<crate::ssm::Prepared>, String>),
    /// The shell's plugin ended and the console has the terminal back.
    ShellEnded(crate::ssm::shell::Ended),
    /// News from tunnel `id`'s task.
    Tunnel {
        id: u64,
        update: TunnelUpdate,
    },
}

/// What a tunnel's task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelUpdate {
    /// The local port it will listen on.
    Port(u16),
    /// StartSession answered with this session.
    Session(String),
    Event(crate::ssm::tunnel::Event),
}

// A few of these move through a channel per second: boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Stop every poller and poll this stack (its stack panel, which discovers resources).
    WatchStack(String),
    /// (Re)start the data pollers on these resources (after discovery found new ones).
    WatchResources(StackResources),
    /// Poll this panel now, through its own poller.
    Refresh(PanelId),
    RefreshAll,
    /// Build the change set for a deploy (answered by `Msg::Reviewed`).
    Review(DeployRequest),
    /// Throw away a change set that will not run (declined in review).
    Discard {
        change_set: String,
        create: bool,
    },
    /// Run a confirmed operation as action `id` (answered by `Msg::Progress`/`Finished`).
    Perform {
        id: u64,
        op: Operation,
    },
    /// Write an audit record for an operation that did not run (declined or refused).
    Audit {
        op: Operation,
        outcome: crate::audit::Outcome,
        detail: String,
    },
    /// Check the plugin and StartSession for a shell on this instance (answered by
    /// `Msg::ShellReady`).
    StartShell {
        instance: String,
    },
    /// Give the terminal to the session's plugin until it ends (the app loop runs it).
    HandOver(Box<crate::ssm::Prepared>),
    /// End a session on AWS that its plugin may have left open.
    TerminateSession(String),
    /// Open tunnel `id` to host:port through an instance (answered by `Msg::Tunnel`).
    OpenTunnel {
        id: u64,
        host: String,
        remote_port: u16,
        via: String,
    },
    /// Close tunnel `id`: interrupt its plugin, then TerminateSession.
    CloseTunnel(u64),
    /// Hand the terminal back to the shell until `fg`.
    Suspend,
    Quit,
}
