//! End to end: the real binary in tmux against the sandbox, read from the screen as a user
//! would. Needs tmux (installed by .ci/run).
mod common;

use common::TestHome;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(home: &TestHome, script: &str, width: u16, height: u16) -> Tmux {
        // tmux reads "." and ":" in a target as window and pane separators.
        let session = home.tag.replace(['.', ':'], "_");
        // A tmux server of its own: a shared server would give the session the environment
        // of whichever test started the server first.
        let status = Command::new("tmux")
            .args(["-L", &session])
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(format!("sh {script}"))
            .env("XDG_STATE_HOME", home.state_dir())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("OPSDECK_TEST_TAG", &home.tag)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Tmux { session }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.session])
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn keys(&self, keys: &[&str]) {
        Command::new("tmux")
            .args(["-L", &self.session])
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
    }

    /// Waits until the screen satisfies `pred`; panics with the screen if it never does.
    fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if started.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.session])
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn wait_for_file(path: &Path, timeout: Duration) -> String {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn console_shows_capacity_and_targets_opens_help_and_quits_leaving_the_terminal_as_it_was() {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();
    let dir = home.path().to_path_buf();
    let script = dir.join("run.sh");
    std::fs::write(
        &script,
        format!(
            "stty -a > {d}/before.txt\n{bin} --sandbox\necho $? > {d}/exit.txt\nstty -a > {d}/after.txt\nsleep 120\n",
            d = dir.display(),
            bin = env!("CARGO_BIN_EXE_opsdeck"),
        ),
    )
    .unwrap();
    let tmux = Tmux::start(&home, script.to_str().unwrap(), 160, 48);

    // The capacity panel names the group and counts instances in service; the targets panel
    // counts healthy targets.
    let screen = tmux.wait_for("the panels populated", Duration::from_secs(30), |s| {
        s.contains("ha-web-Asg") && s.contains("2/2 in service") && s.contains("2/2 healthy")
    });
    assert!(screen.contains("Targets"), "{screen}");
    assert!(screen.contains("Capacity"), "{screen}");
    assert!(screen.contains("Zones"), "{screen}");

    tmux.keys(&["?"]);
    let help = tmux.wait_for("the help overlay", Duration::from_secs(5), |s| {
        s.contains("quit opsdeck")
    });
    assert!(help.contains("refresh the focused panel now"), "{help}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the help closed", Duration::from_secs(5), |s| {
        !s.contains("quit opsdeck")
    });

    tmux.keys(&["q"]);
    let exit = wait_for_file(&dir.join("exit.txt"), Duration::from_secs(10));
    assert_eq!(exit.trim(), "0");
    let before = wait_for_file(&dir.join("before.txt"), Duration::from_secs(1));
    let after = wait_for_file(&dir.join("after.txt"), Duration::from_secs(5));
    assert_eq!(before, after, "stty -a differs after quitting");
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes_with_a_full_redraw() {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();
    let dir = home.path().to_path_buf();
    // An interactive shell, so there is job control for Ctrl-Z and `fg`.
    let script = dir.join("shell.sh");
    std::fs::write(&script, "exec bash --norc --noprofile -i\n").unwrap();
    let tmux = Tmux::start(&home, script.to_str().unwrap(), 120, 36);
    tmux.wait_for("the shell prompt", Duration::from_secs(10), |s| {
        s.contains('$') || s.contains('#')
    });
    tmux.keys(&[
        &format!(
            "stty -a > {d}/before.txt; {bin} --sandbox; stty -a > {d}/after.txt",
            d = dir.display(),
            bin = env!("CARGO_BIN_EXE_opsdeck")
        ),
        "Enter",
    ]);
    tmux.wait_for("the console", Duration::from_secs(30), |s| {
        s.contains("2/2 in service")
    });
    tmux.keys(&["C-z"]);
    tmux.wait_for(
        "the shell's job-control message",
        Duration::from_secs(10),
        |s| s.contains("Stopped"),
    );
    tmux.keys(&["fg", "Enter"]);
    let screen = tmux.wait_for("the console redrawn", Duration::from_secs(10), |s| {
        s.contains("2/2 in service") && s.contains("Zones") && !s.contains("Stopped")
    });
    assert!(screen.contains("Targets"), "{screen}");
    tmux.keys(&["q"]);
    let after = wait_for_file(&dir.join("after.txt"), Duration::from_secs(10));
    let before = wait_for_file(&dir.join("before.txt"), Duration::from_secs(1));
    assert_eq!(
        before, after,
        "stty -a differs after suspend, resume and quit"
    );
}

/// The screen's lines that contain `needle`, for assertions about one panel's text.
fn lines_with<'a>(screen: &'a str, needle: &str) -> Vec<&'a str> {
    screen.lines().filter(|l| l.contains(needle)).collect()
}

/// The capacity panel's two group lines: "<group>  min 2 · desired 2 · max 6" and
/// "✔ 2 in service  … 0 pending  ↓ 0 terminating  ? 0 standby".
fn capacity_shows(screen: &str, desired: i32, in_service: usize) -> bool {
    !lines_with(screen, &format!("min 2 · desired {desired} · max 6")).is_empty()
        && !lines_with(screen, &format!("✔ {in_service} in service  … 0 pending")).is_empty()
}

