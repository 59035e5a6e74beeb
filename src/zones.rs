//! The per-AZ view of the stack: what runs in each Availability Zone and why a zone is in
//! trouble, derived purely from the panels already fetched (no I/O, no clock).
use crate::domain::{CapacityPanel, DatabasePanel, TargetGroupHealth, ZonesPanel};
use serde::Serialize;
use std::collections::BTreeMap;

/// One Availability Zone as the zones panel shows it. A panel that has not been fetched yet
/// contributes zeros and no trouble: the row never claims a problem it has not seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZoneRow {
    pub az: String,
    /// Logical id when the stack names the subnet, else its id.
    pub public_subnets: Vec<String>,
    pub private_subnets: Vec<String>,
    /// (NAT gateway id, state)
    pub nat: Vec<(String, String)>,
    pub instances_in_service: usize,
    pub instances_total: usize,
    pub targets_healthy: usize,
    pub targets_total: usize,
    /// DB instances whose primary runs here.
    pub db_primary: Vec<String>,
    /// Multi-AZ DB instances whose standby runs here.
    pub db_standby: Vec<String>,
    /// Why this AZ needs attention, in words: "1 of 2 targets unhealthy", ...
    pub trouble: Vec<String>,
}

impl ZoneRow {
    pub fn is_healthy(&self) -> bool {
        self.trouble.is_empty()
    }
}

/// Target states that mean the target gets no traffic because something is wrong.
const UNHEALTHY_TARGET_STATES: &[&str] = &["unhealthy", "unavailable"];

/// One row per AZ seen in any panel, sorted by AZ name.
pub fn zone_rows(
    zones: Option<&ZonesPanel>,
    targets: Option<&[TargetGroupHealth]>,
    capacity: Option<&CapacityPanel>,
    database: Option<&DatabasePanel>,
) -> Vec<ZoneRow> {
    let mut rows: BTreeMap<String, ZoneRow> = BTreeMap::new();
    let mut unhealthy_targets: BTreeMap<String, usize> = BTreeMap::new();
    let mut unhealthy_instances: BTreeMap<String, usize> = BTreeMap::new();
    // AZs where a group should run instances (its configured AZs) or does.
    let mut asg_azs: Vec<String> = Vec::new();

    if let Some(z) = zones {
        for s in &z.subnets {
            if let Some(r) = row(&mut rows, &s.az) {
                let label = s.name.clone().unwrap_or_else(|| s.id.clone());
                if s.public {
                    r.public_subnets.push(label);
                } else {
                    r.private_subnets.push(label);
                }
            }
        }
        for n in &z.nat_gateways {
            if let Some(r) = n.az.as_deref().and_then(|az| row(&mut rows, az)) {
                r.nat.push((n.id.clone(), n.state.clone()));
            }
        }
    }
    for t in targets.into_iter().flatten().flat_map(|tg| &tg.targets) {
        if let Some(r) = t.az.as_deref().and_then(|az| row(&mut rows, az)) {
            r.targets_total += 1;
            if t.state == "healthy" {
                r.targets_healthy += 1;
            } else if UNHEALTHY_TARGET_STATES.contains(&t.state.as_str()) {
                *unhealthy_targets.entry(r.az.clone()).or_default() += 1;
            }
        }
    }
    for g in capacity.into_iter().flat_map(|c| &c.groups) {
        for az in &g.azs {
            if row(&mut rows, az).is_some() {
                asg_azs.push(az.clone());
            }
        }
        for i in &g.instances {
            if let Some(r) = row(&mut rows, &i.az) {
                asg_azs.push(r.az.clone());
                r.instances_total += 1;
                if i.lifecycle == "InService" {
                    r.instances_in_service += 1;
                }
                if i.health == "Unhealthy" {
                    *unhealthy_instances.entry(r.az.clone()).or_default() += 1;
                }
            }
        }
    }
    let mut db_trouble: Vec<(String, String)> = Vec::new();
    for db in database.into_iter().flat_map(|d| &d.databases) {
        if let Some(r) = db.az.as_deref().and_then(|az| row(&mut rows, az)) {
            r.db_primary.push(db.identifier.clone());
            if db.status != "available" {
                db_trouble.push((
                    r.az.clone(),
                    format!("database {} {}", db.identifier, db.status),
                ));
            }
        }
        if let Some(r) = db.secondary_az.as_deref().and_then(|az| row(&mut rows, az)) {
            r.db_standby.push(db.identifier.clone());
        }
    }

    let any_nat = zones.is_some_and(|z| !z.nat_gateways.is_empty());
    for r in rows.values_mut() {
        if let Some(n) = unhealthy_targets.get(&r.az) {
            r.trouble
                .push(format!("{n} of {} targets unhealthy", r.targets_total));
        }
        if asg_azs.contains(&r.az) && r.instances_in_service == 0 {
            r.trouble.push("no instance in service".to_string());
        }
        if let Some(n) = unhealthy_instances.get(&r.az) {
            let noun = if *n == 1 { "instance" } else { "instances" };
            r.trouble.push(format!("{n} {noun} unhealthy"));
        }
        for (id, state) in &r.nat {
            if state != "available" {
                r.trouble.push(format!("NAT gateway {id} {state}"));
            }
        }
        // With NAT per AZ a zone without its own relies on another zone for egress; with no
        // NAT at all (the template's `none`) that is the design, not a fault.
        if any_nat && r.nat.is_empty() && !r.private_subnets.is_empty() {
            r.trouble
                .push("no NAT gateway: private egress via another AZ".to_string());
        }
        r.trouble.extend(
            db_trouble
                .iter()
                .filter(|(az, _)| *az == r.az)
                .map(|(_, reason)| reason.clone()),
        );
    }
    rows.into_values().collect()
}

