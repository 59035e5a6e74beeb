//! The rows each panel shows, filtered and in display order: render and `update` both read
//! them, so a selection always names something on screen.
use super::{PanelId, State};
use crate::domain::{Alarm, AsgInstance, Database, StackEvent, Target, TargetGroupHealth};

fn matches(filter: &str, fields: &[&str]) -> bool {
    filter.is_empty() || {
        let needle = filter.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&needle))
    }
}

/// The rows each panel shows, filtered, in display order. Render and `update` both use these,
/// so the selection always refers to what is on screen.
impl State {
    pub fn stack_events(&self) -> Vec<&StackEvent> {
        let f = &self.view(PanelId::Stack).filter;
        self.stack_feed
            .data
            .iter()
            .flat_map(|d| &d.events)
            .filter(|e| {
                matches(
                    f,
                    &[
                        &e.logical_id,
                        &e.status,
                        &e.resource_type,
                        e.reason.as_deref().unwrap_or(""),
                    ],
                )
            })
            .collect()
    }

    /// Targets of every group, unhealthy first so trouble is on top.
    pub fn target_rows(&self) -> Vec<(&TargetGroupHealth, &Target)> {
        let f = &self.view(PanelId::Targets).filter;
        let mut rows: Vec<(&TargetGroupHealth, &Target)> = self
            .targets
            .data
            .iter()
            .flatten()
            .flat_map(|g| g.targets.iter().map(move |t| (g, t)))
            .filter(|(g, t)| {
                matches(
                    f,
                    &[
                        &g.name,
                        &t.id,
                        &t.state,
                        t.az.as_deref().unwrap_or(""),
                        t.reason.as_deref().unwrap_or(""),
                    ],
                )
            })
            .collect();
        // Borrowed keys: this runs every frame, over thousands of targets.
        rows.sort_by(|a, b| {
            (target_rank(&a.1.state), &a.0.name, &a.1.id).cmp(&(
                target_rank(&b.1.state),
                &b.0.name,
                &b.1.id,
            ))
        });
        rows
    }

    pub fn instance_rows(&self) -> Vec<&AsgInstance> {
        let f = &self.view(PanelId::Capacity).filter;
        self.capacity
            .data
            .iter()
            .flat_map(|c| &c.groups)
            .flat_map(|g| &g.instances)
            .filter(|i| matches(f, &[&i.id, &i.az, &i.lifecycle, &i.health]))
            .collect()
    }

    pub fn database_rows(&self) -> Vec<&Database> {
        let f = &self.view(PanelId::Database).filter;
        self.database
            .data
            .iter()
            .flat_map(|d| &d.databases)
            .filter(|d| matches(f, &[&d.identifier, &d.status, &d.engine]))
            .collect()
    }

    /// ALARM first, then INSUFFICIENT_DATA, then OK (the fetcher's order).
    pub fn alarm_rows(&self) -> Vec<&Alarm> {
        let f = &self.view(PanelId::Alarms).filter;
        self.alarms
            .data
            .iter()
            .flat_map(|a| &a.alarms)
            .filter(|a| matches(f, &[&a.name, &a.state, a.reason.as_deref().unwrap_or("")]))
            .collect()
    }

    /// The ids of a panel's visible rows, in order.
    pub fn row_ids(&self, panel: PanelId) -> Vec<String> {
        match panel {
            PanelId::Stack => self.stack_events().iter().map(|e| e.id.clone()).collect(),
            PanelId::Targets => self
                .target_rows()
                .iter()
                .map(|(g, t)| target_row_id(g, t))
                .collect(),
            PanelId::Capacity => self.instance_rows().iter().map(|i| i.id.clone()).collect(),
            PanelId::Database => self
                .database_rows()
                .iter()
                .map(|d| d.identifier.clone())
                .collect(),
            PanelId::Alarms => self.alarm_rows().iter().map(|a| a.name.clone()).collect(),
            PanelId::Zones => self.zone_rows().into_iter().map(|z| z.az).collect(),
        }
    }

    /// Index of the selected row among the visible ones (the first row if the selected
    /// resource is gone or filtered out).
    pub fn selected_index(&self, panel: PanelId) -> Option<usize> {
        let ids = self.row_ids(panel);
        if ids.is_empty() {
            return None;
        }
        let selected = self.view(panel).selected.as_ref();
        Some(
            selected
                .and_then(|s| ids.iter().position(|id| id == s))
                .unwrap_or(0),
        )
    }

    pub fn zone_rows(&self) -> Vec<crate::zones::ZoneRow> {
        crate::zones::zone_rows(
            self.zones.data.as_ref(),
            self.targets.data.as_deref(),
            self.capacity.data.as_ref(),
            self.database.data.as_ref(),
        )
    }
}

/// A target is identified by its group and id (the same instance may be in two groups).
pub fn target_row_id(group: &TargetGroupHealth, target: &Target) -> String {
    format!("{}|{}", group.arn, target.id)
}

fn target_rank(state: &str) -> u8 {
    match state {
        "unhealthy" => 0,
        "unavailable" => 1,
        "draining" => 2,
        "initial" => 3,
        "unused" => 4,
        "healthy" => 5,
        _ => 1,
    }
}
