//! AWS failures as data: every SDK error is classified into the few kinds an on-call engineer
//! acts on differently (throttled, denied, unreachable, unsupported by the endpoint, not found).
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsErrorKind {
    Throttled,
    AccessDenied,
    Unreachable,
    Timeout,
    /// The endpoint answered with something that is not this API (moto's HTML 500 for an
    /// operation it does not implement, or a proxy's error page).
    NotSupported,
    NotFound,
    /// AWS rejected the request as invalid (ValidationError and friends).
    Invalid,
    /// opsdeck itself refused a mutating operation because of `--read-only`.
    ReadOnly,
    Other,
}

/// A classified AWS failure: which operation, what kind, and AWS's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwsError {
    pub kind: AwsErrorKind,
    pub operation: String,
    pub code: Option<String>,
    pub message: String,
}

impl AwsError {
    pub fn new(kind: AwsErrorKind, operation: &str, message: impl Into<String>) -> AwsError {
        AwsError {
            kind,
            operation: operation.to_string(),
            code: None,
            message: message.into(),
        }
    }

    /// Short label for a stale panel or a table cell: "throttled", "access denied", ...
    pub fn label(&self) -> &'static str {
        match self.kind {
            AwsErrorKind::Throttled => "throttled",
            AwsErrorKind::AccessDenied => "access denied",
            AwsErrorKind::Unreachable => "endpoint unreachable",
            AwsErrorKind::Timeout => "timed out",
            AwsErrorKind::NotSupported => "not supported by endpoint",
            AwsErrorKind::NotFound => "not found",
            AwsErrorKind::Invalid => "rejected",
            AwsErrorKind::ReadOnly => "refused (read-only)",
            AwsErrorKind::Other => "error",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            AwsErrorKind::Throttled => {
                "AWS is throttling these calls; retry later or poll less often"
            }
            AwsErrorKind::AccessDenied => {
                "check the credentials (--profile, AWS_PROFILE, `aws sso login`) and the IAM permissions"
            }
            AwsErrorKind::Unreachable => {
                "check the network, --endpoint-url / AWS_ENDPOINT_URL and --region; for the local emulator use --sandbox"
            }
            AwsErrorKind::Timeout => {
                "the endpoint did not answer in time; raise --timeout-secs or check the network"
            }
            AwsErrorKind::NotSupported => {
                "this endpoint does not implement the operation (the sandbox emulator lacks some APIs)"
            }
            AwsErrorKind::NotFound => "check the name (--stack) and the region",
            AwsErrorKind::ReadOnly => {
                "opsdeck runs read-only (--read-only or read_only in config.toml); run without it to change anything"
            }
            AwsErrorKind::Invalid | AwsErrorKind::Other => "see the message from AWS",
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            AwsErrorKind::Throttled | AwsErrorKind::Unreachable | AwsErrorKind::Timeout
        )
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.label())?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, ". Fix: {}", self.hint())
    }
}

impl std::error::Error for AwsError {}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "BandwidthLimitExceeded",
];

const ACCESS_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
];

/// Kind of a service error from its code and message.
pub fn kind_of_code(code: &str, message: &str) -> AwsErrorKind {
    if THROTTLING_CODES.contains(&code) {
        AwsErrorKind::Throttled
    } else if ACCESS_CODES.contains(&code) {
        AwsErrorKind::AccessDenied
    } else if code.ends_with("NotFound")
        || code.ends_with("NotFoundFault")
        || code.ends_with("NotFoundException")
        || (code == "ValidationError" && message.contains("does not exist"))
    {
        AwsErrorKind::NotFound
    } else if code.contains("Validation") || code.starts_with("Invalid") {
        AwsErrorKind::Invalid
    } else {
        AwsErrorKind::Other
    }
}

/// Classifies any SDK error. `operation` names the API call ("DescribeStacks").
pub fn classify<E>(
    operation: &str,
    err: SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let full = DisplayErrorContext(&err).to_string();
    if full.contains(super::guard::REFUSAL_MARKER) {
        return AwsError::new(
            AwsErrorKind::ReadOnly,
            operation,
            "not sent: this opsdeck only reads",
        );
    }
    match &err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let meta = service.err();
            match meta.code() {
                Some(code) => {
                    let message = meta.message().unwrap_or_default().to_string();
                    AwsError {
                        kind: kind_of_code(code, &message),
                        operation: operation.to_string(),
                        code: Some(code.to_string()),
                        message,
                    }
                }
                // A 5xx without an AWS error code is a page that is not this API talking.
                None if status >= 500 || status == 404 => AwsError::new(
                    AwsErrorKind::NotSupported,
                    operation,
                    format!("HTTP {status} without an AWS error body"),
                ),
                None => AwsError::new(
                    AwsErrorKind::Other,
                    operation,
                    format!("HTTP {status}: {full}"),
                ),
            }
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            if status >= 500 || status == 404 {
                AwsError::new(
                    AwsErrorKind::NotSupported,
                    operation,
                    format!("HTTP {status} with a body that is not an AWS response"),
                )
            } else {
                AwsError::new(AwsErrorKind::Other, operation, full)
            }
        }
        SdkError::TimeoutError(_) => {
            AwsError::new(AwsErrorKind::Timeout, operation, root_cause(&err))
        }
        SdkError::DispatchFailure(dispatch) => {
            let kind = if dispatch.is_timeout() {
                AwsErrorKind::Timeout
            } else if full.contains("credential") {
                AwsErrorKind::AccessDenied
            } else {
                AwsErrorKind::Unreachable
            };
            // The innermost cause ("Connection refused (os error 111)") is what a person acts
            // on; the whole chain goes to the log.
            tracing::debug!(operation, "{full}");
            let message = if kind == AwsErrorKind::AccessDenied {
                full
            } else {
                root_cause(&err)
            };
            AwsError::new(kind, operation, message)
        }
        _ if full.contains("credential") => {
            AwsError::new(AwsErrorKind::AccessDenied, operation, full)
        }
        _ => AwsError::new(AwsErrorKind::Other, operation, full),
    }
}

/// The last error in a source chain, where the real reason usually is.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// `.map_err(aws_err("DescribeStacks"))` on any SDK future's result.
pub fn aws_err<E>(
    operation: &'static str,
) -> impl FnOnce(SdkError<E, aws_smithy_runtime_api::http::Response>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |err| classify(operation, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_kinds_users_act_on() {
        assert_eq!(kind_of_code("Throttling", ""), AwsErrorKind::Throttled);
        assert_eq!(kind_of_code("AccessDenied", ""), AwsErrorKind::AccessDenied);
        assert_eq!(
            kind_of_code("InvalidClientTokenId", ""),
            AwsErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of_code("DBInstanceNotFound", ""),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code("TargetGroupNotFound", ""),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code("ValidationError", "Stack with id x does not exist"),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code("ValidationError", "bad"),
            AwsErrorKind::Invalid
        );
        assert_eq!(kind_of_code("Weird", ""), AwsErrorKind::Other);
    }
}