/// The row of `az`, created on first sight; none for an empty AZ (not reported yet), which
/// would be a row nobody can act on.
fn row<'a>(rows: &'a mut BTreeMap<String, ZoneRow>, az: &str) -> Option<&'a mut ZoneRow> {
    if az.is_empty() {
        return None;
    }
    Some(rows.entry(az.to_string()).or_insert_with(|| ZoneRow {
        az: az.to_string(),
        ..ZoneRow::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AsgInstance, AutoScalingGroup, Database, NatGateway, Subnet, Target, TargetGroupHealth,
    };
    use std::collections::BTreeMap;

    const A: &str = "us-east-1a";
    const B: &str = "us-east-1b";

    fn subnet(id: &str, az: &str, name: &str, public: bool) -> Subnet {
        Subnet {
            id: id.into(),
            az: az.into(),
            cidr: None,
            name: Some(name.into()),
            public,
        }
    }

    fn nat(id: &str, az: &str, state: &str) -> NatGateway {
        NatGateway {
            id: id.into(),
            subnet_id: None,
            az: Some(az.into()),
            state: state.into(),
            failure: None,
        }
    }

    fn zones(nats: Vec<NatGateway>) -> ZonesPanel {
        ZonesPanel {
            subnets: vec![
                subnet("subnet-pa", A, "PublicSubnetA", true),
                subnet("subnet-pb", B, "PublicSubnetB", true),
                subnet("subnet-xa", A, "PrivateSubnetA", false),
                subnet("subnet-xb", B, "PrivateSubnetB", false),
            ],
            nat_gateways: nats,
        }
    }

    fn target(id: &str, az: Option<&str>, state: &str) -> Target {
        Target {
            id: id.into(),
            port: Some(80),
            az: az.map(str::to_string),
            state: state.into(),
            reason: None,
            description: None,
        }
    }

    fn targets(list: Vec<Target>) -> Vec<TargetGroupHealth> {
        vec![TargetGroupHealth {
            arn: "arn:tg".into(),
            name: "web".into(),
            port: Some(80),
            protocol: Some("HTTP".into()),
            load_balancers: vec![],
            targets: list,
        }]
    }

    fn instance(id: &str, az: &str, lifecycle: &str, health: &str) -> AsgInstance {
        AsgInstance {
            id: id.into(),
            az: az.into(),
            lifecycle: lifecycle.into(),
            health: health.into(),
            instance_type: None,
            launch_template_version: None,
        }
    }

    fn capacity(instances: Vec<AsgInstance>) -> CapacityPanel {
        CapacityPanel {
            groups: vec![AutoScalingGroup {
                name: "web".into(),
                min: 2,
                desired: 2,
                max: 6,
                azs: vec![A.into(), B.into()],
                instances,
            }],
            activities: vec![],
        }
    }

    fn database(status: &str, az: &str, secondary: Option<&str>) -> DatabasePanel {
        DatabasePanel {
            databases: vec![Database {
                identifier: "db1".into(),
                status: status.into(),
                engine: "mysql".into(),
                engine_version: None,
                class: None,
                multi_az: secondary.is_some(),
                az: Some(az.into()),
                secondary_az: secondary.map(str::to_string),
                endpoint: None,
                port: None,
                storage_gb: None,
                cluster: None,
                deletion_protection: false,
            }],
            pending_modifications: BTreeMap::new(),
            maintenance: vec![],
            events: vec![],
            errors: vec![],
        }
    }

    fn healthy_stack() -> (
        ZonesPanel,
        Vec<TargetGroupHealth>,
        CapacityPanel,
        DatabasePanel,
    ) {
        (
            zones(vec![
                nat("nat-a", A, "available"),
                nat("nat-b", B, "available"),
            ]),
            targets(vec![
                target("i-1", Some(A), "healthy"),
                target("i-2", Some(B), "healthy"),
            ]),
            capacity(vec![
                instance("i-1", A, "InService", "Healthy"),
                instance("i-2", B, "InService", "Healthy"),
            ]),
            database("available", A, Some(B)),
        )
    }

    fn by_az<'a>(rows: &'a [ZoneRow], az: &str) -> &'a ZoneRow {
        rows.iter().find(|r| r.az == az).expect("row for the AZ")
    }

    #[test]
    fn a_healthy_two_az_stack_has_two_quiet_rows() {
        let (z, t, c, d) = healthy_stack();
        let rows = zone_rows(Some(&z), Some(&t), Some(&c), Some(&d));
        assert_eq!(
            rows[0],
            ZoneRow {
                az: A.into(),
                public_subnets: vec!["PublicSubnetA".into()],
                private_subnets: vec!["PrivateSubnetA".into()],
                nat: vec![("nat-a".into(), "available".into())],
                instances_in_service: 1,
                instances_total: 1,
                targets_healthy: 1,
                targets_total: 1,
                db_primary: vec!["db1".into()],
                db_standby: vec![],
                trouble: vec![],
            }
        );
        assert_eq!(rows[1].az, B);
        assert_eq!(rows[1].db_standby, ["db1"]);
        assert!(rows.iter().all(ZoneRow::is_healthy), "{rows:#?}");
    }

    #[test]
    fn unhealthy_targets_are_counted_in_their_az_only() {
        let (z, _, c, d) = healthy_stack();
        let t = targets(vec![
            target("i-1", Some(A), "healthy"),
            target("i-3", Some(A), "unhealthy"),
            target("i-2", Some(B), "healthy"),
            // Starting up is not trouble yet, but it is not healthy either.
            target("i-4", Some(B), "initial"),
        ]);
        let rows = zone_rows(Some(&z), Some(&t), Some(&c), Some(&d));
        let a = by_az(&rows, A);
        assert_eq!((a.targets_healthy, a.targets_total), (1, 2));
        assert_eq!(a.trouble, ["1 of 2 targets unhealthy"]);
        let b = by_az(&rows, B);
        assert_eq!((b.targets_healthy, b.targets_total), (1, 2));
        assert!(b.trouble.is_empty(), "{:?}", b.trouble);
    }

    #[test]
    fn a_failed_nat_gateway_puts_its_az_in_trouble() {
        let (_, t, c, d) = healthy_stack();
        let z = zones(vec![
            nat("nat-a", A, "available"),
            nat("nat-b", B, "failed"),
        ]);
        let rows = zone_rows(Some(&z), Some(&t), Some(&c), Some(&d));
        assert!(by_az(&rows, A).trouble.is_empty());
        assert_eq!(by_az(&rows, B).trouble, ["NAT gateway nat-b failed"]);
        assert_eq!(by_az(&rows, B).nat, [("nat-b".into(), "failed".into())]);
    }

    #[test]
    fn a_zone_without_its_own_nat_is_flagged_only_when_nat_exists_elsewhere() {
        let (_, t, c, d) = healthy_stack();
        let single = zones(vec![nat("nat-a", A, "available")]);
        let rows = zone_rows(Some(&single), Some(&t), Some(&c), Some(&d));
        assert_eq!(
            by_az(&rows, B).trouble,
            ["no NAT gateway: private egress via another AZ"]
        );
        // NatGateways=none: no private egress by design.
        let none = zones(vec![]);
        let rows = zone_rows(Some(&none), Some(&t), Some(&c), Some(&d));
        assert!(rows.iter().all(ZoneRow::is_healthy), "{rows:#?}");
    }

    #[test]
    fn the_db_standby_is_shown_in_the_other_az_and_a_sick_primary_is_trouble() {
        let (z, t, c, _) = healthy_stack();
        let d = database("rebooting", B, Some(A));
        let rows = zone_rows(Some(&z), Some(&t), Some(&c), Some(&d));
        assert_eq!(by_az(&rows, A).db_standby, ["db1"]);
        assert!(by_az(&rows, A).db_primary.is_empty());
        assert_eq!(by_az(&rows, B).db_primary, ["db1"]);
        assert_eq!(by_az(&rows, B).trouble, ["database db1 rebooting"]);
        assert!(by_az(&rows, A).trouble.is_empty());
    }

    #[test]
    fn an_asg_zone_without_a_running_instance_is_trouble() {
        // What moto does: every instance in the first subnet.
        let (z, t, _, d) = healthy_stack();
        let c = capacity(vec![
            instance("i-1", A, "InService", "Healthy"),
            instance("i-2", A, "InService", "Unhealthy"),
            instance("i-5", B, "Pending", "Healthy"),
        ]);
        let rows = zone_rows(Some(&z), Some(&t), Some(&c), Some(&d));
        let a = by_az(&rows, A);
        assert_eq!((a.instances_in_service, a.instances_total), (2, 2));
        assert_eq!(a.trouble, ["1 instance unhealthy"]);
        let b = by_az(&rows, B);
        assert_eq!((b.instances_in_service, b.instances_total), (0, 1));
        assert_eq!(b.trouble, ["no instance in service"]);
        // A configured AZ with no instance at all is the same trouble.
        let c = capacity(vec![instance("i-1", A, "InService", "Healthy")]);
        let rows = zone_rows(None, None, Some(&c), None);
        assert_eq!(by_az(&rows, B).trouble, ["no instance in service"]);
    }

    #[test]
    fn missing_panels_add_nothing_and_claim_nothing() {
        assert!(zone_rows(None, None, None, None).is_empty());
        let (z, _, _, _) = healthy_stack();
        let rows = zone_rows(Some(&z), None, None, None);
        assert_eq!(rows.len(), 2);
        for r in &rows {
            assert_eq!((r.targets_total, r.instances_total), (0, 0));
            assert!(r.trouble.is_empty(), "{r:?}");
        }
        // Targets whose AZ is unknown are in no zone, not in a made-up one.
        let t = targets(vec![target("i-9", None, "unhealthy")]);
        assert!(zone_rows(None, Some(&t), None, None).is_empty());
    }

    #[test]
    fn rows_are_sorted_by_az_and_include_every_az_seen() {
        let (z, _, _, _) = healthy_stack();
        let t = targets(vec![target("10.0.9.9", Some("us-east-1c"), "healthy")]);
        let d = database("available", "us-east-1d", None);
        let rows = zone_rows(Some(&z), Some(&t), None, Some(&d));
        let azs: Vec<&str> = rows.iter().map(|r| r.az.as_str()).collect();
        assert_eq!(azs, [A, B, "us-east-1c", "us-east-1d"]);
    }
}
