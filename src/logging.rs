//! Logging to a file under the XDG state dir: the terminal belongs to the user (and the console).
use color_eyre::eyre::{Result, WrapErr};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber writing to `$XDG_STATE_HOME/opsdeck/opsdeck.log`.
/// `level` is an `EnvFilter` directive (`info`, `debug`, `opsdeck=trace,aws_smithy=debug`).
/// Keep the returned guard alive until exit so buffered lines are flushed.
pub fn init(level: &str) -> Result<WorkerGuard> {
    let filter = EnvFilter::try_new(level).wrap_err_with(|| {
        format!(
            "--log-level {level:?} is not a valid filter: use error, warn, info, debug or trace"
        )
    })?;
    // At trace level the SDK logs whole response bodies, and StartSession's holds the
    // session's bearer token: that one module stays at debug whatever was asked for.
    let filter = filter.add_directive(
        "aws_smithy_runtime::client::orchestrator::http=debug"
            .parse()
            .expect("a valid directive"),
    );
    let dir = crate::paths::state_dir()?;
    let appender = tracing_appender::rolling::never(&dir, "opsdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Ok(guard)
}
