//! Executes an `Operation` and follows it to a verdict, reporting `Progress` as it goes. The
//! console runs this on a task of its own; the headless verbs await it. Before any mutating
//! call, what was confirmed is checked again against fresh data: the group or database may
//! have changed while the confirmation was on screen.
use super::timeline::{Changes, clock};
use super::{InstanceAction, Operation, Progress, Verdict, failover, scale};
use crate::aws::error::AwsErrorKind;
use crate::aws::{self, AwsError, Clients};
use crate::domain::{AutoScalingGroup, Database, StackResources};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long to follow an operation, and how often to look.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Follow to a verdict (else return once the request is accepted). Deploy and delete are
    /// always followed: their request alone says nothing.
    pub wait: bool,
    pub timeout: Duration,
    pub poll_every: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            wait: true,
            timeout: Duration::from_secs(600),
            poll_every: Duration::from_secs(5),
        }
    }
}

pub type Sink<'a> = &'a mut (dyn FnMut(Progress) + Send);

/// Runs `op` on `stack`. `Err` means a call failed (nothing, or not everything, was done);
/// `Ok` carries the verdict of what was observed.
pub async fn execute(
    clients: &Clients,
    stack: &str,
    op: &Operation,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    match op {
        Operation::Deploy {
            change_set,
            create,
            changes,
            ..
        } => deploy(clients, stack, change_set, *create, *changes, opts, sink).await,
        Operation::DeleteStack { stack } => delete_stack(clients, stack, opts, sink).await,
        Operation::Scale {
            group,
            min,
            desired,
            max,
        } => {
            let req = scale::ScaleRequest {
                desired: Some(*desired),
                min: *min,
                max: *max,
            };
            scale_group(clients, stack, group, req, opts, sink).await
        }
        Operation::Instance {
            group,
            instance,
            action,
        } => instance_action(clients, stack, group, instance, *action, opts, sink).await,
        Operation::Failover { db, target, .. } => {
            failover(clients, stack, db, target.as_deref(), opts, sink).await
        }
        Operation::AlarmActions { alarm, enabled } => {
            aws::alarms::set_actions_enabled(clients, alarm, *enabled).await?;
            Ok(Verdict::ok(format!(
                "actions of {alarm} {}",
                if *enabled {
                    "enabled again"
                } else {
                    "disabled (muted): it still changes state, but notifies and scales nothing"
                }
            )))
        }
        Operation::RunCommand {
            group,
            instances,
            command,
            timeout_secs,
        } => {
            super::command::execute(
                clients,
                group,
                instances,
                command,
                *timeout_secs,
                opts,
                sink,
            )
            .await
        }
    }
}

fn other(operation: &str, report: color_eyre::eyre::Report) -> AwsError {
    match report.downcast::<AwsError>() {
        Ok(e) => e,
        Err(report) => AwsError::new(AwsErrorKind::Other, operation, format!("{report:#}")),
    }
}

async fn deploy(
    clients: &Clients,
    stack: &str,
    change_set: &str,
    create: bool,
    changes: usize,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let before = if create {
        None
    } else {
        Some(aws::stack::describe_stack(clients, stack).await?)
    };
    let started = Instant::now();
    let mut counter = super::deploy::Counter::new(changes);
    sink(Progress::Status(counter.summary()));
    let outcome = crate::deploy::execute_and_follow(
        clients,
        stack,
        change_set,
        before.as_ref(),
        opts.timeout.max(Duration::from_secs(3600)),
        |e| {
            counter.observe(stack, e);
            sink(Progress::Event(super::deploy::event_line(e)));
            sink(Progress::Status(format!(
                "{} · {}",
                counter.summary(),
                clock(started.elapsed())
            )));
        },
    )
    .await
    .map_err(|r| other("ExecuteChangeSet", r))?;
    let elapsed = clock(started.elapsed());
    if outcome.succeeded() {
        let counted = if counter.done() == 0 {
            "the endpoint reported no per-resource events".to_string()
        } else {
            counter.summary()
        };
        return Ok(Verdict::ok(format!(
            "stack {stack} is {} after {elapsed} ({counted})",
            outcome.status
        )));
    }
    let first = outcome.failures.first().map(|f| {
        format!(
            "; first failure: {} ({}): {}",
            f.logical_id,
            f.resource_type,
            f.reason.as_deref().unwrap_or("no reason given")
        )
    });
    Ok(Verdict::failed(format!(
        "deploy of {stack} ended in {} after {elapsed}{}",
        outcome.status,
        first.unwrap_or_default()
    )))
}

