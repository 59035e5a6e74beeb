//! Run Command on the group: AWS-RunShellScript sent by instance id to the confirmed
//! instances that are still in service, then followed until all have ended or the timeout
//! passes: statuses from one ListCommandInvocations per poll, and each instance's exit code
//! and output from one GetCommandInvocation when it has finished.
use super::run::{RunOptions, Sink, describe_group};
use super::timeline::clock;
use super::{Progress, Verdict};
use crate::aws::error::AwsErrorKind;
use crate::aws::{self, AwsError, Clients};
use crate::domain::{AutoScalingGroup, CommandInvocation};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The default limit on the command's run time (AWS-RunShellScript's executionTimeout).
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;
/// Time for delivery (SendCommand's own delivery timeout is 30 s) and for the agent to report
/// an execution timeout, on top of the run time, before opsdeck stops waiting.
const DELIVERY_GRACE: Duration = Duration::from_secs(45);
/// Output lines shown per instance and stream (the API itself returns at most 24,000 chars).
const MAX_LINES: usize = 40;

/// The instances a command goes to: those in service (not pending, terminating or standby).
pub fn in_service_ids(group: &AutoScalingGroup) -> Vec<String> {
    group
        .instances
        .iter()
        .filter(|i| i.lifecycle == "InService")
        .map(|i| i.id.clone())
        .collect()
}

/// Checks a command line before it is confirmed.
pub fn validate(command: &str) -> Result<String, String> {
    // `:run -- uptime` in the console, as the headless verb is written: the `--` is not
    // part of the command.
    let command = command.trim();
    let command = command.strip_prefix("-- ").unwrap_or(command).trim();
    if command.is_empty() || command == "--" {
        return Err(
            "no command given: name it after run (`opsdeck run -- uptime`, or `:run uptime` in the console)"
                .into(),
        );
    }
    Ok(command.to_string())
}

pub async fn execute(
    clients: &Clients,
    group: &str,
    instances: &[String],
    command: &str,
    timeout_secs: u64,
    opts: &RunOptions,
    sink: Sink<'_>,
) -> Result<Verdict, AwsError> {
    // Only the confirmed instances, and only those still in service now.
    let current = describe_group(clients, group).await?;
    let in_service = in_service_ids(&current);
    let (targets, gone): (Vec<String>, Vec<String>) = instances
        .iter()
        .cloned()
        .partition(|id| in_service.contains(id));
    for id in &gone {
        sink(Progress::Event(format!(
            "{id}: skipped, no longer in service in {group}"
        )));
    }
    if targets.is_empty() {
        return Ok(Verdict::failed(format!(
            "not sent: none of the {} confirmed instances is still in service in {group}",
            instances.len()
        )));
    }
    let command_id =
        aws::ssm::send_shell_command(clients, &targets, command, timeout_secs, "opsdeck run")
            .await?;
    sink(Progress::Event(format!(
        "command {command_id} sent to {} instance(s): {command}",
        targets.len()
    )));
    let started = Instant::now();
    let deadline = Duration::from_secs(timeout_secs) + DELIVERY_GRACE;
    let mut results: BTreeMap<String, CommandInvocation> = BTreeMap::new();
    let mut last_error: Option<AwsError>;
    // One ListCommandInvocations per poll for the statuses, then GetCommandInvocation once per
    // instance as it finishes, for its exit code and output. Where the listing is not
    // supported (the sandbox emulator), each unfinished instance is asked directly.
    let mut listing = true;
    loop {
        let pending: Vec<&String> = targets
            .iter()
            .filter(|id| !results.get(*id).is_some_and(CommandInvocation::is_finished))
            .collect();
        let to_get: Vec<&String> = if listing {
            match aws::ssm::invocation_statuses(clients, &command_id).await {
                Ok(statuses) => pending
                    .into_iter()
                    .filter(|id| {
                        statuses
                            .iter()
                            .any(|(i, status)| i == *id && CommandInvocation::is_final(status))
                    })
                    .collect(),
                // Not there (the sandbox), or not allowed (a policy with
                // GetCommandInvocation only): ask each instance from now on.
                Err(e)
                    if matches!(
                        e.kind,
                        AwsErrorKind::NotSupported | AwsErrorKind::AccessDenied
                    ) =>
                {
                    listing = false;
                    pending
                }
                // Anything else (throttling, a timeout): ask each instance this round.
                Err(_) => pending,
            }
        } else {
            pending
        };
        let polled = futures::future::join_all(
            to_get
                .iter()
                .map(|id| aws::ssm::command_invocation(clients, &command_id, id)),
        )
        .await;
        // Only the latest error matters for the verdict: one that went away is not news.
        last_error = None;
        for (id, result) in to_get.into_iter().zip(polled) {
            match result {
                Ok(Some(inv)) => {
                    if inv.is_finished() {
                        for line in output_lines(&inv) {
                            sink(Progress::Event(line));
                        }
                    }
                    results.insert(id.clone(), inv);
                }
                Ok(None) => {}
                Err(e) => last_error = Some(e),
            }
        }
        let done = results.values().filter(|i| i.is_finished()).count();
        sink(Progress::Status(format!(
            "{done}/{} instances done · {}",
            targets.len(),
            clock(started.elapsed())
        )));
        if done == targets.len() || started.elapsed() >= deadline || !opts.wait {
            break;
        }
        tokio::time::sleep(opts.poll_every.min(Duration::from_secs(2))).await;
    }
    Ok(verdict(
        &command_id,
        &targets,
        &results,
        &gone,
        last_error,
        deadline,
    ))
}

