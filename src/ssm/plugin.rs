//! The session-manager-plugin: finding it, checking its version, and the exact command line
//! and environment the AWS CLI gives it (so the AWS CLI itself is not needed).
use crate::domain::{SessionRequest, StartedSession};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub const PROGRAM: &str = "session-manager-plugin";

/// Where the plugin reads StartSession's answer from when given a variable name instead of
/// the JSON itself (the AWS CLI's name; an argument would show the token in `ps`).
pub const RESPONSE_ENV: &str = "AWS_SSM_START_SESSION_RESPONSE";

/// The oldest plugin that speaks the protocol opsdeck drives (AWS's long-standing minimum).
pub const MIN_VERSION: Version = Version([1, 1, 17, 0]);
/// Below this AWS says sessions "might not succeed": opsdeck runs it but says so.
pub const RECOMMENDED_VERSION: Version = Version([1, 2, 764, 0]);
/// The last release that cannot read the session from the environment (as in the AWS CLI).
pub const LAST_WITHOUT_ENV: Version = Version([1, 2, 497, 0]);

pub const INSTALL_HELP: &str = "install the Session Manager plugin (the AWS CLI is not needed): \
https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html \
(Debian/Ubuntu: curl -fsSLo smp.deb https://s3.amazonaws.com/session-manager-downloads/plugin/latest/ubuntu_64bit/session-manager-plugin.deb \
&& sudo dpkg -i smp.deb; macOS: brew install --cask session-manager-plugin)";

/// A dotted plugin version, "1.2.650.0".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub [u32; 4]);

impl Version {
    /// Parses the first line of `session-manager-plugin --version`; missing parts count as 0.
    pub fn parse(text: &str) -> Option<Version> {
        let line = text.lines().next()?.trim();
        let mut parts = [0u32; 4];
        let mut count = 0;
        for (slot, piece) in parts.iter_mut().zip(line.split('.')) {
            *slot = piece.parse().ok()?;
            count += 1;
        }
        (count >= 2 && line.split('.').count() <= 4).then_some(Version(parts))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// Why the plugin cannot be used; each says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    Missing,
    TooOld(Version),
    /// It exists but `--version` failed or printed something else.
    Broken(String),
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginError::Missing => write!(f, "{PROGRAM} was not found on PATH: {INSTALL_HELP}"),
            PluginError::TooOld(v) => write!(
                f,
                "{PROGRAM} {v} is too old (opsdeck needs {MIN_VERSION} or later): {INSTALL_HELP}"
            ),
            PluginError::Broken(why) => write!(
                f,
                "{PROGRAM} is on PATH but `{PROGRAM} --version` failed ({why}): reinstall it; {INSTALL_HELP}"
            ),
        }
    }
}

impl std::error::Error for PluginError {}

/// A usable plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub path: PathBuf,
    pub version: Version,
}

impl Plugin {
    /// Finds the plugin on PATH and asks its version (bounded: a hung plugin is reported, not
    /// waited on).
    pub async fn find() -> Result<Plugin, PluginError> {
        Plugin::find_in(std::env::var_os("PATH").unwrap_or_default()).await
    }