/// The stack's databases that refuse deletion: the reason a delete is refused up front.
pub async fn deletion_protected(clients: &Clients, stack: &str) -> Result<Vec<String>, AwsError> {
    let resources = aws::stack::list_resources(clients, stack).await?;
    let dbs = aws::rds::describe_instances(clients, &resources.db_instances).await?;
    Ok(dbs
        .into_iter()
        .filter(|d| d.deletion_protection)
        .map(|d| d.identifier)
        .collect())
}

async fn delete_stack(
    clients: &Clients,
    stack: &str,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let protected = deletion_protected(clients, stack).await?;
    if !protected.is_empty() {
        return Ok(Verdict::failed(format!(
            "not deleted: deletion protection is on for {} (deploy with DbDeletionProtection=false first)",
            protected.join(", ")
        )));
    }
    let seen: BTreeSet<String> = aws::stack::recent_events(clients, stack, 100)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut seen = seen;
    aws::stack::delete_stack(clients, stack).await?;
    let started = Instant::now();
    loop {
        let summary = match aws::stack::describe_stack(clients, stack).await {
            Err(e) if e.kind == AwsErrorKind::NotFound => {
                return Ok(Verdict::ok(format!(
                    "stack {stack} deleted after {}",
                    clock(started.elapsed())
                )));
            }
            r => r?,
        };
        if let Ok(events) = aws::stack::recent_events(clients, stack, 100).await {
            for e in events.iter().rev() {
                if seen.insert(e.id.clone()) {
                    sink(Progress::Event(super::deploy::event_line(e)));
                }
            }
        }
        sink(Progress::Status(format!(
            "{} · {}",
            summary.status,
            clock(started.elapsed())
        )));
        match summary.status.as_str() {
            "DELETE_COMPLETE" => {
                return Ok(Verdict::ok(format!(
                    "stack {stack} deleted after {}",
                    clock(started.elapsed())
                )));
            }
            "DELETE_FAILED" => {
                return Ok(Verdict::failed(format!(
                    "delete of {stack} failed: {}",
                    summary
                        .status_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                )));
            }
            _ => {}
        }
        if started.elapsed() > opts.timeout.max(Duration::from_secs(3600)) {
            return Ok(Verdict::failed(format!(
                "stack {stack} is still {} after {}",
                summary.status,
                clock(started.elapsed())
            )));
        }
        tokio::time::sleep(opts.poll_every).await;
    }
}

pub(crate) async fn describe_group(
    clients: &Clients,
    group: &str,
) -> Result<AutoScalingGroup, AwsError> {
    aws::asg::describe_groups(clients, &[group.to_string()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            AwsError::new(
                AwsErrorKind::NotFound,
                "DescribeAutoScalingGroups",
                format!("Auto Scaling group {group} does not exist"),
            )
        })
}

