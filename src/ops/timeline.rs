//! Turns successive observations into timeline lines: what changed since the last look.
use std::collections::BTreeMap;

/// Remembers the last state of each thing watched ("i-0abc" → "Pending") and reports changes.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    last: BTreeMap<String, String>,
    primed: bool,
}

impl Changes {
    /// A tracker whose first observation is the baseline: it reports nothing for it.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Lines for what is new, changed or gone since the previous call.
    pub fn observe(&mut self, now: BTreeMap<String, String>) -> Vec<String> {
        let mut lines = Vec::new();
        if self.primed {
            for (key, state) in &now {
                match self.last.get(key) {
                    None => lines.push(format!("{key}: {state} (new)")),
                    Some(old) if old != state => lines.push(format!("{key}: {old} → {state}")),
                    Some(_) => {}
                }
            }
            for (key, old) in &self.last {
                if !now.contains_key(key) {
                    lines.push(format!("{key}: {old} → gone"));
                }
            }
        }
        self.last = now;
        self.primed = true;
        lines
    }
}

/// "1m05s" for an elapsed clock.
pub fn clock(elapsed: std::time::Duration) -> String {
    let s = elapsed.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reports_only_what_changed_after_the_baseline() {
        let mut c = Changes::new();
        assert!(c.observe(states(&[("i-1", "InService")])).is_empty());
        assert_eq!(
            c.observe(states(&[("i-1", "InService"), ("i-2", "Pending")])),
            ["i-2: Pending (new)"]
        );
        assert_eq!(
            c.observe(states(&[("i-2", "InService")])),
            ["i-2: Pending → InService", "i-1: InService → gone"]
        );
        assert!(c.observe(states(&[("i-2", "InService")])).is_empty());
        assert_eq!(clock(std::time::Duration::from_secs(65)), "1m05s");
    }
}
