//! The headless faces of the on-call actions (`deploy`, `delete`, `scale`, `instance`,
//! `failover`, `alarm`, `audit`). Each checks what it can before any mutating call, shows what
//! will happen, asks (typing the resource's name where a mistake loses capacity or data),
//! then runs the same `Auditor::perform` as the console.
use crate::audit::{self, Outcome};
use crate::aws::{self, AwsError};
use crate::cli::{
    AlarmCommand, AuditArgs, ConfirmArgs, DeployArgs, FailoverArgs, InstanceCommand, ScaleArgs,
    WaitArgs,
};
use crate::commands::Context;
use crate::exit::{self, UsageError};
use crate::ops::run::RunOptions;
use crate::ops::{InstanceAction, Operation, Progress, failover, scale};
use crate::{deploy, sandbox};
use color_eyre::eyre::{Result, eyre};
use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

/// What must be given before an operation runs.
pub(crate) enum Ask<'a> {
    /// y/N on a terminal.
    YesNo,
    /// The name typed on a terminal, with the reason shown.
    Typed { name: &'a str, reason: &'a str },
}

fn prompt(question: &str) -> Result<String> {
    eprint!("{question} ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim().to_string())
}

/// Whether to go ahead: `--yes`, or an answer on a terminal. Without a terminal and without
/// `--yes` it is a refusal that says how to proceed.
fn confirmed(ask: Ask, args: &ConfirmArgs) -> Result<bool> {
    // The warning is shown even with --yes: a script's log should say what it risked.
    if let Ask::Typed { reason, .. } = &ask {
        eprintln!("⚠ {reason}");
    }
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "opsdeck: not done: stdin is not a terminal; re-run with --yes to do it without asking"
        );
        return Ok(false);
    }
    Ok(match ask {
        Ask::YesNo => matches!(
            prompt("Go ahead? [y/N]")?.to_ascii_lowercase().as_str(),
            "y" | "yes"
        ),
        Ask::Typed { name, .. } => prompt(&format!("Type {name} to confirm:"))? == name,
    })
}

/// Prints progress: every event, and the status line when it says something new (the
/// elapsed clock alone changing is not news).
pub(crate) fn progress_printer() -> impl FnMut(Progress) + Send {
    let mut last_status = String::new();
    move |p| match p {
        Progress::Event(line) => println!("  {line}"),
        Progress::Status(line) => {
            let without_clock = line.rsplit_once(" · ").map_or(line.as_str(), |(s, _)| s);
            if without_clock != last_status {
                last_status = without_clock.to_string();
                println!("  … {line}");
            }
        }
    }
}

fn options(wait: &WaitArgs) -> RunOptions {
    RunOptions {
        wait: wait.wait,
        timeout: Duration::from_secs(wait.wait_secs),
        poll_every: Duration::from_secs(5),
    }
}

/// Refuses a mutating verb under --read-only before anything is asked or sent, and audits it.
pub(crate) async fn refuse_if_read_only(ctx: &Context, op: &Operation) -> Result<Option<u8>> {
    if !ctx.clients.read_only {
        return Ok(None);
    }
    let detail = "refused: opsdeck runs read-only (--read-only or read_only in config.toml)";
    eprintln!("opsdeck: {} {detail}", op.name());
    ctx.auditor
        .record(&ctx.clients, &ctx.stack, op, Outcome::Refused, detail, 0)
        .await?;
    Ok(Some(exit::REFUSED))
}