async fn scale_group(
    clients: &Clients,
    stack: &str,
    group: &str,
    req: scale::ScaleRequest,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let current = describe_group(clients, group).await?;
    let plan = match scale::validate(&current, req) {
        Ok(plan) => plan,
        Err(why) => {
            return Ok(Verdict::failed(format!(
                "not sent: {why} (the group is now min {} desired {} max {})",
                current.min, current.desired, current.max
            )));
        }
    };
    aws::asg::update_capacity(clients, group, plan.send_min, plan.desired, plan.send_max).await?;
    sink(Progress::Event(format!(
        "{group}: capacity {}/{}/{} → {}/{}/{} (min/desired/max)",
        current.min, current.desired, current.max, plan.min, plan.desired, plan.max
    )));
    let before: BTreeSet<String> = current.instances.iter().map(|i| i.id.clone()).collect();
    if !opts.wait {
        return Ok(Verdict::ok(format!(
            "{group} desired capacity set to {}",
            plan.desired
        )));
    }
    let followed = follow_group(
        clients,
        stack,
        group,
        Some(plan.desired),
        &before,
        None,
        opts,
        sink,
    )
    .await;
    Ok(accepted_then(followed, "the capacity change"))
}

/// After AWS accepted a change, a failure to follow it is not a failure of the change: the
/// verdict says it was requested, so nobody retries an operation that is already under way.
fn accepted_then(followed: Result<Verdict, AwsError>, what: &str) -> Verdict {
    followed.unwrap_or_else(|e| {
        Verdict::failed(format!(
            "{what} was accepted by AWS, but following it failed: {e}. Check it with `opsdeck status` before trying again"
        ))
    })
}

/// Follows a group until `desired` (or the group's own desired) is in service with every new
/// instance healthy in every target group, or the timeout.
// The loop's inputs are all distinct; a struct for one private caller pair adds nothing.
#[allow(clippy::too_many_arguments)]
async fn follow_group(
    clients: &Clients,
    stack: &str,
    group: &str,
    desired: Option<i32>,
    before: &BTreeSet<String>,
    acted_on: Option<(&str, InstanceAction)>,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let resources = aws::stack::list_resources(clients, stack).await?;
    let started = Instant::now();
    let mut instances = Changes::new();
    let mut health = Changes::new();
    let mut activities = Changes::new();
    let group_names = [group.to_string()];
    loop {
        let (g, targets, acts) = tokio::join!(
            describe_group(clients, group),
            aws::alb::target_groups_health(clients, &resources.target_groups),
            aws::asg::scaling_activities(clients, &group_names, 5),
        );
        let g = g?;
        let targets = targets.unwrap_or_else(|e| {
            sink(Progress::Event(format!("target health not read: {e}")));
            Vec::new()
        });
        let lines = instances.observe(
            g.instances
                .iter()
                .map(|i| (i.id.clone(), format!("{} {}", i.lifecycle, i.health)))
                .collect(),
        );
        lines.into_iter().for_each(|l| sink(Progress::Event(l)));
        let new_health: BTreeMap<String, String> = targets
            .iter()
            .flat_map(|tg| {
                tg.targets
                    .iter()
                    .filter(|t| !before.contains(&t.id))
                    .map(move |t| (format!("{} in {}", t.id, tg.name), t.state.clone()))
            })
            .collect();
        health
            .observe(new_health)
            .into_iter()
            .for_each(|l| sink(Progress::Event(l)));
        if let Ok(acts) = acts {
            activities
                .observe(
                    acts.iter()
                        .filter(|a| a.start.is_some())
                        .map(|a| (a.description.clone(), a.status.clone()))
                        .collect(),
                )
                .into_iter()
                .for_each(|l| sink(Progress::Event(format!("activity {l}"))));
        }
        let status = scale::status(&g, desired.unwrap_or(g.desired), before, &targets);
        sink(Progress::Status(format!(
            "{} · {}",
            status.summary(),
            clock(started.elapsed())
        )));
        // An instance action is done only once the instance itself shows it (gone, out of
        // service, in or out of standby), not merely when the counts happen to match.
        let acted_seen = acted_on.is_none_or(|(id, action)| {
            let lifecycle = g
                .instances
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.lifecycle.as_str());
            scale::instance_action_seen(action, lifecycle)
        });
        if status.done && acted_seen {
            return Ok(Verdict::ok(format!(
                "{group}: {} in service = desired after {}{}",
                status.in_service,
                clock(started.elapsed()),
                if status.new_instances.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} new instances healthy in every target group",
                        status.new_healthy
                    )
                }
            )));
        }
        if started.elapsed() >= opts.timeout {
            return Ok(Verdict::failed(format!(
                "{group} not settled within {}: {}",
                clock(opts.timeout),
                status.summary()
            )));
        }
        tokio::time::sleep(opts.poll_every).await;
    }
}

