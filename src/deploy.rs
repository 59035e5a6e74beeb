//! `opsdeck deploy`: create or update the stack from the bundled template through a change
//! set that is shown before it runs, then follow the stack to a terminal state.
use crate::aws::stack::{self as cfn, ParamValue};
use crate::aws::{AwsError, Clients};
use crate::domain::{ChangeSet, StackEvent, StackSummary};
use crate::exit::UsageError;
use crate::template::{self, Template};
use color_eyre::eyre::{Result, bail, eyre};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

/// What the user asked for, already parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployRequest {
    pub preset: Option<String>,
    pub overrides: BTreeMap<String, String>,
}

/// Validates preset and `--param` values against the template: no AWS call is made.
pub fn validate_request(
    template: &Template,
    preset: Option<&str>,
    params: &[String],
) -> Result<DeployRequest> {
    let usage = |e: color_eyre::eyre::Report| eyre!(UsageError(format!("{e:#}")));
    let overrides = template::parse_param_args(params).map_err(usage)?;
    if let Some(name) = preset {
        for (k, v) in template::preset(name).map_err(usage)? {
            template.validate_value(&k, &v).map_err(usage)?;
        }
    }
    for (k, v) in &overrides {
        template.validate_value(k, v).map_err(usage)?;
    }
    Ok(DeployRequest {
        preset: preset.map(str::to_string),
        overrides,
    })
}

/// The parameters a change set will be built with, and how they differ from the stack's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployPlan {
    pub create: bool,
    pub parameters: BTreeMap<String, ParamValue>,
    /// (name, current value, new value) for every parameter that changes.
    pub changed: Vec<(String, Option<String>, String)>,
}

/// Layers: template defaults (create) or the stack's current values (update), then the
/// preset, then `--param`. Checks the capacity rules CloudFormation would only hit mid-deploy.
pub fn plan(
    template: &Template,
    existing: Option<&StackSummary>,
    req: &DeployRequest,
) -> Result<DeployPlan> {
    let mut wanted: BTreeMap<String, String> = match &req.preset {
        Some(p) => template::preset(p)?,
        None => BTreeMap::new(),
    };
    wanted.extend(req.overrides.clone());
    let current = existing.map(|s| &s.parameters);
    let mut effective = current.cloned().unwrap_or_default();
    effective.extend(wanted.clone());
    template::validate_capacity(template, &effective)
        .map_err(|e| eyre!(UsageError(format!("{e:#}"))))?;
    let mut parameters = BTreeMap::new();
    let mut changed = Vec::new();
    for (name, spec) in &template.params {
        let before = current.and_then(|c| c.get(name));
        match (wanted.get(name), before) {
            (Some(new), old) => {
                if old != Some(new) {
                    changed.push((name.clone(), old.cloned(), new.clone()));
                }
                parameters.insert(name.clone(), ParamValue::Set(new.clone()));
            }
            // Masked (NoEcho) values cannot be sent back; ask CloudFormation to keep them.
            (None, Some(old)) if old == "****" => {
                parameters.insert(name.clone(), ParamValue::UsePrevious);
            }
            // Unchanged and equal to the template default: leaving it out means the same
            // value, and keeps the request minimal (moto mis-applies updates that restate
            // every parameter).
            (None, Some(old)) if spec.default.as_ref() == Some(old) => {}
            // AWS reports an SSM-typed parameter by its SSM name; an emulator that reports the
            // resolved AMI id instead would have that id looked up as a name and fail. Leave
            // it out: the template's SSM name applies, which is what the stack was built with.
            (None, Some(old)) if is_resolved_ssm_value(spec, old) => {}
            // Kept at its non-default value. Sent explicitly: omitting it would reset it
            // to the template default.
            (None, Some(old)) => {
                parameters.insert(name.clone(), ParamValue::Set(old.clone()));
            }
            (None, None) => {} // a new parameter: the template default applies
        }
    }
    Ok(DeployPlan {
        create: existing.is_none(),
        parameters,
        changed,
    })
}

fn is_resolved_ssm_value(spec: &template::ParamSpec, value: &str) -> bool {
    let ssm_typed = spec.param_type.starts_with("AWS::SSM::Parameter::Value<");
    let looks_resolved = value
        .strip_prefix("ami-")
        .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()));
    ssm_typed && looks_resolved
}

