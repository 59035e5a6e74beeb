//! Process exit codes shared by every headless verb, so scripts can tell failures apart.

/// The command did what was asked.
pub const OK: u8 = 0;
/// The operation ran and failed (deploy rolled back, a section of status could not be read).
pub const FAILED: u8 = 1;
/// The user's input was wrong (bad parameter, unknown preset): nothing was sent to AWS.
pub const USAGE: u8 = 2;
/// The stack (or another named resource) does not exist.
pub const NOT_FOUND: u8 = 3;
/// AWS or the endpoint could not be reached, or refused us (credentials, throttling, timeout).
pub const UNAVAILABLE: u8 = 4;
/// A confirmation was required and not given (declined, or no TTY and no `--yes`).
pub const NOT_CONFIRMED: u8 = 5;

/// Refused by `--read-only`: nothing was sent.
pub const REFUSED: u8 = 6;

/// A mistake in what the user typed, found before any AWS call: exit code `USAGE`.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The exit code for a failed command, from the kind of its error.
pub fn code_for(report: &color_eyre::eyre::Report) -> u8 {
    use crate::aws::error::{AwsError, AwsErrorKind};
    if report.downcast_ref::<UsageError>().is_some() {
        return USAGE;
    }
    match report.downcast_ref::<AwsError>().map(|e| e.kind) {
        Some(AwsErrorKind::NotFound) => NOT_FOUND,
        Some(AwsErrorKind::ReadOnly) => REFUSED,
        Some(
            AwsErrorKind::Throttled
            | AwsErrorKind::AccessDenied
            | AwsErrorKind::Unreachable
            | AwsErrorKind::Timeout,
        ) => UNAVAILABLE,
        _ => FAILED,
    }
}