async fn instance_action(
    clients: &Clients,
    stack: &str,
    group: &str,
    instance: &str,
    action: InstanceAction,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let current = describe_group(clients, group).await?;
    if let Err(why) = scale::check_instance_action(&current, instance, action) {
        return Ok(Verdict::failed(format!("not sent: {why}")));
    }
    match action {
        InstanceAction::MarkUnhealthy => aws::asg::mark_unhealthy(clients, instance).await?,
        InstanceAction::Terminate { decrement } => {
            aws::asg::terminate_instance(clients, instance, decrement).await?
        }
        InstanceAction::EnterStandby => aws::asg::enter_standby(clients, group, instance).await?,
        InstanceAction::ExitStandby => aws::asg::exit_standby(clients, group, instance).await?,
    }
    sink(Progress::Event(format!(
        "{instance}: {} requested",
        action.name().replace('_', " ")
    )));
    if !opts.wait {
        return Ok(Verdict::ok(format!(
            "{instance}: {} requested",
            action.name().replace('_', " ")
        )));
    }
    let before: BTreeSet<String> = current.instances.iter().map(|i| i.id.clone()).collect();
    let followed = follow_group(
        clients,
        stack,
        group,
        None,
        &before,
        Some((instance, action)),
        opts,
        sink,
    )
    .await;
    let what = format!("{} of {instance}", action.name().replace('_', " "));
    Ok(accepted_then(followed, &what))
}

async fn failover(
    clients: &Clients,
    stack: &str,
    db: &str,
    target: Option<&str>,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let resources = aws::stack::list_resources(clients, stack).await?;
    let panel = crate::fetch::database_panel(clients, &resources).await?;
    let pre = match failover::preflight(&panel, db, target) {
        Ok(p) => p,
        Err(why) => return Ok(Verdict::failed(format!("not sent: {why}"))),
    };
    if !pre.passed() {
        return Ok(Verdict::failed(format!(
            "not sent: pre-flight failed: {}",
            pre.failures()
        )));
    }
    let before = panel
        .databases
        .iter()
        .find(|d| d.identifier == db)
        .cloned()
        .expect("preflight found it");
    let writer_before = match &pre.cluster {
        Some(c) => aws::rds::cluster_writers(clients, std::slice::from_ref(c))
            .await?
            .remove(c),
        None => None,
    };
    let started_at = chrono::Utc::now();
    match &pre.cluster {
        Some(c) => aws::rds::failover_cluster(clients, c, pre.target.as_deref()).await?,
        None => aws::rds::force_failover(clients, db).await?,
    }
    let place = |d: &Database, writer: Option<&str>| match writer {
        Some(w) => format!("writer {w}"),
        None => format!("primary {}", d.az.as_deref().unwrap_or("?")),
    };
    sink(Progress::Event(format!(
        "failover requested; before: {} {}",
        before.status,
        place(&before, writer_before.as_deref())
    )));
    if !opts.wait {
        return Ok(Verdict::ok("failover requested (not followed: use --wait)"));
    }
    let followed = follow_failover(
        clients,
        &resources,
        &before,
        writer_before,
        started_at,
        opts,
        sink,
    )
    .await;
    Ok(accepted_then(followed, "the failover"))
}