/// The change set as the user reviews it.
pub fn render_change_set(stack: &str, plan: &DeployPlan, set: &ChangeSet) -> String {
    let verb = if plan.create { "Create" } else { "Update" };
    let mut out = format!("{verb} stack {stack}\n");
    if !plan.changed.is_empty() {
        out += "\nParameters:\n";
        for (name, old, new) in &plan.changed {
            out += &format!(
                "  {name}: {} → {new}\n",
                old.as_deref().unwrap_or("(default)")
            );
        }
    }
    let mut t = crate::status::table(&["Action", "Logical id", "Type", "Replacement"]);
    for c in &set.changes {
        let replacement = match c.replacement.as_deref() {
            Some("True") => "⚠ True".to_string(),
            Some("Conditional") => "⚠ Conditional".to_string(),
            Some(r) => r.to_string(),
            None => "-".to_string(),
        };
        t.add_row(vec![
            c.action.clone(),
            c.logical_id.clone(),
            c.resource_type.clone(),
            replacement,
        ]);
    }
    if set.changes.is_empty() {
        out += "\nThe change set lists no resource changes";
        out += if plan.changed.is_empty() {
            ".\n"
        } else {
            " (the endpoint reported none; parameters change).\n"
        };
    } else {
        out += &format!("\n{} resource changes:\n{t}\n", set.changes.len());
    }
    out
}

/// Polls DescribeChangeSet until CloudFormation has computed it.
pub async fn wait_for_change_set(
    clients: &Clients,
    stack: &str,
    id: &str,
    timeout: Duration,
) -> Result<ChangeSet> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(300);
    loop {
        let set = cfn::describe_change_set(clients, stack, id).await?;
        if !set.status.ends_with("_PENDING") && !set.status.ends_with("_IN_PROGRESS") {
            return Ok(set);
        }
        if started.elapsed() > timeout {
            bail!(
                "the change set was still {} after {}s",
                set.status,
                timeout.as_secs()
            );
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(3));
    }
}

/// Final state of a deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: String,
    pub failures: Vec<StackEvent>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

/// Whether the stack has settled after the execution began. Right after ExecuteChangeSet the
/// old terminal status may still show, so a terminal status only counts once the stack has
/// visibly moved: a new terminal event for the stack itself, or a changed status or time.
fn settled(before: Option<&StackSummary>, now: &StackSummary, new_events: &[StackEvent]) -> bool {
    if now.is_in_progress() || now.status == "REVIEW_IN_PROGRESS" {
        return false;
    }
    let stack_finished_event = new_events.iter().any(|e| {
        e.resource_type == "AWS::CloudFormation::Stack"
            && e.logical_id == now.name
            && !e.status.ends_with("_IN_PROGRESS")
    });
    match before {
        None => true,
        Some(b) => {
            stack_finished_event || b.status != now.status || b.last_updated != now.last_updated
        }
    }
}

