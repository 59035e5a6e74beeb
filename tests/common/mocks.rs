//! aws-smithy-mocks helpers shared by the mocked tests: real clients pointed at a closed port,
//! and `mocked!`, which rebuilds one service's client with its answers taken from rules.

/// Real clients pointed at a closed port: any call a test did not mock fails loudly.
pub async fn base_clients() -> opsdeck::aws::Clients {
    opsdeck::aws::Clients::new(&opsdeck::aws::ClientOptions {
        endpoint_url: Some("http://127.0.0.1:9".into()),
        region: Some("us-east-1".into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        operation_timeout: std::time::Duration::from_secs(5),
        ..Default::default()
    })
    .await
}

/// The same client with its responses taken from `rules` (the first matching rule that is not
/// exhausted answers), fast retry backoff, and a panic for any request no rule matches.
#[macro_export]
macro_rules! mocked {
    ($client:expr, $krate:ident, $rules:expr) => {{
        let mut interceptor = ::aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(::aws_smithy_mocks::RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $krate::Client::from_conf(
            $client
                .config()
                .to_builder()
                .http_client(::aws_smithy_mocks::create_mock_http_client())
                .interceptor(interceptor)
                .retry_config(
                    ::aws_smithy_types::retry::RetryConfig::standard()
                        .with_max_attempts(3)
                        .with_initial_backoff(::std::time::Duration::from_millis(1)),
                )
                .build(),
        )
    }};
}
