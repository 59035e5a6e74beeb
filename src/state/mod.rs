//! The console's state. The UI task owns the only `State`; `update` is the only writer and
//! `ui::render` the main reader. No I/O and no clock here: time arrives in `Msg::Tick`.
use crate::action::Context;
use crate::aws::AwsError;
use crate::domain::{
    AlarmsPanel, CapacityPanel, DatabasePanel, StackPanel, StackResources, TargetGroupHealth,
    ZonesPanel,
};
use crate::keymap::Keymap;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use strum::{EnumIter, IntoEnumIterator, IntoStaticStr};

mod modal;
mod rows;
mod tunnels;
pub use modal::{Activity, Confirm, FIELD_NAMES, ScaleForm};
pub use rows::target_row_id;
pub use tunnels::{TunnelRow, TunnelStatus, Tunnels};

/// Runs `$body` with `$f` bound to the feed of `$panel`, whatever its data type: the one
/// place that maps a panel to its feed. `ref` borrows it, `mut` borrows it mutably.
macro_rules! with_feed {
    (ref $state:expr, $panel:expr, |$f:ident| $body:expr) => {
        $crate::state::with_feed!(@ [&] $state, $panel, |$f| $body)
    };
    (mut $state:expr, $panel:expr, |$f:ident| $body:expr) => {
        $crate::state::with_feed!(@ [&mut] $state, $panel, |$f| $body)
    };
    (@ [$($borrow:tt)+] $state:expr, $panel:expr, |$f:ident| $body:expr) => {
        match $panel {
            $crate::state::PanelId::Stack => {
                let $f = $($borrow)+ $state.stack_feed;
                $body
            }
            $crate::state::PanelId::Targets => {
                let $f = $($borrow)+ $state.targets;
                $body
            }
            $crate::state::PanelId::Capacity => {
                let $f = $($borrow)+ $state.capacity;
                $body
            }
            $crate::state::PanelId::Database => {
                let $f = $($borrow)+ $state.database;
                $body
            }
            $crate::state::PanelId::Alarms => {
                let $f = $($borrow)+ $state.alarms;
                $body
            }
            $crate::state::PanelId::Zones => {
                let $f = $($borrow)+ $state.zones;
                $body
            }
        }
    };
}
pub(crate) use with_feed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PanelId {
    Stack,
    Targets,
    Capacity,
    Database,
    Alarms,
    Zones,
}

impl PanelId {
    pub fn all() -> impl Iterator<Item = PanelId> {
        PanelId::iter()
    }

    /// The lower-case name used on the command line (`:targets`).
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<PanelId> {
        PanelId::all().find(|p| p.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            PanelId::Stack => "Stack",
            PanelId::Targets => "Targets",
            PanelId::Capacity => "Capacity",
            PanelId::Database => "Database",
            PanelId::Alarms => "Alarms",
            PanelId::Zones => "Zones",
        }
    }

    pub fn context(self) -> Context {
        match self {
            PanelId::Stack => Context::Stack,
            PanelId::Targets => Context::Targets,
            PanelId::Capacity => Context::Capacity,
            PanelId::Database => Context::Database,
            PanelId::Alarms => Context::Alarms,
            PanelId::Zones => Context::Zones,
        }
    }

    pub fn next(self) -> PanelId {
        let all: Vec<PanelId> = PanelId::all().collect();
        all[(all.iter().position(|p| *p == self).unwrap_or(0) + 1) % all.len()]
    }

    pub fn prev(self) -> PanelId {
        let all: Vec<PanelId> = PanelId::all().collect();
        all[(all.iter().position(|p| *p == self).unwrap_or(0) + all.len() - 1) % all.len()]
    }
}

/// How often each panel polls. Defaults from the issue: targets and capacity 5 s, database
/// and stack 10 s, alarms 15 s; zones (subnets and NAT gateways change rarely) 30 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervals {
    pub per_panel: BTreeMap<PanelId, Duration>,
}

impl Default for Intervals {
    fn default() -> Self {
        let secs = |p| match p {
            PanelId::Targets | PanelId::Capacity => 5,
            PanelId::Stack | PanelId::Database => 10,
            PanelId::Alarms => 15,
            PanelId::Zones => 30,
        };
        Intervals {
            per_panel: PanelId::all()
                .map(|p| (p, Duration::from_secs(secs(p))))
                .collect(),
        }
    }
}

impl Intervals {
    pub fn of(&self, panel: PanelId) -> Duration {
        self.per_panel
            .get(&panel)
            .copied()
            .unwrap_or(Duration::from_secs(10))
    }
}

/// What one poller has delivered: the last good data, and the last error if the most recent
/// poll failed (then the data is stale but kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Feed<T> {
    pub data: Option<T>,
    pub updated_at: Option<DateTime<Utc>>,
    pub error: Option<AwsError>,
    pub failed_at: Option<DateTime<Utc>>,
    pub polling: bool,
}

impl<T> Default for Feed<T> {
    fn default() -> Self {
        Feed {
            data: None,
            updated_at: None,
            error: None,
            failed_at: None,
            polling: false,
        }
    }
}

impl<T> Feed<T> {
    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }

    pub fn accept(&mut self, at: DateTime<Utc>, result: Result<T, AwsError>) {
        self.polling = false;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.updated_at = Some(at);
                self.error = None;
                self.failed_at = None;
            }
            Err(e) => {
                self.error = Some(e);
                self.failed_at = Some(at);
            }
        }
    }

    /// Seconds since the last good data, for "updated 3s ago" / "stale 25s".
    pub fn age_secs(&self, now: DateTime<Utc>) -> Option<i64> {
        self.updated_at.map(|t| (now - t).num_seconds().max(0))
    }
}

