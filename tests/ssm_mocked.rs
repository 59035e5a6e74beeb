//! Session Manager sessions (`ssm::prepare_with`, `shell::run_foreground`, `tunnel::run`,
//! `ssm::terminate`) with StartSession and TerminateSession mocked and a fake plugin.
//!
//! The sandbox emulator (moto) has no Session Manager: StartSession and TerminateSession answer
//! HTTP 500. So the SSM client answers from `aws-smithy-mocks` rules, which also count the
//! calls: a test can show that StartSession was never sent (the plugin is checked first) and
//! that TerminateSession was sent for exactly the session that was started. The plugin is
//! `tests/support/session-manager-plugin`, an honest double at the process boundary: it records
//! the argv and environment it was really given, and listens on the tunnel's port for real.
//! Each test gets its own copy in a temp dir, found with `Plugin::find_in`; PATH is untouched.
use aws_sdk_ssm::operation::start_session::StartSessionOutput;
use aws_sdk_ssm::operation::terminate_session::TerminateSessionOutput;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::retry::RetryConfig;
use opsdeck::aws::{ClientOptions, Clients};
use opsdeck::ssm::plugin::{Plugin, PluginError, Version};
use opsdeck::ssm::tunnel::{self, Event};
use opsdeck::ssm::{self, PrepareError, shell};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const INSTANCE: &str = "i-0123456789abcdef0";
const ENDPOINT: &str = "http://127.0.0.1:9";
const TOKEN: &str = "AAEAAXtoken-secret";
const STREAM: &str = "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/";
const INSTALL_URL: &str = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html";

/// StartSession answering `session_id` for INSTANCE, and TerminateSession for that id only
/// (any other call, or another id, panics in the mock interceptor).
fn rules(session_id: &'static str) -> (Rule, Rule) {
    let start = mock!(aws_sdk_ssm::Client::start_session)
        .match_requests(|r| r.target() == Some(INSTANCE))
        .then_output(move || {
            StartSessionOutput::builder()
                .session_id(session_id)
                .token_value(TOKEN)
                .stream_url(format!("{STREAM}{session_id}"))
                .build()
        });
    let terminate = mock!(aws_sdk_ssm::Client::terminate_session)
        .match_requests(move |r| r.session_id() == Some(session_id))
        .then_output(move || {
            TerminateSessionOutput::builder()
                .session_id(session_id)
                .build()
        });
    (start, terminate)
}

/// Real clients pointed at a closed port, with SSM answering from `rules` (as in
/// actions_mocked.rs: the endpoint is still resolved, so the URL StartSession went to is real).
async fn clients(rules: &[&Rule]) -> Clients {
    let mut clients = Clients::new(&ClientOptions {
        endpoint_url: Some(ENDPOINT.into()),
        region: Some("us-east-1".into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        operation_timeout: Duration::from_secs(5),
        ..Default::default()
    })
    .await;
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    clients.ssm = aws_sdk_ssm::Client::from_conf(
        clients
            .ssm
            .config()
            .to_builder()
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build(),
    );
    clients
}

/// A temp dir holding an executable `session-manager-plugin`, and the fake's record file.
struct Fake {
    dir: TempDir,
    record: PathBuf,
}

fn fake_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/session-manager-plugin")
}

