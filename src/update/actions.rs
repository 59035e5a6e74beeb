//! The mutating actions in the console: each builds exactly the `Operation` it will run from
//! what is on screen, checks it (validation, pre-flight, read-only, one action at a time) and
//! opens a confirmation; only `Confirm` (or the typed name) turns it into `Cmd::Perform`.
use super::flash;
use crate::action::Action;
use crate::audit::Outcome;
use crate::msg::Cmd;
use crate::ops::deploy::Review;
use crate::ops::{InstanceAction, Operation, Verdict, failover, scale};
use crate::state::{Activity, Confirm, Overlay, PanelId, ScaleForm, State};

/// Runs a dangerous action: refused under --read-only or while another action runs.
pub(super) fn on_dangerous(state: &mut State, action: Action) -> Vec<Cmd> {
    if state.read_only {
        flash(
            state,
            format!(
                "{} refused: opsdeck runs read-only (--read-only or read_only in config.toml)",
                action.name()
            ),
            true,
        );
        return vec![];
    }
    if let Some(a) = state.activity.as_ref().filter(|a| a.running()) {
        let text = format!("{} is still running: wait for its verdict", a.title);
        flash(state, text, true);
        return vec![];
    }
    match action {
        Action::Deploy => deploy(state, crate::deploy::DeployRequest::default()),
        Action::DeleteStack => delete_stack(state),
        Action::Scale => open_scale_form(state),
        Action::ScaleUp => step(state, 1),
        Action::ScaleDown => step(state, -1),
        Action::MarkUnhealthy => instance(state, InstanceAction::MarkUnhealthy),
        Action::TerminateInstance => {
            instance(state, InstanceAction::Terminate { decrement: false })
        }
        Action::TerminateAndDecrement => {
            instance(state, InstanceAction::Terminate { decrement: true })
        }
        Action::EnterStandby => instance(state, InstanceAction::EnterStandby),
        Action::ExitStandby => instance(state, InstanceAction::ExitStandby),
        Action::Failover => failover(state),
        Action::MuteAlarm => alarm(state, false),
        Action::UnmuteAlarm => alarm(state, true),
        Action::RunCommand => super::sessions::open_run_prompt(state),
        _ => vec![],
    }
}

/// Starts building a change set (`:deploy KEY=VALUE preset=NAME` passes a request).
pub(super) fn deploy(state: &mut State, request: crate::deploy::DeployRequest) -> Vec<Cmd> {
    if state.reviewing {
        flash(state, "a change set is already being built", true);
        return vec![];
    }
    state.reviewing = true;
    flash(
        state,
        format!("building a change set for {}…", state.stack),
        false,
    );
    vec![Cmd::Review(request)]
}

/// The built change set, as a confirmation (or "no changes").
pub(super) fn reviewed(state: &mut State, result: Result<Box<Review>, String>) -> Vec<Cmd> {
    state.reviewing = false;
    let review = match result {
        Ok(r) => r,
        Err(e) => {
            flash(state, format!("deploy: {e}"), true);
            return vec![];
        }
    };
    if review.stack != state.stack {
        return vec![Cmd::Discard {
            change_set: review.set.id.clone(),
            create: review.plan.create,
        }];
    }
    if review.is_no_change() {
        flash(
            state,
            format!("no changes: {} is up to date", review.stack),
            false,
        );
        return vec![Cmd::Discard {
            change_set: review.set.id.clone(),
            create: review.plan.create,
        }];
    }
    let verb = if review.plan.create {
        "Create"
    } else {
        "Update"
    };
    let mut c = Confirm::new(
        format!("{verb} stack {}", review.stack),
        Some(review.operation()),
    );
    for line in crate::ops::deploy::parameter_lines(&review.plan) {
        c.lines.push(format!("parameter {line}"));
    }
    if review.set.changes.is_empty() {
        c.lines
            .push("the change set lists no resource changes (this endpoint reports none)".into());
    }
    for ch in &review.set.changes {
        let line = format!(
            "{:<7} {:<28} {:<36} {}",
            ch.action,
            ch.logical_id,
            ch.resource_type,
            ch.replacement.as_deref().unwrap_or("-")
        );
        if matches!(ch.replacement.as_deref(), Some("True" | "Conditional"))
            || ch.action == "Remove"
        {
            c.warnings.push(line);
        } else {
            c.lines.push(line);
        }
    }
    if let Some(reason) = review.typed_reason() {
        c.warnings.push(reason);
        c.typed = Some(review.stack.clone());
    }
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}

