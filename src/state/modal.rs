//! State of the action overlays: a confirmation (with an optional typed name), the scaling
//! form, and the progress of the running or last action.
use super::TextInput;
use crate::ops::{Operation, Verdict};
use chrono::{DateTime, Utc};

/// A confirmation on screen: exactly the operation that will run, what it will do, and what
/// the user must type (if anything) before it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// What will happen (change set rows, pre-flight results, capacity before → after).
    pub lines: Vec<String>,
    /// Highlighted lines: replacements, data at risk, capacity that will be terminated.
    pub warnings: Vec<String>,
    /// `None`: a check failed and there is nothing to confirm (the lines say why).
    pub op: Option<Operation>,
    /// The name to type (stack, group or DB identifier) before it can run.
    pub typed: Option<String>,
    pub input: TextInput,
    pub error: Option<String>,
}

impl Confirm {
    pub fn new(title: impl Into<String>, op: Option<Operation>) -> Confirm {
        Confirm {
            title: title.into(),
            lines: Vec::new(),
            warnings: Vec::new(),
            op,
            typed: None,
            input: TextInput::default(),
            error: None,
        }
    }
}

/// The scaling form: three fields typed as text, checked on submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleForm {
    pub group: String,
    /// desired, min, max: in this order on screen.
    pub fields: [String; 3],
    pub field: usize,
    pub error: Option<String>,
}

pub const FIELD_NAMES: [&str; 3] = ["desired", "min", "max"];

/// One action's progress, kept after it ends so its verdict can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: u64,
    pub title: String,
    pub started: DateTime<Utc>,
    pub lines: Vec<String>,
    pub status: Option<String>,
    pub verdict: Option<Verdict>,
    pub finished: Option<DateTime<Utc>>,
}

impl Activity {
    pub fn running(&self) -> bool {
        self.verdict.is_none()
    }
}
