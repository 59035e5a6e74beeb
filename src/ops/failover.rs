//! Database failover: the pre-flight checks that must pass before anything can be confirmed,
//! and the watch that decides, from what was actually observed, whether a failover happened.
use crate::domain::{Database, DatabasePanel};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// The failover a passing pre-flight allows: for Aurora, which reader becomes the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    pub db: String,
    pub cluster: Option<String>,
    pub target: Option<String>,
    pub checks: Vec<Check>,
}

impl Preflight {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The failing checks' details, for a refusal message.
    pub fn failures(&self) -> String {
        self.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Checks `db` (an identifier in `panel`) for a failover. An instance needs Multi-AZ on,
/// status available and no pending modifications; an Aurora cluster member needs an
/// available reader in its cluster (`target` picks one, else the first).
pub fn preflight(
    panel: &DatabasePanel,
    db: &str,
    target: Option<&str>,
) -> Result<Preflight, String> {
    let Some(d) = panel.databases.iter().find(|d| d.identifier == db) else {
        return Err(format!("database {db} is not part of this stack"));
    };
    let mut checks = vec![Check {
        name: "status available",
        ok: d.status == "available",
        detail: format!("status is {}", d.status),
    }];
    let pending = panel
        .pending_modifications
        .get(db)
        .cloned()
        .unwrap_or_default();
    checks.push(Check {
        name: "no pending modifications",
        ok: pending.is_empty(),
        detail: if pending.is_empty() {
            "none".into()
        } else {
            format!(
                "pending: {} (apply or wait for them first)",
                pending.join(", ")
            )
        },
    });
    let mut chosen = None;
    match &d.cluster {
        None => checks.insert(
            0,
            Check {
                name: "Multi-AZ on",
                ok: d.multi_az,
                detail: if d.multi_az {
                    format!(
                        "primary {}, standby {}",
                        d.az.as_deref().unwrap_or("?"),
                        d.secondary_az.as_deref().unwrap_or("not reported")
                    )
                } else {
                    "single-AZ: there is no standby to fail over to (deploy with DbMultiAz=true)"
                        .into()
                },
            },
        ),
        Some(cluster) => {
            let readers: Vec<&Database> = panel
                .databases
                .iter()
                .filter(|r| r.cluster.as_ref() == Some(cluster) && r.identifier != d.identifier)
                .filter(|r| r.status == "available")
                .collect();
            chosen = match target {
                Some(t) => readers
                    .iter()
                    .find(|r| r.identifier == t)
                    .map(|r| r.identifier.clone()),
                None => readers.first().map(|r| r.identifier.clone()),
            };
            checks.insert(
                0,
                Check {
                    name: "a reader to promote",
                    ok: chosen.is_some(),
                    detail: match (&chosen, target) {
                        (Some(r), _) => format!("{r} becomes the writer of {cluster}"),
                        (None, Some(t)) => format!("{t} is not an available reader of {cluster}"),
                        (None, None) => format!("{cluster} has no available reader: add one first"),
                    },
                },
            );
        }
    }
    Ok(Preflight {
        db: db.to_string(),
        cluster: d.cluster.clone(),
        target: chosen,
        checks,
    })
}

/// What the failover watch has seen so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub db: String,
    pub az_before: Option<String>,
    pub writer_before: Option<String>,
    pub statuses: Vec<String>,
    pub events: usize,
}

impl Watch {
    pub fn new(db: &Database, writer: Option<String>) -> Watch {
        Watch {
            db: db.identifier.clone(),
            az_before: db.az.clone(),
            writer_before: writer,
            statuses: vec![db.status.clone()],
            events: 0,
        }
    }

    /// Records one observation; returns whether the failover is complete: available again in
    /// another AZ (instance), or available with another writer (cluster).
    pub fn observe(&mut self, db: &Database, writer: Option<&str>) -> bool {
        if self.statuses.last() != Some(&db.status) {
            self.statuses.push(db.status.clone());
        }
        let available = db.status == "available";
        let moved = match (&self.writer_before, writer) {
            (Some(before), Some(now)) => before != now,
            _ => db.az.is_some() && db.az != self.az_before,
        };
        available && moved
    }