fn delete_stack(state: &mut State) -> Vec<Cmd> {
    let protected: Vec<String> = state
        .database
        .data
        .iter()
        .flat_map(|d| &d.databases)
        .filter(|d| d.deletion_protection)
        .map(|d| d.identifier.clone())
        .collect();
    let op = Operation::DeleteStack {
        stack: state.stack.clone(),
    };
    let mut c = Confirm::new(format!("Delete stack {}", state.stack), None);
    if protected.is_empty() {
        c.op = Some(op);
        c.warnings
            .push("every resource of the stack is deleted, the database included".into());
        c.typed = Some(state.stack.clone());
    } else {
        c.lines.push(format!(
            "✖ deletion protection is on for {}: deploy with DbDeletionProtection=false first",
            protected.join(", ")
        ));
    }
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}

pub(super) fn the_group(state: &State) -> Result<&crate::domain::AutoScalingGroup, String> {
    let groups = state
        .capacity
        .data
        .as_ref()
        .map(|c| c.groups.as_slice())
        .ok_or("capacity not loaded yet: wait for the panel")?;
    match groups {
        [one] => Ok(one),
        [] => Err("the stack has no Auto Scaling group".into()),
        // The selected instance says which group is meant.
        many => {
            let selected = state.view(PanelId::Capacity).selected.as_deref();
            many.iter()
                .find(|g| g.instances.iter().any(|i| Some(i.id.as_str()) == selected))
                .ok_or_else(|| "several groups: select an instance of the one to scale".into())
        }
    }
}

fn open_scale_form(state: &mut State) -> Vec<Cmd> {
    match the_group(state) {
        Ok(g) => {
            state.overlay = Overlay::ScaleForm(ScaleForm {
                group: g.name.clone(),
                fields: [g.desired.to_string(), g.min.to_string(), g.max.to_string()],
                field: 0,
                error: None,
            });
        }
        Err(e) => flash(state, e, true),
    }
    vec![]
}

fn step(state: &mut State, delta: i32) -> Vec<Cmd> {
    let req = match the_group(state) {
        Ok(g) => scale::ScaleRequest {
            desired: Some(g.desired + delta),
            ..Default::default()
        },
        Err(e) => {
            flash(state, e, true);
            return vec![];
        }
    };
    // A refusal was already flashed: there is no form to show it in.
    let _ = confirm_scale(state, req);
    vec![]
}

/// Submit of the scaling form: parse, validate, then confirm; errors stay in the form.
pub(super) fn submit_scale_form(state: &mut State) -> Vec<Cmd> {
    let Overlay::ScaleForm(form) = &state.overlay else {
        return vec![];
    };
    let parsed: Result<Vec<Option<i32>>, String> = form
        .fields
        .iter()
        .zip(crate::state::FIELD_NAMES)
        .map(|(text, name)| scale::parse_field(name, text))
        .collect();
    let error = match parsed {
        Ok(v) => {
            let req = scale::ScaleRequest {
                desired: v[0],
                min: v[1],
                max: v[2],
            };
            match confirm_scale(state, req) {
                Ok(()) => return vec![],
                Err(e) => e,
            }
        }
        Err(e) => e,
    };
    if let Overlay::ScaleForm(form) = &mut state.overlay {
        form.error = Some(error);
    }
    vec![]
}

