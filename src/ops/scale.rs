//! Scaling: local validation of a capacity request (before any call: moto accepts desired
//! outside min..max, AWS rejects it mid-incident), when a typed confirmation is needed, and
//! when a scaling operation counts as done.
use crate::domain::{AutoScalingGroup, TargetGroupHealth};
use std::collections::BTreeSet;

/// What the user asked for; `None` keeps the group's current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScaleRequest {
    pub desired: Option<i32>,
    pub min: Option<i32>,
    pub max: Option<i32>,
}

/// A validated request against the group as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalePlan {
    pub group: String,
    pub min: i32,
    pub desired: i32,
    pub max: i32,
    /// Only the values that change are sent.
    pub send_min: Option<i32>,
    pub send_max: Option<i32>,
    /// Why the group name must be typed (scale-in below what is in service, or to zero).
    pub typed_reason: Option<String>,
    pub unchanged: bool,
}

/// Parses one capacity field: a non-negative integer, or empty for "keep".
pub fn parse_field(field: &str, text: &str) -> Result<Option<i32>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("{field} must be 0 or more, not {n}")),
        Ok(n) if n > 10_000 => Err(format!(
            "{field} {n} is more than an Auto Scaling group can hold"
        )),
        Ok(n) => Ok(Some(n as i32)),
        Err(_) => Err(format!("{field} must be a whole number, not {t:?}")),
    }
}

/// Checks the request against the group: min ≤ desired ≤ max after the change, values that
/// make sense; the reason is the message shown.
pub fn validate(group: &AutoScalingGroup, req: ScaleRequest) -> Result<ScalePlan, String> {
    let min = req.min.unwrap_or(group.min);
    let max = req.max.unwrap_or(group.max);
    let desired = req.desired.unwrap_or(group.desired);
    if min < 0 || max < 0 || desired < 0 {
        return Err("capacities must be 0 or more".into());
    }
    if min > max {
        return Err(format!("min {min} is above max {max}"));
    }
    if desired < min || desired > max {
        let hint = if req.min.is_none() && desired < min {
            format!("; lower min too (e.g. --min {desired})")
        } else if req.max.is_none() && desired > max {
            format!("; raise max too (e.g. --max {desired})")
        } else {
            String::new()
        };
        return Err(format!(
            "desired {desired} is outside {min}..{max} (min..max){hint}"
        ));
    }
    let in_service = group.in_service() as i32;
    let typed_reason = if desired == 0 {
        Some(format!(
            "scaling {} to zero takes every instance out of service",
            group.name
        ))
    } else if desired < in_service {
        Some(format!(
            "desired {desired} is below the {in_service} instances in service: {} will be terminated",
            in_service - desired
        ))
    } else {
        None
    };
    Ok(ScalePlan {
        group: group.name.clone(),
        min,
        desired,
        max,
        send_min: (min != group.min).then_some(min),
        send_max: (max != group.max).then_some(max),
        typed_reason,
        unchanged: min == group.min && max == group.max && desired == group.desired,
    })
}

/// Where a group stands against a target capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleStatus {
    pub in_service: usize,
    pub desired: i32,
    /// Instances on their way in or out (Pending*, Terminating*, ...).
    pub in_transition: usize,
    /// Instances that were not in the group when the operation began.
    pub new_instances: Vec<String>,
    /// New instances healthy in every target group of the stack.
    pub new_healthy: usize,
    pub done: bool,
}

impl ScaleStatus {
    pub fn summary(&self) -> String {
        let mut s = format!("in service {}/{}", self.in_service, self.desired);
        if self.in_transition > 0 {
            s += &format!(" · {} in transition", self.in_transition);
        }
        if !self.new_instances.is_empty() {
            s += &format!(
                " · new instances healthy in every target group {}/{}",
                self.new_healthy,
                self.new_instances.len()
            );
        }
        s
    }
}

/// Done when the group has exactly `desired` in service, nothing in transition, and every new
/// in-service instance is healthy in every target group (a group without target groups only
/// needs the capacity).
pub fn status(
    group: &AutoScalingGroup,
    desired: i32,
    before: &BTreeSet<String>,
    targets: &[TargetGroupHealth],
) -> ScaleStatus {
    // An unhealthy instance is InService until the group replaces it: it does not count.
    let in_service = group
        .instances
        .iter()
        .filter(|i| i.lifecycle == "InService" && i.health == "Healthy")
        .count();
    let in_transition = group
        .instances
        .iter()
        .filter(|i| !matches!(i.lifecycle.as_str(), "InService" | "Standby"))
        .count();
    let new_instances: Vec<String> = group
        .instances
        .iter()
        .filter(|i| !before.contains(&i.id))
        .map(|i| i.id.clone())
        .collect();
    let healthy_everywhere = |id: &str| {
        targets.iter().all(|tg| {
            tg.targets
                .iter()
                .any(|t| t.id == id && t.state == "healthy")
        })
    };
    let new_healthy = new_instances
        .iter()
        .filter(|id| healthy_everywhere(id))
        .count();
    ScaleStatus {
        in_service,
        desired,
        in_transition,
        done: in_service as i32 == desired
            && in_transition == 0
            && new_healthy == new_instances.len(),
        new_instances,
        new_healthy,
    }
}