/// Executes the change set and follows the stack, calling `on_event` for each new event.
pub async fn execute_and_follow(
    clients: &Clients,
    stack: &str,
    change_set: &str,
    before: Option<&StackSummary>,
    timeout: Duration,
    mut on_event: impl FnMut(&StackEvent),
) -> Result<Outcome> {
    let seen_before: HashSet<String> = match before {
        Some(_) => cfn::recent_events(clients, stack, 100)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect(),
        None => HashSet::new(),
    };
    let mut seen = seen_before;
    let mut new_events: Vec<StackEvent> = Vec::new();
    cfn::execute_change_set(clients, stack, change_set).await?;
    let started = Instant::now();
    loop {
        let (summary, events) = tokio::try_join!(
            cfn::describe_stack(clients, stack),
            cfn::recent_events(clients, stack, 100)
        )?;
        // Events come newest first; show them in the order they happened.
        for event in events.into_iter().rev() {
            if seen.insert(event.id.clone()) {
                on_event(&event);
                new_events.push(event);
            }
        }
        if settled(before, &summary, &new_events) {
            let failures = new_events
                .into_iter()
                .filter(StackEvent::is_failure)
                .collect();
            return Ok(Outcome {
                status: summary.status,
                failures,
            });
        }
        if started.elapsed() > timeout {
            bail!(
                "stack {stack} is still {} after {} minutes; follow it with `opsdeck status`",
                summary.status,
                timeout.as_secs() / 60
            );
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Refuses stack states a change set cannot start from, with what to do instead.
pub fn check_deployable(existing: Option<&StackSummary>) -> Result<(), AwsError> {
    let Some(s) = existing else { return Ok(()) };
    let refuse = |why: String| {
        Err(AwsError::new(
            crate::aws::error::AwsErrorKind::Invalid,
            "deploy",
            why,
        ))
    };
    if s.status == "ROLLBACK_COMPLETE" || s.status == "ROLLBACK_FAILED" {
        return refuse(format!(
            "stack {} is {}: its creation failed and it must be deleted before it is created again",
            s.name, s.status
        ));
    }
    if s.is_in_progress() {
        return refuse(format!(
            "stack {} is busy ({}); wait for it to settle",
            s.name, s.status
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(params: &[(&str, &str)]) -> StackSummary {
        StackSummary {
            name: "ha-web".into(),
            id: None,
            status: "CREATE_COMPLETE".into(),
            status_reason: None,
            created: None,
            last_updated: None,
            parameters: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            outputs: BTreeMap::new(),
        }
    }

    fn request(preset: Option<&str>, overrides: &[(&str, &str)]) -> DeployRequest {
        DeployRequest {
            preset: preset.map(str::to_string),
            overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn create_sends_only_what_differs_from_the_defaults() {
        let t = Template::bundled().unwrap();
        let plan = plan(
            &t,
            None,
            &request(Some("sandbox"), &[("DesiredCapacity", "3")]),
        )
        .unwrap();
        assert!(plan.create);
        assert_eq!(
            plan.parameters["DesiredCapacity"],
            ParamValue::Set("3".into())
        );
        assert_eq!(
            plan.parameters["DbDeletionProtection"],
            ParamValue::Set("false".into())
        );
        assert!(!plan.parameters.contains_key("MaxSize"));
    }

    #[test]
    fn update_keeps_non_default_values_and_reports_the_change() {
        let t = Template::bundled().unwrap();
        let current = stack(&[
            ("DesiredCapacity", "2"),
            ("MaxSize", "6"),
            ("NatGateways", "single"),
            ("LatestAmiId", "ami-0d27e0fb3bac4d724"),
            ("AlarmEmail", "****"),
        ]);
        let plan = plan(
            &t,
            Some(&current),
            &request(None, &[("DesiredCapacity", "4")]),
        )
        .unwrap();
        assert!(!plan.create);
        assert_eq!(
            plan.changed,
            vec![("DesiredCapacity".into(), Some("2".into()), "4".into())]
        );
        assert_eq!(
            plan.parameters["DesiredCapacity"],
            ParamValue::Set("4".into())
        );
        // Not resetting a non-default value to the template default is the point.
        assert_eq!(
            plan.parameters["NatGateways"],
            ParamValue::Set("single".into())
        );
        assert_eq!(plan.parameters["AlarmEmail"], ParamValue::UsePrevious);
        assert!(
            !plan.parameters.contains_key("MaxSize"),
            "equal to the default: left out"
        );
        assert!(
            !plan.parameters.contains_key("LatestAmiId"),
            "a resolved AMI is never sent as an SSM name"
        );
    }

    #[test]
    fn update_is_checked_against_the_stacks_current_capacity() {
        let t = Template::bundled().unwrap();
        let current = stack(&[("MinSize", "2"), ("DesiredCapacity", "2"), ("MaxSize", "3")]);
        let err = plan(
            &t,
            Some(&current),
            &request(None, &[("DesiredCapacity", "5")]),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("2..3"), "{err:#}");
    }

    #[test]
    fn no_change_is_recognised_from_aws_wording() {
        let set = |status: &str, reason: &str| ChangeSet {
            id: "x".into(),
            status: status.into(),
            status_reason: Some(reason.into()),
            changes: vec![],
        };
        assert!(set("FAILED", "The submitted information didn't contain changes. Submit different information to create a change set.").is_no_change());
        assert!(!set("FAILED", "Template format error").is_no_change());
    }

    #[test]
    fn settling_waits_for_the_stack_to_move() {
        let before = stack(&[]);
        let mut now = stack(&[]);
        assert!(
            !settled(Some(&before), &now, &[]),
            "old terminal status still showing"
        );
        let event = StackEvent {
            id: "1".into(),
            timestamp: None,
            logical_id: "ha-web".into(),
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: "UPDATE_COMPLETE".into(),
            reason: None,
        };
        assert!(settled(Some(&before), &now, std::slice::from_ref(&event)));
        now.status = "UPDATE_IN_PROGRESS".into();
        assert!(!settled(Some(&before), &now, &[event]));
        now.status = "CREATE_COMPLETE".into();
        assert!(settled(None, &now, &[]));
    }
}
