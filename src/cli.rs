//! Command line: global flags shared by every verb, and the headless subcommands.
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "Terminal operations console for a highly-available AWS web stack",
    long_about = "Terminal operations console for a highly-available AWS web stack \
                  (VPC over two AZs, ALB, Auto Scaling group, RDS Multi-AZ, CloudWatch alarms), \
                  deployed from the CloudFormation template bundled with opsdeck.\n\n\
                  Without a subcommand, opens the live console on --stack.\n\n\
                  Add --sandbox to any command to run it against a local AWS emulator."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// Named AWS profile (from ~/.aws/config); default: the SDK's default chain.
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region; default: from the profile or AWS_REGION.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (AWS_ENDPOINT_URL also works).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// CloudFormation stack to operate on.
    #[arg(long, global = true, default_value = "ha-web", env = "OPSDECK_STACK")]
    pub stack: String,
    /// Run against the local AWS emulator (moto), provisioned and started as needed.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Log filter for the log file under $XDG_STATE_HOME/opsdeck (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info", env = "OPSDECK_LOG")]
    pub log_level: String,
    /// Keymap for the console: a shipped alternate (vim, k9s) or a TOML file; merged over the
    /// default ($XDG_CONFIG_HOME/opsdeck/keymap.toml applies on top when present).
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// Poll interval of one console panel (repeatable): --interval targets=2 --interval alarms=60.
    #[arg(long = "interval", global = true, value_name = "PANEL=SECS")]
    pub intervals: Vec<String>,
    /// Refuse every mutating action (also `read_only = true` in
    /// $XDG_CONFIG_HOME/opsdeck/config.toml); no mutating AWS call can be sent.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Seconds before any single AWS operation (with its retries) is abandoned.
    #[arg(long, global = true, default_value_t = 20, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout_secs: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or update the stack from the bundled template, through a reviewed change set.
    Deploy(DeployArgs),
    /// Print one snapshot of the stack's health: targets, capacity, database, alarms.
    Status(StatusArgs),
    /// Delete the stack and everything in it (refused while the database has deletion protection).
    Delete(ConfirmArgs),
    /// Set the Auto Scaling group's capacity, validated against min..max before any call.
    Scale(ScaleArgs),
    /// Act on one instance of the Auto Scaling group.
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Fail the database over to its standby (Multi-AZ) or a reader (Aurora), after pre-flight checks.
    Failover(FailoverArgs),
    /// Mute or unmute an alarm's actions (notifications, scaling) for maintenance.
    #[command(subcommand)]
    Alarm(AlarmCommand),
    /// Print the audit log of mutating actions.
    Audit(AuditArgs),
    /// Open a shell on a private instance through SSM Session Manager (needs the
    /// session-manager-plugin; the AWS CLI is not needed).
    Ssm(SsmArgs),
    /// Forward a local port to the database through a healthy instance (SSM port
    /// forwarding); Ctrl-C closes it.
    Tunnel(TunnelArgs),
    /// Run a shell command on every in-service instance of the group (SSM Run Command,
    /// AWS-RunShellScript) and show each one's status, exit code and output.
    Run(RunArgs),
    /// Manage the local AWS emulator that --sandbox uses.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ConfirmArgs {
    /// Do it without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Follow the operation until it is done (or --wait-secs pass) and report what was seen.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait follows before giving its verdict.
    #[arg(long, default_value_t = 600, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=7200))]
    pub wait_secs: u64,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// New desired capacity.
    #[arg(long, value_name = "N")]
    pub desired: u32,
    /// New minimum size (default: unchanged).
    #[arg(long, value_name = "N")]
    pub min: Option<u32>,
    /// New maximum size (default: unchanged).
    #[arg(long, value_name = "N")]
    pub max: Option<u32>,
    /// The group (default: the stack's only Auto Scaling group).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Mark it unhealthy: the group terminates it and launches a replacement.
    MarkUnhealthy(InstanceArgs),
    /// Terminate it (a replacement is launched unless --decrement).
    Terminate {
        #[command(flatten)]
        args: InstanceArgs,
        /// Lower desired capacity by one instead of replacing it.
        #[arg(long)]
        decrement: bool,
    },
    /// Put it in standby (out of service, kept running); a replacement keeps capacity.
    Standby(InstanceArgs),
    /// Return it from standby to service.
    Unstandby(InstanceArgs),
}

#[derive(Debug, Args)]
pub struct InstanceArgs {
    /// The instance id (i-...).
    pub instance: String,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct FailoverArgs {
    /// The DB instance (default: the stack's only one).
    #[arg(long, value_name = "ID")]
    pub db: Option<String>,
    /// Aurora: the reader to promote (default: the first available reader).
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Subcommand)]
pub enum AlarmCommand {
    /// Disable the alarm's actions (it keeps evaluating and showing its state).
    Mute(AlarmArgs),
    /// Enable the alarm's actions again.
    Unmute(AlarmArgs),
}

#[derive(Debug, Args)]
pub struct AlarmArgs {
    /// The alarm name.
    pub alarm: String,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct SsmArgs {
    /// The instance id (i-...); without it, --any-healthy, or the candidates are listed.
    pub instance: Option<String>,
    /// Pick any in-service, healthy instance of the stack's Auto Scaling group.
    #[arg(long, conflicts_with = "instance")]
    pub any_healthy: bool,
}

#[derive(Debug, Args)]
pub struct TunnelArgs {
    /// Local port to listen on (default: the database's own port if free, else a free one).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub local_port: Option<u16>,
    /// The instance to tunnel through (default: an in-service, healthy one of the group).
    #[arg(long, value_name = "ID")]
    pub via: Option<String>,
    /// The DB instance (default: the stack's only one).
    #[arg(long, value_name = "ID")]
    pub db: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The group (default: the stack's only Auto Scaling group).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// How long the command may run on each instance before it is stopped.
    #[arg(long, default_value_t = crate::ops::command::DEFAULT_TIMEOUT_SECS, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=172_800))]
    pub command_timeout: u64,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    /// The command, after `--`: opsdeck run -- sudo systemctl restart app
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Print the records as JSON lines, exactly as stored.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Parameter preset from stack/params (free-tier, production, full, sandbox).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Override one template parameter (repeatable): --param DesiredCapacity=3.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Execute the change set without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON (schema in README.md, `schema_version` 1) instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Start a sandbox in the background that later commands with --sandbox share.
    Up,
    /// Stop the background sandbox.
    Down,
    /// Show whether the background sandbox is running, and where.
    Status,
    /// Empty the background sandbox (all stacks and resources are wiped).
    Reset,
}
