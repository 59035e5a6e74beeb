//! End to end: Session Manager shells and database tunnels from the console, the real binary
//! in tmux, read from the screen as a user would. Needs tmux and python3.
//!
//! The sandbox emulator (moto) has no Session Manager (StartSession and TerminateSession
//! answer HTTP 500), so two doubles stand at the boundary, and opsdeck reaches them the way
//! any AWS SDK user would, with no `--sandbox`: `AWS_ENDPOINT_URL` names the emulator,
//! `AWS_ENDPOINT_URL_SSM` names `tests/support/fake_ssm.py` (it answers and records
//! StartSession/TerminateSession and forwards every other SSM call to the emulator), and
//! `tests/support` comes first on PATH, where a fake `session-manager-plugin` treats the
//! terminal as the real one does (cbreak, no echo, typed signals sent "to the remote shell")
//! or, for a tunnel, listens on the local port for real. Both record how they were called.
mod common;

use common::TestHome;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const OPSDECK: &str = env!("CARGO_BIN_EXE_opsdeck");

fn support() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support")
}

/// Mirrors the `Tmux` helper of console_e2e.rs (a test file cannot share it). Differences: the
/// pane runs an interactive `bash` (so Ctrl-Z would show up as bash's "Stopped"), and tmux does
/// not carry the home's tag: only opsdeck gets it, through `env`, so the tagged processes are
/// opsdeck and what it started (plus the sandbox and the fake SSM endpoint, tagged on purpose).
struct Tmux {
    session: String,
}

impl Tmux {
    fn start(home: &TestHome, width: u16, height: u16) -> Tmux {
        // tmux reads "." and ":" in a target as window and pane separators.
        let session = home.tag.replace(['.', ':'], "_");
        let status = Command::new("tmux")
            .args(["-L", &session, "new-session", "-d", "-s", &session])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg("bash --norc --noprofile -i")
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .env_remove("OPSDECK_TEST_TAG")
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Tmux { session }
    }

    /// Runs a tmux command on this server; its stdout.
    fn run(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("tmux");
        let out = cmd.args(["-L", &self.session]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.session])
    }

    /// Keys by tmux name ("C-c", "Escape"). Escape must go alone: followed by another key in
    /// the same call it arrives as Alt-key.
    fn keys(&self, keys: &[&str]) {
        self.run(&[&["send-keys", "-t", &self.session], keys].concat());
    }

    /// Types `line` literally, then Enter.
    fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", line]);
        self.keys(&["Enter"]);
    }

    /// Waits until the screen shows `text`.
    fn see(&self, text: &str, secs: u64) -> String {
        self.wait_for(text, secs, |s| s.contains(text))
    }

    /// Waits until the screen satisfies `pred`; panics with the screen if it never does.
    fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if started.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// `f` until it gives something, or a panic naming `what`.