#[test]
fn scale_up_from_the_console_the_capacity_panel_follows_it_is_audited_and_read_only_refuses_it() {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();
    let dir = home.path().to_path_buf();
    let script = dir.join("run.sh");
    std::fs::write(
        &script,
        format!(
            "stty -a > {d}/before.txt\n{bin} --sandbox\necho $? > {d}/exit.txt\nstty -a > {d}/after.txt\nsleep 120\n",
            d = dir.display(),
            bin = env!("CARGO_BIN_EXE_opsdeck"),
        ),
    )
    .unwrap();
    let tmux = Tmux::start(&home, script.to_str().unwrap(), 160, 48);

    tmux.wait_for(
        "the capacity panel at desired 2 with 2 in service",
        Duration::from_secs(30),
        |s| s.contains("ha-web-Asg") && capacity_shows(s, 2, 2),
    );

    tmux.keys(&["3"]);
    tmux.keys(&["+"]);
    let confirm = tmux.wait_for("the scale confirmation", Duration::from_secs(5), |s| {
        s.contains("Scale ha-web-Asg")
            && s.contains("min 2 desired 2 max 6 → min 2 desired 3 max 6")
    });
    assert!(confirm.contains("2 instances in service now"), "{confirm}");
    assert!(confirm.contains("y yes, run it"), "{confirm}");

    tmux.keys(&["y"]);
    let verdict = tmux.wait_for(
        "the progress view's verdict",
        Duration::from_secs(90),
        |s| s.contains("in service = desired after"),
    );
    let verdict_line = lines_with(&verdict, "in service = desired after").join("\n");
    assert!(
        verdict_line.contains("✔ ha-web-Asg") && verdict_line.contains(": 3 in service = desired"),
        "the verdict is a success with 3 in service; screen:\n{verdict}"
    );
    assert!(
        verdict.contains("capacity 2/2/6 → 2/3/6 (min/desired/max)"),
        "the timeline shows the capacity change; screen:\n{verdict}"
    );

    tmux.keys(&["Escape"]);
    let after = tmux.wait_for(
        "the capacity panel at desired 3 with 3 in service",
        Duration::from_secs(30),
        |s| !s.contains("in service = desired after") && capacity_shows(s, 3, 3),
    );
    assert!(
        after.contains("3/3 in service"),
        "the panel title counts 3/3; screen:\n{after}"
    );

    let audit_path = home.state_dir().join("opsdeck").join("audit.jsonl");
    let audit = wait_for_file(&audit_path, Duration::from_secs(5));
    let records: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["action"] == "scale" && r["outcome"] == "succeeded"),
        "a succeeded scale record in {}:\n{audit}",
        audit_path.display()
    );

    tmux.keys(&["q"]);
    let exit = wait_for_file(&dir.join("exit.txt"), Duration::from_secs(10));
    assert_eq!(exit.trim(), "0", "screen:\n{}", tmux.screen());
    let before = wait_for_file(&dir.join("before.txt"), Duration::from_secs(1));
    let after = wait_for_file(&dir.join("after.txt"), Duration::from_secs(5));
    assert_eq!(before, after, "stty -a differs after quitting");
    drop(tmux);

    // The same key under --read-only, on the same sandbox: refused on the bottom line, no
    // confirmation, and the group keeps the desired capacity it has (3).
    let script = dir.join("run_read_only.sh");
    std::fs::write(
        &script,
        format!(
            "{bin} --sandbox --read-only\necho $? > {d}/exit_read_only.txt\nsleep 120\n",
            d = dir.display(),
            bin = env!("CARGO_BIN_EXE_opsdeck"),
        ),
    )
    .unwrap();
    let tmux = Tmux::start(&home, script.to_str().unwrap(), 160, 48);
    let screen = tmux.wait_for(
        "the read-only console with its capacity panel",
        Duration::from_secs(30),
        |s| capacity_shows(s, 3, 3),
    );
    let top = screen.lines().next().unwrap_or_default();
    assert!(
        top.contains("READ-ONLY"),
        "the top bar says READ-ONLY; screen:\n{screen}"
    );

    tmux.keys(&["3"]);
    tmux.keys(&["+"]);
    let refused = tmux.wait_for("the read-only refusal", Duration::from_secs(5), |s| {
        s.contains("refused")
    });
    let bottom = refused
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        bottom.contains("scale_up refused") && bottom.contains("read-only"),
        "the bottom line refuses it; screen:\n{refused}"
    );
    assert!(
        !refused.contains("Scale ha-web-Asg"),
        "no confirmation opens; screen:\n{refused}"
    );
    let asg = &home.status_json()["auto_scaling_groups"][0];
    assert_eq!(asg["desired"], 3, "the group is unchanged: {asg}");

    tmux.keys(&["q"]);
    let exit = wait_for_file(&dir.join("exit_read_only.txt"), Duration::from_secs(10));
    assert_eq!(exit.trim(), "0", "screen:\n{}", tmux.screen());
}
