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