/// Validates a capacity request against the group as last polled and opens its confirmation.
fn confirm_scale(state: &mut State, req: scale::ScaleRequest) -> Result<(), String> {
    let group = the_group(state)?;
    let plan = match scale::validate(group, req) {
        Ok(p) => p,
        Err(e) => {
            if !matches!(state.overlay, Overlay::ScaleForm(_)) {
                flash(state, format!("not scaling: {e}"), true);
            }
            return Err(e);
        }
    };
    if plan.unchanged {
        state.overlay = Overlay::None;
        flash(
            state,
            format!("{} already has this capacity", plan.group),
            false,
        );
        return Ok(());
    }
    let op = Operation::Scale {
        group: plan.group.clone(),
        min: plan.send_min,
        desired: plan.desired,
        max: plan.send_max,
    };
    let mut c = Confirm::new(format!("Scale {}", plan.group), Some(op));
    c.lines.push(format!(
        "min {} desired {} max {} → min {} desired {} max {}",
        group.min, group.desired, group.max, plan.min, plan.desired, plan.max
    ));
    c.lines
        .push(format!("{} instances in service now", group.in_service()));
    c.lines.push(
        "the stack's DesiredCapacity parameter is not changed: a later deploy sets it back".into(),
    );
    if let Some(reason) = plan.typed_reason {
        c.warnings.push(reason);
        c.typed = Some(plan.group.clone());
    }
    state.overlay = Overlay::Confirm(Box::new(c));
    Ok(())
}

fn instance(state: &mut State, action: InstanceAction) -> Vec<Cmd> {
    let selected = state.view(PanelId::Capacity).selected.clone();
    let found = state.capacity.data.as_ref().and_then(|c| {
        c.groups.iter().find_map(|g| {
            g.instances
                .iter()
                .find(|i| Some(&i.id) == selected.as_ref())
                .map(|i| (g.clone(), i.clone()))
        })
    });
    let Some((g, inst)) = found else {
        flash(
            state,
            "select an instance in the capacity panel first",
            true,
        );
        return vec![];
    };
    let typed_reason = match crate::ops::scale::check_instance_action(&g, &inst.id, action) {
        Ok(reason) => reason,
        Err(why) => {
            flash(state, format!("not sent: {why}"), true);
            return vec![];
        }
    };
    let group = g.name.clone();
    let op = Operation::Instance {
        group: group.clone(),
        instance: inst.id.clone(),
        action,
    };
    let mut c = Confirm::new(
        format!("{} {}", action.name().replace('_', " "), inst.id),
        Some(op),
    );
    c.lines.push(format!(
        "{} in {group}: {} {}, {}",
        inst.id, inst.lifecycle, inst.health, inst.az
    ));
    c.warnings.push(action.consequence().to_string());
    if let Some(reason) = typed_reason {
        c.warnings.push(reason);
        c.typed = Some(group);
    }
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}

fn failover(state: &mut State) -> Vec<Cmd> {
    let Some(panel) = state.database.data.as_ref() else {
        flash(state, "database not loaded yet: wait for the panel", true);
        return vec![];
    };
    let selected = state.view(PanelId::Database).selected.clone();
    let db = selected
        .or_else(|| panel.databases.first().map(|d| d.identifier.clone()))
        .unwrap_or_default();
    let pre = match failover::preflight(panel, &db, None) {
        Ok(p) => p,
        Err(e) => {
            flash(state, e, true);
            return vec![];
        }
    };
    let age = state.database.age_secs(state.now).unwrap_or(0);
    let op = Operation::Failover {
        db: db.clone(),
        cluster: pre.cluster.clone(),
        target: pre.target.clone(),
    };
    let mut c = Confirm::new(format!("Fail over {db}"), pre.passed().then_some(op));
    c.lines.push(format!(
        "pre-flight (from data {age}s old; checked again before the call):"
    ));
    for check in &pre.checks {
        c.lines.push(format!(
            "{} {}: {}",
            if check.ok { "✔" } else { "✖" },
            check.name,
            check.detail
        ));
    }
    if pre.passed() {
        c.warnings
            .push("every connection to the database drops for 30-120 s".into());
        c.typed = Some(db);
    }
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}

