//! Shared helpers for tests that run the real `opsdeck` binary against the sandbox emulator.
#![allow(dead_code)] // each test binary uses a different subset

pub mod mocks;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// An isolated opsdeck home: its own XDG state and config dirs (so its background sandbox,
/// logs and audit trail are its own), sharing the user's cache dir (the provisioned emulator).
pub struct TestHome {
    dir: tempfile::TempDir,
    /// Set in the environment of every process started from here, to find strays later.
    pub tag: String,
    sandbox_up: bool,
}

impl TestHome {
    pub fn new() -> TestHome {
        let dir = tempfile::tempdir().expect("temp dir");
        let tag = format!(
            "opsdeck-test-{}",
            dir.path().file_name().unwrap().to_string_lossy()
        );
        TestHome {
            dir,
            tag,
            sandbox_up: false,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// `opsdeck` with this home's environment and no AWS settings leaking in from the user's.
    pub fn opsdeck(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        cmd.env("XDG_STATE_HOME", self.state_dir())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OPSDECK_TEST_TAG", &self.tag)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("OPSDECK_STACK")
            .timeout(std::time::Duration::from_secs(180));
        cmd
    }

    /// Starts this home's background sandbox; it is stopped when the home is dropped.
    pub fn sandbox_up(&mut self) -> &mut Self {
        self.opsdeck().args(["sandbox", "up"]).assert().success();
        self.sandbox_up = true;
        self
    }

    /// Deploys the bundled stack with the sandbox preset and checks it succeeded.
    pub fn deploy_sandbox_stack(&self) {
        self.opsdeck()
            .args(["--sandbox", "deploy", "--preset", "sandbox", "--yes"])
            .assert()
            .success();
    }

    /// `status --json` parsed.
    pub fn status_json(&self) -> serde_json::Value {
        let out = self
            .opsdeck()
            .args(["--sandbox", "status", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "status failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("status --json prints JSON")
    }

    /// Pids of live processes started from this home (they carry its tag in their environment).
    pub fn tagged_processes(&self) -> Vec<i32> {
        let needle = format!("OPSDECK_TEST_TAG={}", self.tag);
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .map(|s| !s.contains(") Z "))
                    .unwrap_or(false);
                alive && environ.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
            })
            .collect()
    }
}

impl Drop for TestHome {
    fn drop(&mut self) {
        if self.sandbox_up {
            let _ = self.opsdeck().args(["sandbox", "down"]).output();
        }
    }
}

/// In-process clients on a sandbox endpoint (its dummy credentials), optionally counting
/// requests and optionally read-only.
pub async fn clients_for(
    endpoint: &str,
    log: Option<opsdeck::aws::request_log::RequestLog>,
    read_only: bool,
) -> opsdeck::aws::Clients {
    opsdeck::aws::Clients::new(&opsdeck::aws::ClientOptions {
        endpoint_url: Some(endpoint.to_string()),
        region: Some(opsdeck::sandbox::REGION.into()),
        static_credentials: Some((
            opsdeck::sandbox::ACCESS_KEY.into(),
            opsdeck::sandbox::SECRET_KEY.into(),
        )),
        operation_timeout: std::time::Duration::from_secs(20),
        request_log: log,
        read_only,
        ..Default::default()
    })
    .await
}

/// A home with its own background sandbox and the bundled stack deployed with the sandbox
/// preset (min 2, desired 2, max 6; alarms and metrics seeded).
pub fn deployed_home() -> TestHome {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();
    home
}

/// The endpoint of the home's background sandbox, from the record `sandbox up` wrote.
pub fn endpoint(home: &TestHome) -> String {
    let path = home.state_dir().join("opsdeck").join("sandbox.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} not readable: {e}", path.display()));
    let record: opsdeck::sandbox::SandboxRecord =
        serde_json::from_str(&text).expect("the sandbox record is JSON");
    opsdeck::sandbox::server::endpoint(record.port)
}

/// Console options for driving `Core` in tests: the default keymap and intervals, the
/// sandbox's stack, audited to `audit`.
pub fn console_options(audit: &Path) -> opsdeck::app::ConsoleOptions {
    opsdeck::app::ConsoleOptions {
        stack: "ha-web".into(),
        target_label: "test".into(),
        keymap: std::sync::Arc::new(opsdeck::keymap::Keymap::builtin()),
        intervals: opsdeck::state::Intervals::default(),
        poll_timeout: std::time::Duration::from_secs(20),
        color: true,
        read_only: false,
        auditor: opsdeck::audit::Auditor::new(audit.to_path_buf()),
        sandbox: true,
    }
}
