//! The audit log: one JSON line per mutating action attempted (run, failed, declined or
//! refused), appended to `$XDG_STATE_HOME/opsdeck/audit.jsonl`, with who (STS caller ARN and
//! account), where (region, profile, stack), what (action, target, parameters) and how it
//! ended. Parameters come from `Operation::parameters`, which never carries a secret.
use crate::aws::{AwsError, Clients};
use crate::domain::CallerIdentity;
use crate::ops::run::{RunOptions, Sink};
use crate::ops::{Operation, Verdict};
use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use tokio::sync::OnceCell;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    /// The confirmation was declined (or not given on a non-TTY).
    Declined,
    /// `--read-only` refused it before any call.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub caller_arn: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub stack: String,
    pub action: String,
    pub target: String,
    pub parameters: BTreeMap<String, String>,
    pub outcome: Outcome,
    /// The verdict or the error, in words.
    pub detail: String,
    pub duration_ms: u64,
}

/// What one record says, before who/where are added.
struct Entry<'a> {
    action: &'static str,
    target: String,
    parameters: BTreeMap<String, String>,
    outcome: Outcome,
    detail: &'a str,
    duration_ms: u64,
}

/// Writes records for one process: the caller identity is looked up once, on first use.
#[derive(Debug, Clone)]
pub struct Auditor {
    path: PathBuf,
    identity: std::sync::Arc<OnceCell<CallerIdentity>>,
}

pub fn default_path() -> Result<PathBuf> {
    Ok(crate::paths::state_dir()?.join("audit.jsonl"))
}

impl Auditor {
    pub fn new(path: PathBuf) -> Auditor {
        Auditor {
            path,
            identity: Default::default(),
        }
    }

    pub fn open_default() -> Result<Auditor> {
        Ok(Auditor::new(default_path()?))
    }

    async fn identity(&self, clients: &Clients) -> CallerIdentity {
        self.identity
            .get_or_init(|| async {
                match crate::aws::sts::caller_identity(clients).await {
                    Ok(id) => id,
                    Err(e) => {
                        // Unknown is recorded as unknown: the action is still audited.
                        tracing::warn!(error = %e, "audit: caller identity unknown");
                        CallerIdentity {
                            arn: None,
                            account: None,
                        }
                    }
                }
            })
            .await
            .clone()
    }

    /// Appends one record for `op`. A failure to write is returned: the caller reports it,
    /// since an action that cannot be audited must not pass silently.
    pub async fn record(
        &self,
        clients: &Clients,
        stack: &str,
        op: &Operation,
        outcome: Outcome,
        detail: &str,
        duration_ms: u64,
    ) -> Result<()> {
        let entry = Entry {
            action: op.name(),
            target: op.target(),
            parameters: op.parameters(),
            outcome,
            detail,
            duration_ms,
        };
        self.write(clients, stack, entry).await
    }

    /// Records a Session Manager session opened (or not) for a shell or a tunnel: not a
    /// change in itself, but who opened a root shell on which instance, and when, belongs in
    /// the trail beside the changes.
    pub async fn record_session(
        &self,
        clients: &Clients,
        stack: &str,
        request: &crate::domain::SessionRequest,
        result: Result<&str, String>,
    ) -> Result<()> {
        let mut parameters: BTreeMap<String, String> = request
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.join(",")))
            .collect();
        if let Some(d) = &request.document {
            parameters.insert("document".into(), d.clone());
        }
        let (outcome, detail) = match result {
            Ok(id) => (Outcome::Succeeded, format!("session {id} opened")),
            Err(e) => (Outcome::Failed, e),
        };
        let entry = Entry {
            action: if request.document.is_some() {
                "open_tunnel"
            } else {
                "shell"
            },
            target: request.target.clone(),
            parameters,
            outcome,
            detail: &detail,
            duration_ms: 0,
        };
        self.write(clients, stack, entry).await
    }

    async fn write(&self, clients: &Clients, stack: &str, entry: Entry<'_>) -> Result<()> {
        let who = self.identity(clients).await;
        let record = Record {
            time: Utc::now(),
            caller_arn: who.arn,
            account: who.account,
            region: clients.region.clone(),
            profile: clients.profile.clone(),
            stack: stack.to_string(),
            action: entry.action.to_string(),
            target: entry.target,
            parameters: entry.parameters,
            outcome: entry.outcome,
            detail: entry.detail.to_string(),
            duration_ms: entry.duration_ms,
        };
        append(&self.path, &record)
    }

    /// Executes `op` and audits it: the one way both faces run a mutating operation.
    pub async fn perform(
        &self,
        clients: &Clients,
        stack: &str,
        op: &Operation,
        opts: &RunOptions,
        sink: Sink<'_>,
    ) -> Result<Verdict, AwsError> {
        let started = Instant::now();
        let result = crate::ops::run::execute(clients, stack, op, opts, sink).await;
        let (outcome, detail) = match &result {
            Ok(v) if v.ok => (Outcome::Succeeded, v.text.clone()),
            Ok(v) => (Outcome::Failed, v.text.clone()),
            Err(e) if e.kind == crate::aws::error::AwsErrorKind::ReadOnly => {
                (Outcome::Refused, e.to_string())
            }
            Err(e) => (Outcome::Failed, e.to_string()),
        };
        let ms = started.elapsed().as_millis() as u64;
        if let Err(e) = self.record(clients, stack, op, outcome, &detail, ms).await {
            tracing::error!("audit log not written: {e:#}");
            let text = format!("{detail} (AUDIT LOG NOT WRITTEN: {e:#})");
            return result.map(|v| Verdict { text, ..v });
        }
        result
    }
}

fn append(path: &PathBuf, record: &Record) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(record)?;
    line.push('\n');
    // One write of one line with O_APPEND: concurrent opsdecks never interleave records.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .wrap_err_with(|| format!("cannot open the audit log {}", path.display()))?;
    file.write_all(line.as_bytes())
        .wrap_err_with(|| format!("cannot write the audit log {}", path.display()))?;
    Ok(())
}

/// Every record, oldest first. A damaged line is reported with its number, not skipped.
pub fn read(path: &PathBuf) -> Result<Vec<Record>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).wrap_err_with(|| format!("cannot read {}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .wrap_err_with(|| format!("{}:{}: not an audit record", path.display(), i + 1))
        })
        .collect()
}

/// The records as a table for people.
pub fn render_table(records: &[Record]) -> String {
    let mut t = crate::status::table(&[
        "Time (UTC)",
        "Caller",
        "Action",
        "Target",
        "Outcome",
        "Took",
        "Detail",
    ]);
    for r in records {
        t.add_row(vec![
            r.time.format("%Y-%m-%d %H:%M:%S").to_string(),
            r.caller_arn.clone().unwrap_or_else(|| "unknown".into()),
            r.action.clone(),
            format!("{} ({})", r.target, r.stack),
            serde_json::to_value(&r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            format!("{:.1}s", r.duration_ms as f64 / 1000.0),
            r.detail.clone(),
        ]);
    }
    format!("{t}\n")
}
