//! `--read-only` enforced where it cannot be bypassed: an SDK interceptor on every client that
//! refuses, before serialization, any operation outside a read allowlist. The UI also hides and
//! refuses mutating actions, but this is the guarantee: no mutating request leaves the process.
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Every refusal's message starts with this, so `error::classify` can tell it apart from an
/// AWS failure whatever wrapper the SDK puts around it.
pub const REFUSAL_MARKER: &str = "refused by --read-only";

/// Operations that only read. An allowlist, not a denylist: an operation a future SDK adds is
/// refused until someone decides it reads.
pub fn is_read_operation(operation: &str) -> bool {
    const READ_PREFIXES: &[&str] = &["Describe", "List", "Get", "Lookup"];
    READ_PREFIXES.iter().any(|p| operation.starts_with(p))
        // Reads that could return a secret or open a channel are not "just looking".
        && !matches!(operation, "GetSecretValue" | "GetPasswordData")
}

#[derive(Debug, Clone, Default)]
pub struct ReadOnlyGuard;

impl Intercept for ReadOnlyGuard {
    fn name(&self) -> &'static str {
        "opsdeck-read-only"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map(|m| m.name())
            .unwrap_or("unknown");
        if is_read_operation(name) {
            Ok(())
        } else {
            tracing::warn!(operation = name, "{REFUSAL_MARKER}");
            Err(format!("{name} {REFUSAL_MARKER}").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_pass() {
        for op in [
            "DescribeStacks",
            "ListStackResources",
            "GetMetricData",
            "GetCallerIdentity",
        ] {
            assert!(is_read_operation(op), "{op}");
        }
        for op in [
            "SetDesiredCapacity",
            "UpdateAutoScalingGroup",
            "RebootDBInstance",
            "FailoverDBCluster",
            "ExecuteChangeSet",
            "CreateChangeSet",
            "DeleteStack",
            "DisableAlarmActions",
            "PutMetricData",
            "StartSession",
            "SendCommand",
            "TerminateInstanceInAutoScalingGroup",
            "GetSecretValue",
            "unknown",
        ] {
            assert!(!is_read_operation(op), "{op}");
        }
    }
}
