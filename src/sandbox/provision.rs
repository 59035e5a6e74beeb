//! Provisions the pinned moto emulator in a venv of its own under the user's cache dir, once.
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The emulator release opsdeck is tested against (see SANDBOX-NOTES in the design docs).
pub const MOTO_VERSION: &str = "5.2.5";

/// Written into the venv only after a complete install, so a half-done venv is redone.
const MARKER: &str = ".opsdeck-moto-version";

/// The venv directory: `$XDG_CACHE_HOME/opsdeck/moto-venv`.
pub fn venv_dir() -> Result<PathBuf> {
    Ok(crate::paths::cache_dir()?.join("moto-venv"))
}

/// Path of the `moto_server` entry point, provisioning the venv first if needed.
/// Concurrent opsdeck processes (parallel tests) serialise on a lock file; one installs.
pub fn ensure_moto() -> Result<PathBuf> {
    let venv = venv_dir()?;
    let server = venv.join("bin").join("moto_server");
    if is_provisioned(&venv) {
        return Ok(server);
    }
    let lock_path = crate::paths::cache_dir()?.join("moto-venv.lock");
    let lock = std::fs::File::create(&lock_path)
        .wrap_err_with(|| format!("cannot create the lock file {}", lock_path.display()))?;
    lock.lock().wrap_err("cannot lock the sandbox venv")?;
    if !is_provisioned(&venv) {
        install(&venv)?;
    }
    Ok(server)
}

fn is_provisioned(venv: &Path) -> bool {
    std::fs::read_to_string(venv.join(MARKER)).is_ok_and(|v| v.trim() == MOTO_VERSION)
        && venv.join("bin").join("moto_server").exists()
}

fn python() -> String {
    std::env::var("OPSDECK_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn install(venv: &Path) -> Result<()> {
    let python = python();
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "opsdeck: first use of the sandbox: installing moto[server]=={MOTO_VERSION} into {}\n         (about a minute and ~500 MB, once)",
        venv.display()
    );
    let version = Command::new(&python).arg("--version").output();
    match version {
        Ok(out) if out.status.success() => {}
        _ => bail!(
            "{python} was not found: the sandbox needs Python 3.9 or later. \
             Install it (Debian/Ubuntu: apt-get install python3 python3-venv) \
             or point OPSDECK_PYTHON at a python3 binary"
        ),
    }
    if venv.exists() {
        std::fs::remove_dir_all(venv)
            .wrap_err_with(|| format!("cannot remove the incomplete venv {}", venv.display()))?;
    }
    let out = Command::new(&python)
        .args(["-m", "venv"])
        .arg(venv)
        .output()
        .wrap_err_with(|| format!("cannot run {python} -m venv"))?;
    if !out.status.success() {
        bail!(
            "`{python} -m venv` failed: {}\nFix: install the venv module (Debian/Ubuntu: apt-get install python3-venv)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let pip = venv.join("bin").join("pip");
    let mut child = Command::new(&pip)
        .args([
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
        ])
        .arg(format!("moto[server]=={MOTO_VERSION}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .wrap_err_with(|| format!("cannot run {}", pip.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| eyre!("pip stdout"))?;
    let stderr_pipe = child.stderr.take().ok_or_else(|| eyre!("pip stderr"))?;
    let stderr_reader = std::thread::spawn(move || {
        BufReader::new(stderr_pipe)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let mut tail: Vec<String> = Vec::new();
    let mut fetched = 0;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        // Progress without the noise: a count of packages fetched, on one line.
        if line.starts_with("Collecting") {
            fetched += 1;
            let _ = write!(err, "\r  fetched {fetched} packages");
        }
        tail.push(line);
    }
    let status = child.wait()?;
    let errors = stderr_reader.join().unwrap_or_default();
    if !status.success() {
        tail.extend(errors);
        let start = tail.len().saturating_sub(15);
        bail!(
            "installing moto into {} failed (is PyPI reachable?):\n{}",
            venv.display(),
            tail[start..].join("\n")
        );
    }
    std::fs::write(venv.join(MARKER), MOTO_VERSION)?;
    let _ = writeln!(err, "\nopsdeck: sandbox emulator installed");
    Ok(())
}
