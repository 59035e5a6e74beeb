//! The optional config file `$XDG_CONFIG_HOME/opsdeck/config.toml`: settings an operator wants
//! on every run (today: `read_only = true` for an observer's machine). Unknown keys are errors.
use color_eyre::eyre::{Result, eyre};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Refuse every mutating action, as `--read-only` does.
    #[serde(default)]
    pub read_only: bool,
}

pub fn default_path() -> Result<PathBuf> {
    Ok(crate::paths::config_dir()?.join("config.toml"))
}

impl Config {
    /// The config at the default path; no file is the default config.
    pub fn load() -> Result<Config> {
        Config::load_from(&default_path()?)
    }

    pub fn load_from(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(eyre!("cannot read {}: {e}", path.display())),
        };
        toml::from_str(&text).map_err(|e| {
            eyre!(crate::exit::UsageError(format!(
                "{}: {} (the only setting is `read_only = true|false`)",
                path.display(),
                e.message()
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_is_read_and_mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        assert_eq!(Config::load_from(&p).unwrap(), Config::default());
        std::fs::write(&p, "read_only = true\n").unwrap();
        assert!(Config::load_from(&p).unwrap().read_only);
        std::fs::write(&p, "readonly = true\n").unwrap();
        let e = format!("{:#}", Config::load_from(&p).unwrap_err());
        assert!(
            e.contains("readonly") && e.contains("read_only = true"),
            "{e}"
        );
    }
}