impl Fake {
    fn empty() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("record");
        Fake { dir, record }
    }

    /// A wrapper that sets the fake's settings and execs it (so the pid is the plugin's).
    fn with(settings: &[(&str, &str)]) -> Fake {
        let fake = Fake::empty();
        let mut script = format!(
            "#!/bin/sh\nexport FAKE_SMP_RECORD='{}'\n",
            fake.record.display()
        );
        for (key, value) in settings {
            script += &format!("export {key}='{value}'\n");
        }
        script += &format!("exec '{}' \"$@\"\n", fake_source().display());
        fake.install(&script);
        fake
    }

    /// The fake itself (its `chmod -x "$0"` must hit the file found on the search path), with
    /// FAKE_SMP_VANISH=1 set on its second line.
    fn vanishing() -> Fake {
        let fake = Fake::empty();
        let source = std::fs::read_to_string(fake_source()).unwrap();
        let (shebang, rest) = source.split_once('\n').unwrap();
        fake.install(&format!(
            "{shebang}\nFAKE_SMP_VANISH=1\nFAKE_SMP_RECORD='{}'\n{rest}",
            fake.record.display()
        ));
        fake
    }

    /// Writes the script through `install(1)`: a file this (multi-threaded) process had open
    /// for writing can be inherited by a child forked by another test and fail to exec with
    /// ETXTBSY; a file written by another process cannot.
    fn install(&self, script: &str) {
        let draft = self.dir.path().join("draft");
        std::fs::write(&draft, script).unwrap();
        let target = self.dir.path().join("session-manager-plugin");
        let status = std::process::Command::new("install")
            .args(["-m", "0755"])
            .args([&draft, &target])
            .status()
            .unwrap();
        assert!(status.success());
    }

    async fn plugin(&self) -> Result<Plugin, PluginError> {
        Plugin::find_in(self.dir.path()).await
    }

    /// The fake's one record of a session start: pid, arg1..arg6, the response variable.
    fn record(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(&self.record).unwrap_or_default();
        assert_eq!(text.matches("\nend\n").count(), 1, "one start: {text}");
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_plugin_is_run_as_the_aws_cli_runs_it_and_a_failed_shell_is_terminated() {
    let (start, terminate) = rules("s-new0001");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::with(&[("FAKE_SMP_MODE", "fail")]);
    let prepared = ssm::prepare_with(&clients, &shell::request(INSTANCE), fake.plugin().await)
        .await
        .unwrap();
    assert_eq!(start.num_calls(), 1);
    assert_eq!(
        (prepared.target.as_str(), prepared.session_id.as_str()),
        (INSTANCE, "s-new0001")
    );
    assert_eq!(
        prepared.advice, None,
        "1.2.764.0 is the recommended version"
    );

    let ended = shell::run_foreground(&prepared, &CancellationToken::new()).await;
    assert_eq!((ended.exit_code, &ended.spawn_error), (Some(255), &None));
    assert_eq!(ended.session_id, "s-new0001");
    assert!(ended.needs_terminate());

    let rec = fake.record();
    assert_eq!(rec["arg1"], "AWS_SSM_START_SESSION_RESPONSE");
    let response = json(&rec["env_AWS_SSM_START_SESSION_RESPONSE"]);
    assert_eq!(response["SessionId"], "s-new0001");
    assert_eq!(response["TokenValue"], TOKEN);
    assert_eq!(response["StreamUrl"], format!("{STREAM}s-new0001"));
    assert_eq!(
        [&rec["arg2"], &rec["arg3"], &rec["arg4"]],
        ["us-east-1", "StartSession", ""]
    );
    let request = json(&rec["arg5"]);
    assert_eq!(request["Target"], INSTANCE);
    assert_eq!(request["Reason"], "opsdeck shell");
    assert!(
        request.get("DocumentName").is_none(),
        "a shell uses the default document"
    );
    assert_eq!(rec["arg6"], ENDPOINT, "the URL StartSession was sent to");
    let argv = (1..=6)
        .map(|i| rec[&format!("arg{i}")].as_str())
        .collect::<Vec<_>>();
    assert!(
        !argv.iter().any(|a| a.contains(TOKEN)),
        "the token is not in argv (ps)"
    );

    assert_eq!(terminate.num_calls(), 0);
    ssm::terminate(&clients, &ended.session_id).await.unwrap();
    assert_eq!(terminate.num_calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_plugin_gets_the_session_as_its_first_argument_and_the_profile() {
    let (start, terminate) = rules("s-old0001");
    let mut clients = clients(&[&start, &terminate]).await;
    clients.profile = Some("ops".into());
    let fake = Fake::with(&[("FAKE_SMP_MODE", "fail"), ("FAKE_SMP_VERSION", "1.2.497.0")]);
    let plugin = fake.plugin().await.unwrap();
    assert_eq!(plugin.version, Version([1, 2, 497, 0]));
    let prepared = ssm::prepare_with(&clients, &shell::request(INSTANCE), Ok(plugin))
        .await
        .unwrap();
    let advice = prepared.advice.clone().expect("older than recommended");
    assert!(
        advice.contains("1.2.497.0") && advice.contains("1.2.764.0"),
        "{advice}"
    );

    let ended = shell::run_foreground(&prepared, &CancellationToken::new()).await;
    assert_eq!(ended.exit_code, Some(255));
    let rec = fake.record();
    let response = json(&rec["arg1"]);
    assert_eq!(response["SessionId"], "s-old0001");
    assert_eq!(response["TokenValue"], TOKEN);
    assert_eq!(rec["env_AWS_SSM_START_SESSION_RESPONSE"], "");
    assert_eq!(
        [&rec["arg2"], &rec["arg3"], &rec["arg4"]],
        ["us-east-1", "StartSession", "ops"]
    );
    assert_eq!(json(&rec["arg5"])["Target"], INSTANCE);
    assert_eq!(rec["arg6"], ENDPOINT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_plugin_opens_no_session() {
    let (start, terminate) = rules("s-missing1");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::empty();
    let err = ssm::prepare_with(&clients, &shell::request(INSTANCE), fake.plugin().await)
        .await
        .unwrap_err();
    assert_eq!(err, PrepareError::Plugin(PluginError::Missing));
    let message = err.to_string();
    assert!(
        message.contains("session-manager-plugin was not found"),
        "{message}"
    );
    assert!(message.contains(INSTALL_URL), "{message}");
    assert_eq!(start.num_calls(), 0, "StartSession must not be sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_old_plugin_opens_no_session() {
    let (start, terminate) = rules("s-tooold1");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::with(&[("FAKE_SMP_VERSION", "1.1.9.0")]);
    let err = ssm::prepare_with(&clients, &shell::request(INSTANCE), fake.plugin().await)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        PrepareError::Plugin(PluginError::TooOld(Version([1, 1, 9, 0])))
    );
    let message = err.to_string();
    assert!(message.contains("1.1.9.0 is too old"), "{message}");
    assert!(
        message.contains("1.1.17.0") && message.contains(INSTALL_URL),
        "{message}"
    );
    assert_eq!(start.num_calls(), 0, "StartSession must not be sent");
    assert!(
        !fake.record.exists(),
        "the plugin was only asked its version"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_that_cannot_start_after_start_session_leaves_a_session_to_terminate() {
    let (start, terminate) = rules("s-vanish1");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::vanishing();
    let prepared = ssm::prepare_with(&clients, &shell::request(INSTANCE), fake.plugin().await)
        .await
        .unwrap();
    assert_eq!(start.num_calls(), 1);

    let ended = shell::run_foreground(&prepared, &CancellationToken::new()).await;
    let why = ended.spawn_error.clone().expect("the plugin did not start");
    assert!(why.contains("Permission denied"), "{why}");
    assert_eq!(ended.exit_code, None);
    assert!(ended.needs_terminate());
    assert!(
        ended.summary().contains("did not start"),
        "{}",
        ended.summary()
    );
    assert!(!fake.record.exists(), "nothing ran");
    // What both callers do (session_verbs::ssm_command, update::sessions::shell_ended).
    ssm::terminate(&clients, &ended.session_id).await.unwrap();
    assert_eq!(terminate.num_calls(), 1);
}

/// Runs `tunnel::run` on a task, its events on a channel.
fn spawn_tunnel(
    clients: &Clients,
    prepared: &ssm::Prepared,
    close: &CancellationToken,
) -> (tokio::task::JoinHandle<()>, mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (clients, prepared, close) = (clients.clone(), prepared.clone(), close.clone());
    let task = tokio::spawn(async move {
        tunnel::run(&clients, &prepared, close, move |e| {
            let _ = tx.send(e);
        })
        .await;
    });
    (task, rx)
}

/// The next event matching `want` within 10 s; the events passed over are kept in `seen`.
async fn wait_for(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    seen: &mut Vec<Event>,
    want: impl Fn(&Event) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(event)) => {
                let done = want(&event);
                seen.push(event);
                if done {
                    return;
                }
            }
            other => panic!("not seen within 10s ({other:?}): {seen:?}"),
        }
    }
}

fn tunnel_spec(local_port: u16) -> tunnel::Spec {
    tunnel::Spec {
        instance: INSTANCE.into(),
        host: "db.cluster-abc.us-east-1.rds.amazonaws.com".into(),
        remote_port: 5432,
        local_port,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tunnel_listens_accepts_and_closes_leaving_no_process_port_or_session() {
    let (start, terminate) = rules("s-tunnel1");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::with(&[]);
    // Remote port 0: a port the OS picks, never one another test or process may want.
    let port = tunnel::choose_local_port(None, 0, &[]).unwrap();
    let prepared = ssm::prepare_with(&clients, &tunnel_spec(port).request(), fake.plugin().await)
        .await
        .unwrap();
    let close = CancellationToken::new();
    let (task, mut rx) = spawn_tunnel(&clients, &prepared, &close);
    let mut seen = Vec::new();
    wait_for(&mut rx, &mut seen, |e| *e == Event::Listening).await;
    let client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    wait_for(&mut rx, &mut seen, |e| *e == Event::Connection).await;
    drop(client);
    assert!(
        seen.contains(&Event::Output(
            "Starting session with SessionId: s-tunnel1".into()
        )),
        "{seen:?}"
    );
    let rec = fake.record();
    let request = json(&rec["arg5"]);
    assert_eq!(request["DocumentName"], tunnel::DOCUMENT);
    assert_eq!(
        request["Parameters"]["localPortNumber"][0],
        port.to_string()
    );
    assert_eq!(request["Parameters"]["portNumber"][0], "5432");
    let pid: u32 = rec["pid"].parse().unwrap();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    assert_eq!(terminate.num_calls(), 0, "open until closed");

    let closing = Instant::now();
    close.cancel();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("closed within 10s")
        .unwrap();
    assert!(
        closing.elapsed() < Duration::from_secs(3),
        "SIGINT ended it, not the kill"
    );
    while let Ok(event) = rx.try_recv() {
        seen.push(event);
    }
    let last = seen.last().unwrap();
    assert_eq!(
        *last,
        Event::Closed {
            reason: "closed on request".into(),
            ok: true
        },
        "{seen:?}"
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "plugin {pid} reaped"
    );
    assert_eq!(terminate.num_calls(), 1);
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("the local port is free again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tunnel_whose_plugin_exits_says_why_and_terminates_its_session() {
    let (start, terminate) = rules("s-tunfail1");
    let clients = clients(&[&start, &terminate]).await;
    let fake = Fake::with(&[("FAKE_SMP_MODE", "fail")]);
    let port = tunnel::choose_local_port(None, 0, &[]).unwrap();
    let prepared = ssm::prepare_with(&clients, &tunnel_spec(port).request(), fake.plugin().await)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let run = tunnel::run(&clients, &prepared, CancellationToken::new(), |e| {
        seen.push(e)
    });
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("ended by itself");
    assert!(!seen.contains(&Event::Listening), "{seen:?}");
    let Some(Event::Closed { reason, ok }) = seen.last() else {
        panic!("the last event is Closed: {seen:?}");
    };
    assert!(!ok);
    assert!(
        reason.starts_with("the plugin exited with code 255: "),
        "{reason}"
    );
    assert!(
        reason.contains("(TargetNotConnected)"),
        "the plugin's error: {reason}"
    );
    assert_eq!(terminate.num_calls(), 1);
}
