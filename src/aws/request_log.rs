//! Counts the AWS operations a client sends, by name, through an SDK interceptor: the evidence
//! behind "calls per refresh cycle do not grow with rows" (and, later, "read-only sends
//! nothing mutating").
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// Shared record of operations sent, as "Service.Operation", in order.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    entries: Arc<Mutex<Vec<String>>>,
    /// Operations whose request was handed to the HTTP client (once per attempt): what
    /// actually left the process. A request refused by `--read-only` is in `entries` only.
    sent: Arc<Mutex<Vec<String>>>,
}

impl RequestLog {
    pub fn entries(&self) -> Vec<String> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub fn sent(&self) -> Vec<String> {
        self.sent.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
        if let Ok(mut e) = self.sent.lock() {
            e.clear();
        }
    }

    fn push(&self, entry: String) {
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
        }
    }
}

/// The interceptor, one per client, all writing to the same log.
#[derive(Debug, Clone)]
pub struct LogInterceptor(pub RequestLog);

impl Intercept for LogInterceptor {
    fn name(&self) -> &'static str {
        "opsdeck-request-log"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The operation's metadata is in the bag once its config is applied, which is after
        // `read_before_execution`: this is the first hook that sees it.
        match cfg.load::<Metadata>() {
            Some(meta) => self.0.push(format!("{}.{}", meta.service(), meta.name())),
            None => self.0.push("unknown".to_string()),
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map(|m| format!("{}.{}", m.service(), m.name()))
            .unwrap_or_else(|| "unknown".into());
        if let Ok(mut e) = self.0.sent.lock() {
            e.push(name);
        }
        Ok(())
    }
}
