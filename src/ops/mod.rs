//! The on-call actions (deploy, delete, scale, instance actions, failover, alarm mute) as typed
//! operations that both faces share: the console confirms and runs them through `Cmd`s, the
//! headless verbs through `commands`; validation, pre-flight checks, execution, progress
//! tracking and the audit record are the same code for both.
pub mod command;
pub mod deploy;
pub mod failover;
pub mod run;
pub mod scale;
pub mod timeline;

use serde::Serialize;
use std::collections::BTreeMap;

/// One mutating operation, fully specified: what is confirmed is exactly what runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// Execute a reviewed change set (create or update).
    Deploy {
        stack: String,
        change_set: String,
        create: bool,
        /// Resource changes listed by the change set (the progress total; 0 = not reported).
        changes: usize,
        /// Parameters that change, secrets masked: for the audit log.
        parameters: BTreeMap<String, String>,
    },
    DeleteStack {
        stack: String,
    },
    Scale {
        group: String,
        min: Option<i32>,
        desired: i32,
        max: Option<i32>,
    },
    Instance {
        group: String,
        instance: String,
        action: InstanceAction,
    },
    Failover {
        db: String,
        /// Aurora: the cluster to fail over (FailoverDBCluster) and the reader to promote.
        cluster: Option<String>,
        target: Option<String>,
    },
    AlarmActions {
        alarm: String,
        enabled: bool,
    },
    /// Run a shell command (AWS-RunShellScript) on these in-service instances of the group.
    RunCommand {
        group: String,
        instances: Vec<String>,
        command: String,
        timeout_secs: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceAction {
    MarkUnhealthy,
    Terminate { decrement: bool },
    EnterStandby,
    ExitStandby,
}

impl InstanceAction {
    pub fn name(self) -> &'static str {
        match self {
            InstanceAction::MarkUnhealthy => "mark_unhealthy",
            InstanceAction::Terminate { decrement: false } => "terminate_instance",
            InstanceAction::Terminate { decrement: true } => "terminate_and_decrement",
            InstanceAction::EnterStandby => "enter_standby",
            InstanceAction::ExitStandby => "exit_standby",
        }
    }

    /// What happens, in the words the confirmation shows.
    pub fn consequence(self) -> &'static str {
        match self {
            InstanceAction::MarkUnhealthy => "the group terminates it and launches a replacement",
            InstanceAction::Terminate { decrement: false } => {
                "it is terminated and the group launches a replacement"
            }
            InstanceAction::Terminate { decrement: true } => {
                "it is terminated and desired capacity drops by one (no replacement)"
            }
            InstanceAction::EnterStandby => {
                "it leaves service (deregistered from target groups); a replacement keeps desired capacity"
            }
            InstanceAction::ExitStandby => {
                "it returns to service and the group's desired capacity rises by one"
            }
        }
    }
}

impl Operation {
    /// The name in the audit log and in messages (the console action's name).
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Deploy { .. } => "deploy",
            Operation::DeleteStack { .. } => "delete_stack",
            Operation::Scale { .. } => "scale",
            Operation::Instance { action, .. } => action.name(),
            Operation::Failover { .. } => "failover",
            Operation::AlarmActions { enabled: false, .. } => "mute_alarm",
            Operation::AlarmActions { enabled: true, .. } => "unmute_alarm",
            Operation::RunCommand { .. } => "run_command",
        }
    }

    /// The resource acted on.
    pub fn target(&self) -> String {
        match self {
            Operation::Deploy { stack, .. } | Operation::DeleteStack { stack } => stack.clone(),
            Operation::Scale { group, .. } => group.clone(),
            Operation::Instance { instance, .. } => instance.clone(),
            Operation::Failover { db, cluster, .. } => cluster.clone().unwrap_or(db.clone()),
            Operation::AlarmActions { alarm, .. } => alarm.clone(),
            Operation::RunCommand { group, .. } => group.clone(),
        }
    }

    /// The request's parameters for the audit log (never a secret: deploy masks NoEcho).
    pub fn parameters(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        match self {
            Operation::Deploy {
                change_set,
                create,
                parameters,
                ..
            } => {
                p.insert("change_set".into(), change_set.clone());
                p.insert("create".into(), create.to_string());
                p.extend(parameters.clone());
            }
            Operation::DeleteStack { .. } => {}
            Operation::Scale {
                min, desired, max, ..
            } => {
                p.insert("desired".into(), desired.to_string());
                if let Some(min) = min {
                    p.insert("min".into(), min.to_string());
                }
                if let Some(max) = max {
                    p.insert("max".into(), max.to_string());
                }
            }
            Operation::Instance { group, .. } => {
                p.insert("group".into(), group.clone());
            }
            Operation::Failover {
                db,
                cluster,
                target,
                ..
            } => {
                p.insert("db".into(), db.clone());
                if cluster.is_some() {
                    p.insert(
                        "target".into(),
                        target.clone().unwrap_or("chosen by RDS".into()),
                    );
                }
            }
            Operation::AlarmActions { enabled, .. } => {
                p.insert("actions_enabled".into(), enabled.to_string());
            }
            Operation::RunCommand {
                instances,
                command,
                timeout_secs,
                ..
            } => {
                p.insert("command".into(), command.clone());
                p.insert("instances".into(), instances.join(","));
                p.insert("timeout_secs".into(), timeout_secs.to_string());
            }
        }
        p
    }

    /// One line saying what will happen.
    pub fn summary(&self) -> String {
        match self {
            Operation::Deploy {
                stack,
                create,
                changes,
                ..
            } => format!(
                "{} stack {stack} ({changes} resource changes)",
                if *create { "create" } else { "update" }
            ),
            Operation::DeleteStack { stack } => {
                format!("delete stack {stack} and every resource in it")
            }
            Operation::Scale {
                group,
                min,
                desired,
                max,
            } => {
                let mut s = format!("set {group} desired capacity to {desired}");
                if let Some(min) = min {
                    s += &format!(", min {min}");
                }
                if let Some(max) = max {
                    s += &format!(", max {max}");
                }
                s
            }
            Operation::Instance {
                instance, action, ..
            } => format!(
                "{} {instance}: {}",
                action.name().replace('_', " "),
                action.consequence()
            ),
            Operation::Failover {
                db, cluster: None, ..
            } => format!("fail {db} over to its standby (RebootDBInstance, ForceFailover)"),
            Operation::Failover {
                cluster: Some(c),
                target,
                ..
            } => format!(
                "fail cluster {c} over to {} (FailoverDBCluster)",
                target.as_deref().unwrap_or("a reader RDS chooses")
            ),
            Operation::AlarmActions {
                alarm,
                enabled: false,
            } => format!("mute the actions of alarm {alarm} (it keeps evaluating)"),
            Operation::AlarmActions {
                alarm,
                enabled: true,
            } => format!("unmute the actions of alarm {alarm}"),
            Operation::RunCommand {
                group,
                instances,
                command,
                ..
            } => format!(
                "run `{command}` on {} in-service instance(s) of {group}",
                instances.len()
            ),
        }
    }
}

/// How an executed operation ended, in one sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub ok: bool,
    pub text: String,
}

impl Verdict {
    pub fn ok(text: impl Into<String>) -> Verdict {
        Verdict {
            ok: true,
            text: text.into(),
        }
    }

    pub fn failed(text: impl Into<String>) -> Verdict {
        Verdict {
            ok: false,
            text: text.into(),
        }
    }
}

/// What a running operation reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Something happened (a stack event, a status change): one timeline line.
    Event(String),
    /// The current summary ("in service 3/4 · 45s"), replacing the previous one.
    Status(String),
}