/// Confirms (or not), runs and audits `op`, printing progress; the exit code.
pub(crate) async fn confirm_and_perform(
    ctx: &Context,
    op: Operation,
    ask: Ask<'_>,
    args: &ConfirmArgs,
    opts: &RunOptions,
) -> Result<u8> {
    if let Some(code) = refuse_if_read_only(ctx, &op).await? {
        return Ok(code);
    }
    println!("Will {}.", op.summary());
    if !confirmed(ask, args)? {
        ctx.auditor
            .record(
                &ctx.clients,
                &ctx.stack,
                &op,
                Outcome::Declined,
                "not confirmed",
                0,
            )
            .await?;
        println!("Not done.");
        return Ok(exit::NOT_CONFIRMED);
    }
    let verdict = ctx
        .auditor
        .perform(&ctx.clients, &ctx.stack, &op, opts, &mut progress_printer())
        .await?;
    if verdict.ok {
        println!("✔ {}", verdict.text);
        Ok(exit::OK)
    } else {
        eprintln!("✖ {}", verdict.text);
        Ok(exit::FAILED)
    }
}

/// The one resource of a kind in the stack, or the named one; a clear error otherwise.
pub(crate) fn pick(
    kind: &str,
    flag: &str,
    found: &[String],
    wanted: Option<&str>,
) -> Result<String> {
    match (wanted, found) {
        (Some(w), _) if found.iter().any(|f| f == w) => Ok(w.to_string()),
        (Some(w), _) => Err(eyre!(UsageError(format!(
            "{w} is not a {kind} of this stack (it has: {})",
            if found.is_empty() {
                "none".into()
            } else {
                found.join(", ")
            }
        )))),
        (None, [one]) => Ok(one.clone()),
        (None, []) => Err(eyre!(AwsError::new(
            aws::error::AwsErrorKind::NotFound,
            "ListStackResources",
            format!("the stack has no {kind}"),
        ))),
        (None, many) => Err(eyre!(UsageError(format!(
            "the stack has several {kind}s ({}): choose one with {flag}",
            many.join(", ")
        )))),
    }
}

/// The stack's Auto Scaling group (the one named with `--group` when it has several), as
/// described now.
pub(crate) async fn stack_group(
    ctx: &Context,
    wanted: Option<&str>,
) -> Result<crate::domain::AutoScalingGroup> {
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    let name = pick(
        "Auto Scaling group",
        "--group",
        &resources.auto_scaling_groups,
        wanted,
    )?;
    aws::asg::describe_groups(&ctx.clients, std::slice::from_ref(&name))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| eyre!("Auto Scaling group {name} does not exist"))
}

pub async fn scale_command(ctx: &Context, args: &ScaleArgs) -> Result<u8> {
    let group = stack_group(ctx, args.group.as_deref()).await?;
    let name = group.name.clone();
    let req = scale::ScaleRequest {
        desired: Some(args.desired as i32),
        min: args.min.map(|v| v as i32),
        max: args.max.map(|v| v as i32),
    };
    let plan = scale::validate(&group, req)
        .map_err(|why| eyre!(UsageError(format!("not scaling {name}: {why}"))))?;
    println!(
        "{name}: min {} desired {} max {} → min {} desired {} max {} ({} in service)",
        group.min,
        group.desired,
        group.max,
        plan.min,
        plan.desired,
        plan.max,
        group.in_service()
    );
    if plan.unchanged {
        println!("No change: {name} already has this capacity.");
        return Ok(exit::OK);
    }
    let op = Operation::Scale {
        group: name.clone(),
        min: plan.send_min,
        desired: plan.desired,
        max: plan.send_max,
    };
    let ask = match &plan.typed_reason {
        Some(reason) => Ask::Typed {
            name: &name,
            reason,
        },
        None => Ask::YesNo,
    };
    confirm_and_perform(ctx, op, ask, &args.confirm, &options(&args.wait)).await
}

