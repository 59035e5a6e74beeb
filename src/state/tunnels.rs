//! The console's tunnels: one row per port-forwarding session it opened, from "starting"
//! to "closed (why)", for the tunnels list and the hint bar.
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelStatus {
    Starting,
    /// The plugin said the local port is listening.
    Open,
    /// Asked to close: interrupt sent, TerminateSession to follow.
    Closing,
    Closed {
        reason: String,
        ok: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelRow {
    pub id: u64,
    pub db: String,
    /// The database engine, for the client hint ("psql -h 127.0.0.1 -p N").
    pub engine: String,
    pub host: String,
    pub remote_port: u16,
    pub via: String,
    /// Chosen by the tunnel's task (a free port), so unknown for a moment.
    pub local_port: Option<u16>,
    pub session_id: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub status: TunnelStatus,
    pub connections: u32,
}

impl TunnelRow {
    pub fn is_live(&self) -> bool {
        !matches!(self.status, TunnelStatus::Closed { .. })
    }

    pub fn status_text(&self) -> String {
        match &self.status {
            TunnelStatus::Starting => "starting".into(),
            TunnelStatus::Open => "open".into(),
            TunnelStatus::Closing => "closing".into(),
            TunnelStatus::Closed { reason, .. } => format!("closed: {reason}"),
        }
    }
}

/// Tunnels the console opened, the selected row of the list, and ids for new ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tunnels {
    pub rows: Vec<TunnelRow>,
    pub selected: usize,
    pub next_id: u64,
}

/// Closed rows kept so the list can say why a tunnel ended; older ones are dropped.
const CLOSED_KEPT: usize = 5;

impl Tunnels {
    pub fn live(&self) -> usize {
        self.rows.iter().filter(|t| t.is_live()).count()
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut TunnelRow> {
        self.rows.iter_mut().find(|t| t.id == id)
    }

    pub fn selected_row(&self) -> Option<&TunnelRow> {
        self.rows.get(self.selected)
    }

    pub fn push(&mut self, row: TunnelRow) {
        self.rows.push(row);
        let closed: Vec<u64> = self
            .rows
            .iter()
            .filter(|t| !t.is_live())
            .map(|t| t.id)
            .collect();
        if closed.len() > CLOSED_KEPT {
            let drop: Vec<u64> = closed[..closed.len() - CLOSED_KEPT].to_vec();
            self.rows.retain(|t| !drop.contains(&t.id));
        }
        self.selected = self.rows.len() - 1;
    }

    pub fn move_selection(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }
}