fn alarm(state: &mut State, enabled: bool) -> Vec<Cmd> {
    let selected = state.view(PanelId::Alarms).selected.clone();
    let Some(alarm) = state
        .alarms
        .data
        .as_ref()
        .and_then(|a| a.alarms.iter().find(|a| Some(&a.name) == selected.as_ref()))
    else {
        flash(state, "select an alarm in the alarms panel first", true);
        return vec![];
    };
    if alarm.actions_enabled == enabled {
        let text = format!(
            "{} is already {}",
            alarm.name,
            if enabled { "unmuted" } else { "muted" }
        );
        flash(state, text, false);
        return vec![];
    }
    let op = Operation::AlarmActions {
        alarm: alarm.name.clone(),
        enabled,
    };
    let mut c = Confirm::new(
        format!("{} {}", if enabled { "Unmute" } else { "Mute" }, alarm.name),
        Some(op.clone()),
    );
    c.lines.push(op.summary());
    state.overlay = Overlay::Confirm(Box::new(c));
    vec![]
}

/// `Confirm` / `Submit` in a confirmation: runs the operation when it may.
pub(super) fn accept(state: &mut State, typed_submit: bool) -> Vec<Cmd> {
    let Overlay::Confirm(c) = &mut state.overlay else {
        return vec![];
    };
    if c.op.is_none() {
        c.error = Some("a check failed: there is nothing to confirm (esc closes)".into());
        return vec![];
    }
    match (&c.typed, typed_submit) {
        (Some(name), true) if c.input.text == *name => {}
        (Some(name), true) => {
            c.error = Some(format!("type {name} exactly to confirm"));
            return vec![];
        }
        (Some(name), false) => {
            c.error = Some(format!("type {name} and press enter to confirm"));
            return vec![];
        }
        (None, true) => {
            // Enter alone never fires an action: a stray keypress must not scale a group.
            c.error = Some("press the confirm key (y) to run it, esc to cancel".into());
            return vec![];
        }
        (None, false) => {}
    }
    let op = c.op.clone().expect("checked above");
    let id = state.next_activity_id;
    state.next_activity_id += 1;
    state.activity = Some(Activity {
        id,
        title: op.summary(),
        started: state.now,
        lines: Vec::new(),
        status: None,
        verdict: None,
        finished: None,
    });
    state.overlay = Overlay::Activity;
    vec![Cmd::Perform { id, op }]
}

/// Esc in a confirmation: nothing runs; a built change set is thrown away; it is audited.
pub(super) fn decline(state: &mut State) -> Vec<Cmd> {
    let Overlay::Confirm(c) = std::mem::take(&mut state.overlay) else {
        return vec![];
    };
    let Some(op) = c.op else { return vec![] };
    flash(
        state,
        format!("cancelled: nothing was done ({})", op.name()),
        false,
    );
    let mut cmds = Vec::new();
    if let Operation::Deploy {
        change_set, create, ..
    } = &op
    {
        cmds.push(Cmd::Discard {
            change_set: change_set.clone(),
            create: *create,
        });
    }
    cmds.push(Cmd::Audit {
        op,
        outcome: Outcome::Declined,
        detail: "cancelled in the console".into(),
    });
    cmds
}

pub(super) fn progress(state: &mut State, id: u64, p: crate::ops::Progress) {
    let Some(a) = state.activity.as_mut().filter(|a| a.id == id) else {
        return;
    };
    match p {
        crate::ops::Progress::Event(line) => {
            a.lines.push(line);
            // A long deploy's events: the newest matter; keep the view bounded.
            if a.lines.len() > 500 {
                a.lines.drain(..100);
            }
        }
        crate::ops::Progress::Status(s) => a.status = Some(s),
    }
}

pub(super) fn finished(
    state: &mut State,
    id: u64,
    result: Result<Verdict, crate::aws::AwsError>,
) -> Vec<Cmd> {
    let now = state.now;
    let Some(a) = state.activity.as_mut().filter(|a| a.id == id) else {
        return vec![];
    };
    let verdict = result.unwrap_or_else(|e| Verdict::failed(e.to_string()));
    a.verdict = Some(verdict.clone());
    a.finished = Some(now);
    let text = format!(
        "{}: {}",
        if verdict.ok { "done" } else { "failed" },
        verdict.text
    );
    flash(state, text, !verdict.ok);
    // What the action changed shows up in every panel now, not at the next interval.
    vec![Cmd::RefreshAll]
}