    /// As `find`, on this search path (tests give each case its own).
    pub async fn find_in(search_path: impl AsRef<std::ffi::OsStr>) -> Result<Plugin, PluginError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
        let path =
            which::which_in(PROGRAM, Some(search_path), cwd).map_err(|_| PluginError::Missing)?;
        let output = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::process::Command::new(&path)
                .arg("--version")
                .stdin(std::process::Stdio::null())
                .kill_on_drop(true)
                .output(),
        )
        .await
        .map_err(|_| PluginError::Broken("no answer within 10s".into()))?
        .map_err(|e| PluginError::Broken(e.to_string()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let version = Version::parse(&text).ok_or_else(|| {
            PluginError::Broken(format!(
                "printed {:?}",
                text.trim().chars().take(60).collect::<String>()
            ))
        })?;
        if version < MIN_VERSION {
            return Err(PluginError::TooOld(version));
        }
        Ok(Plugin { path, version })
    }

    /// A warning to show when the plugin works but AWS recommends a newer one.
    pub fn advice(&self) -> Option<String> {
        (self.version < RECOMMENDED_VERSION).then(|| {
            format!(
                "{PROGRAM} {} is older than AWS's recommended minimum {RECOMMENDED_VERSION}; if the session fails, update it",
                self.version
            )
        })
    }

    /// The plugin's command line for a started session, as the AWS CLI builds it: the session
    /// (or, for versions that read it from the environment, the variable's name), the region,
    /// "StartSession", the profile ("" for the default chain), the request as JSON, and the
    /// SSM endpoint URL.
    pub fn invocation(
        &self,
        session: &StartedSession,
        region: &str,
        profile: Option<&str>,
        request: &SessionRequest,
    ) -> Invocation {
        let response = serde_json::json!({
            "SessionId": session.session_id,
            "TokenValue": session.token_value,
            "StreamUrl": session.stream_url,
        })
        .to_string();
        let (first, env) = if self.version > LAST_WITHOUT_ENV {
            (
                RESPONSE_ENV.to_string(),
                vec![(RESPONSE_ENV.to_string(), response)],
            )
        } else {
            (response, vec![])
        };
        Invocation {
            program: self.path.clone(),
            args: vec![
                first,
                region.to_string(),
                "StartSession".into(),
                profile.unwrap_or_default().to_string(),
                request.to_json(),
                session.endpoint_url.clone(),
            ],
            env,
        }
    }
}

/// A ready-to-run plugin command.
#[derive(Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl fmt::Debug for Invocation {
    // The session token is in the first argument or the environment: never in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invocation")
            .field("program", &self.program)
            .field("args", &&self.args[1..])
            .finish_non_exhaustive()
    }
}

impl Invocation {
    pub fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("1.2.650.0\n"), Some(Version([1, 2, 650, 0])));
        assert_eq!(Version::parse("1.2"), Some(Version([1, 2, 0, 0])));
        assert_eq!(Version::parse("session-manager-plugin"), None);
        assert_eq!(Version::parse("1.2.3.4.5"), None);
        assert!(Version([1, 2, 536, 0]) > LAST_WITHOUT_ENV);
        assert!(Version([1, 1, 9, 0]) < MIN_VERSION);
    }

    fn request() -> SessionRequest {
        SessionRequest {
            target: "i-0abc".into(),
            document: Some("AWS-StartPortForwardingSessionToRemoteHost".into()),
            parameters: BTreeMap::from([("portNumber".into(), vec!["5432".into()])]),
            reason: "opsdeck".into(),
        }
    }

    fn session() -> StartedSession {
        StartedSession {
            session_id: "s-1".into(),
            token_value: "SECRET".into(),
            stream_url: "wss://x".into(),
            endpoint_url: "https://ssm.eu-west-1.amazonaws.com".into(),
        }
    }

    #[test]
    fn new_plugins_get_the_session_in_the_environment_old_ones_as_an_argument() {
        let new = Plugin {
            path: "/bin/p".into(),
            version: Version([1, 2, 650, 0]),
        };
        let inv = new.invocation(&session(), "eu-west-1", Some("ops"), &request());
        assert_eq!(inv.args[0], RESPONSE_ENV);
        assert_eq!(&inv.args[1..4], ["eu-west-1", "StartSession", "ops"]);
        let req: serde_json::Value = serde_json::from_str(&inv.args[4]).unwrap();
        assert_eq!(req["Target"], "i-0abc");
        assert_eq!(req["Parameters"]["portNumber"][0], "5432");
        assert_eq!(inv.args[5], "https://ssm.eu-west-1.amazonaws.com");
        let (name, value) = &inv.env[0];
        assert_eq!(name, RESPONSE_ENV);
        let resp: serde_json::Value = serde_json::from_str(value).unwrap();
        assert_eq!(resp["TokenValue"], "SECRET");
        assert!(!format!("{inv:?}").contains("SECRET"));

        let old = Plugin {
            version: Version([1, 2, 497, 0]),
            ..new
        };
        let inv = old.invocation(&session(), "eu-west-1", None, &request());
        assert!(inv.env.is_empty());
        assert!(inv.args[0].contains("\"SessionId\":\"s-1\""));
        assert_eq!(inv.args[3], "", "no profile is an empty argument");
        assert!(!format!("{inv:?}").contains("SECRET"));
    }
}
