//! The headless verbs: set up clients (and the sandbox), dispatch, map failures to exit codes.
use crate::aws::{ClientOptions, Clients};
use crate::cli::{Cli, Command, GlobalOpts, SandboxCommand, StatusArgs};
use crate::exit::{self, UsageError};
use crate::sandbox::{self, Sandbox};
use crate::{status, verbs};
use color_eyre::eyre::{Result, eyre};
use std::process::ExitCode;
use std::time::Duration;

/// What every verb needs: the clients, the stack, and whether this is the sandbox.
pub struct Context {
    pub clients: Clients,
    pub stack: String,
    pub sandbox: bool,
    pub auditor: crate::audit::Auditor,
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
    // Before anything touches the terminal: what a dead child process is cleaned up to.
    crate::tui::capture_startup_settings();
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
    match &cli.command {
        Some(Command::Sandbox(cmd)) => return sandbox_command(cmd),
        Some(Command::Audit(args)) => return crate::verbs::audit_command(args),
        _ => {}
    }
    let mut cli = cli;
    // The config file can only add safety: `read_only = true` there cannot be undone by a flag.
    cli.global.read_only |= crate::config::Config::load()?.read_only;
    let auditor = crate::audit::Auditor::open_default()?;
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
            auditor,
        };
        if let Some(options) = console {
            return crate::console::console_command(&ctx, &cli.global, sandbox_endpoint, options).await;
        }
        // Sessions own Ctrl-C themselves: it goes to the remote shell, or closes the tunnel.
        match &cli.command {
            Some(Command::Ssm(args)) => return crate::session_verbs::ssm_command(&ctx, args).await,
            Some(Command::Tunnel(args)) => {
                return crate::session_verbs::tunnel_command(&ctx, args).await;
            }
            _ => {}
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
        Some(Command::Deploy(args)) => verbs::deploy_command(ctx, &args).await,
        Some(Command::Delete(args)) => verbs::delete_command(ctx, &args).await,
        Some(Command::Scale(args)) => verbs::scale_command(ctx, &args).await,
        Some(Command::Instance(cmd)) => verbs::instance_command(ctx, &cmd).await,
        Some(Command::Failover(args)) => verbs::failover_command(ctx, &args).await,
        Some(Command::Alarm(cmd)) => verbs::alarm_command(ctx, &cmd).await,
        Some(Command::Status(args)) => status_command(ctx, &args).await,
        Some(Command::Run(args)) => crate::session_verbs::run_command(ctx, &args).await,
        Some(Command::Ssm(_) | Command::Tunnel(_)) => unreachable!("dispatched before"),
        None => unreachable!("the console is started before dispatch"),
        Some(Command::Sandbox(_) | Command::Audit(_)) => {
            unreachable!("handled before the runtime starts")
        }
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
