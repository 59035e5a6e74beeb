//! The only place AWS SDK types live: clients built once from aws-config, and fetchers that
//! turn SDK responses into the domain types of `crate::domain`.
pub mod alarms;
pub mod alb;
pub mod asg;
pub mod cloudwatch_seed;
pub mod ec2;
pub mod error;
pub mod events;
pub mod guard;
pub mod metrics;
pub mod rds;
pub mod request_log;
pub mod retry;
pub mod ssm;
pub mod stack;
pub mod sts;

pub use error::AwsError;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use std::time::Duration;

/// Where and as whom to talk to AWS. Built from the CLI; the sandbox fills in its endpoint.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Static credentials (the sandbox's dummy keys); `None` uses the default chain.
    pub static_credentials: Option<(String, String)>,
    /// Abandon one operation, retries included, after this long.
    pub operation_timeout: Duration,
    /// Record every operation sent (tests count calls with it).
    pub request_log: Option<request_log::RequestLog>,
    /// `--read-only`: every client refuses operations outside the read allowlist.
    pub read_only: bool,
}

/// One client per service, built once and cloned cheaply (they share a connection pool).
#[derive(Debug, Clone)]
pub struct Clients {
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub sts: aws_sdk_sts::Client,
    /// The region the SDK resolved, for messages and the audit trail.
    pub region: Option<String>,
    /// The named profile in use, if any, for the audit trail.
    pub profile: Option<String>,
    /// Whether these clients refuse every mutating operation.
    pub read_only: bool,
}

impl Clients {
    /// Loads the shared config (env, profiles, SSO, IMDS) once and builds every client from it.
    pub async fn new(options: &ClientOptions) -> Clients {
        let timeouts = TimeoutConfig::builder()
            // A dead endpoint must fail in seconds, never hang the console or a script.
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(options.operation_timeout)
            .operation_attempt_timeout(options.operation_timeout)
            .operation_timeout(options.operation_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            // Adaptive retries back off under throttling instead of hammering the API.
            .retry_config(RetryConfig::adaptive().with_max_attempts(3))
            .timeout_config(timeouts);
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((key, secret)) = &options.static_credentials {
            loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
                key,
                secret,
                None,
                None,
                "opsdeck-sandbox",
            ));
        }
        let config = loader.load().await;
        let log = options.request_log.clone().map(request_log::LogInterceptor);
        // Each service's config from the shared one, plus the request log when asked for.
        macro_rules! client {
            ($krate:ident) => {{
                let mut builder = $krate::config::Builder::from(&config)
                    .retry_classifier(retry::NoRetryOnHtmlErrors);
                // The guard goes first: a refused operation never reaches the request log.
                if options.read_only {
                    builder = builder.interceptor(guard::ReadOnlyGuard);
                }
                if let Some(log) = &log {
                    builder = builder.interceptor(log.clone());
                }
                $krate::Client::from_conf(builder.build())
            }};
        }
        Clients {
            cloudformation: client!(aws_sdk_cloudformation),
            elb: client!(aws_sdk_elasticloadbalancingv2),
            autoscaling: client!(aws_sdk_autoscaling),
            rds: client!(aws_sdk_rds),
            cloudwatch: client!(aws_sdk_cloudwatch),
            ec2: client!(aws_sdk_ec2),
            ssm: client!(aws_sdk_ssm),
            sts: client!(aws_sdk_sts),
            region: config.region().map(|r| r.to_string()),
            profile: options.profile.clone(),
            read_only: options.read_only,
        }
    }
}

/// Converts an SDK timestamp for the domain types.
pub(crate) fn to_utc(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    use aws_smithy_types_convert::date_time::DateTimeExt;
    t.to_chrono_utc().ok()
}