fn eventually<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The fake SSM endpoint (tagged like the home's processes); killed when dropped.
struct FakeSsm {
    child: Child,
    port: u16,
    record: PathBuf,
}

impl FakeSsm {
    fn start(home: &TestHome, upstream: &str) -> FakeSsm {
        let record = home.path().join("ssm.jsonl");
        let mut child = Command::new("python3")
            .arg(support().join("fake_ssm.py"))
            .arg("--record")
            .arg(&record)
            .args(["--upstream", upstream])
            .env("OPSDECK_TEST_TAG", &home.tag)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs fake_ssm.py");
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        let port = first.trim().parse().expect("fake_ssm.py prints its port");
        FakeSsm {
            child,
            port,
            record,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every StartSession/TerminateSession it answered: {"operation":..., "request":{...}}.
    fn calls(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.record).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn terminated(&self, session_id: &str) -> bool {
        self.calls().iter().any(|c| {
            c["operation"] == "TerminateSession" && c["request"]["SessionId"] == session_id
        })
    }
}

impl Drop for FakeSsm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One run of the fake plugin, from its record.
#[derive(Debug, Clone)]
struct PluginCall {
    pid: i32,
    /// argv[1..]: args[0] is argv[1].
    args: Vec<String>,
    session_id: String,
}

/// Whether `pid` is a live process that is not stopped (Ctrl-Z must not stop anything).
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ")?.1.chars().next())
        .is_some_and(|state| !matches!(state, 'Z' | 'X' | 'T' | 't'))
}

/// A home with the sandbox and the stack, the fake SSM endpoint, and opsdeck in tmux, started
/// from an interactive bash by one typed line, as a user would. Dropped tmux first (opsdeck
/// gets SIGHUP), then the fake endpoint, then the home (its sandbox goes down).
struct Rig {
    tmux: Tmux,
    ssm: FakeSsm,
    sandbox_pid: i32,
    home: TestHome,
}

impl Rig {
    fn start(extra_env: &[(&str, &str)]) -> Rig {
        let mut home = TestHome::new();
        home.sandbox_up();
        home.deploy_sandbox_stack();
        let out = home.opsdeck().args(["sandbox", "status"]).output().unwrap();
        let status = String::from_utf8_lossy(&out.stdout).to_string();
        let re =
            regex::Regex::new(r"Sandbox running on (http://127\.0\.0\.1:\d+) \(pid (\d+)").unwrap();
        let caps = re.captures(&status).unwrap_or_else(|| panic!("{status}"));
        let moto = caps[1].to_string();
        let sandbox_pid = caps[2].parse().unwrap();
        let ssm = FakeSsm::start(&home, &moto);

        let extra: String = extra_env.iter().map(|(k, v)| format!(" {k}={v}")).collect();
        // `env` execs opsdeck, so it is the job's process-group leader, as when typed directly.
        let line = format!(
            "cd '{d}'; stty -a > before.txt; env -u AWS_PROFILE -u AWS_SESSION_TOKEN \
             -u OPSDECK_STACK XDG_STATE_HOME='{state}' XDG_CONFIG_HOME='{d}/config' \
             OPSDECK_TEST_TAG='{tag}' AWS_ENDPOINT_URL={moto} AWS_ENDPOINT_URL_SSM={ssm} \
             AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
             FAKE_SMP_RECORD='{d}/plugin.rec' PATH='{support}':\"$PATH\"{extra} '{OPSDECK}'; \
             echo EXIT $? | tee exit.txt; stty -a > after.txt",
            d = home.path().display(),
            state = home.state_dir().display(),
            tag = home.tag,
            ssm = ssm.url(),
            support = support().display(),
        );
        let tmux = Tmux::start(&home, 160, 48);
        tmux.wait_for("the shell prompt", 10, |s| {
            s.contains('$') || s.contains('#')
        });
        tmux.type_line(&line);
        Rig {
            tmux,
            ssm,
            sandbox_pid,
            home,
        }
    }

    /// The audit log's records.
    fn audit(&self) -> Vec<Value> {
        let path = self.home.state_dir().join("opsdeck/audit.jsonl");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits for the capacity and targets panels, and the database panel's endpoint.
    fn wait_for_console(&self) -> String {
        self.tmux.wait_for("the panels populated", 30, |s| {
            s.contains("2/2 in service")
                && s.contains("2/2 healthy")
                && s.contains("Endpoint    ha-web-db")
        })
    }

    /// opsdeck's pid: the tagged process whose argv[0] is the binary.
    fn opsdeck_pid(&self) -> Option<i32> {
        self.home.tagged_processes().into_iter().find(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cmdline.split(|b| *b == 0).next() == Some(OPSDECK.as_bytes())
        })
    }

    /// The fake plugin's complete records, in order.
    fn plugin_calls(&self) -> Vec<PluginCall> {
        let text = std::fs::read_to_string(self.home.path().join("plugin.rec")).unwrap_or_default();
        let (mut calls, mut lines) = (vec![], vec![]);
        for line in text.lines() {
            if line != "end" {
                lines.push(line);
                continue;
            }
            let value = |key: &str| lines.iter().find_map(|l| l.strip_prefix(key)).unwrap();
            let response: Value =
                serde_json::from_str(value("env_AWS_SSM_START_SESSION_RESPONSE=")).unwrap();
            let args = lines.iter().filter(|l| l.starts_with("arg"));
            calls.push(PluginCall {
                pid: value("pid=").parse().unwrap(),
                args: args.map(|l| l.split_once('=').unwrap().1.into()).collect(),
                session_id: response["SessionId"].as_str().unwrap().into(),
            });
            lines.clear();
        }
        calls
    }

    /// The `n`th plugin run (from 0), once recorded.
    fn plugin_call(&self, n: usize) -> PluginCall {
        eventually("the plugin's record", Duration::from_secs(10), || {
            self.plugin_calls().get(n).cloned()
        })
    }

    /// `q`, then: opsdeck exited 0 and left the terminal's settings as they were before it.
    fn quit(&self) -> String {
        self.quit_with(&["q"])
    }

    /// Sends `keys` (the last of which quits) and checks the exit code and the terminal.
    fn quit_with(&self, keys: &[&str]) -> String {
        self.tmux.keys(keys);
        let file = |name: &str| {
            let path = self.home.path().join(name);
            let read = || {
                std::fs::read_to_string(&path)
                    .ok()
                    .filter(|t| !t.is_empty())
            };
            eventually(name, Duration::from_secs(20), read)
        };
        let (exit, after) = (file("exit.txt"), file("after.txt"));
        let screen = self.tmux.screen();
        assert_eq!(exit.trim(), "EXIT 0", "screen:\n{screen}");
        assert_eq!(file("before.txt"), after, "stty -a differs after quitting");
        screen
    }
}

/// `3` then `S`: a shell on the first instance of the capacity panel; its plugin's record.
fn open_shell(rig: &Rig) -> PluginCall {
    rig.wait_for_console();
    rig.tmux.keys(&["3"]);
    rig.tmux.keys(&["S"]);
    rig.tmux.see("[remote] fake shell", 30);
    rig.plugin_call(0)
}

#[test]
fn shell_from_the_console_ctrl_c_goes_to_the_session_and_the_terminal_comes_back_as_it_was() {
    let rig = Rig::start(&[]);
    let tmux = &rig.tmux;
    let plugin = open_shell(&rig);
    let started = Instant::now();
    let opsdeck = rig.opsdeck_pid().expect("opsdeck runs, tagged");
    tmux.type_line("hello");
    tmux.see("[remote] ran: hello", 10);

    // Typed signals go to the session only: opsdeck and the session carry on, nothing stops.
    for (key, remote) in [
        ("C-c", "[remote] ^C"),
        ("C-z", "[remote] ^Z"),
        ("C-\\", "[remote] ^\\"),
    ] {
        tmux.keys(&[key]);
        let screen = tmux.see(remote, 10);
        assert!(!screen.contains("Stopped"), "{key}:\n{screen}");
        assert!(running(opsdeck), "opsdeck after {key}:\n{screen}");
        assert_eq!(rig.opsdeck_pid(), Some(opsdeck), "after {key}");
        assert!(running(plugin.pid), "the session after {key}:\n{screen}");
    }
    tmux.type_line("still here");
    tmux.see("[remote] ran: still here", 10);

    // Sessions last minutes: this one outlives the 5 s of a "short" (failed) session, so it
    // returns straight to the console, and the 8 s a flash message stays on screen.
    std::thread::sleep(Duration::from_secs(10).saturating_sub(started.elapsed()));
    tmux.type_line("exit");
    let back = tmux.wait_for("the console back", 15, |s| {
        s.contains("[3] Capacity") || s.contains("press any key")
    });
    assert!(
        !back.contains("press any key"),
        "not a short session:\n{back}"
    );
    let ended = format!("session {} on ", plugin.session_id);
    let redrawn = tmux.wait_for("the end-of-session flash", 10, |s| {
        s.contains("[3] Capacity") && s.contains(&ended) && s.contains("ended after")
    });
    assert!(redrawn.contains("[6] Zones"), "a full redraw:\n{redrawn}");
    // Readable, not a blink: a flash stays 8 s from the session's end (not from the last clock
    // tick before the session: the console's clock stands still while the plugin runs).
    std::thread::sleep(Duration::from_secs(2));
    let later = tmux.screen();
    assert!(
        later.contains(&ended),
        "the flash went within 2 s:\n{later}"
    );

    rig.quit();

    let calls = rig.ssm.calls();
    assert_eq!(
        calls.len(),
        1,
        "no TerminateSession after a clean exit: {calls:?}"
    );
    assert_eq!(calls[0]["operation"], "StartSession");
    let instance = calls[0]["request"]["Target"].as_str().unwrap();
    assert!(instance.starts_with("i-"), "{calls:?}");
    assert!(plugin.args[4].contains(instance), "{plugin:?}");
    assert_eq!(
        plugin.args[0], "AWS_SSM_START_SESSION_RESPONSE",
        "{plugin:?}"
    );
    // The plugin talks to the endpoint StartSession went to.
    assert_eq!(plugin.args[5], rig.ssm.url(), "{plugin:?}");
    // Who opened a shell where is in the audit log.
    let audit = rig.audit();
    let shell = audit.iter().find(|r| r["action"] == "shell");
    let shell = shell.unwrap_or_else(|| panic!("no shell record: {audit:?}"));
    assert_eq!(shell["outcome"], "succeeded", "{shell}");
    assert_eq!(shell["target"], instance, "{shell}");
    let detail = shell["detail"].as_str().unwrap();
    assert!(detail.contains(&plugin.session_id), "{shell}");
}

#[test]
fn a_plugin_that_dies_without_restoring_the_terminal_is_cleaned_up_after() {
    let rig = Rig::start(&[("FAKE_SMP_DIE", "1")]);
    let tmux = &rig.tmux;
    let plugin = open_shell(&rig);
    // The plugin really changed the terminal, as the real one does.
    let tty = tmux.run(&["display", "-p", "-t", &tmux.session, "#{pane_tty}"]);
    let out = Command::new("stty").args(["-a", "-F", tty.trim()]).output();
    let settings = String::from_utf8_lossy(&out.unwrap().stdout).to_string();
    let cbreak = settings.contains("-icanon") && settings.contains(" -echo ");
    assert!(cbreak, "{settings}");

    tmux.type_line("exit");
    let screen = tmux.wait_for("the session's end", 15, |s| {
        s.contains("press any key") || s.contains("[3] Capacity")
    });
    assert!(!running(plugin.pid), "the plugin died");
    assert!(
        screen.contains("press any key"),
        "a 1 s session is kept: {screen}"
    );
    assert!(screen.contains("[remote] dying without"), "{screen}");
    assert!(screen.contains("the plugin was killed"), "{screen}");
    // The prompt comes after the session's last words, not over them (resetting the modes
    // the remote left on must not move the cursor).
    let line_of = |needle: &str| screen.lines().position(|l| l.contains(needle));
    assert!(
        line_of("[remote] dying without") < line_of("press any key"),
        "{screen}"
    );
    // Typed ahead: dismiss the prompt and quit at once. The TerminateSession the dead plugin
    // needs must still be sent before opsdeck exits, not abandoned with the runtime.
    rig.quit_with(&["Space", "q"]);
    assert!(
        rig.ssm.terminated(&plugin.session_id),
        "TerminateSession for {} before exit: {:?}",
        plugin.session_id,
        rig.ssm.calls()
    );
}

#[test]
fn tunnel_open_list_close_and_quit_leave_no_process_or_session() {
    let rig = Rig::start(&[]);
    let tmux = &rig.tmux;
    rig.wait_for_console();
    let open = regex::Regex::new(r"127\.0\.0\.1:(\d+)\s+open").unwrap();
    let open_port = |what: &str| -> u16 {
        let list = tmux.wait_for(what, 30, |s| open.is_match(s));
        open.captures(&list).unwrap()[1].parse().unwrap()
    };
    let hide_list = || {
        tmux.keys(&["Escape"]);
        tmux.wait_for("the list hidden", 5, |s| {
            !s.contains("quitting opsdeck closes every tunnel")
        });
    };

    tmux.keys(&["4"]);
    tmux.keys(&["t"]);
    let port = open_port("the tunnel open");
    let plugin = rig.plugin_call(0);
    let local = format!("\"localPortNumber\":[\"{port}\"]");
    assert!(plugin.args[4].contains("PortForwarding") && plugin.args[4].contains(&local));
    assert!(
        rig.home.tagged_processes().contains(&plugin.pid),
        "the plugin carries opsdeck's environment (the tag)"
    );
    drop(TcpStream::connect(("127.0.0.1", port)).expect("the tunnel's port accepts"));
    tmux.see("1 connection(s)", 10);

    tmux.keys(&["x"]);
    let row = format!("127.0.0.1:{port}");
    tmux.wait_for("the tunnel closed", 15, |s| {
        s.lines().any(|l| l.contains(&row) && l.contains("closed"))
    });
    assert!(!running(plugin.pid), "the plugin outlived its tunnel");
    assert!(rig.ssm.terminated(&plugin.session_id), "{:?}", plugin);

    // A second tunnel, left open when quitting.
    hide_list();
    tmux.keys(&["t"]);
    let port = open_port("the second tunnel open");
    let second = rig.plugin_call(1);
    assert_ne!(second.session_id, plugin.session_id);
    assert!(running(second.pid));
    hide_list();

    let screen = rig.quit();
    assert!(screen.contains("opsdeck: closing 1 tunnel(s)"), "{screen}");
    let ssm_pid = rig.ssm.child.id() as i32;
    let mut left = rig.home.tagged_processes();
    left.retain(|p| *p != rig.sandbox_pid && *p != ssm_pid);
    assert!(left.is_empty(), "processes left behind: {left:?}");
    assert!(rig.ssm.terminated(&second.session_id), "{:?}", second);
    let opened = rig
        .audit()
        .into_iter()
        .filter(|r| r["action"] == "open_tunnel");
    let opened: Vec<Value> = opened.collect();
    assert_eq!(opened.len(), 2, "{opened:?}");
    assert_eq!(opened[1]["parameters"]["localPortNumber"], port.to_string());
    let free = TcpListener::bind(("127.0.0.1", port));
    assert!(free.is_ok(), "port {port} is not free again");
}

#[test]
fn the_terminal_closing_mid_session_ends_the_shell_and_the_tunnel_and_terminates_both() {
    let rig = Rig::start(&[]);
    let tmux = &rig.tmux;
    rig.wait_for_console();
    tmux.keys(&["4"]);
    tmux.keys(&["t"]);
    tmux.see("open  · age", 30);
    let tunnel = rig.plugin_call(0);
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list hidden", 5, |s| {
        !s.contains("quitting opsdeck closes every tunnel")
    });
    let shell = open_shell(&rig);
    let opsdeck = rig.opsdeck_pid().expect("opsdeck runs");

    // The window closes (SSH drops): everything on that terminal gets SIGHUP.
    tmux.run(&["kill-server"]);
    eventually("opsdeck to exit", Duration::from_secs(20), || {
        (!running(opsdeck)).then_some(())
    });
    for (what, call) in [("the shell", &shell), ("the tunnel", &tunnel)] {
        assert!(!running(call.pid), "{what}'s plugin outlived opsdeck");
        assert!(
            rig.ssm.terminated(&call.session_id),
            "{what}'s session {} left open: {:?}",
            call.session_id,
            rig.ssm.calls()
        );
    }
    let ssm_pid = rig.ssm.child.id() as i32;
    let mut left = rig.home.tagged_processes();
    left.retain(|p| *p != rig.sandbox_pid && *p != ssm_pid);
    assert!(left.is_empty(), "processes left behind: {left:?}");
}
