//! Session Manager from opsdeck: interactive shells on private instances, port-forwarding
//! tunnels to the database (both through the session-manager-plugin), and Run Command.
pub mod plugin;
pub mod shell;
pub mod tunnel;

use crate::aws::{self, AwsError, Clients};
use crate::domain::{SessionRequest, StartedSession};
use plugin::{Invocation, Plugin};

/// A session started on AWS and the plugin command that will carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub target: String,
    pub session_id: String,
    pub invocation: Invocation,
    /// The plugin works but is older than AWS recommends.
    pub advice: Option<String>,
}

/// Why a session could not be prepared. Nothing is left open in either case: the plugin is
/// checked before StartSession is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepareError {
    Plugin(plugin::PluginError),
    Aws(AwsError),
}

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrepareError::Plugin(e) => e.fmt(f),
            PrepareError::Aws(e) => match e.code.as_deref() {
                // The commonest Session Manager failures: the instance is not managed.
                Some("TargetNotConnected" | "InvalidInstanceId") => write!(
                    f,
                    "{e} (the instance's SSM agent is not connected: it needs an instance profile with AmazonSSMManagedInstanceCore and a route to the ssm, ssmmessages and ec2messages endpoints, through a NAT gateway or VPC endpoints)"
                ),
                _ => write!(f, "{e} ({})", e.hint()),
            },
        }
    }
}

/// Checks the plugin first (so a missing plugin opens no session at all), then StartSession,
/// then builds the plugin's command line the way the AWS CLI does.
pub async fn prepare(
    clients: &Clients,
    request: &SessionRequest,
) -> Result<Prepared, PrepareError> {
    prepare_with(clients, request, Plugin::find().await).await
}

/// As `prepare`, and the attempt written to the audit log (its failure to be written is
/// logged: it must not stop an on-call engineer from getting in).
pub async fn prepare_audited(
    clients: &Clients,
    auditor: &crate::audit::Auditor,
    stack: &str,
    request: &SessionRequest,
) -> Result<Prepared, PrepareError> {
    let mut result = prepare(clients, request).await;
    let said = match &result {
        Ok(p) => Ok(p.session_id.as_str()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = auditor.record_session(clients, stack, request, said).await {
        tracing::error!("audit log not written: {e:#}");
        // Said where the user looks, with the session's other news: the trail has a gap.
        let warning = format!("AUDIT LOG NOT WRITTEN: {e:#}");
        match &mut result {
            Ok(p) => {
                p.advice = Some(match p.advice.take() {
                    Some(a) => format!("{a}; {warning}"),
                    None => warning,
                })
            }
            Err(PrepareError::Aws(e)) => e.message += &format!(" ({warning})"),
            Err(PrepareError::Plugin(_)) => {}
        }
    }
    result
}

/// As `prepare`, with the plugin already looked up.
pub async fn prepare_with(
    clients: &Clients,
    request: &SessionRequest,
    plugin: Result<Plugin, plugin::PluginError>,
) -> Result<Prepared, PrepareError> {
    let plugin = plugin.map_err(PrepareError::Plugin)?;
    let session: StartedSession = aws::ssm::start_session(clients, request)
        .await
        .map_err(PrepareError::Aws)?;
    let region = clients.region.as_deref().unwrap_or("us-east-1");
    Ok(Prepared {
        target: request.target.clone(),
        session_id: session.session_id.clone(),
        invocation: plugin.invocation(&session, region, clients.profile.as_deref(), request),
        advice: plugin.advice(),
    })
}

/// TerminateSession, logged rather than raised: it is the clean-up after something else
/// already failed, and that failure is what the user needs to see.
pub async fn terminate(clients: &Clients, session_id: &str) -> Result<(), AwsError> {
    let result = aws::ssm::terminate_session(clients, session_id).await;
    match &result {
        Ok(()) => tracing::info!(session_id, "session terminated"),
        Err(e) => tracing::warn!(session_id, error = %e, "TerminateSession failed"),
    }
    result
}

/// An instance to open a session on when none is named: in service and healthy, the first by
/// id so repeated runs pick the same one.
pub fn healthy_instance(groups: &[crate::domain::AutoScalingGroup]) -> Option<String> {
    groups
        .iter()
        .flat_map(|g| &g.instances)
        .filter(|i| i.lifecycle == "InService" && i.health == "Healthy")
        .map(|i| i.id.clone())
        .min()
}

/// Why sessions are refused under `--read-only`: a shell or tunnel can change anything, and
/// StartSession is not a read (the clients would refuse it anyway).
pub const READ_ONLY_REFUSAL: &str = "sessions are refused: opsdeck runs read-only (--read-only or read_only in config.toml), and a shell or tunnel can change anything";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::AwsErrorKind;

    #[test]
    fn an_unmanaged_instance_is_explained_with_the_fix() {
        let mut e = AwsError::new(AwsErrorKind::Other, "StartSession", "i-1 is not connected");
        e.code = Some("TargetNotConnected".into());
        let text = PrepareError::Aws(e).to_string();
        assert!(text.contains("AmazonSSMManagedInstanceCore"), "{text}");
        assert!(text.contains("ssmmessages"), "{text}");
        let other = AwsError::new(AwsErrorKind::Throttled, "StartSession", "slow down");
        let text = PrepareError::Aws(other).to_string();
        assert!(text.contains("throttl"), "{text}");
    }

    #[test]
    fn the_healthy_instance_is_in_service_healthy_and_stable() {
        use crate::domain::fixtures::{group, instance};
        let group = group(
            1,
            3,
            4,
            vec![
                instance("i-3", "InService", "Healthy"),
                instance("i-1", "Standby", "Healthy"),
                instance("i-2", "InService", "Unhealthy"),
                instance("i-4", "InService", "Healthy"),
            ],
        );
        assert_eq!(healthy_instance(&[group]), Some("i-3".into()));
        assert_eq!(healthy_instance(&[]), None);
    }
}
