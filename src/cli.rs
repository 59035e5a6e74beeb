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
    /// Manage the local AWS emulator that --sandbox uses.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
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
