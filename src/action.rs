//! What a user can ask for: every `Action` is bindable in a keymap and runnable by name from the
//! command line. Key bindings live only in `keymaps/*.toml`; code matches on `Action`.
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    /// Poll the focused panel now (the same poller, not a second request path).
    Refresh,
    RefreshAll,
    FocusNext,
    FocusPrev,
    FocusStack,
    FocusTargets,
    FocusCapacity,
    FocusDatabase,
    FocusAlarms,
    FocusZones,
    Zoom,
    CommandLine,
    Filter,
    Suspend,
    SelectNext,
    SelectPrev,
    PageDown,
    PageUp,
    SelectFirst,
    SelectLast,
    /// Close the open overlay (help) or cancel the text being typed (command line, filter).
    Close,
    /// Accept the text being typed.
    Submit,
    /// Complete the word being typed on the command line.
    Complete,
    /// Build a change set from the bundled template and review it before it runs.
    Deploy,
    DeleteStack,
    /// Open the scaling form (desired, min, max).
    Scale,
    ScaleUp,
    ScaleDown,
    MarkUnhealthy,
    TerminateInstance,
    TerminateAndDecrement,
    EnterStandby,
    ExitStandby,
    Failover,
    MuteAlarm,
    UnmuteAlarm,
    /// Show the progress of the running (or last) action.
    Activity,
    /// Yes, in a confirmation that does not ask for a typed name.
    Confirm,
    /// The next field of a form.
    NextField,
    /// Open a shell on the selected instance (SSM Session Manager).
    Shell,
    /// Run a shell command on the group's in-service instances (SSM Run Command).
    RunCommand,
    /// Forward a local port to the database through a healthy instance.
    OpenTunnel,
    /// Show the open tunnels.
    Tunnels,
    /// Close the selected tunnel.
    CloseTunnel,
}

/// Where a binding applies. `Global` works everywhere unless an overlay captures input;
/// a panel context applies when that panel has focus; `List` applies in every panel.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Stack,
    Targets,
    Capacity,
    Database,
    Alarms,
    Zones,
    Help,
    Command,
    Filter,
    /// A confirmation modal (typed names go to its input; only named keys are looked up).
    Confirm,
    /// The scaling form.
    Form,
    /// The progress view of an action.
    Activity,
    /// The list of open tunnels.
    Tunnels,
    /// A message too long for the bottom line (an error with its fix).
    Message,
}

impl Context {
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Context> {
        name.parse().ok()
    }

    pub fn all() -> impl Iterator<Item = Context> {
        Context::iter()
    }
}

impl Action {
    pub fn all() -> impl Iterator<Item = Action> {
        Action::iter()
    }

    /// The snake_case name used in keymaps and on the command line.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Action> {
        name.parse().ok()
    }

    /// One line for help and command-line completion.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit opsdeck",
            Action::Help => "show this help",
            Action::Refresh => "refresh the focused panel now",
            Action::RefreshAll => "refresh every panel now",
            Action::FocusNext => "focus the next panel",
            Action::FocusPrev => "focus the previous panel",
            Action::FocusStack => "focus the stack panel",
            Action::FocusTargets => "focus the targets panel",
            Action::FocusCapacity => "focus the capacity panel",
            Action::FocusDatabase => "focus the database panel",
            Action::FocusAlarms => "focus the alarms panel",
            Action::FocusZones => "focus the zones panel",
            Action::Zoom => "zoom the focused panel to full screen (again to restore)",
            Action::CommandLine => "open the command line",
            Action::Filter => "filter the rows of the focused panel",
            Action::Suspend => "suspend opsdeck (resume with fg)",
            Action::SelectNext => "select the next row",
            Action::SelectPrev => "select the previous row",
            Action::PageDown => "scroll down a page",
            Action::PageUp => "scroll up a page",
            Action::SelectFirst => "select the first row",
            Action::SelectLast => "select the last row",
            Action::Close => "close the overlay or cancel typing",
            Action::Submit => "accept what was typed",
            Action::Complete => "complete the word being typed",
            Action::Deploy => "deploy the bundled template: review the change set, then confirm",
            Action::DeleteStack => {
                "delete the stack (typed name; refused under deletion protection)"
            }
            Action::Scale => "set desired / min / max capacity of the group",
            Action::ScaleUp => "desired capacity + 1",
            Action::ScaleDown => "desired capacity - 1",
            Action::MarkUnhealthy => "mark the selected instance unhealthy (the group replaces it)",
            Action::TerminateInstance => "terminate the selected instance (replaced)",
            Action::TerminateAndDecrement => {
                "terminate the selected instance and lower desired by one"
            }
            Action::EnterStandby => "put the selected instance in standby",
            Action::ExitStandby => "return the selected instance from standby",
            Action::Failover => "fail the database over (pre-flight checks, typed name)",
            Action::MuteAlarm => "mute the selected alarm's actions",
            Action::UnmuteAlarm => "unmute the selected alarm's actions",
            Action::Activity => "show the progress of the running or last action",
            Action::Confirm => "yes: run the action shown",
            Action::NextField => "move to the next field",
            Action::Shell => "open a shell on the selected instance (SSM; needs the plugin)",
            Action::RunCommand => "run a shell command on every in-service instance (:run CMD)",
            Action::OpenTunnel => "forward a local port to the database through an instance",
            Action::Tunnels => "show the open tunnels",
            Action::CloseTunnel => "close the selected tunnel",
        }
    }

    /// Mutating actions (deploy, scale, failover...) go through confirmation, are refused
    /// under --read-only and are audited. None of the console's read-only actions are.
    pub fn is_dangerous(self) -> bool {
        matches!(
            self,
            Action::Deploy
                | Action::DeleteStack
                | Action::Scale
                | Action::ScaleUp
                | Action::ScaleDown
                | Action::MarkUnhealthy
                | Action::TerminateInstance
                | Action::TerminateAndDecrement
                | Action::EnterStandby
                | Action::ExitStandby
                | Action::Failover
                | Action::MuteAlarm
                | Action::UnmuteAlarm
                | Action::RunCommand
        )
    }

    /// Session Manager sessions (a shell, a tunnel) change nothing by themselves, so they are
    /// not confirmed; but what is typed in them can change anything, so they are refused and
    /// hidden under --read-only like the mutating actions.
    pub fn opens_session(self) -> bool {
        matches!(self, Action::Shell | Action::OpenTunnel)
    }

    /// Hidden from help and completion, and refused, under --read-only.
    pub fn refused_read_only(self) -> bool {
        self.is_dangerous() || self.opens_session()
    }

    /// Runnable from the command line by name (overlay-only actions are not).
    pub fn is_command(self) -> bool {
        !matches!(
            self,
            Action::Close
                | Action::Submit
                | Action::Complete
                | Action::CommandLine
                | Action::Confirm
                | Action::NextField
                | Action::CloseTunnel
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Action::all() {
            assert_eq!(Action::from_name(a.name()), Some(a), "{a:?}");
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                a.name(),
                "serde and strum agree"
            );
            assert!(!a.description().is_empty());
        }
        assert_eq!(Action::from_name("refresh_all"), Some(Action::RefreshAll));
        assert_eq!(Action::from_name("nope"), None);
        for c in Context::all() {
            assert_eq!(Context::from_name(c.name()), Some(c));
        }
    }
}
