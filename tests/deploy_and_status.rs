//! Deploy the bundled stack to the sandbox emulator and read it back with `status --json`,
//! all through the real binary and the real AWS SDK over HTTP.
mod common;

use common::TestHome;
use serde_json::Value;

fn count(v: &Value, pred: impl Fn(&Value) -> bool) -> usize {
    v.as_array()
        .map(|a| a.iter().filter(|x| pred(x)).count())
        .unwrap_or(0)
}

#[test]
fn deploy_then_status_shows_a_healthy_ha_stack() {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();
    let s = home.status_json();

    assert_eq!(s["schema_version"], 1);
    assert_eq!(s["stack"]["name"], "ha-web");
    assert_eq!(s["stack"]["status"], "CREATE_COMPLETE");
    assert_eq!(s["errors"], serde_json::json!([]));

    let asg = &s["auto_scaling_groups"][0];
    assert_eq!(
        (
            asg["min"].as_i64(),
            asg["desired"].as_i64(),
            asg["max"].as_i64()
        ),
        (Some(2), Some(2), Some(6))
    );
    assert_eq!(
        count(&asg["instances"], |i| i["lifecycle"] == "InService"),
        2
    );

    let tg = &s["target_groups"][0];
    let targets = tg["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    for t in targets {
        assert_eq!(t["state"], "healthy", "{t}");
        assert!(
            t["az"]
                .as_str()
                .is_some_and(|az| az.starts_with("us-east-1")),
            "target AZ filled in: {t}"
        );
    }

    let db = &s["databases"][0];
    assert_eq!(db["multi_az"], true);
    assert_eq!(db["status"], "available");
    assert_eq!(db["engine"], "mysql");
    assert!(db["endpoint"].as_str().is_some_and(|e| !e.is_empty()));

    // The template defines eight alarms; moto skips them and the sandbox re-creates them.
    let alarm_names: Vec<&str> = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(alarm_names.len(), 8, "{alarm_names:?}");
    for suffix in [
        "alb-5xx",
        "unhealthy-hosts",
        "cpu-high",
        "db-free-storage",
        "db-connections",
    ] {
        assert!(
            alarm_names.contains(&format!("ha-web-{suffix}").as_str()),
            "{suffix} in {alarm_names:?}"
        );
    }
    let cpu = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "ha-web-cpu-high")
        .unwrap();
    assert_eq!(cpu["dimensions"]["AutoScalingGroupName"], asg["name"]);
    assert_eq!(cpu["threshold"], 70.0);
}

#[test]
fn update_with_a_changed_parameter_is_applied_and_a_repeat_is_harmless() {
    let mut home = TestHome::new();
    home.sandbox_up();
    home.deploy_sandbox_stack();

    let out = home
        .opsdeck()
        .args([
            "--sandbox",
            "deploy",
            "--param",
            "DesiredCapacity=3",
            "--yes",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("DesiredCapacity: 2 → 3"),
        "the parameter change is shown: {stdout}"
    );
    assert!(stdout.contains("UPDATE_COMPLETE"), "{stdout}");

    let s = home.status_json();
    assert_eq!(s["stack"]["parameters"]["DesiredCapacity"], "3");
    // The preset's non-default value survived the update (not reset to the template default).
    assert_eq!(s["stack"]["parameters"]["DbDeletionProtection"], "false");
    let asg = &s["auto_scaling_groups"][0];
    assert_eq!(asg["desired"], 3);
    assert_eq!(
        count(&asg["instances"], |i| i["lifecycle"] == "InService"),
        3
    );

    // Deploying the same thing again succeeds (no changes, or an empty update).
    home.opsdeck()
        .args([
            "--sandbox",
            "deploy",
            "--param",
            "DesiredCapacity=3",
            "--yes",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn deploy_without_yes_on_a_non_tty_refuses_and_changes_nothing() {
    let mut home = TestHome::new();
    home.sandbox_up();
    let out = home
        .opsdeck()
        .args(["--sandbox", "deploy"])
        .write_stdin("y\n")
        .assert()
        .code(5);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("--yes"), "{stderr}");
    // Nothing was created: the stack is still unknown.
    home.opsdeck()
        .args(["--sandbox", "status"])
        .assert()
        .code(3);
}
