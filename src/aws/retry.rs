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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::interceptors::context::Input;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    fn classify(status: u16, content_type: &str) -> RetryAction {
        let mut ctx = InterceptorContext::new(Input::doesnt_matter());
        let mut response = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from("x"));
        response
            .headers_mut()
            .insert("content-type", content_type.to_string());
        ctx.set_response(response);
        NoRetryOnHtmlErrors.classify_retry(&ctx)
    }

    #[test]
    fn html_error_pages_are_not_retried_but_aws_errors_are_left_to_the_sdk() {
        assert_eq!(
            classify(500, "text/html; charset=utf-8"),
            RetryAction::RetryForbidden
        );
        assert_eq!(classify(500, "text/xml"), RetryAction::NoActionIndicated);
        assert_eq!(
            classify(503, "application/x-amz-json-1.1"),
            RetryAction::NoActionIndicated
        );
        assert_eq!(classify(404, "text/html"), RetryAction::NoActionIndicated);
    }
}
