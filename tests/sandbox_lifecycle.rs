//! The sandbox emulator: a background one shared between commands, and private ones that
//! never outlive their command.
mod common;

use common::TestHome;

#[test]
fn background_sandbox_is_shared_between_commands_and_stops_on_down() {
    let mut home = TestHome::new();
    home.opsdeck().args(["sandbox", "status"]).assert().code(3);
    home.sandbox_up();
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.state_dir().join("opsdeck/sandbox.json")).unwrap(),
    )
    .unwrap();
    let pid = record["pid"].as_i64().unwrap() as i32;
    assert!(home.tagged_processes().contains(&pid));
    home.opsdeck()
        .args(["sandbox", "status"])
        .assert()
        .success();
    // A second `up` reuses it.
    home.opsdeck().args(["sandbox", "up"]).assert().success();
    assert_eq!(home.tagged_processes(), vec![pid]);

    home.deploy_sandbox_stack();
    // A second process sees what the first deployed.
    assert_eq!(home.status_json()["stack"]["status"], "CREATE_COMPLETE");
    home.opsdeck().args(["sandbox", "reset"]).assert().success();
    home.opsdeck()
        .args(["--sandbox", "status"])
        .assert()
        .code(3);

    home.opsdeck().args(["sandbox", "down"]).assert().success();
    assert!(
        home.tagged_processes().is_empty(),
        "moto left running: {:?}",
        home.tagged_processes()
    );
    home.opsdeck().args(["sandbox", "reset"]).assert().failure();
}

#[test]
fn private_sandbox_lives_only_as_long_as_its_command() {
    let home = TestHome::new();
    // No background sandbox: --sandbox starts a private one, and the stack is unknown there.
    home.opsdeck()
        .args(["--sandbox", "status"])
        .assert()
        .code(3);
    assert!(
        home.tagged_processes().is_empty(),
        "moto left running: {:?}",
        home.tagged_processes()
    );
}

/// Starts a deploy on a private sandbox and returns once its emulator is up.
fn start_deploy(home: &TestHome) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("XDG_STATE_HOME", home.state_dir())
        .env("OPSDECK_TEST_TAG", &home.tag)
        .args(["--sandbox", "deploy", "--preset", "sandbox", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while home.tagged_processes().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        home.tagged_processes().len(),
        2,
        "opsdeck and its emulator are running"
    );
    child
}

fn assert_no_strays(home: &TestHome) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !home.tagged_processes().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        home.tagged_processes().is_empty(),
        "orphaned: {:?}",
        home.tagged_processes()
    );
}

#[test]
fn private_sandbox_dies_with_a_killed_opsdeck() {
    let home = TestHome::new();
    let mut child = start_deploy(&home);
    // SIGKILL leaves opsdeck no chance to clean up: PR_SET_PDEATHSIG must stop the emulator.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_no_strays(&home);
}

#[test]
fn private_sandbox_stops_on_ctrl_c() {
    let home = TestHome::new();
    let mut child = start_deploy(&home);
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    child.wait().unwrap();
    assert_no_strays(&home);
}
