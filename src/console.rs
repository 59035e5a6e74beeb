//! Starting the console: keymap, poll intervals and colour from flags and environment; on the
//! sandbox, the bundled stack deployed first and metric data kept flowing.
use crate::app::ConsoleOptions;
use crate::aws::stack as cfn;
use crate::cli::{DeployArgs, GlobalOpts};
use crate::commands::Context;
use crate::exit::{self, UsageError};
use crate::keymap::Keymap;
use crate::sandbox;
use crate::state::{Intervals, PanelId};
use crate::verbs::deploy_command;
use color_eyre::eyre::{Result, eyre};
use std::sync::Arc;
use std::time::Duration;

/// Keymap, poll intervals and colour for the console, from flags and environment.
pub fn console_options(global: &GlobalOpts) -> Result<ConsoleOptions> {
    let keymap =
        Keymap::load(global.keymap.as_deref()).map_err(|e| eyre!(UsageError(format!("{e:#}"))))?;
    Ok(ConsoleOptions {
        stack: global.stack.clone(),
        target_label: String::new(),
        keymap: Arc::new(keymap),
        intervals: parse_intervals(&global.intervals)?,
        poll_timeout: Duration::from_secs(global.timeout_secs),
        // https://no-color.org: any non-empty value turns colour off.
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        read_only: global.read_only,
        auditor: crate::audit::Auditor::open_default()?,
        sandbox: global.sandbox,
    })
}

/// `--interval PANEL=SECS` over the defaults.
pub fn parse_intervals(args: &[String]) -> Result<Intervals> {
    let mut intervals = Intervals::default();
    let panels: Vec<&str> = PanelId::all().map(PanelId::name).collect();
    for arg in args {
        let usage = |why: String| eyre!(UsageError(format!("--interval {arg:?}: {why}")));
        let (name, secs) = arg
            .split_once('=')
            .ok_or_else(|| usage("expected PANEL=SECS, for example --interval targets=2".into()))?;
        let panel = PanelId::from_name(name)
            .ok_or_else(|| usage(format!("unknown panel; panels are {}", panels.join(", "))))?;
        let secs: u64 = secs
            .parse()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or_else(|| usage("seconds must be a whole number from 1 to 3600".into()))?;
        intervals.per_panel.insert(panel, Duration::from_secs(secs));
    }
    Ok(intervals)
}

/// Where the console points, for its title bar.
fn target_label(ctx: &Context, global: &GlobalOpts, sandbox_endpoint: Option<&str>) -> String {
    if let Some(endpoint) = sandbox_endpoint {
        return format!("sandbox {endpoint}");
    }
    let mut parts = vec![
        ctx.clients
            .region
            .clone()
            .unwrap_or_else(|| "no region".into()),
    ];
    if let Some(p) = &global.profile {
        parts.push(format!("profile {p}"));
    }
    // The environment's endpoint too: nothing on screen may suggest real AWS when it is not.
    let env_endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.is_empty());
    if let Some(e) = global.endpoint_url.clone().or(env_endpoint) {
        parts.push(e);
    }
    parts.join(" · ")
}

/// The console. On the sandbox, deploys the bundled stack first when it does not exist yet
/// (progress printed before the terminal is taken over) and keeps metric data flowing.
pub async fn console_command(
    ctx: &Context,
    global: &GlobalOpts,
    sandbox_endpoint: Option<String>,
    mut options: ConsoleOptions,
) -> Result<u8> {
    // Read-only sends nothing mutating, the sandbox's synthetic metric data included.
    let feeder = if ctx.sandbox && !global.read_only {
        let prepared = tokio::select! {
            r = prepare_sandbox_stack(ctx) => r?,
            _ = tokio::signal::ctrl_c() => return Ok(130),
        };
        let just_deployed = match prepared {
            Prepared::Existing => false,
            Prepared::Deployed => true,
            Prepared::Failed(code) => return Ok(code),
        };
        // A deploy has just seeded the metrics; an existing stack needs the gap filled now.
        Some(sandbox::seed::spawn_feeder(
            ctx.clients.clone(),
            ctx.stack.clone(),
            !just_deployed,
        ))
    } else {
        None
    };
    options.target_label = target_label(ctx, global, sandbox_endpoint.as_deref());
    let result = crate::app::run(ctx.clients.clone(), options).await;
    if let Some(f) = feeder {
        f.abort();
    }
    result.map(|()| exit::OK)
}

/// What the sandbox needed before the console could open.
enum Prepared {
    Existing,
    Deployed,
    /// The deploy failed with this exit code (its output says why).
    Failed(u8),
}

async fn prepare_sandbox_stack(ctx: &Context) -> Result<Prepared> {
    if cfn::find_stack(&ctx.clients, &ctx.stack).await?.is_some() {
        // The feeder tops the metric data up in the background: opening the console waits
        // for nothing but this one check.
        return Ok(Prepared::Existing);
    }
    eprintln!(
        "opsdeck: stack {} does not exist on the sandbox yet: deploying the bundled stack (sandbox preset)",
        ctx.stack
    );
    let args = DeployArgs {
        preset: Some("sandbox".into()),
        params: vec![],
        yes: true,
    };
    Ok(match deploy_command(ctx, &args).await? {
        exit::OK => Prepared::Deployed,
        code => Prepared::Failed(code),
    })
}