pub async fn instance_command(ctx: &Context, cmd: &InstanceCommand) -> Result<u8> {
    let (args, action) = match cmd {
        InstanceCommand::MarkUnhealthy(a) => (a, InstanceAction::MarkUnhealthy),
        InstanceCommand::Terminate { args, decrement } => (
            args,
            InstanceAction::Terminate {
                decrement: *decrement,
            },
        ),
        InstanceCommand::Standby(a) => (a, InstanceAction::EnterStandby),
        InstanceCommand::Unstandby(a) => (a, InstanceAction::ExitStandby),
    };
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    let groups = aws::asg::describe_groups(&ctx.clients, &resources.auto_scaling_groups).await?;
    let Some(group) = groups
        .iter()
        .find(|g| g.instances.iter().any(|i| i.id == args.instance))
    else {
        return Err(eyre!(UsageError(format!(
            "{} is not an instance of the stack's Auto Scaling group{}",
            args.instance,
            if groups.is_empty() {
                " (it has none)"
            } else {
                ""
            }
        ))));
    };
    let typed_reason = scale::check_instance_action(group, &args.instance, action)
        .map_err(|why| eyre!(UsageError(format!("not sent: {why}"))))?;
    let op = Operation::Instance {
        group: group.name.clone(),
        instance: args.instance.clone(),
        action,
    };
    let ask = match &typed_reason {
        Some(reason) => Ask::Typed {
            name: &group.name,
            reason,
        },
        None => Ask::YesNo,
    };
    confirm_and_perform(ctx, op, ask, &args.confirm, &options(&args.wait)).await
}

pub async fn failover_command(ctx: &Context, args: &FailoverArgs) -> Result<u8> {
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    let db = pick(
        "DB instance",
        "--db",
        &resources.db_instances,
        args.db.as_deref(),
    )?;
    let panel = crate::fetch::database_panel(&ctx.clients, &resources).await?;
    let pre = failover::preflight(&panel, &db, args.target.as_deref())
        .map_err(|why| eyre!(UsageError(why)))?;
    println!("Pre-flight checks for {db}:");
    for c in &pre.checks {
        println!(
            "  {} {}: {}",
            if c.ok { "✔" } else { "✖" },
            c.name,
            c.detail
        );
    }
    if !pre.passed() {
        eprintln!("opsdeck: not failing over: {}", pre.failures());
        return Ok(exit::FAILED);
    }
    let op = Operation::Failover {
        db: db.clone(),
        cluster: pre.cluster.clone(),
        target: pre.target.clone(),
    };
    let reason = "a failover drops every connection to the database for 30-120 s";
    confirm_and_perform(
        ctx,
        op,
        Ask::Typed { name: &db, reason },
        &args.confirm,
        &options(&args.wait),
    )
    .await
}

pub async fn delete_command(ctx: &Context, args: &ConfirmArgs) -> Result<u8> {
    let op = Operation::DeleteStack {
        stack: ctx.stack.clone(),
    };
    if let Some(code) = refuse_if_read_only(ctx, &op).await? {
        return Ok(code);
    }
    let stack = aws::stack::describe_stack(&ctx.clients, &ctx.stack).await?;
    let protected = crate::ops::run::deletion_protected(&ctx.clients, &ctx.stack).await?;
    if !protected.is_empty() {
        eprintln!(
            "opsdeck: not deleting {}: deletion protection is on for {}. Deploy with \
             --param DbDeletionProtection=false first if you really mean it.",
            ctx.stack,
            protected.join(", ")
        );
        return Ok(exit::FAILED);
    }
    println!("Stack {} is {}.", stack.name, stack.status);
    let reason = "deleting the stack destroys every resource in it, the database included";
    let opts = RunOptions {
        wait: true,
        timeout: Duration::from_secs(3600),
        poll_every: Duration::from_secs(5),
    };
    let name = ctx.stack.clone();
    confirm_and_perform(
        ctx,
        op,
        Ask::Typed {
            name: &name,
            reason,
        },
        args,
        &opts,
    )
    .await
}