/// Per-panel view state: what is selected (by resource id, so it survives refreshes), how far
/// the table is scrolled, and the filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    pub selected: Option<String>,
    pub offset: usize,
    pub filter: String,
}

/// Text being typed in an overlay, with the completion cycle of the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    /// Candidates of the last completion and which one is shown, to cycle on repeated Tab.
    pub completions: Vec<String>,
    pub completion_index: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: u16,
    },
    Command(TextInput),
    Filter(TextInput),
    Confirm(Box<Confirm>),
    ScaleForm(ScaleForm),
    /// The progress of `State::activity`.
    Activity,
    /// The list of tunnels.
    Tunnels,
    /// A message too long for the bottom line: an error and how to fix it, wrapped.
    Message {
        title: String,
        text: String,
    },
}

/// A one-line message at the bottom (a refused command, an unknown stack name...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub is_error: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct State {
    pub stack: String,
    /// Where the console points: "sandbox http://127.0.0.1:PORT", or region and profile.
    pub target_label: String,
    pub now: DateTime<Utc>,
    pub width: u16,
    pub height: u16,
    pub keymap: Arc<Keymap>,
    pub intervals: Intervals,
    pub resources: Option<StackResources>,
    pub stack_feed: Feed<StackPanel>,
    pub targets: Feed<Vec<TargetGroupHealth>>,
    pub capacity: Feed<CapacityPanel>,
    pub database: Feed<DatabasePanel>,
    pub alarms: Feed<AlarmsPanel>,
    pub zones: Feed<ZonesPanel>,
    pub views: BTreeMap<PanelId, View>,
    pub focus: PanelId,
    pub zoomed: bool,
    pub overlay: Overlay,
    pub flash: Option<Flash>,
    pub quitting: bool,
    /// False when NO_COLOR is set: states are still told by symbol and word.
    pub color: bool,
    /// `--read-only`: mutating actions are hidden and refused.
    pub read_only: bool,
    /// The running or last action; one at a time, so two cannot race on one stack.
    pub activity: Option<Activity>,
    pub next_activity_id: u64,
    /// A deploy's change set is being built.
    pub reviewing: bool,
    /// Port-forwarding tunnels opened from this console.
    pub tunnels: Tunnels,
    /// A shell session is being started (StartSession in flight).
    pub shell_starting: bool,
    /// The shell being started was cancelled: its session is ended once it opens.
    pub shell_cancelled: bool,
}

impl State {
    pub fn new(stack: &str, target_label: &str, keymap: Arc<Keymap>, now: DateTime<Utc>) -> State {
        State {
            stack: stack.to_string(),
            target_label: target_label.to_string(),
            now,
            width: 80,
            height: 24,
            keymap,
            intervals: Intervals::default(),
            resources: None,
            stack_feed: Feed::default(),
            targets: Feed::default(),
            capacity: Feed::default(),
            database: Feed::default(),
            alarms: Feed::default(),
            zones: Feed::default(),
            views: PanelId::all().map(|p| (p, View::default())).collect(),
            focus: PanelId::Targets,
            zoomed: false,
            overlay: Overlay::None,
            flash: None,
            quitting: false,
            color: true,
            read_only: false,
            activity: None,
            next_activity_id: 1,
            reviewing: false,
            tunnels: Tunnels::default(),
            shell_starting: false,
            shell_cancelled: false,
        }
    }

    /// Forget everything about the current stack (on `:stack NAME`).
    pub fn switch_stack(&mut self, stack: &str) {
        let fresh = State::new(stack, &self.target_label, self.keymap.clone(), self.now);
        *self = State {
            width: self.width,
            height: self.height,
            intervals: self.intervals.clone(),
            color: self.color,
            read_only: self.read_only,
            // A running action goes on, on its own stack: its progress stays visible.
            activity: self.activity.clone(),
            next_activity_id: self.next_activity_id,
            // Tunnels are processes of this console: they stay open across a stack switch,
            // and a shell being started still hands the terminal over.
            tunnels: self.tunnels.clone(),
            shell_starting: self.shell_starting,
            shell_cancelled: self.shell_cancelled,
            ..fresh
        };
    }

    pub fn view(&self, panel: PanelId) -> &View {
        self.views.get(&panel).expect("every panel has a view")
    }

    pub fn view_mut(&mut self, panel: PanelId) -> &mut View {
        self.views.entry(panel).or_default()
    }

    /// (last good data time, error) of a panel's feed, whatever its data type.
    pub fn feed_status(
        &self,
        panel: PanelId,
    ) -> (Option<DateTime<Utc>>, Option<&AwsError>, bool, bool) {
        with_feed!(ref self, panel, |f| (
            f.updated_at,
            f.error.as_ref(),
            f.polling,
            f.data.is_some()
        ))
    }

    /// Whether every panel has had data at least once.
    pub fn all_populated(&self) -> bool {
        PanelId::all().all(|p| self.feed_status(p).3)
    }

    /// The contexts for key lookup, most specific first.
    pub fn key_contexts(&self) -> Vec<Context> {
        match self.overlay {
            Overlay::Help { .. } => vec![Context::Help],
            Overlay::Command(_) => vec![Context::Command],
            Overlay::Filter(_) => vec![Context::Filter],
            Overlay::Confirm(_) => vec![Context::Confirm],
            Overlay::ScaleForm(_) => vec![Context::Form],
            Overlay::Activity => vec![Context::Activity],
            Overlay::Tunnels => vec![Context::Tunnels],
            Overlay::Message { .. } => vec![Context::Message],
            Overlay::None => vec![self.focus.context(), Context::List, Context::Global],
        }
    }
}
