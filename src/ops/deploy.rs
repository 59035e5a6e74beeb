//! Deploy as an operation: build the change set (both faces review the same `Review`), decide
//! whether it needs the stack name typed, and count progress while it runs.
use crate::aws::stack as cfn;
use crate::aws::{AwsError, Clients};
use crate::deploy::{self, DeployPlan, DeployRequest};
use crate::domain::{ChangeSet, ResourceChange, StackEvent, StackSummary};
use crate::template::Template;
use color_eyre::eyre::{Result, eyre};
use std::collections::BTreeSet;
use std::time::Duration;

/// Resource types whose replacement or removal loses data.
const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::EFS::FileSystem",
];

/// A built change set waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub stack: String,
    pub plan: DeployPlan,
    pub set: ChangeSet,
    /// Before the change (None: the stack is created).
    pub existing: Option<StackSummary>,
}

impl Review {
    /// Changes that remove or (possibly) replace a resource holding data.
    pub fn stateful_risks(&self) -> Vec<&ResourceChange> {
        self.set
            .changes
            .iter()
            .filter(|c| STATEFUL_TYPES.contains(&c.resource_type.as_str()))
            .filter(|c| {
                c.action == "Remove"
                    || matches!(c.replacement.as_deref(), Some("True" | "Conditional"))
            })
            .collect()
    }

    /// Why the stack name must be typed, if it must.
    pub fn typed_reason(&self) -> Option<String> {
        let risks = self.stateful_risks();
        (!risks.is_empty()).then(|| {
            let ids: Vec<String> = risks
                .iter()
                .map(|c| {
                    let what = if c.action == "Remove" {
                        "removed".to_string()
                    } else {
                        format!("replaced ({})", c.replacement.as_deref().unwrap_or("?"))
                    };
                    format!("{} {what}", c.logical_id)
                })
                .collect();
            format!("data may be lost: {}", ids.join(", "))
        })
    }

    pub fn is_no_change(&self) -> bool {
        self.set.is_no_change()
    }

    /// The operation that executes this change set.
    pub fn operation(&self) -> super::Operation {
        super::Operation::Deploy {
            stack: self.stack.clone(),
            change_set: self.set.id.clone(),
            create: self.plan.create,
            changes: self.set.changes.len(),
            parameters: self
                .plan
                .changed
                .iter()
                .map(|(k, _, v)| (k.clone(), mask(k, v)))
                .collect(),
        }
    }
}

/// Secrets never reach the audit log: masked values stay masked, and anything named like a
/// credential is replaced.
fn mask(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if ["password", "secret", "token", "key"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "****".into()
    } else {
        value.to_string()
    }
}

/// Builds and describes the change set for `request` (the stack's current parameters when it
/// is empty). On the sandbox, creating uses the sandbox preset the emulator supports.
pub async fn prepare(
    clients: &Clients,
    stack: &str,
    mut request: DeployRequest,
    sandbox: bool,
) -> Result<Review> {
    let template = Template::bundled()?;
    let existing = cfn::find_stack(clients, stack)
        .await?
        // A stack left in review by an unexecuted CREATE change set has no resources yet.
        .filter(|s| s.status != "REVIEW_IN_PROGRESS");
    deploy::check_deployable(existing.as_ref())?;
    if sandbox && existing.is_none() && request.preset.is_none() {
        request.preset = Some("sandbox".into());
    }
    let plan = deploy::plan(&template, existing.as_ref(), &request)?;
    let name = format!("opsdeck-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    let id = cfn::create_change_set(
        clients,
        &cfn::ChangeSetRequest {
            stack,
            name,
            create: plan.create,
            template_body: crate::template::TEMPLATE_BODY,
            parameters: plan.parameters.clone(),
        },
    )
    .await?;
    let set = deploy::wait_for_change_set(clients, stack, &id, Duration::from_secs(300)).await?;
    if !set.is_no_change() && set.status != "CREATE_COMPLETE" {
        let _ = cfn::delete_change_set(clients, stack, &id).await;
        return Err(eyre!(
            "CloudFormation could not build the change set ({}): {}",
            set.status,
            set.status_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    Ok(Review {
        stack: stack.to_string(),
        plan,
        set,
        existing,
    })
}

/// Throws away a reviewed change set that will not run (and the empty stack of a declined
/// CREATE), so nothing is left pending in CloudFormation.
pub async fn discard(
    clients: &Clients,
    stack: &str,
    change_set: &str,
    create: bool,
) -> Result<(), AwsError> {
    if create {
        cfn::discard_unexecuted_create(clients, stack, change_set).await
    } else {
        cfn::delete_change_set(clients, stack, change_set).await
    }
}

/// Resources done out of the change set's total, from the events seen so far.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    done: BTreeSet<String>,
    pub total: usize,
}

impl Counter {
    pub fn new(total: usize) -> Counter {
        Counter {
            done: BTreeSet::new(),
            total,
        }
    }

    pub fn observe(&mut self, stack: &str, e: &StackEvent) {
        if e.logical_id != stack && e.status.ends_with("_COMPLETE") {
            self.done.insert(e.logical_id.clone());
        }
    }

    pub fn done(&self) -> usize {
        self.done.len()
    }

    pub fn summary(&self) -> String {
        if self.total == 0 {
            format!("{} resources done", self.done())
        } else {
            format!(
                "{}/{} resources done",
                self.done().min(self.total),
                self.total
            )
        }
    }
}

/// One event as a timeline line.
pub fn event_line(e: &StackEvent) -> String {
    format!(
        "{}  {:<28} {:<32} {}{}",
        e.timestamp
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_default(),
        e.status,
        e.logical_id,
        e.resource_type,
        e.reason
            .as_deref()
            .map(|r| format!("  {r}"))
            .unwrap_or_default()
    )
}

/// Parameter overrides from `KEY=VALUE` words (the console's `:deploy` arguments).
pub fn request_from_words(words: &[&str]) -> Result<DeployRequest> {
    let template = Template::bundled()?;
    let mut preset = None;
    let mut params = Vec::new();
    for w in words {
        match w.strip_prefix("preset=") {
            Some(p) => preset = Some(p.to_string()),
            None => params.push(w.to_string()),
        }
    }
    deploy::validate_request(&template, preset.as_deref(), &params)
}

/// The parameters of a plan as shown in a review.
pub fn parameter_lines(plan: &DeployPlan) -> Vec<String> {
    plan.changed
        .iter()
        .map(|(name, old, new)| {
            format!(
                "{name}: {} → {}",
                old.as_deref().unwrap_or("(default)"),
                mask(name, new)
            )
        })
        .collect()
}
