//! The headless faces of Session Manager: `ssm` (a shell on an instance), `tunnel` (a local
//! port forwarded to the database) and `run` (a command on the group's instances).
use crate::cli::{RunArgs, SsmArgs, TunnelArgs};
use crate::commands::Context;
use crate::domain::AutoScalingGroup;
use crate::exit::{self, UsageError};
use crate::ops::Operation;
use crate::ops::run::RunOptions;
use crate::ssm::{self, shell, tunnel};
use crate::verbs::{Ask, confirm_and_perform, pick};
use crate::{aws, fetch};
use color_eyre::eyre::{Result, eyre};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The stack's Auto Scaling groups, as last described.
async fn stack_groups(ctx: &Context) -> Result<Vec<AutoScalingGroup>> {
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    Ok(aws::asg::describe_groups(&ctx.clients, &resources.auto_scaling_groups).await?)
}

/// A token cancelled when opsdeck is told to end: SIGTERM, SIGHUP (the terminal closed) and,
/// with `ctrl_c`, SIGINT. Listening also keeps those signals from killing opsdeck while a
/// session is being opened, which would leave it open on AWS.
fn cancelled_by_signals(ctrl_c: bool) -> CancellationToken {
    use tokio::signal::unix::{SignalKind, signal};
    let token = CancellationToken::new();
    let mut kinds = vec![SignalKind::terminate(), SignalKind::hangup()];
    if ctrl_c {
        kinds.push(SignalKind::interrupt());
    }
    for kind in kinds {
        if let Ok(mut s) = signal(kind) {
            let token = token.clone();
            tokio::spawn(async move {
                if s.recv().await.is_some() {
                    token.cancel();
                }
            });
        }
    }
    token
}