    /// The plain statement when the timeout passed first.
    pub fn not_observed(&self, db: &Database, timeout: std::time::Duration) -> String {
        let place = match &self.writer_before {
            Some(w) => format!("writer stayed {w}"),
            None => format!(
                "primary AZ stayed {}",
                db.az.as_deref().unwrap_or("unreported")
            ),
        };
        format!(
            "no failover observed within {}: status {}, {place}, {} RDS events",
            super::timeline::clock(timeout),
            self.statuses.join(" → "),
            self.events
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn db(id: &str, status: &str, multi_az: bool, cluster: Option<&str>) -> Database {
        Database {
            cluster: cluster.map(str::to_string),
            ..crate::domain::fixtures::database(id, status, multi_az)
        }
    }

    fn panel(dbs: Vec<Database>, pending: &[(&str, &str)]) -> DatabasePanel {
        let mut p = BTreeMap::new();
        for (id, change) in pending {
            p.entry(id.to_string())
                .or_insert_with(Vec::new)
                .push(change.to_string());
        }
        DatabasePanel {
            databases: dbs,
            pending_modifications: p,
            maintenance: vec![],
            events: vec![],
            errors: vec![],
        }
    }

    #[test]
    fn an_instance_needs_multi_az_available_and_nothing_pending() {
        let ok = preflight(
            &panel(vec![db("db", "available", true, None)], &[]),
            "db",
            None,
        )
        .unwrap();
        assert!(ok.passed(), "{:?}", ok.checks);
        let single = preflight(
            &panel(vec![db("db", "available", false, None)], &[]),
            "db",
            None,
        )
        .unwrap();
        assert!(!single.passed());
        assert!(single.failures().contains("no standby"));
        let busy = preflight(
            &panel(
                vec![db("db", "modifying", true, None)],
                &[("db", "Class → db.m6g.large")],
            ),
            "db",
            None,
        )
        .unwrap();
        assert_eq!(busy.checks.iter().filter(|c| !c.ok).count(), 2);
        assert!(preflight(&panel(vec![], &[]), "db", None).is_err());
    }

    #[test]
    fn a_cluster_needs_an_available_reader() {
        let dbs = vec![
            db("w", "available", false, Some("c")),
            db("r1", "rebooting", false, Some("c")),
            db("r2", "available", false, Some("c")),
        ];
        let p = preflight(&panel(dbs.clone(), &[]), "w", None).unwrap();
        assert!(p.passed());
        assert_eq!(p.target.as_deref(), Some("r2"));
        let p = preflight(&panel(dbs.clone(), &[]), "w", Some("r1")).unwrap();
        assert!(!p.passed());
        let p = preflight(&panel(dbs[..1].to_vec(), &[]), "w", None).unwrap();
        assert!(p.failures().contains("no available reader"));
    }

    #[test]
    fn failover_is_seen_only_when_available_in_another_place() {
        let before = db("db", "available", true, None);
        let mut w = Watch::new(&before, None);
        let mut now = before.clone();
        assert!(!w.observe(&now, None), "nothing changed");
        now.status = "rebooting".into();
        now.az = Some("us-east-1b".into());
        assert!(!w.observe(&now, None), "moved but not available");
        now.status = "available".into();
        assert!(w.observe(&now, None));
        assert_eq!(w.statuses, ["available", "rebooting", "available"]);

        let mut w = Watch::new(&before, None);
        w.observe(&before, None);
        let said = w.not_observed(&before, std::time::Duration::from_secs(300));
        assert_eq!(
            said,
            "no failover observed within 5m00s: status available, primary AZ stayed us-east-1a, 0 RDS events"
        );

        let mut w = Watch::new(&before, Some("w".into()));
        assert!(!w.observe(&before, Some("w")));
        assert!(w.observe(&before, Some("r2")));
    }
}
