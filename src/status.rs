//! `opsdeck status`: one snapshot of a stack's health, fetched concurrently, as tables or JSON.
use crate::aws::{self, AwsError, Clients};
use crate::domain::{SCHEMA_VERSION, SectionError, StatusSnapshot};
use comfy_table::{LineStyle, Table, TableStyle};

/// Fetches everything `status` shows. Fails only if the stack itself cannot be read; a failing
/// section (say, alarms throttled) is reported in `errors` and the rest is still returned.
pub async fn snapshot(clients: &Clients, stack: &str) -> Result<StatusSnapshot, AwsError> {
    let (summary, resources) = tokio::try_join!(
        aws::stack::describe_stack(clients, stack),
        aws::stack::list_resources(clients, stack)
    )?;
    let (target_groups, groups, databases, alarms) = tokio::join!(
        aws::alb::target_groups_health(clients, &resources.target_groups),
        aws::asg::describe_groups(clients, &resources.auto_scaling_groups),
        aws::rds::describe_instances(clients, &resources.db_instances),
        aws::alarms::stack_alarms(clients, &resources),
    );
    let mut errors = Vec::new();
    let mut target_groups = keep(&mut errors, "target_groups", target_groups);
    let groups = keep(&mut errors, "auto_scaling_groups", groups);
    let databases = keep(&mut errors, "databases", databases);
    let alarms = keep(&mut errors, "alarms", alarms);

    // DescribeTargetHealth omits the AZ of instance targets: take it from the ASG, and ask EC2
    // once, for all the rest together.
    let known = crate::fetch::instance_azs_of(&groups);
    if let Err(error) = crate::fetch::fill_target_azs(clients, &mut target_groups, &known).await {
        errors.push(SectionError {
            section: "target_azs".into(),
            error,
        });
    }
    Ok(StatusSnapshot {
        schema_version: SCHEMA_VERSION,
        taken_at: chrono::Utc::now(),
        region: clients.region.clone(),
        stack: summary,
        target_groups,
        auto_scaling_groups: groups,
        databases,
        alarms,
        errors,
    })
}

/// A section's rows, or none with its error recorded: one failing API never hides the rest.
fn keep<T: Default>(
    errors: &mut Vec<SectionError>,
    section: &str,
    result: Result<T, AwsError>,
) -> T {
    result.unwrap_or_else(|error| {
        errors.push(SectionError {
            section: section.into(),
            error,
        });
        T::default()
    })
}

/// A state as symbol and text, so it reads without colour.
pub fn state_symbol(state: &str) -> &'static str {
    match state {
        "healthy" | "Healthy" | "InService" | "available" | "OK" => "✔",
        "unhealthy" | "Unhealthy" | "ALARM" | "failed" => "✖",
        "draining" | "Terminating" | "Terminating:Wait" | "Terminating:Proceed" => "↓",
        "initial" | "Pending" | "Pending:Wait" | "Pending:Proceed" => "…",
        "INSUFFICIENT_DATA" | "unused" | "unavailable" | "Standby" => "?",
        s if s.ends_with("_COMPLETE") && !s.contains("ROLLBACK") && !s.starts_with("DELETE") => "✔",
        s if s.ends_with("_IN_PROGRESS") => "…",
        s if s.contains("FAILED") || s.contains("ROLLBACK") => "✖",
        _ => "·",
    }
}

fn with_symbol(state: &str) -> String {
    format!("{} {state}", state_symbol(state))
}

/// Header, one rule under it, then rows: dense enough to read a dozen instances at once.
const STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));

/// A table in the style of every human report of opsdeck.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(STYLE).set_header(header.to_vec());
    t
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "-".into())
}

fn ago(at: &Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> String {
    match at {
        Some(t) => {
            let secs = (now - *t).num_seconds().max(0) as u64;
            format!(
                "{} ago",
                humantime::format_duration(std::time::Duration::from_secs(secs))
            )
        }
        None => "-".into(),
    }
}

/// The human report: one section per panel of the console.
pub fn render_text(s: &StatusSnapshot) -> String {
    let mut out = String::new();
    let region = s.region.as_deref().unwrap_or("?");
    out += &format!(
        "Stack {} ({region}): {}\n",
        s.stack.name,
        with_symbol(&s.stack.status)
    );
    if let Some(reason) = &s.stack.status_reason {
        out += &format!("  reason: {reason}\n");
    }
    for (k, v) in &s.stack.outputs {
        out += &format!("  {k}: {v}\n");
    }
    for tg in &s.target_groups {
        out += &format!(
            "\nTarget group {} — {} healthy / {} targets\n",
            tg.name,
            tg.count("healthy"),
            tg.targets.len()
        );
        let mut t = table(&["Target", "AZ", "State", "Reason", "Description"]);
        for target in &tg.targets {
            t.add_row(vec![
                target.id.clone(),
                opt(&target.az),
                with_symbol(&target.state),
                opt(&target.reason),
                opt(&target.description),
            ]);
        }
        out += &format!("{t}\n");
    }
    for g in &s.auto_scaling_groups {
        out += &format!(
            "\nAuto Scaling group {} — min {} / desired {} / max {}, {} in service\n",
            g.name,
            g.min,
            g.desired,
            g.max,
            g.in_service()
        );
        let mut t = table(&[
            "Instance",
            "AZ",
            "Lifecycle",
            "Health",
            "Type",
            "LT version",
        ]);
        for i in &g.instances {
            t.add_row(vec![
                i.id.clone(),
                i.az.clone(),
                with_symbol(&i.lifecycle),
                with_symbol(&i.health),
                opt(&i.instance_type),
                opt(&i.launch_template_version),
            ]);
        }
        out += &format!("{t}\n");
    }
    for db in &s.databases {
        out += &format!("\nDatabase {}\n", db.identifier);
        let mut t = table(&[
            "Status",
            "Engine",
            "Class",
            "Multi-AZ",
            "AZ",
            "Secondary AZ",
            "Endpoint",
        ]);
        t.add_row(vec![
            with_symbol(&db.status),
            format!(
                "{} {}",
                db.engine,
                db.engine_version.as_deref().unwrap_or("")
            ),
            opt(&db.class),
            if db.multi_az {
                "yes".into()
            } else {
                "NO".into()
            },
            opt(&db.az),
            opt(&db.secondary_az),
            match (&db.endpoint, db.port) {
                (Some(e), Some(p)) => format!("{e}:{p}"),
                (e, _) => opt(e),
            },
        ]);
        out += &format!("{t}\n");
    }
    out += &format!("\nAlarms ({})\n", s.alarms.len());
    let mut t = table(&["Alarm", "State", "Since", "Reason"]);
    for a in &s.alarms {
        t.add_row(vec![
            a.name.clone(),
            with_symbol(&a.state),
            ago(&a.since, s.taken_at),
            opt(&a.reason),
        ]);
    }
    out += &format!("{t}\n");
    for e in &s.errors {
        out += &format!("\n✖ {} could not be read: {}\n", e.section, e.error);
    }
    out
}
