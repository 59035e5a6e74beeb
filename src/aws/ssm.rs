//! Systems Manager: Session Manager sessions (StartSession, TerminateSession, the endpoint the
//! session-manager-plugin must talk to) and Run Command (SendCommand, GetCommandInvocation).
use super::Clients;
use super::error::{AwsError, AwsErrorKind, aws_err};
use crate::domain::{CommandInvocation, SessionRequest, StartedSession};
use std::sync::{Arc, Mutex};

/// StartSession. The returned token lets whoever holds it open the session's data channel, so
/// it is handed only to the plugin and never logged. The answer also carries the endpoint the
/// request actually went to (`--endpoint-url`, `AWS_ENDPOINT_URL_SSM` and the region's default
/// all resolved by the SDK itself): the plugin must talk to the same one.
pub async fn start_session(
    clients: &Clients,
    request: &SessionRequest,
) -> Result<StartedSession, AwsError> {
    let mut call = clients
        .ssm
        .start_session()
        .target(&request.target)
        .reason(&request.reason);
    if let Some(document) = &request.document {
        call = call.document_name(document);
    }
    for (key, values) in &request.parameters {
        call = call.parameters(key, values.clone());
    }
    let sent_to = Arc::new(Mutex::new(None::<String>));
    let capture = sent_to.clone();
    let out = call
        .customize()
        .mutate_request(move |req| {
            // JSON protocol: the request URI is the endpoint followed by "/".
            let endpoint = req.uri().trim_end_matches('/').to_string();
            *capture.lock().unwrap_or_else(|e| e.into_inner()) = Some(endpoint);
        })
        .send()
        .await
        .map_err(aws_err("StartSession"))?;
    let endpoint_url = sent_to
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default();
    let missing = |field: &str| {
        AwsError::new(
            AwsErrorKind::Other,
            "StartSession",
            format!("the answer has no {field}"),
        )
    };
    let session_id = out.session_id().ok_or_else(|| missing("SessionId"))?;
    let (Some(token_value), Some(stream_url)) = (out.token_value(), out.stream_url()) else {
        // A session nobody can use: end it rather than leave it open until its timeout.
        let _ = terminate_session(clients, session_id).await;
        return Err(missing("TokenValue or StreamUrl"));
    };
    Ok(StartedSession {
        session_id: session_id.into(),
        token_value: token_value.into(),
        stream_url: stream_url.into(),
        endpoint_url,
    })
}

/// TerminateSession: ends the session on the service and the agent, so no session is left
/// open until its idle timeout when the plugin could not run or died.
pub async fn terminate_session(clients: &Clients, session_id: &str) -> Result<(), AwsError> {
    clients
        .ssm
        .terminate_session()
        .session_id(session_id)
        .send()
        .await
        .map_err(aws_err("TerminateSession"))?;
    Ok(())
}

/// SendCommand with AWS-RunShellScript to these instances (by id, never by tag, so exactly
/// the confirmed instances are targeted). Returns the command id.
pub async fn send_shell_command(
    clients: &Clients,
    instance_ids: &[String],
    command: &str,
    timeout_secs: u64,
    comment: &str,
) -> Result<String, AwsError> {
    let out = clients
        .ssm
        .send_command()
        .document_name("AWS-RunShellScript")
        .set_instance_ids(Some(instance_ids.to_vec()))
        .parameters("commands", vec![command.to_string()])
        .parameters("executionTimeout", vec![timeout_secs.to_string()])
        .comment(comment.chars().take(100).collect::<String>())
        // Delivery: an instance that cannot take it within 30 s (the minimum) never runs it,
        // so the command cannot start long after opsdeck reported on it.
        .timeout_seconds(30)
        .send()
        .await
        .map_err(aws_err("SendCommand"))?;
    out.command()
        .and_then(|c| c.command_id())
        .map(str::to_string)
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "SendCommand", "no CommandId"))
}

/// GetCommandInvocation for one instance. `Ok(None)` while the invocation does not exist yet
/// (AWS answers InvocationDoesNotExist for a moment after SendCommand).
pub async fn command_invocation(
    clients: &Clients,
    command_id: &str,
    instance_id: &str,
) -> Result<Option<CommandInvocation>, AwsError> {
    let result = clients
        .ssm
        .get_command_invocation()
        .command_id(command_id)
        .instance_id(instance_id)
        .send()
        .await;
    let out = match result {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_invocation_does_not_exist()) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(aws_err("GetCommandInvocation")(e)),
    };
    Ok(Some(CommandInvocation {
        instance_id: instance_id.to_string(),
        status: out
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "Pending".into()),
        status_details: out.status_details().map(str::to_string),
        // -1 until the command has ended (the API's own convention).
        exit_code: Some(out.response_code()).filter(|c| *c >= 0),
        stdout: out
            .standard_output_content()
            .unwrap_or_default()
            .to_string(),
        stderr: out.standard_error_content().unwrap_or_default().to_string(),
    }))
}

/// ListCommandInvocations: every instance's status for one command, a page per 50 instances,
/// so following a command on a big group costs one call per poll, not one per instance.
pub async fn invocation_statuses(
    clients: &Clients,
    command_id: &str,
) -> Result<Vec<(String, String)>, AwsError> {
    let mut pages = clients
        .ssm
        .list_command_invocations()
        .command_id(command_id)
        .max_results(50)
        .into_paginator()
        .send();
    let mut statuses = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_err("ListCommandInvocations"))?;
        statuses.extend(page.command_invocations().iter().filter_map(|i| {
            Some((
                i.instance_id()?.to_string(),
                i.status()?.as_str().to_string(),
            ))
        }));
    }
    Ok(statuses)
}