pub async fn alarm_command(ctx: &Context, cmd: &AlarmCommand) -> Result<u8> {
    let (args, enabled) = match cmd {
        AlarmCommand::Mute(a) => (a, false),
        AlarmCommand::Unmute(a) => (a, true),
    };
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    let alarms = aws::alarms::stack_alarms(&ctx.clients, &resources).await?;
    let Some(alarm) = alarms.iter().find(|a| a.name == args.alarm) else {
        return Err(eyre!(UsageError(format!(
            "{} is not an alarm of stack {} (it has: {})",
            args.alarm,
            ctx.stack,
            alarms
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    };
    if alarm.actions_enabled == enabled {
        println!(
            "No change: the actions of {} are already {}.",
            alarm.name,
            if enabled {
                "enabled"
            } else {
                "disabled (muted)"
            }
        );
        return Ok(exit::OK);
    }
    let op = Operation::AlarmActions {
        alarm: alarm.name.clone(),
        enabled,
    };
    confirm_and_perform(ctx, op, Ask::YesNo, &args.confirm, &RunOptions::default()).await
}

pub fn audit_command(args: &AuditArgs) -> Result<u8> {
    let path = audit::default_path()?;
    if args.json {
        // As stored, one record per line, after checking each line parses.
        for r in audit::read(&path)? {
            println!("{}", serde_json::to_string(&r)?);
        }
        return Ok(exit::OK);
    }
    let records = audit::read(&path)?;
    if records.is_empty() {
        println!("No actions recorded yet ({}).", path.display());
    } else {
        print!("{}", audit::render_table(&records));
    }
    Ok(exit::OK)
}

pub async fn deploy_command(ctx: &Context, args: &DeployArgs) -> Result<u8> {
    let template = crate::template::Template::bundled()?;
    let request = deploy::validate_request(&template, args.preset.as_deref(), &args.params)?;
    let explicit_preset = request.preset.is_some();
    let review =
        crate::ops::deploy::prepare(&ctx.clients, &ctx.stack, request, ctx.sandbox).await?;
    if ctx.sandbox && review.plan.create && !explicit_preset {
        eprintln!(
            "opsdeck: creating on the sandbox with the `sandbox` preset (what the emulator supports)"
        );
    }
    let op = review.operation();
    if review.is_no_change() {
        let _ = aws::stack::delete_change_set(&ctx.clients, &ctx.stack, &review.set.id).await;
        println!("No changes: stack {} is already up to date.", ctx.stack);
        return Ok(exit::OK);
    }
    print!(
        "{}",
        deploy::render_change_set(&ctx.stack, &review.plan, &review.set)
    );
    let confirm = crate::cli::ConfirmArgs { yes: args.yes };
    let typed = review.typed_reason();
    let ask = match &typed {
        Some(reason) => Ask::Typed {
            name: &ctx.stack,
            reason,
        },
        None => Ask::YesNo,
    };
    let started = Instant::now();
    let code = confirm_and_perform(ctx, op, ask, &confirm, &RunOptions::default()).await?;
    if code == exit::NOT_CONFIRMED || code == exit::REFUSED {
        match crate::ops::deploy::discard(
            &ctx.clients,
            &ctx.stack,
            &review.set.id,
            review.plan.create,
        )
        .await
        {
            Ok(()) => println!("The change set was deleted; the stack is unchanged."),
            Err(e) => eprintln!("opsdeck: the change set could not be deleted: {e}"),
        }
        return Ok(code);
    }
    if code != exit::OK {
        return Ok(code);
    }
    let summary = aws::stack::describe_stack(&ctx.clients, &ctx.stack).await?;
    println!(
        "Stack {} is {} ({}s).",
        ctx.stack,
        summary.status,
        started.elapsed().as_secs()
    );
    for (k, v) in &summary.outputs {
        println!("  {k}: {v}");
    }
    if ctx.sandbox {
        seed_sandbox(ctx).await?;
    }
    Ok(exit::OK)
}

/// Fills in what the emulator's CloudFormation skipped: alarms and metric data.
async fn seed_sandbox(ctx: &Context) -> Result<()> {
    let report = sandbox::seed::top_up(&ctx.clients, &ctx.stack).await?;
    println!(
        "Sandbox: created {} alarms and {} metric points in {} series (the emulator's CloudFormation skips alarms).",
        report.alarms.len(),
        report.points,
        report.series
    );
    for (alarm, missing) in &report.skipped {
        println!("  skipped alarm {alarm}: the stack has no {missing}");
    }
    Ok(())
}
