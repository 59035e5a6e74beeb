//! The console's state. The UI task owns the only `State`; `update` is the only writer and
//! `ui::render` the main reader. No I/O and no clock here: time arrives in `Msg::Tick`.
use crate::action::Context;
use crate::aws::AwsError;
use crate::domain::{
    Alarm, AlarmsPanel, AsgInstance, CapacityPanel, Database, DatabasePanel, StackEvent,
    StackPanel, StackResources, Target, TargetGroupHealth, ZonesPanel,
};
use crate::keymap::Keymap;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use strum::{EnumIter, IntoEnumIterator, IntoStaticStr};

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
        macro_rules! status {
            ($f:expr) => {
                (
                    $f.updated_at,
                    $f.error.as_ref(),
                    $f.polling,
                    $f.data.is_some(),
                )
            };
        }
        match panel {
            PanelId::Stack => status!(self.stack_feed),
            PanelId::Targets => status!(self.targets),
            PanelId::Capacity => status!(self.capacity),
            PanelId::Database => status!(self.database),
            PanelId::Alarms => status!(self.alarms),
            PanelId::Zones => status!(self.zones),
        }
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
            Overlay::None => vec![self.focus.context(), Context::List, Context::Global],
        }
    }
}

fn matches(filter: &str, fields: &[&str]) -> bool {
    filter.is_empty() || {
        let needle = filter.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&needle))
    }
}

/// The rows each panel shows, filtered, in display order. Render and `update` both use these,
/// so the selection always refers to what is on screen.
impl State {
    pub fn stack_events(&self) -> Vec<&StackEvent> {
        let f = &self.view(PanelId::Stack).filter;
        self.stack_feed
            .data
            .iter()
            .flat_map(|d| &d.events)
            .filter(|e| {
                matches(
                    f,
                    &[
                        &e.logical_id,
                        &e.status,
                        &e.resource_type,
                        e.reason.as_deref().unwrap_or(""),
                    ],
                )
            })
            .collect()
    }

    /// Targets of every group, unhealthy first so trouble is on top.
    pub fn target_rows(&self) -> Vec<(&TargetGroupHealth, &Target)> {
        let f = &self.view(PanelId::Targets).filter;
        let mut rows: Vec<(&TargetGroupHealth, &Target)> = self
            .targets
            .data
            .iter()
            .flatten()
            .flat_map(|g| g.targets.iter().map(move |t| (g, t)))
            .filter(|(g, t)| {
                matches(
                    f,
                    &[
                        &g.name,
                        &t.id,
                        &t.state,
                        t.az.as_deref().unwrap_or(""),
                        t.reason.as_deref().unwrap_or(""),
                    ],
                )
            })
            .collect();
        rows.sort_by_key(|(g, t)| (target_rank(&t.state), g.name.clone(), t.id.clone()));
        rows
    }

    pub fn instance_rows(&self) -> Vec<&AsgInstance> {
        let f = &self.view(PanelId::Capacity).filter;
        self.capacity
            .data
            .iter()
            .flat_map(|c| &c.groups)
            .flat_map(|g| &g.instances)
            .filter(|i| matches(f, &[&i.id, &i.az, &i.lifecycle, &i.health]))
            .collect()
    }

    pub fn database_rows(&self) -> Vec<&Database> {
        let f = &self.view(PanelId::Database).filter;
        self.database
            .data
            .iter()
            .flat_map(|d| &d.databases)
            .filter(|d| matches(f, &[&d.identifier, &d.status, &d.engine]))
            .collect()
    }

    /// ALARM first, then INSUFFICIENT_DATA, then OK (the fetcher's order).
    pub fn alarm_rows(&self) -> Vec<&Alarm> {
        let f = &self.view(PanelId::Alarms).filter;
        self.alarms
            .data
            .iter()
            .flat_map(|a| &a.alarms)
            .filter(|a| matches(f, &[&a.name, &a.state, a.reason.as_deref().unwrap_or("")]))
            .collect()
    }

    /// The ids of a panel's visible rows, in order.
    pub fn row_ids(&self, panel: PanelId) -> Vec<String> {
        match panel {
            PanelId::Stack => self.stack_events().iter().map(|e| e.id.clone()).collect(),
            PanelId::Targets => self
                .target_rows()
                .iter()
                .map(|(g, t)| target_row_id(g, t))
                .collect(),
            PanelId::Capacity => self.instance_rows().iter().map(|i| i.id.clone()).collect(),
            PanelId::Database => self
                .database_rows()
                .iter()
                .map(|d| d.identifier.clone())
                .collect(),
            PanelId::Alarms => self.alarm_rows().iter().map(|a| a.name.clone()).collect(),
            PanelId::Zones => self.zone_rows().into_iter().map(|z| z.az).collect(),
        }
    }

    /// Index of the selected row among the visible ones (the first row if the selected
    /// resource is gone or filtered out).
    pub fn selected_index(&self, panel: PanelId) -> Option<usize> {
        let ids = self.row_ids(panel);
        if ids.is_empty() {
            return None;
        }
        let selected = self.view(panel).selected.as_ref();
        Some(
            selected
                .and_then(|s| ids.iter().position(|id| id == s))
                .unwrap_or(0),
        )
    }

    pub fn zone_rows(&self) -> Vec<crate::zones::ZoneRow> {
        crate::zones::zone_rows(
            self.zones.data.as_ref(),
            self.targets.data.as_deref(),
            self.capacity.data.as_ref(),
            self.database.data.as_ref(),
        )
    }
}

/// A target is identified by its group and id (the same instance may be in two groups).
pub fn target_row_id(group: &TargetGroupHealth, target: &Target) -> String {
    format!("{}|{}", group.arn, target.id)
}

fn target_rank(state: &str) -> u8 {
    match state {
        "unhealthy" => 0,
        "unavailable" => 1,
        "draining" => 2,
        "initial" => 3,
        "unused" => 4,
        "healthy" => 5,
        _ => 1,
    }
}
