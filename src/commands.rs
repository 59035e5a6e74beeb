//! The headless verbs: set up clients (and the sandbox), dispatch, map failures to exit codes.
use crate::aws::stack as cfn;
use crate::aws::{ClientOptions, Clients};
use crate::cli::{Cli, Command, DeployArgs, GlobalOpts, SandboxCommand, StatusArgs};
use crate::exit::{self, UsageError};
use crate::sandbox::{self, Sandbox};
use crate::template::Template;
use crate::{deploy, status};
use color_eyre::eyre::{Result, eyre};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

/// What every verb needs: the clients, the stack, and whether this is the sandbox.
pub struct Context {
    pub clients: Clients,
    pub stack: String,
    pub sandbox: bool,
}

/// Client options from the global flags; with a sandbox, its endpoint and dummy credentials.
pub fn client_options(global: &GlobalOpts, sandbox: Option<&Sandbox>) -> Result<ClientOptions> {
    let operation_timeout = Duration::from_secs(global.timeout_secs);
    match sandbox {
        Some(s) => {
            if global.endpoint_url.is_some() {
                return Err(eyre!(UsageError(
                    "--sandbox and --endpoint-url both choose the endpoint: use one".into()
                )));
            }
            Ok(ClientOptions {
                profile: None,
                region: Some(sandbox::REGION.into()),
                endpoint_url: Some(s.endpoint()),
                static_credentials: Some((sandbox::ACCESS_KEY.into(), sandbox::SECRET_KEY.into())),
                operation_timeout,
                request_log: None,
                read_only: global.read_only,
            })
        }
        None => Ok(ClientOptions {
            profile: global.profile.clone(),
            region: global.region.clone(),
            endpoint_url: global.endpoint_url.clone(),
            static_credentials: None,
            operation_timeout,
            request_log: None,
            read_only: global.read_only,
        }),
    }
}

/// Runs the parsed command line to an exit code. Errors are printed here, once.
pub fn run(cli: Cli) -> ExitCode {
    let code = match run_inner(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("opsdeck: error: {report:#}");
            tracing::error!("{report:?}");
            exit::code_for(&report)
        }
    };
    ExitCode::from(code)
}

fn run_inner(cli: Cli) -> Result<u8> {
    if let Some(Command::Sandbox(cmd)) = &cli.command {
        return sandbox_command(cmd);
    }
    // Everything the console needs from the user is checked before any call and before the
    // terminal is taken over, so a bad keymap or interval is a plain message.
    let console = match cli.command {
        None => Some(crate::console::console_options(&cli.global)?),
        Some(_) => None,
    };
    // Started on this (main) thread: a private emulator lives exactly as long as it.
    let sandbox = if cli.global.sandbox {
        Some(Sandbox::connect_or_start()?)
    } else {
        None
    };
    let options = client_options(&cli.global, sandbox.as_ref())?;
    let sandbox_endpoint = sandbox.as_ref().map(Sandbox::endpoint);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let ctx = Context {
            clients: Clients::new(&options).await,
            stack: cli.global.stack.clone(),
            sandbox: sandbox.is_some(),
        };
        if let Some(options) = console {
            return crate::console::console_command(&ctx, &cli.global, sandbox_endpoint, options).await;
        }
        tokio::select! {
            result = dispatch(&ctx, cli.command) => result,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("\nopsdeck: interrupted. Any stack operation already started goes on in CloudFormation; \
                           follow it with `opsdeck status`.");
                Ok(130)
            }
        }
    });
    // Dropping the sandbox stops a private emulator, on success, error and Ctrl-C alike.
    drop(sandbox);
    result
}

async fn dispatch(ctx: &Context, command: Option<Command>) -> Result<u8> {
    match command {
        Some(Command::Deploy(args)) => deploy_command(ctx, &args).await,
        Some(Command::Status(args)) => status_command(ctx, &args).await,
        None => unreachable!("the console is started before dispatch"),
        Some(Command::Sandbox(_)) => unreachable!("handled before the runtime starts"),
    }
}