/// Checks an instance action against the group as last seen: the instance's lifecycle, and
/// capacity rules AWS enforces but the emulator does not. `Ok(Some(reason))`: the group name
/// must be typed (the group would be left empty).
pub fn check_instance_action(
    group: &AutoScalingGroup,
    instance: &str,
    action: super::InstanceAction,
) -> Result<Option<String>, String> {
    use super::InstanceAction;
    let Some(inst) = group.instances.iter().find(|i| i.id == instance) else {
        return Err(format!("{instance} is no longer in {}", group.name));
    };
    let needs = |lifecycle: &str| {
        if inst.lifecycle == lifecycle {
            Ok(())
        } else {
            Err(format!(
                "{instance} is {}, so it cannot {}",
                inst.lifecycle,
                action.name().replace('_', " ")
            ))
        }
    };
    match action {
        InstanceAction::EnterStandby => needs("InService").map(|()| None),
        InstanceAction::ExitStandby => {
            needs("Standby")?;
            if group.desired + 1 > group.max {
                return Err(format!(
                    "leaving standby raises desired to {}, above max {}: raise max first",
                    group.desired + 1,
                    group.max
                ));
            }
            Ok(None)
        }
        InstanceAction::Terminate { decrement: true } => {
            let after = group.desired - 1;
            if after < group.min {
                return Err(format!(
                    "desired would drop to {after}, below min {}: lower min first, or terminate without decrementing",
                    group.min
                ));
            }
            Ok((after == 0).then(|| format!("{} would be left with no instance", group.name)))
        }
        InstanceAction::MarkUnhealthy | InstanceAction::Terminate { decrement: false } => Ok(None),
    }
}

/// Whether the acted-on instance shows the action's effect (`None`: it left the group).
pub fn instance_action_seen(action: super::InstanceAction, lifecycle: Option<&str>) -> bool {
    use super::InstanceAction;
    match action {
        InstanceAction::EnterStandby => lifecycle == Some("Standby"),
        InstanceAction::ExitStandby => lifecycle == Some("InService"),
        InstanceAction::MarkUnhealthy | InstanceAction::Terminate { .. } => {
            lifecycle != Some("InService")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Target, fixtures};

    fn group(min: i32, desired: i32, max: i32, lifecycles: &[&str]) -> AutoScalingGroup {
        let instances = lifecycles
            .iter()
            .enumerate()
            .map(|(i, l)| fixtures::instance(&format!("i-{i}"), l, "Healthy"))
            .collect();
        fixtures::group(min, desired, max, instances)
    }

    fn req(desired: Option<i32>, min: Option<i32>, max: Option<i32>) -> ScaleRequest {
        ScaleRequest { desired, min, max }
    }

    #[test]
    fn fields_are_non_negative_integers() {
        assert_eq!(parse_field("desired", " 3 "), Ok(Some(3)));
        assert_eq!(parse_field("desired", ""), Ok(None));
        assert!(
            parse_field("desired", "-1")
                .unwrap_err()
                .contains("0 or more")
        );
        assert!(
            parse_field("desired", "two")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(parse_field("max", "2.5").is_err());
    }

    #[test]
    fn desired_must_stay_within_min_and_max() {
        let g = group(1, 2, 4, &["InService", "InService"]);
        let e = validate(&g, req(Some(9), None, None)).unwrap_err();
        assert!(e.contains("outside 1..4") && e.contains("--max 9"), "{e}");
        let e = validate(&g, req(None, Some(5), None)).unwrap_err();
        assert!(e.contains("min 5 is above max 4"), "{e}");
        let ok = validate(&g, req(Some(6), None, Some(6))).unwrap();
        assert_eq!((ok.desired, ok.send_min, ok.send_max), (6, None, Some(6)));
        assert!(ok.typed_reason.is_none());
        assert!(validate(&g, req(Some(2), None, None)).unwrap().unchanged);
    }

    #[test]
    fn scale_in_below_in_service_or_to_zero_needs_the_name_typed() {
        let g = group(0, 3, 4, &["InService", "InService", "InService"]);
        let p = validate(&g, req(Some(1), None, None)).unwrap();
        assert!(p.typed_reason.unwrap().contains("2 will be terminated"));
        let p = validate(&g, req(Some(0), None, None)).unwrap();
        assert!(p.typed_reason.unwrap().contains("to zero"));
        assert!(
            validate(&g, req(Some(3), None, None))
                .unwrap()
                .typed_reason
                .is_none()
        );
    }

    #[test]
    fn done_needs_capacity_and_healthy_new_instances() {
        let before: BTreeSet<String> = ["i-0".to_string()].into();
        let g = group(1, 2, 4, &["InService", "Pending"]);
        let tg = |state: &str| TargetGroupHealth {
            arn: "tg".into(),
            name: "tg".into(),
            port: None,
            protocol: None,
            load_balancers: vec![],
            targets: vec![Target {
                id: "i-1".into(),
                port: None,
                az: None,
                state: state.into(),
                reason: None,
                description: None,
            }],
        };
        let s = status(&g, 2, &before, &[tg("initial")]);
        assert!(!s.done);
        assert_eq!(
            s.summary(),
            "in service 1/2 · 1 in transition · new instances healthy in every target group 0/1"
        );
        let g = group(1, 2, 4, &["InService", "InService"]);
        assert!(!status(&g, 2, &before, &[tg("initial")]).done);
        assert!(status(&g, 2, &before, &[tg("healthy")]).done);
    }
}