async fn follow_failover(
    clients: &Clients,
    resources: &StackResources,
    before: &Database,
    writer_before: Option<String>,
    started_at: chrono::DateTime<chrono::Utc>,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    let started = Instant::now();
    let mut watch = failover::Watch::new(before, writer_before.clone());
    let mut seen_events: BTreeSet<String> = BTreeSet::new();
    let mut targets_seen = Changes::new();
    let db_ids = [before.identifier.clone()];
    let lb = resources
        .load_balancers
        .first()
        .and_then(|arn| aws::alb::cloudwatch_dimension_of(arn))
        .map(str::to_string);
    loop {
        let now = chrono::Utc::now();
        let window = (now - started_at).to_std().unwrap_or_default() + Duration::from_secs(60);
        let (dbs, writers, events, targets, errors_5xx) = tokio::join!(
            aws::rds::describe_instances(clients, &db_ids),
            aws::rds::cluster_writers(clients, before.cluster.as_slice()),
            aws::events::rds_events(clients, &db_ids, window),
            aws::alb::target_groups_health(clients, &resources.target_groups),
            async {
                match &lb {
                    Some(lb) => {
                        aws::metrics::load_balancer_5xx(clients, lb, Duration::from_secs(300), now)
                            .await
                            .map(Some)
                    }
                    None => Ok(None),
                }
            },
        );
        let Some(db) = dbs?.into_iter().next() else {
            return Ok(Verdict::failed(format!(
                "{} disappeared during the failover",
                before.identifier
            )));
        };
        let writer = writers
            .ok()
            .and_then(|mut w| before.cluster.as_ref().and_then(|c| w.remove(c)));
        if let Ok(events) = events {
            for e in events.iter().rev() {
                let key = format!("{:?}{}", e.at, e.message);
                if e.at
                    .is_some_and(|t| t >= started_at - chrono::Duration::seconds(5))
                    && seen_events.insert(key)
                {
                    watch.events += 1;
                    sink(Progress::Event(format!(
                        "{} RDS event: {}",
                        e.at.map(|t| t.format("%H:%M:%S").to_string())
                            .unwrap_or_default(),
                        e.message
                    )));
                }
            }
        }
        let last_status = watch.statuses.last().cloned();
        let done = watch.observe(&db, writer.as_deref());
        if last_status.as_ref() != Some(&db.status) {
            sink(Progress::Event(format!("status {}", db.status)));
        }
        let healthy = targets.as_ref().map(|tgs| {
            let all: usize = tgs.iter().map(|t| t.targets.len()).sum();
            let ok: usize = tgs.iter().map(|t| t.count("healthy")).sum();
            format!("healthy targets {ok}/{all}")
        });
        if let Ok(tgs) = &targets {
            let states = tgs
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        format!("{} healthy of {}", t.count("healthy"), t.targets.len()),
                    )
                })
                .collect();
            targets_seen
                .observe(states)
                .into_iter()
                .for_each(|l| sink(Progress::Event(l)));
        }
        let five_xx = match errors_5xx {
            Ok(Some(n)) => format!("ALB 5xx (5 min) {n}"),
            Ok(None) => "no load balancer".into(),
            Err(e) => format!("ALB 5xx unknown ({})", e.label()),
        };
        let place = match &writer {
            Some(w) => format!("writer {w}"),
            None => format!("primary {}", db.az.as_deref().unwrap_or("?")),
        };
        sink(Progress::Status(format!(
            "{} · {place} · {} · {five_xx} · {}",
            db.status,
            healthy.unwrap_or_else(|e| format!("targets unknown ({})", e.label())),
            clock(started.elapsed())
        )));
        if done {
            let from_to = match (&writer_before, &writer) {
                (Some(b), Some(a)) => format!("writer {b} → {a}"),
                _ => format!(
                    "primary {} → {}",
                    before.az.as_deref().unwrap_or("?"),
                    db.az.as_deref().unwrap_or("?")
                ),
            };
            return Ok(Verdict::ok(format!(
                "failover complete after {}: {from_to}, {} available",
                clock(started.elapsed()),
                db.identifier
            )));
        }
        if started.elapsed() >= opts.timeout {
            return Ok(Verdict::failed(watch.not_observed(&db, opts.timeout)));
        }
        tokio::time::sleep(opts.poll_every).await;
    }
}
