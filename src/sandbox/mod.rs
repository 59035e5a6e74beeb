//! The local AWS emulator (moto on loopback): a private one for the life of a command, or a
//! shared background one (`opsdeck sandbox up`) whose pid and port live in the XDG state dir.
pub mod provision;
pub mod seed;
pub mod server;

use color_eyre::eyre::{Result, WrapErr, bail};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::Child;

/// Dummy credentials and region the emulator accepts; never real ones.
pub const ACCESS_KEY: &str = "testing";
pub const SECRET_KEY: &str = "testing";
pub const REGION: &str = "us-east-1";

/// The background sandbox, as recorded in `$XDG_STATE_HOME/opsdeck/sandbox.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SandboxRecord {
    pub pid: i32,
    pub port: u16,
    pub moto_version: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

fn record_path() -> Result<PathBuf> {
    Ok(crate::paths::state_dir()?.join("sandbox.json"))
}

fn log_path() -> Result<PathBuf> {
    Ok(crate::paths::state_dir()?.join("sandbox.log"))
}

/// The background sandbox if it is running and answering; a stale record is removed.
pub fn running() -> Result<Option<SandboxRecord>> {
    let path = record_path()?;
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let record: Option<SandboxRecord> = serde_json::from_str(&text).ok();
    match record {
        Some(r)
            if server::pid_alive(r.pid) && server::is_moto(r.pid) && server::answers(r.port) =>
        {
            Ok(Some(r))
        }
        _ => {
            let _ = std::fs::remove_file(&path);
            Ok(None)
        }
    }
}

/// A sandbox this command talks to. A private one is stopped when this is dropped: on normal
/// exit, on Ctrl-C (the run loop returns) and on panic (unwinding).
#[derive(Debug)]
pub struct Sandbox {
    pub port: u16,
    child: Option<Child>,
}

impl Sandbox {
    pub fn endpoint(&self) -> String {
        server::endpoint(self.port)
    }

    pub fn is_private(&self) -> bool {
        self.child.is_some()
    }

    /// The running background sandbox, else a private one started for this command.
    /// Call from the thread that lives as long as the command (the private emulator is tied
    /// to that thread's life by PR_SET_PDEATHSIG).
    pub fn connect_or_start() -> Result<Sandbox> {
        if let Some(record) = running()? {
            tracing::info!(port = record.port, "using the background sandbox");
            return Ok(Sandbox {
                port: record.port,
                child: None,
            });
        }
        Sandbox::start_private()
    }

    /// A fresh private emulator on a free port, for this process only.
    pub fn start_private() -> Result<Sandbox> {
        let moto = provision::ensure_moto()?;
        let log = log_path()?;
        // Another process may grab the free port before moto binds it: try a few.
        let mut last_err = None;
        for _ in 0..3 {
            let port = server::free_port()?;
            match server::spawn(&moto, port, &log, server::Lifetime::Private) {
                Ok(child) => {
                    tracing::info!(port, pid = child.id(), "private sandbox started");
                    return Ok(Sandbox {
                        port,
                        child: Some(child),
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.expect("three attempts were made"))
    }

    /// Empties the emulator: every stack and resource is gone.
    pub fn reset(&self) -> Result<()> {
        reset_port(self.port)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            server::stop_child(child);
            tracing::info!(port = self.port, "private sandbox stopped");
        }
    }
}

fn reset_port(port: u16) -> Result<()> {
    ureq::post(format!("{}/moto-api/reset", server::endpoint(port)))
        .send_empty()
        .wrap_err("the sandbox did not accept the reset")?;
    Ok(())
}

/// `opsdeck sandbox up`: start the background sandbox unless one is running.
pub fn up() -> Result<SandboxRecord> {
    if let Some(record) = running()? {
        return Ok(record);
    }
    let moto = provision::ensure_moto()?;
    let port = server::free_port()?;
    let child = server::spawn(&moto, port, &log_path()?, server::Lifetime::Detached)?;
    let record = SandboxRecord {
        pid: child.id() as i32,
        port,
        moto_version: provision::MOTO_VERSION.to_string(),
        started_at: chrono::Utc::now(),
    };
    // The child is in its own session; dropping the handle leaves it running.
    drop(child);
    std::fs::write(record_path()?, serde_json::to_string_pretty(&record)?)?;
    Ok(record)
}

/// `opsdeck sandbox down`: stop the background sandbox. Returns what was stopped.
pub fn down() -> Result<Option<SandboxRecord>> {
    let Some(record) = running()? else {
        return Ok(None);
    };
    server::stop_pid(record.pid);
    if server::pid_alive(record.pid) {
        bail!("the sandbox (pid {}) did not stop", record.pid);
    }
    std::fs::remove_file(record_path()?)?;
    Ok(Some(record))
}

/// `opsdeck sandbox reset`: empty the background sandbox.
pub fn reset() -> Result<SandboxRecord> {
    let Some(record) = running()? else {
        bail!(
            "no background sandbox is running. Start one with `opsdeck sandbox up`; \
             a private sandbox (started by --sandbox alone) is discarded when its command ends"
        );
    };
    reset_port(record.port)?;
    Ok(record)
}
