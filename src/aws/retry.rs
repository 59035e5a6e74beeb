//! A retry rule for endpoints that are not AWS: an HTML page with a 5xx status (the sandbox
//! emulator's answer to an operation it lacks, or a proxy's error page) will be the same page
//! next time, so it is not retried. AWS's own 5xx answers are XML or JSON and keep the SDK's
//! normal retries.
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetryOnHtmlErrors;

impl ClassifyRetry for NoRetryOnHtmlErrors {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(response) = ctx.response() else {
            return RetryAction::NoActionIndicated;
        };
        let html = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.starts_with("text/html"));
        if response.status().is_server_error() && html {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "opsdeck: no retry on HTML error pages"
    }
}
