//! Mistakes a user can make get a clear message and a distinct exit code, never a hang.
mod common;

use common::TestHome;
use std::time::{Duration, Instant};

fn stderr_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// An endpoint where nothing listens: any AWS call made would fail as unreachable, so a
/// usage error proves it was caught before any call.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

fn offline(home: &TestHome) -> assert_cmd::Command {
    let mut cmd = home.opsdeck();
    cmd.env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .args(["--region", "us-east-1", "--endpoint-url", DEAD_ENDPOINT]);
    cmd
}

#[test]
fn unknown_parameter_is_refused_before_any_call() {
    let home = TestHome::new();
    let out = offline(&home)
        .args(["deploy", "--param", "DesiredCapacty=3"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("unknown parameter \"DesiredCapacty\""),
        "{err}"
    );
    assert!(
        err.contains("DesiredCapacity"),
        "lists the real names: {err}"
    );
}

#[test]
fn bad_parameter_values_name_the_allowed_ones() {
    let home = TestHome::new();
    let err = stderr_of(
        &offline(&home)
            .args(["deploy", "--param", "DbEngine=oracle"])
            .assert()
            .code(2),
    );
    assert!(err.contains("allowed values are mysql, postgres"), "{err}");
    let err = stderr_of(
        &offline(&home)
            .args(["deploy", "--param", "MaxSize=lots"])
            .assert()
            .code(2),
    );
    assert!(err.contains("expected a number"), "{err}");
    let err = stderr_of(
        &offline(&home)
            .args(["deploy", "--param", "MaxSize"])
            .assert()
            .code(2),
    );
    assert!(err.contains("KEY=VALUE"), "{err}");
    let err = stderr_of(
        &offline(&home)
            .args(["deploy", "--preset", "gold"])
            .assert()
            .code(2),
    );
    assert!(
        err.contains("Available presets: free-tier, production, full, sandbox"),
        "{err}"
    );
}

#[test]
fn unreachable_endpoint_fails_fast_with_a_fix() {
    let home = TestHome::new();
    let started = Instant::now();
    let err = stderr_of(
        &offline(&home)
            .args(["status"])
            .timeout(Duration::from_secs(30))
            .assert()
            .code(4),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.contains("endpoint unreachable"), "{err}");
    assert!(err.contains("--endpoint-url"), "names the fix: {err}");
}

#[test]
fn unknown_stack_is_a_clear_not_found() {
    let mut home = TestHome::new();
    home.sandbox_up();
    let err = stderr_of(
        &home
            .opsdeck()
            .args(["--sandbox", "--stack", "nope", "status"])
            .assert()
            .code(3),
    );
    assert!(err.contains("nope"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("--stack"), "names the fix: {err}");
}

#[test]
fn sandbox_and_endpoint_url_together_are_refused() {
    let home = TestHome::new();
    let mut home = home;
    home.sandbox_up();
    let err = stderr_of(
        &home
            .opsdeck()
            .args(["--sandbox", "--endpoint-url", DEAD_ENDPOINT, "status"])
            .assert()
            .code(2),
    );
    assert!(err.contains("use one"), "{err}");
}

#[test]
fn bad_log_level_is_a_usage_error() {
    let home = TestHome::new();
    let err = stderr_of(
        &home
            .opsdeck()
            .args(["--log-level", "loud=[", "status"])
            .assert()
            .code(2),
    );
    assert!(err.contains("--log-level"), "{err}");
}

#[test]
fn a_bad_keymap_stops_start_up_before_the_terminal_is_taken_over() {
    let home = TestHome::new();
    let file = home.path().join("bad.toml");
    std::fs::write(&file, "[global]\nq = \"quitt\"\n").unwrap();
    let out = offline(&home)
        .args(["--keymap", file.to_str().unwrap()])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("bad.toml:2:"),
        "names the file and line: {err}"
    );
    assert!(
        err.contains("did you mean \"quit\""),
        "names the fix: {err}"
    );
    // Nothing was drawn: no alternate-screen escape reached the terminal.
    assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("\x1b[?1049h"));
}

#[test]
fn bad_poll_intervals_are_usage_errors() {
    let home = TestHome::new();
    let err = stderr_of(
        &offline(&home)
            .args(["--interval", "targets=0"])
            .assert()
            .code(2),
    );
    assert!(err.contains("1 to 3600"), "{err}");
    let err = stderr_of(
        &offline(&home)
            .args(["--interval", "tragets=5"])
            .assert()
            .code(2),
    );
    assert!(err.contains("panels are stack, targets"), "{err}");
}