/// One instance's outcome, then its output (bounded).
pub fn output_lines(inv: &CommandInvocation) -> Vec<String> {
    let exit = inv
        .exit_code
        .map(|c| format!(", exit {c}"))
        .unwrap_or_default();
    // Why it failed (Undeliverable, DeliveryTimedOut, ExecutionTimedOut...) when it did.
    let detail = inv
        .status_details
        .as_deref()
        .filter(|d| *d != inv.status && !d.is_empty())
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "── {} {}{detail}{exit}",
        inv.instance_id, inv.status
    )];
    if inv.stdout.trim().is_empty() && inv.stderr.trim().is_empty() {
        lines.push("   (no output)".into());
    }
    // The last lines: an error is usually at the end.
    for (prefix, text) in [("", &inv.stdout), ("stderr: ", &inv.stderr)] {
        let all: Vec<&str> = text.lines().collect();
        let skipped = all.len().saturating_sub(MAX_LINES);
        if skipped > 0 {
            lines.push(format!("   {prefix}… {skipped} earlier lines"));
        }
        for l in &all[skipped..] {
            lines.push(format!("   {prefix}{l}"));
        }
    }
    lines
}

fn verdict(
    command_id: &str,
    targets: &[String],
    results: &BTreeMap<String, CommandInvocation>,
    gone: &[String],
    last_error: Option<AwsError>,
    deadline: Duration,
) -> Verdict {
    let ok = results
        .values()
        .filter(|i| i.status == "Success" && i.exit_code.unwrap_or(0) == 0)
        .count();
    let failed: Vec<String> = results
        .values()
        .filter(|i| i.is_finished() && !(i.status == "Success" && i.exit_code.unwrap_or(0) == 0))
        .map(|i| match i.exit_code {
            Some(c) => format!("{} {} exit {c}", i.instance_id, i.status),
            None => format!("{} {}", i.instance_id, i.status),
        })
        .collect();
    let unfinished: Vec<&String> = targets
        .iter()
        .filter(|id| !results.get(*id).is_some_and(CommandInvocation::is_finished))
        .collect();
    let mut text = format!("{ok}/{} instances succeeded", targets.len());
    if !failed.is_empty() {
        text += &format!("; failed: {}", failed.join(", "));
    }
    if !unfinished.is_empty() {
        let ids: Vec<&str> = unfinished.iter().map(|s| s.as_str()).collect();
        text += &format!(
            "; no result within {} from {} (it may still run: command {command_id})",
            clock(deadline),
            ids.join(", ")
        );
        if let Some(e) = last_error {
            text += &format!(" — last error: {e}");
        }
    }
    if !gone.is_empty() {
        text += &format!("; skipped (left service): {}", gone.join(", "));
    }
    if ok == targets.len() && gone.is_empty() {
        Verdict::ok(text)
    } else {
        Verdict::failed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(id: &str, status: &str, code: Option<i32>, out: &str) -> CommandInvocation {
        CommandInvocation {
            instance_id: id.into(),
            status: status.into(),
            status_details: None,
            exit_code: code,
            stdout: out.into(),
            stderr: String::new(),
        }
    }

    #[test]
    fn the_verdict_names_failures_and_silent_instances() {
        let targets = vec!["i-1".to_string(), "i-2".into(), "i-3".into()];
        let results = BTreeMap::from([
            ("i-1".to_string(), inv("i-1", "Success", Some(0), "ok")),
            ("i-2".to_string(), inv("i-2", "Failed", Some(2), "")),
            ("i-3".to_string(), inv("i-3", "InProgress", None, "")),
        ]);
        let v = verdict(
            "c-1",
            &targets,
            &results,
            &[],
            None,
            Duration::from_secs(150),
        );
        assert!(!v.ok);
        assert!(v.text.starts_with("1/3 instances succeeded"), "{}", v.text);
        assert!(v.text.contains("i-2 Failed exit 2"), "{}", v.text);
        assert!(
            v.text.contains("no result within 2m30s from i-3"),
            "{}",
            v.text
        );
        let all_ok = BTreeMap::from([("i-1".to_string(), inv("i-1", "Success", Some(0), ""))]);
        let v = verdict("c", &targets[..1], &all_ok, &[], None, Duration::ZERO);
        assert!(v.ok, "{}", v.text);
    }

    #[test]
    fn output_is_bounded_per_instance() {
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let lines = output_lines(&inv("i-1", "Success", Some(0), &long));
        assert_eq!(lines[0], "── i-1 Success, exit 0");
        assert_eq!(lines.len(), 1 + MAX_LINES + 1);
        let quiet = output_lines(&inv("i-2", "Success", Some(0), ""));
        assert_eq!(quiet, vec!["── i-2 Success, exit 0", "   (no output)"]);
        assert_eq!(lines[1], "   … 60 earlier lines");
        assert_eq!(lines.last().unwrap(), "   line 99");
        let mut failed = inv("i-3", "Failed", None, "");
        failed.status_details = Some("Undeliverable".into());
        assert_eq!(output_lines(&failed)[0], "── i-3 Failed (Undeliverable)");
        assert_eq!(validate(" -- uptime ").unwrap(), "uptime");
        assert!(validate("--").is_err());
    }
}
