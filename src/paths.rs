//! Where opsdeck keeps its files: XDG state (logs, sandbox pid/port), cache (moto venv), config.
use color_eyre::eyre::{Result, eyre};
use std::path::PathBuf;

fn project_dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "opsdeck")
        .ok_or_else(|| eyre!("cannot determine the home directory: set HOME"))
}

/// `$XDG_STATE_HOME/opsdeck` (default `~/.local/state/opsdeck`): logs and the running sandbox.
pub fn state_dir() -> Result<PathBuf> {
    let dirs = project_dirs()?;
    // `state_dir` is only None on platforms without the XDG notion of state; fall back to data.
    let dir = dirs
        .state_dir()
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `$XDG_CACHE_HOME/opsdeck` (default `~/.cache/opsdeck`): the provisioned emulator venv.
pub fn cache_dir() -> Result<PathBuf> {
    let dir = project_dirs()?.cache_dir().to_path_buf();
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `$XDG_CONFIG_HOME/opsdeck` (default `~/.config/opsdeck`): keymap and config files.
pub fn config_dir() -> Result<PathBuf> {
    Ok(project_dirs()?.config_dir().to_path_buf())
}