/// Prints to stdout, or nothing when it is gone: println! panics on a hung-up terminal, and a
/// panic would skip TerminateSession.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// As `say!`, to stderr.
macro_rules! warn {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn hang_up_or_terminate() -> CancellationToken {
    cancelled_by_signals(false)
}

/// Checks the plugin, starts the session (audited) and says what the user should know; `Err`
/// is the exit code after a message. The token returned is cancelled by Ctrl-C, SIGTERM or
/// SIGHUP; one that arrives while StartSession is in flight ends the new session at once.
async fn open_session(
    ctx: &Context,
    request: &crate::domain::SessionRequest,
    failed: &str,
) -> Result<(ssm::Prepared, CancellationToken), u8> {
    let interrupted = cancelled_by_signals(true);
    let prepared = match ssm::prepare_audited(&ctx.clients, &ctx.auditor, &ctx.stack, request).await
    {
        Ok(p) => p,
        Err(e) => {
            warn!("opsdeck: {failed} on {}: {e}", request.target);
            return Err(exit::FAILED);
        }
    };
    if interrupted.is_cancelled() {
        let _ = ssm::terminate(&ctx.clients, &prepared.session_id).await;
        warn!(
            "opsdeck: interrupted; session {} terminated",
            prepared.session_id
        );
        return Err(130);
    }
    if let Some(advice) = &prepared.advice {
        warn!("opsdeck: {advice}");
    }
    Ok((prepared, interrupted))
}

fn refuse_read_only(ctx: &Context) -> Option<u8> {
    ctx.clients.read_only.then(|| {
        warn!("opsdeck: {}", ssm::READ_ONLY_REFUSAL);
        exit::REFUSED
    })
}

/// `ssm [INSTANCE|--any-healthy]`: the plugin runs in this terminal until the shell ends.
pub async fn ssm_command(ctx: &Context, args: &SsmArgs) -> Result<u8> {
    if let Some(code) = refuse_read_only(ctx) {
        return Ok(code);
    }
    let instance = match &args.instance {
        Some(id) => id.clone(),
        None => {
            let groups = stack_groups(ctx).await?;
            if !args.any_healthy {
                let candidates: Vec<String> = groups
                    .iter()
                    .flat_map(|g| &g.instances)
                    .map(|i| format!("{} ({}, {} {})", i.id, i.az, i.lifecycle, i.health))
                    .collect();
                return Err(eyre!(UsageError(format!(
                    "name the instance (opsdeck ssm i-...) or pass --any-healthy; stack {}'s instances: {}",
                    ctx.stack,
                    if candidates.is_empty() {
                        "none".into()
                    } else {
                        candidates.join(", ")
                    }
                ))));
            }
            ssm::healthy_instance(&groups).ok_or_else(|| {
                eyre!(
                    "no in-service, healthy instance in stack {}'s group: name one (opsdeck ssm i-...)",
                    ctx.stack
                )
            })?
        }
    };
    let prepared = match open_session(ctx, &shell::request(&instance), "no session opened").await {
        Ok((prepared, _)) => prepared,
        Err(code) => return Ok(code),
    };
    warn!(
        "opsdeck: session {} on {instance} (Ctrl-C, Ctrl-\\ and Ctrl-Z go to the remote shell; `exit` ends it)",
        prepared.session_id
    );
    let ended = shell::run_foreground(&prepared, &hang_up_or_terminate()).await;
    if ended.needs_terminate() {
        let _ = ssm::terminate(&ctx.clients, &ended.session_id).await;
    }
    warn!("opsdeck: {}", ended.summary());
    Ok(if ended.exit_code == Some(0) {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Where a tunnel goes, from the stack: the database's endpoint and a healthy instance.
pub async fn tunnel_spec(
    ctx: &Context,
    db: Option<&str>,
    via: Option<&str>,
    local_port: Option<u16>,
) -> Result<(tunnel::Spec, String)> {
    let resources = aws::stack::list_resources(&ctx.clients, &ctx.stack).await?;
    let panel = fetch::database_panel(&ctx.clients, &resources).await?;
    let ids: Vec<String> = panel
        .databases
        .iter()
        .map(|d| d.identifier.clone())
        .collect();
    let id = pick("database", "--db", &ids, db)?;
    let database = panel
        .databases
        .iter()
        .find(|d| d.identifier == id)
        .expect("picked from this list");
    let (Some(host), Some(port)) = (&database.endpoint, database.port) else {
        return Err(eyre!(
            "{id} has no endpoint yet (status {}): wait until it is available",
            database.status
        ));
    };
    let instance = match via {
        Some(v) => v.to_string(),
        None => {
            let groups =
                aws::asg::describe_groups(&ctx.clients, &resources.auto_scaling_groups).await?;
            ssm::healthy_instance(&groups).ok_or_else(|| {
                eyre!("no in-service, healthy instance to tunnel through: name one with --via")
            })?
        }
    };
    let remote_port = u16::try_from(port).map_err(|_| eyre!("{id} reports port {port}"))?;
    let local_port = tunnel::choose_local_port(local_port, remote_port, &[])
        .map_err(|e| eyre!(UsageError(e)))?;
    Ok((
        tunnel::Spec {
            instance,
            host: host.clone(),
            remote_port,
            local_port,
        },
        database.engine.clone(),
    ))
}

/// `tunnel [--local-port N]`: open until Ctrl-C (or the plugin ends), then closed cleanly.
pub async fn tunnel_command(ctx: &Context, args: &TunnelArgs) -> Result<u8> {
    if let Some(code) = refuse_read_only(ctx) {
        return Ok(code);
    }
    let (spec, engine) = tunnel_spec(
        ctx,
        args.db.as_deref(),
        args.via.as_deref(),
        args.local_port,
    )
    .await?;
    // Ctrl-C (or SIGTERM, SIGHUP) closes the tunnel, also while it is being opened.
    let (prepared, close) = match open_session(ctx, &spec.request(), "no tunnel opened").await {
        Ok(opened) => opened,
        Err(code) => return Ok(code),
    };
    say!(
        "Tunnel {} (session {}). Ctrl-C closes it.",
        spec.describe(),
        prepared.session_id
    );
    let mut ok = false;
    let local_port = spec.local_port;
    tunnel::run(&ctx.clients, &prepared, close, |event| match event {
        tunnel::Event::Listening => {
            say!("listening on 127.0.0.1:{local_port}");
            if let Some(hint) = tunnel::client_hint(&engine, local_port) {
                say!("connect with: {hint}");
            }
        }
        tunnel::Event::Connection => say!("connection accepted"),
        tunnel::Event::Output(line) if !line.is_empty() => say!("plugin: {line}"),
        tunnel::Event::Output(_) => {}
        tunnel::Event::Closed {
            reason,
            ok: closed_ok,
        } => {
            ok = closed_ok;
            say!("tunnel closed: {reason}");
        }
    })
    .await;
    Ok(if ok { exit::OK } else { exit::FAILED })
}

/// `run -- CMD`: confirmed, audited, then each instance's status, exit code and output.
pub async fn run_command(ctx: &Context, args: &RunArgs) -> Result<u8> {
    let command =
        crate::ops::command::validate(&args.command.join(" ")).map_err(|e| eyre!(UsageError(e)))?;
    let group = crate::verbs::stack_group(ctx, args.group.as_deref()).await?;
    let name = group.name.clone();
    let instances = crate::ops::command::in_service_ids(&group);
    if instances.is_empty() {
        eprintln!("opsdeck: not sent: {name} has no instance in service");
        return Ok(exit::FAILED);
    }
    println!("Instances in service: {}", instances.join(", "));
    let op = Operation::RunCommand {
        group: name,
        instances,
        command,
        timeout_secs: args.command_timeout,
    };
    let opts = RunOptions {
        wait: true,
        timeout: Duration::from_secs(args.command_timeout),
        poll_every: Duration::from_secs(2),
    };
    confirm_and_perform(ctx, op, Ask::YesNo, &args.confirm, &opts).await
}