async fn status_command(ctx: &Context, args: &StatusArgs) -> Result<u8> {
    let snapshot = status::snapshot(&ctx.clients, &ctx.stack).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&snapshot)?);
    } else {
        print!("{}", status::render_text(&snapshot));
    }
    Ok(if snapshot.errors.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

pub(crate) async fn deploy_command(ctx: &Context, args: &DeployArgs) -> Result<u8> {
    let template = Template::bundled()?;
    let mut request = deploy::validate_request(&template, args.preset.as_deref(), &args.params)?;
    let existing = cfn::find_stack(&ctx.clients, &ctx.stack)
        .await?
        // A stack left in review by an unexecuted CREATE change set has no resources yet.
        .filter(|s| s.status != "REVIEW_IN_PROGRESS");
    deploy::check_deployable(existing.as_ref())?;
    if ctx.sandbox && existing.is_none() && request.preset.is_none() {
        eprintln!(
            "opsdeck: creating on the sandbox with the `sandbox` preset (what the emulator supports)"
        );
        request.preset = Some("sandbox".into());
    }
    let plan = deploy::plan(&template, existing.as_ref(), &request)?;
    let name = format!("opsdeck-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    let id = cfn::create_change_set(
        &ctx.clients,
        &cfn::ChangeSetRequest {
            stack: &ctx.stack,
            name,
            create: plan.create,
            template_body: crate::template::TEMPLATE_BODY,
            parameters: plan.parameters.clone(),
        },
    )
    .await?;
    let set = deploy::wait_for_change_set(&ctx.clients, &ctx.stack, &id, Duration::from_secs(300))
        .await?;
    if set.is_no_change() {
        let _ = cfn::delete_change_set(&ctx.clients, &ctx.stack, &id).await;
        println!("No changes: stack {} is already up to date.", ctx.stack);
        return Ok(exit::OK);
    }
    if set.status != "CREATE_COMPLETE" {
        return Err(eyre!(
            "CloudFormation could not build the change set ({}): {}",
            set.status,
            set.status_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    print!("{}", deploy::render_change_set(&ctx.stack, &plan, &set));
    let interactive = std::io::stdin().is_terminal();
    let go = args.yes
        || (interactive && confirm(&format!("Execute this change set on stack {}?", ctx.stack))?);
    if !go {
        if !interactive {
            eprintln!(
                "opsdeck: not executing: stdin is not a terminal; re-run with --yes to execute without asking"
            );
        }
        let discarded = if plan.create {
            cfn::discard_unexecuted_create(&ctx.clients, &ctx.stack, &id).await
        } else {
            cfn::delete_change_set(&ctx.clients, &ctx.stack, &id).await
        };
        match discarded {
            Ok(()) => {
                println!("Not executed; the change set was deleted and the stack is unchanged.")
            }
            Err(e) => {
                eprintln!("opsdeck: not executed, but the change set could not be deleted: {e}")
            }
        }
        return Ok(exit::NOT_CONFIRMED);
    }
    let started = std::time::Instant::now();
    let outcome = deploy::execute_and_follow(
        &ctx.clients,
        &ctx.stack,
        &id,
        existing.as_ref(),
        Duration::from_secs(2 * 3600),
        |e| {
            println!(
                "{}  {:<28} {:<40} {}{}",
                e.timestamp
                    .map(|t| t.format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                e.status,
                e.logical_id,
                e.resource_type,
                e.reason
                    .as_deref()
                    .map(|r| format!("  {r}"))
                    .unwrap_or_default()
            )
        },
    )
    .await?;
    let elapsed = started.elapsed().as_secs();
    if !outcome.succeeded() {
        eprintln!(
            "opsdeck: deploy of {} ended in {} after {elapsed}s",
            ctx.stack, outcome.status
        );
        for f in &outcome.failures {
            eprintln!(
                "  ✖ {} ({}): {}",
                f.logical_id,
                f.resource_type,
                f.reason.as_deref().unwrap_or("no reason given")
            );
        }
        return Ok(exit::FAILED);
    }
    let summary = cfn::describe_stack(&ctx.clients, &ctx.stack).await?;
    println!("Stack {} is {} ({elapsed}s).", ctx.stack, summary.status);
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

fn sandbox_command(cmd: &SandboxCommand) -> Result<u8> {
    match cmd {
        SandboxCommand::Up => {
            let r = sandbox::up()?;
            println!(
                "Sandbox running on {} (pid {}, moto {}). Use --sandbox with any command; stop it with `opsdeck sandbox down`.",
                sandbox::server::endpoint(r.port),
                r.pid,
                r.moto_version
            );
        }
        SandboxCommand::Down => match sandbox::down()? {
            Some(r) => println!("Sandbox on port {} (pid {}) stopped.", r.port, r.pid),
            None => println!("No background sandbox was running."),
        },
        SandboxCommand::Status => match sandbox::running()? {
            Some(r) => println!(
                "Sandbox running on {} (pid {}, moto {}, since {}).",
                sandbox::server::endpoint(r.port),
                r.pid,
                r.moto_version,
                r.started_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            None => {
                println!("No background sandbox is running (`opsdeck sandbox up` starts one).");
                return Ok(exit::NOT_FOUND);
            }
        },
        SandboxCommand::Reset => {
            let r = sandbox::reset()?;
            println!("Sandbox on port {} emptied.", r.port);
        }
    }
    Ok(exit::OK)
}
