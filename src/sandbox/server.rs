//! Starting, probing and stopping one moto_server process on loopback.
use color_eyre::eyre::{Result, WrapErr, bail};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a fresh moto may take to answer (first start byte-compiles Python).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A port nobody listens on right now (the OS picks it).
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

pub fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// Whether a moto server answers on `port` (any HTTP response counts).
pub fn answers(port: u16) -> bool {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .get(format!("{}/moto-api/", endpoint(port)))
        .call()
        .is_ok()
}

/// How the process relates to opsdeck's own life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Dies with the thread that spawned it (PR_SET_PDEATHSIG), for `--sandbox` commands.
    Private,
    /// A session of its own that outlives opsdeck, for `sandbox up`.
    Detached,
}

/// Spawns moto_server on `port`, logging to `log`, and waits until it answers.
pub fn spawn(moto_server: &Path, port: u16, log: &Path, lifetime: Lifetime) -> Result<Child> {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .wrap_err_with(|| format!("cannot open {}", log.display()))?;
    let mut cmd = Command::new(moto_server);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    // SAFETY: the closures only call async-signal-safe libc functions between fork and exec.
    unsafe {
        match lifetime {
            Lifetime::Private => cmd.pre_exec(|| {
                // Own process group: the terminal's Ctrl-C reaches opsdeck, which stops moto
                // in order. PDEATHSIG is the backstop if opsdeck itself is killed.
                libc::setpgid(0, 0);
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            }),
            Lifetime::Detached => cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            }),
        };
    }
    let mut child = cmd
        .spawn()
        .wrap_err_with(|| format!("cannot start {}", moto_server.display()))?;
    let started = Instant::now();
    while started.elapsed() < START_TIMEOUT {
        if let Some(status) = child.try_wait()? {
            bail!(
                "the sandbox emulator exited at start ({status}); its log: {}\n{}",
                log.display(),
                log_tail(log)
            );
        }
        if answers(port) {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stop_child(&mut child);
    bail!(
        "the sandbox emulator did not answer on port {port} within {}s; its log: {}",
        START_TIMEOUT.as_secs(),
        log.display()
    )
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

/// SIGTERM, a short grace period, then SIGKILL; always reaps.
pub fn stop_child(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    stop_pid(child.id() as i32);
    let _ = child.kill();
    let _ = child.wait();
}

/// Stops a process we did not spawn in this process (the background sandbox).
pub fn stop_pid(pid: i32) {
    // SAFETY: plain kill(2) calls on a pid we verified is our moto_server.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && pid_alive(pid) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if pid_alive(pid) {
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Alive and not a zombie.
pub fn pid_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// Guards against signalling a recycled pid: the process must be a moto_server.
pub fn is_moto(pid: i32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).contains("moto_server"))
        .unwrap_or(false)
}
