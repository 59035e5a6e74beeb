//! The on-call actions (scale, instance actions, alarm mute, deploy, read-only refusal, audit)
//! run for real against the sandbox emulator: through the headless verbs (the `opsdeck`
//! binary) and through the console's core driven without a terminal. Every assertion reads
//! the effect back from the emulator (or proves that nothing was sent), never the console's
//! own idea of what happened.
//!
//! Each test has its own `TestHome` with its own background sandbox, so they run in parallel.
mod common;

use common::{TestHome, clients_for, console_options, deployed_home, endpoint};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::action::Action;
use opsdeck::app::Core;
use opsdeck::audit::{Auditor, Outcome, Record};
use opsdeck::aws::Clients;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::aws::request_log::RequestLog;
use opsdeck::domain::AutoScalingGroup;
use opsdeck::msg::Msg;
use opsdeck::ops::run::RunOptions;
use opsdeck::ops::{InstanceAction, Operation, Progress};
use opsdeck::state::Overlay;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

const STACK: &str = "ha-web";

// ---------------------------------------------------------------------------------------------
// Helpers: homes, headless runs, status read-back
// ---------------------------------------------------------------------------------------------

/// What one headless run did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn says(&self, text: &str) -> bool {
        self.stdout.contains(text) || self.stderr.contains(text)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `opsdeck ARGS` in `home` (add `--sandbox` in `args` where needed).
fn opsdeck(home: &TestHome, args: &[&str]) -> Run {
    let out = home.opsdeck().args(args).output().expect("opsdeck runs");
    Run {
        code: out.status.code().expect("opsdeck exited (not killed)"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `opsdeck --sandbox ARGS` in `home`.
fn sandbox(home: &TestHome, args: &[&str]) -> Run {
    let mut all = vec!["--sandbox"];
    all.extend_from_slice(args);
    opsdeck(home, &all)
}

/// `opsdeck --sandbox ARGS`, which must exit 0.
fn sandbox_ok(home: &TestHome, args: &[&str]) -> Run {
    let run = sandbox(home, args);
    assert_eq!(run.code, 0, "opsdeck --sandbox {args:?}: {run}");
    run
}

/// The stack's one Auto Scaling group as `status --json` reports it.
fn group_json(status: &Value) -> &Value {
    let groups = status["auto_scaling_groups"]
        .as_array()
        .expect("auto_scaling_groups is a list");
    assert_eq!(groups.len(), 1, "one group: {groups:?}");
    &groups[0]
}

fn capacity(status: &Value) -> (i64, i64, i64) {
    let g = group_json(status);
    (
        g["min"].as_i64().unwrap(),
        g["desired"].as_i64().unwrap(),
        g["max"].as_i64().unwrap(),
    )
}

/// (lifecycle, health) of each instance of the group, by id.
fn instances(status: &Value) -> BTreeMap<String, (String, String)> {
    group_json(status)["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                (
                    i["lifecycle"].as_str().unwrap().to_string(),
                    i["health"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn in_service(status: &Value) -> usize {
    instances(status)
        .values()
        .filter(|(lifecycle, _)| lifecycle == "InService")
        .count()
}

/// `actions_enabled` of every alarm of the stack, by name.
fn alarm_actions(status: &Value) -> BTreeMap<String, bool> {
    status["alarms"]
        .as_array()
        .expect("alarms is a list")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["actions_enabled"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// `opsdeck audit --json` of `home`, each line parsed.
fn audit_lines(home: &TestHome) -> Vec<Value> {
    let run = opsdeck(home, &["audit", "--json"]);
    assert_eq!(run.code, 0, "audit --json: {run}");
    run.stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line is not JSON ({e}): {l}"))
        })
        .collect()
}

/// The audit records after the one of the stack's creation by `deployed_home`.
fn audit_after_create(home: &TestHome) -> Vec<Value> {
    let mut lines = audit_lines(home);
    assert!(!lines.is_empty(), "the stack's creation is audited");
    let create = lines.remove(0);
    assert_eq!(
        (&create["action"], &create["parameters"]["create"]),
        (&Value::from("deploy"), &Value::from("true")),
        "{create}"
    );
    lines
}

// ---------------------------------------------------------------------------------------------
// Helpers: the console core and in-process clients
// ---------------------------------------------------------------------------------------------

/// Applies messages from the core's own sources (pollers, actions) until `done`.
async fn run_until(core: &mut Core, what: &str, timeout: Duration, done: impl Fn(&Core) -> bool) {
    let started = Instant::now();
    while !done(core) {
        let left = timeout.checked_sub(started.elapsed()).unwrap_or_else(|| {
            panic!(
                "timed out waiting for {what}; flash: {:?}",
                core.state.flash
            )
        });
        let msg = tokio::time::timeout(left, core.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "timed out waiting for {what}; flash: {:?}",
                    core.state.flash
                )
            })
            .expect("the core's channel stays open");
        core.apply(msg);
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(core: &mut Core, text: &str) {
    for c in text.chars() {
        core.apply(key(KeyCode::Char(c)));
    }
}

/// The stack's one Auto Scaling group, read from the emulator now.
async fn the_group(clients: &Clients) -> AutoScalingGroup {
    let resources = opsdeck::aws::stack::list_resources(clients, STACK)
        .await
        .expect("stack resources");
    let mut groups = opsdeck::aws::asg::describe_groups(clients, &resources.auto_scaling_groups)
        .await
        .expect("groups");
    assert_eq!(groups.len(), 1, "one group: {groups:?}");
    groups.remove(0)
}

/// Operations (as "Service.Operation") whose name is `op`, in `entries`.
fn count_op(entries: &[String], op: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.rsplit('.').next() == Some(op))
        .count()
}

fn read_audit(path: &Path) -> Vec<Record> {
    opsdeck::audit::read(&path.to_path_buf()).expect("the audit log parses")
}

// ---------------------------------------------------------------------------------------------
// 1. Scaling outside min..max is refused before any call (moto would accept it)
// ---------------------------------------------------------------------------------------------

#[test]
fn headless_scale_outside_min_max_is_refused_before_any_call() {
    let home = deployed_home();
    assert_eq!(capacity(&home.status_json()), (2, 2, 6));

    let run = sandbox(&home, &["scale", "--desired", "99", "--yes"]);
    assert_eq!(run.code, 2, "usage error: {run}");
    assert!(
        run.stderr.contains("2..6") && run.stderr.contains("min..max"),
        "names the allowed range: {run}"
    );
    assert!(
        run.stderr.contains("--max 99"),
        "says how to proceed: {run}"
    );

    // moto accepts desired 99 > max 6: unchanged capacity proves nothing was sent.
    let status = home.status_json();
    assert_eq!(capacity(&status), (2, 2, 6));
    assert_eq!(in_service(&status), 2);
    // A rejected input is not an attempted action: nothing is audited.
    assert_eq!(audit_after_create(&home), Vec::<Value>::new());
}

#[test]
fn console_scale_form_refuses_desired_outside_min_max_before_any_call() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    let audit = home.path().join("console-audit.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = RequestLog::default();
        let clients = clients_for(&endpoint, Some(log.clone()), false).await;
        let mut core = Core::start(clients.clone(), &console_options(&audit));
        run_until(
            &mut core,
            "the capacity panel",
            Duration::from_secs(30),
            |c| c.state.capacity.data.is_some(),
        )
        .await;
        assert!(
            count_op(&log.entries(), "DescribeAutoScalingGroups") > 0,
            "the request log sees the console's calls"
        );

        core.apply(Msg::Action(Action::Scale));
        let Overlay::ScaleForm(form) = &core.state.overlay else {
            panic!("the scaling form opens: {:?}", core.state.overlay);
        };
        assert_eq!(form.fields, ["2", "2", "6"].map(String::from));
        assert_eq!(form.field, 0, "desired is the first field");
        for _ in 0..4 {
            core.apply(key(KeyCode::Backspace));
        }
        type_text(&mut core, "99");
        core.apply(key(KeyCode::Enter));

        let Overlay::ScaleForm(form) = &core.state.overlay else {
            panic!("the form stays open: {:?}", core.state.overlay);
        };
        assert_eq!(form.fields[0], "99");
        let error = form.error.clone().expect("the form shows an error");
        assert!(
            error.contains("outside 2..6") && error.contains("min..max"),
            "{error}"
        );

        // Let the pollers run a while: nothing asks the group to change, now or later.
        let settle = Instant::now();
        while settle.elapsed() < Duration::from_secs(1) {
            if let Ok(Some(msg)) =
                tokio::time::timeout(Duration::from_millis(200), core.recv()).await
            {
                core.apply(msg);
            }
        }
        let entries = log.entries();
        for op in ["UpdateAutoScalingGroup", "SetDesiredCapacity"] {
            assert_eq!(count_op(&entries, op), 0, "{op} attempted: {entries:?}");
        }
        assert!(matches!(core.state.overlay, Overlay::ScaleForm(_)));
        assert!(core.state.activity.is_none(), "nothing ran");
        let g = the_group(&clients).await;
        assert_eq!((g.min, g.desired, g.max), (2, 2, 6));

        // The same form with a valid value does reach a confirmation (so the refusal above
        // was the validation, not a dead form); esc declines it and still sends nothing.
        for _ in 0..4 {
            core.apply(key(KeyCode::Backspace));
        }
        type_text(&mut core, "3");
        core.apply(key(KeyCode::Enter));
        let Overlay::Confirm(c) = &core.state.overlay else {
            panic!(
                "a valid value opens the confirmation: {:?}",
                core.state.overlay
            );
        };
        assert_eq!(
            c.op,
            Some(Operation::Scale {
                group: g.name.clone(),
                min: None,
                desired: 3,
                max: None
            })
        );
        core.apply(key(KeyCode::Esc));
        assert_eq!(core.state.overlay, Overlay::None);
        core.stop();
        let entries = log.entries();
        for op in ["UpdateAutoScalingGroup", "SetDesiredCapacity"] {
            assert_eq!(count_op(&entries, op), 0, "{op} attempted: {entries:?}");
        }

        // The check above can fail: moto itself takes desired 99 > max 6 without a word.
        clients
            .autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(&g.name)
            .desired_capacity(99)
            .send()
            .await
            .expect("moto accepts desired above max");
        assert_eq!(the_group(&clients).await.desired, 99);
    });
}

// ---------------------------------------------------------------------------------------------
// 2. Scale up through the console: confirm, run, verdict, effect, audit
// ---------------------------------------------------------------------------------------------

#[test]
fn console_scale_up_runs_after_confirm_and_is_audited() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    let audit = home.path().join("console-audit.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let clients = clients_for(&endpoint, None, false).await;
        let before = the_group(&clients).await;
        assert_eq!(before.desired, 2);
        let mut core = Core::start(clients.clone(), &console_options(&audit));
        run_until(
            &mut core,
            "the capacity panel",
            Duration::from_secs(30),
            |c| c.state.capacity.data.is_some(),
        )
        .await;

        core.apply(Msg::Action(Action::ScaleUp));
        let Overlay::Confirm(c) = &core.state.overlay else {
            panic!("scale up asks first: {:?}", core.state.overlay);
        };
        assert_eq!(c.typed, None, "scaling out needs no typed name");
        assert_eq!(
            c.op,
            Some(Operation::Scale {
                group: before.name.clone(),
                min: None,
                desired: before.desired + 1,
                max: None
            })
        );
        // Nothing has run while the confirmation is on screen.
        assert_eq!(the_group(&clients).await.desired, before.desired);

        core.apply(Msg::Action(Action::Confirm));
        assert!(matches!(core.state.overlay, Overlay::Activity));
        run_until(
            &mut core,
            "the scale verdict",
            Duration::from_secs(60),
            |c| {
                c.state
                    .activity
                    .as_ref()
                    .is_some_and(|a| a.verdict.is_some())
            },
        )
        .await;
        core.stop();
        let activity = core.state.activity.clone().unwrap();
        let verdict = activity.verdict.clone().unwrap();
        assert!(verdict.ok, "{verdict:?}; timeline: {:#?}", activity.lines);
        assert!(verdict.text.contains("3 in service"), "{verdict:?}");

        let after = the_group(&clients).await;
        assert_eq!(after.name, before.name);
        assert_eq!((after.min, after.desired, after.max), (2, 3, 6));
        assert_eq!(after.in_service(), 3);

        let caller = opsdeck::aws::sts::caller_identity(&clients).await.unwrap();
        let records = read_audit(&audit);
        let scale: Vec<&Record> = records.iter().filter(|r| r.action == "scale").collect();
        assert_eq!(scale.len(), 1, "{records:#?}");
        let r = scale[0];
        assert_eq!(r.outcome, Outcome::Succeeded);
        assert!(caller.arn.is_some());
        assert_eq!(r.caller_arn, caller.arn);
        assert_eq!(r.account, caller.account);
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(r.stack, STACK);
        assert_eq!(r.target, before.name);
        assert_eq!(
            r.parameters,
            BTreeMap::from([("desired".to_string(), "3".to_string())])
        );
        assert_eq!(r.detail, verdict.text);
    });
}

// ---------------------------------------------------------------------------------------------
// 3. Scale headless, followed with --wait, then in below what is in service
// ---------------------------------------------------------------------------------------------

#[test]
fn headless_scale_out_with_wait_then_in_below_in_service() {
    let home = deployed_home();

    let run = sandbox_ok(
        &home,
        &[
            "scale",
            "--desired",
            "3",
            "--yes",
            "--wait",
            "--wait-secs",
            "60",
        ],
    );
    assert!(run.stdout.contains("3 in service = desired"), "{run}");
    let status = home.status_json();
    assert_eq!(capacity(&status), (2, 3, 6));
    assert_eq!(in_service(&status), 3);

    // Below the 3 in service (and below the current min): on a non-TTY --yes is the consent.
    let run = sandbox_ok(&home, &["scale", "--desired", "1", "--min", "1", "--yes"]);
    assert!(run.stdout.contains("desired capacity to 1, min 1"), "{run}");
    let status = home.status_json();
    assert_eq!(capacity(&status), (1, 1, 6));
    assert_eq!(in_service(&status), 1, "{:?}", instances(&status));

    // The same capacity again is no change, and says so.
    let run = sandbox_ok(&home, &["scale", "--desired", "1", "--yes"]);
    assert!(run.stdout.contains("No change"), "{run}");
}

// ---------------------------------------------------------------------------------------------
// 4. Instance actions headless (moto 5.2.5 implements all four)
// ---------------------------------------------------------------------------------------------

#[test]
fn headless_instance_actions_change_the_group() {
    let home = deployed_home();
    let status = home.status_json();
    let original: Vec<String> = instances(&status).into_keys().collect();
    assert_eq!(original.len(), 2);
    let (a, b) = (original[0].clone(), original[1].clone());

    // mark-unhealthy: SetInstanceHealth is implemented. moto records the health but, unlike
    // AWS, never replaces the instance; either way it is no longer a healthy instance.
    sandbox_ok(&home, &["instance", "mark-unhealthy", &a, "--yes"]);
    let now = instances(&home.status_json());
    assert!(
        now.get(&a).is_none_or(|(_, health)| health == "Unhealthy"),
        "{a} marked unhealthy: {now:?}"
    );

    // terminate (no decrement), followed: gone, replaced, desired unchanged.
    let run = sandbox_ok(
        &home,
        &[
            "instance",
            "terminate",
            &a,
            "--yes",
            "--wait",
            "--wait-secs",
            "30",
        ],
    );
    assert!(run.stdout.contains("2 in service = desired"), "{run}");
    let status = home.status_json();
    let now = instances(&status);
    assert!(!now.contains_key(&a), "{a} terminated: {now:?}");
    assert_eq!(capacity(&status), (2, 2, 6));
    assert_eq!(in_service(&status), 2);
    let replacements: Vec<&String> = now.keys().filter(|id| !original.contains(id)).collect();
    assert_eq!(replacements.len(), 1, "one replacement: {now:?}");

    // terminate --decrement: gone, desired down by one, no replacement. Scaled to 3 first so
    // the decrement stays within min 2 (see the report on decrementing below min).
    sandbox_ok(&home, &["scale", "--desired", "3", "--yes"]);
    let status = home.status_json();
    assert_eq!(capacity(&status), (2, 3, 6));
    let before: BTreeSet<String> = instances(&status).into_keys().collect();
    let run = sandbox_ok(
        &home,
        &["instance", "terminate", &b, "--decrement", "--yes"],
    );
    assert!(
        run.stdout.contains("terminate and decrement requested"),
        "{run}"
    );
    let status = home.status_json();
    assert_eq!(capacity(&status), (2, 2, 6), "desired dropped by one");
    let now: BTreeSet<String> = instances(&status).into_keys().collect();
    assert!(!now.contains(&b), "{b} terminated: {now:?}");
    assert!(
        now.is_subset(&before),
        "no replacement: {before:?} -> {now:?}"
    );
    assert_eq!(in_service(&status), 2);

    // standby: out of service, desired kept (a replacement launches to keep capacity).
    let c = now.iter().next().unwrap().clone();
    sandbox_ok(&home, &["instance", "standby", &c, "--yes"]);
    let status = home.status_json();
    let now = instances(&status);
    assert_eq!(now[&c].0, "Standby", "{now:?}");
    assert_eq!(capacity(&status), (2, 2, 6));
    assert_eq!(in_service(&status), 2, "capacity kept: {now:?}");

    // A second standby is refused by opsdeck's own check before anything is asked or sent
    // (a usage error: nothing was attempted, so nothing is audited).
    let run = sandbox(&home, &["instance", "standby", &c, "--yes"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.says("not sent") && run.says("Standby"), "{run}");

    // unstandby: back in service. As on AWS, ExitStandby adds it to desired capacity.
    sandbox_ok(&home, &["instance", "unstandby", &c, "--yes"]);
    let status = home.status_json();
    let now = instances(&status);
    assert_eq!(now[&c].0, "InService", "{now:?}");
    assert_eq!(capacity(&status), (2, 3, 6));
    assert_eq!(in_service(&status), 3);

    // An id that is not in the group is a usage error.
    let run = sandbox(
        &home,
        &["instance", "terminate", "i-0000000000000000", "--yes"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.says("is not an instance"), "{run}");

    // Every action that ran is audited as succeeded; the refused standby as failed.
    let actions: Vec<(String, String)> = audit_after_create(&home)
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("mark_unhealthy", "succeeded"),
        ("terminate_instance", "succeeded"),
        ("scale", "succeeded"),
        ("terminate_and_decrement", "succeeded"),
        ("enter_standby", "succeeded"),
        ("exit_standby", "succeeded"),
    ]
    .iter()
    .map(|(a, o)| (a.to_string(), o.to_string()))
    .collect();
    assert_eq!(actions, expected);
}

// ---------------------------------------------------------------------------------------------
// 4b. Failover headless: moto's RebootDBInstance(ForceFailover) changes nothing visible
// ---------------------------------------------------------------------------------------------

#[test]
fn headless_failover_on_the_sandbox_says_nothing_was_observed() {
    let home = deployed_home();
    let db = |status: &Value| {
        let dbs = status["databases"].as_array().expect("databases is a list");
        assert_eq!(dbs.len(), 1, "{dbs:?}");
        (
            dbs[0]["status"].as_str().unwrap().to_string(),
            dbs[0]["az"].as_str().map(str::to_string),
            dbs[0]["multi_az"].as_bool().unwrap(),
        )
    };
    let before = db(&home.status_json());
    assert_eq!(before.0, "available");
    assert!(before.2, "Multi-AZ: the pre-flight passes");

    // Not followed: the request is accepted, and the verdict says it was not followed.
    let run = sandbox_ok(&home, &["failover", "--yes"]);
    assert!(
        run.says("Pre-flight checks") && run.says("not followed"),
        "{run}"
    );

    // Followed: moto shows no status change, no AZ swap and no event, and opsdeck says so
    // instead of claiming a failover it did not see.
    let run = sandbox(&home, &["failover", "--yes", "--wait", "--wait-secs", "2"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.says("no failover observed within"), "{run}");
    assert_eq!(db(&home.status_json()), before);

    let outcomes: Vec<String> = audit_after_create(&home)
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(outcomes, ["failover succeeded", "failover failed"]);
}

// ---------------------------------------------------------------------------------------------
// 5. Alarm mute and unmute headless
// ---------------------------------------------------------------------------------------------

#[test]
fn headless_alarm_mute_and_unmute() {
    let home = deployed_home();
    let alarm = "ha-web-cpu-high";
    let before = alarm_actions(&home.status_json());
    assert_eq!(before.get(alarm), Some(&true), "{before:?}");
    assert!(before.len() > 1, "{before:?}");

    sandbox_ok(&home, &["alarm", "mute", alarm, "--yes"]);
    let muted = alarm_actions(&home.status_json());
    assert!(!muted[alarm]);
    for (name, enabled) in &before {
        if name != alarm {
            assert_eq!(muted[name], *enabled, "{name} untouched");
        }
    }

    let run = sandbox_ok(&home, &["alarm", "mute", alarm, "--yes"]);
    assert!(run.stdout.contains("No change"), "{run}");
    assert!(!alarm_actions(&home.status_json())[alarm]);

    sandbox_ok(&home, &["alarm", "unmute", alarm, "--yes"]);
    assert_eq!(alarm_actions(&home.status_json()), before);

    let run = sandbox_ok(&home, &["alarm", "unmute", alarm, "--yes"]);
    assert!(run.stdout.contains("No change"), "{run}");

    let run = sandbox(&home, &["alarm", "mute", "no-such-alarm", "--yes"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.says("is not an alarm") && run.says(alarm), "{run}");

    // Only the two real changes are audited (a "No change" sends and records nothing).
    let actions: Vec<String> = audit_after_create(&home)
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(actions, ["mute_alarm succeeded", "unmute_alarm succeeded"]);
}

// ---------------------------------------------------------------------------------------------
// 6. Read-only: every mutating operation is refused in the process; nothing mutating is sent
// ---------------------------------------------------------------------------------------------

#[test]
fn read_only_sends_nothing_mutating_for_any_operation() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    let audit = home.path().join("read-only-audit.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // One instance in standby, so that ExitStandby has a legal target and reaches the
        // guard instead of opsdeck's own lifecycle check.
        let writer = clients_for(&endpoint, None, false).await;
        let group = the_group(&writer).await;
        let standby = group.instances[1].id.clone();
        opsdeck::aws::asg::enter_standby(&writer, &group.name, &standby)
            .await
            .unwrap();
        // Min 1, so terminating with a decrement passes opsdeck's own min check and reaches
        // the guard too.
        opsdeck::aws::asg::update_capacity(&writer, &group.name, Some(1), group.desired, None)
            .await
            .unwrap();

        let resources = opsdeck::aws::stack::list_resources(&writer, STACK)
            .await
            .unwrap();
        let group_before = the_group(&writer).await;
        let in_service = group_before
            .instances
            .iter()
            .find(|i| i.lifecycle == "InService")
            .expect("an instance in service")
            .id
            .clone();
        let alarms_before = opsdeck::aws::alarms::stack_alarms(&writer, &resources)
            .await
            .unwrap();
        let stack_before = opsdeck::aws::stack::describe_stack(&writer, STACK)
            .await
            .unwrap();
        let db = resources.db_instances[0].clone();
        let db_before = opsdeck::aws::rds::describe_instances(&writer, &resources.db_instances)
            .await
            .unwrap();

        let log = RequestLog::default();
        let clients = clients_for(&endpoint, Some(log.clone()), true).await;
        assert!(clients.read_only);
        let instance = |instance: &str, action| Operation::Instance {
            group: group_before.name.clone(),
            instance: instance.to_string(),
            action,
        };
        let operations = [
            Operation::Scale {
                group: group_before.name.clone(),
                min: None,
                desired: 3,
                max: None,
            },
            instance(&in_service, InstanceAction::MarkUnhealthy),
            instance(&in_service, InstanceAction::Terminate { decrement: false }),
            instance(&in_service, InstanceAction::Terminate { decrement: true }),
            instance(&in_service, InstanceAction::EnterStandby),
            instance(&standby, InstanceAction::ExitStandby),
            Operation::Failover {
                db: db.clone(),
                cluster: None,
                target: None,
            },
            Operation::AlarmActions {
                alarm: "ha-web-cpu-high".into(),
                enabled: false,
            },
            Operation::DeleteStack {
                stack: STACK.into(),
            },
            Operation::Deploy {
                stack: STACK.into(),
                change_set: "opsdeck-dummy-change-set".into(),
                create: false,
                changes: 0,
                parameters: BTreeMap::from([("DesiredCapacity".into(), "3".into())]),
            },
        ];
        let opts = RunOptions {
            wait: true,
            timeout: Duration::from_secs(10),
            poll_every: Duration::from_secs(1),
        };
        let auditor = Auditor::new(audit.clone());
        for op in &operations {
            // Through `Auditor::perform`, the one path both faces use: it calls
            // `ops::run::execute` and audits the outcome.
            let result = auditor
                .perform(&clients, STACK, op, &opts, &mut |_: Progress| {})
                .await;
            match result {
                Err(e) if e.kind == AwsErrorKind::ReadOnly => {}
                other => panic!("{} was not refused by the guard: {other:?}", op.name()),
            }
        }

        let sent = log.sent();
        assert!(!sent.is_empty(), "the reads were sent and logged");
        for entry in &sent {
            let (_, operation) = entry.rsplit_once('.').expect("Service.Operation");
            assert!(
                opsdeck::aws::guard::is_read_operation(operation),
                "{entry} left the process under --read-only: {sent:?}"
            );
        }
        // The guard stopped them: every mutating call was attempted and refused.
        let entries = log.entries();
        for op in [
            "UpdateAutoScalingGroup",
            "SetInstanceHealth",
            "TerminateInstanceInAutoScalingGroup",
            "EnterStandby",
            "ExitStandby",
            "RebootDBInstance",
            "DisableAlarmActions",
            "DeleteStack",
            "ExecuteChangeSet",
        ] {
            assert!(
                count_op(&entries, op) > 0,
                "{op} never attempted: {entries:?}"
            );
            assert_eq!(count_op(&sent, op), 0, "{op} was sent");
        }

        // Nothing changed in the emulator.
        assert_eq!(the_group(&writer).await, group_before);
        let resources_after = opsdeck::aws::stack::list_resources(&writer, STACK)
            .await
            .unwrap();
        let alarms_after = opsdeck::aws::alarms::stack_alarms(&writer, &resources_after)
            .await
            .unwrap();
        let actions = |alarms: &[opsdeck::domain::Alarm]| -> BTreeMap<String, (bool, String)> {
            alarms
                .iter()
                .map(|a| (a.name.clone(), (a.actions_enabled, a.state.clone())))
                .collect()
        };
        assert_eq!(actions(&alarms_after), actions(&alarms_before));
        let stack_after = opsdeck::aws::stack::describe_stack(&writer, STACK)
            .await
            .unwrap();
        assert_eq!(
            (&stack_after.status, &stack_after.parameters),
            (&stack_before.status, &stack_before.parameters)
        );
        let db_after = opsdeck::aws::rds::describe_instances(&writer, &resources.db_instances)
            .await
            .unwrap();
        assert_eq!(db_after, db_before);

        // Each refusal is audited as refused.
        let records = read_audit(&audit);
        assert_eq!(records.len(), operations.len(), "{records:#?}");
        for (r, op) in records.iter().zip(&operations) {
            assert_eq!(r.action, op.name());
            assert_eq!(r.outcome, Outcome::Refused, "{r:?}");
        }
    });

    // Headless: refused before anything is asked or sent, exit 6, audited as refused.
    let run = sandbox(&home, &["--read-only", "scale", "--desired", "3", "--yes"]);
    assert_eq!(run.code, 6, "{run}");
    assert!(run.stderr.contains("read-only"), "{run}");
    // Min 1 from the setup above; desired untouched.
    assert_eq!(capacity(&home.status_json()), (1, 2, 6));
    let records = audit_after_create(&home);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["action"], "scale");
    assert_eq!(records[0]["outcome"], "refused");
    assert_eq!(records[0]["parameters"]["desired"], "3");
}

// ---------------------------------------------------------------------------------------------
// 7. Deploy an update through the console
// ---------------------------------------------------------------------------------------------

#[test]
fn console_deploy_update_changes_the_stack_parameter() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    let audit = home.path().join("console-audit.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let clients = clients_for(&endpoint, None, false).await;
        let before = opsdeck::aws::stack::describe_stack(&clients, STACK)
            .await
            .unwrap();
        assert_eq!(before.parameters["DesiredCapacity"], "2");
        let old_group = the_group(&clients).await.name;

        let mut core = Core::start(clients.clone(), &console_options(&audit));
        run_until(&mut core, "every panel", Duration::from_secs(30), |c| {
            c.state.all_populated()
        })
        .await;

        // `:deploy DesiredCapacity=3` typed on the command line.
        core.apply(key(KeyCode::Char(':')));
        type_text(&mut core, "deploy DesiredCapacity=3");
        core.apply(key(KeyCode::Enter));
        assert!(core.state.reviewing, "a change set is being built");
        run_until(&mut core, "the review", Duration::from_secs(60), |c| {
            !c.state.reviewing
        })
        .await;
        let Overlay::Confirm(c) = &core.state.overlay else {
            panic!(
                "the change set is shown for confirmation: {:?}; flash {:?}",
                core.state.overlay, core.state.flash
            );
        };
        assert!(
            c.lines.iter().any(|l| l.contains("DesiredCapacity: 2 → 3")),
            "{:?}",
            c.lines
        );
        let Some(Operation::Deploy {
            create, parameters, ..
        }) = &c.op
        else {
            panic!("a deploy to confirm: {:?}", c.op);
        };
        assert!(!create);
        assert_eq!(
            parameters,
            &BTreeMap::from([("DesiredCapacity".to_string(), "3".to_string())])
        );
        // Nothing ran while it is on screen.
        let waiting = opsdeck::aws::stack::describe_stack(&clients, STACK)
            .await
            .unwrap();
        assert_eq!(waiting.parameters["DesiredCapacity"], "2");

        // What moto lists in an UPDATE change set is its own business: if it ever lists a
        // stateful replacement, the console asks for the stack name, so type it.
        match c.typed.clone() {
            Some(name) => {
                type_text(&mut core, &name);
                core.apply(key(KeyCode::Enter));
            }
            None => {
                core.apply(Msg::Action(Action::Confirm));
            }
        }
        assert!(matches!(core.state.overlay, Overlay::Activity));
        run_until(
            &mut core,
            "the deploy verdict",
            Duration::from_secs(90),
            |c| {
                c.state
                    .activity
                    .as_ref()
                    .is_some_and(|a| a.verdict.is_some())
            },
        )
        .await;
        let activity = core.state.activity.clone().unwrap();
        let verdict = activity.verdict.clone().unwrap();
        assert!(verdict.ok, "{verdict:?}; timeline: {:#?}", activity.lines);

        let after = opsdeck::aws::stack::describe_stack(&clients, STACK)
            .await
            .unwrap();
        assert_eq!(after.parameters["DesiredCapacity"], "3");
        assert_eq!(after.status, "UPDATE_COMPLETE");
        // moto replaces the group on an update: look it up again rather than by old name.
        let group = the_group(&clients).await;
        assert_eq!(group.desired, 3, "{group:?}");
        if group.name != old_group {
            eprintln!("the update replaced {old_group} with {}", group.name);
        }

        // The console follows the stack to its (possibly new) group.
        let new_name = group.name.clone();
        run_until(
            &mut core,
            "the capacity panel on the updated group",
            Duration::from_secs(30),
            |c| {
                c.state.capacity.data.as_ref().is_some_and(|d| {
                    d.groups
                        .iter()
                        .any(|g| g.name == new_name && g.desired == 3)
                })
            },
        )
        .await;
        core.stop();

        let records = read_audit(&audit);
        let deploys: Vec<&Record> = records.iter().filter(|r| r.action == "deploy").collect();
        assert_eq!(deploys.len(), 1, "{records:#?}");
        assert_eq!(deploys[0].outcome, Outcome::Succeeded);
        assert_eq!(deploys[0].target, STACK);
        assert_eq!(deploys[0].parameters["DesiredCapacity"], "3");
        assert_eq!(deploys[0].parameters["create"], "false");
    });
}

// ---------------------------------------------------------------------------------------------
// 8. The audit log as JSON lines
// ---------------------------------------------------------------------------------------------

#[test]
fn audit_json_lines_have_every_field_and_no_secret() {
    let home = deployed_home();
    sandbox_ok(&home, &["scale", "--desired", "3", "--yes"]);
    sandbox_ok(&home, &["alarm", "mute", "ha-web-cpu-high", "--yes"]);
    // Not confirmed: stdin is not a terminal and there is no --yes.
    let run = sandbox(&home, &["scale", "--desired", "4"]);
    assert_eq!(run.code, 5, "{run}");
    assert_eq!(
        capacity(&home.status_json()).1,
        3,
        "not confirmed, not done"
    );
    let run = sandbox(
        &home,
        &["--read-only", "alarm", "unmute", "ha-web-cpu-high", "--yes"],
    );
    assert_eq!(run.code, 6, "{run}");

    let lines = audit_lines(&home);
    let fields: BTreeSet<&str> = [
        "time",
        "caller_arn",
        "account",
        "region",
        "profile",
        "stack",
        "action",
        "target",
        "parameters",
        "outcome",
        "detail",
        "duration_ms",
    ]
    .into();
    for line in &lines {
        let object = line.as_object().expect("each line is an object");
        let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, fields, "{line}");
        let time = line["time"].as_str().expect("time is a string");
        chrono::DateTime::parse_from_rfc3339(time).unwrap_or_else(|e| panic!("{time}: {e}"));
        assert!(
            line["caller_arn"]
                .as_str()
                .is_some_and(|a| a.starts_with("arn:aws:")),
            "{line}"
        );
        assert!(
            line["account"].as_str().is_some_and(|a| !a.is_empty()),
            "{line}"
        );
        assert_eq!(line["region"], "us-east-1");
        assert!(line["profile"].is_null(), "{line}");
        assert_eq!(line["stack"], STACK);
        assert!(line["parameters"].is_object(), "{line}");
        assert!(line["detail"].is_string(), "{line}");
        assert!(line["duration_ms"].is_u64(), "{line}");
    }
    let summary: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{} {} {}",
                l["action"].as_str().unwrap(),
                l["target"].as_str().unwrap(),
                l["outcome"].as_str().unwrap()
            )
        })
        .collect();
    let group = group_json(&home.status_json())["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        summary,
        [
            format!("deploy {STACK} succeeded"),
            format!("scale {group} succeeded"),
            "mute_alarm ha-web-cpu-high succeeded".to_string(),
            format!("scale {group} declined"),
            "unmute_alarm ha-web-cpu-high refused".to_string(),
        ]
    );
    assert_eq!(lines[0]["parameters"]["create"], "true");
    assert_eq!(lines[1]["parameters"]["desired"], "3");
    assert_eq!(lines[2]["parameters"]["actions_enabled"], "false");
    assert_eq!(lines[3]["detail"], "not confirmed");

    // The sandbox's secret key never reaches the audit trail, as printed or as stored.
    let secret = opsdeck::sandbox::SECRET_KEY;
    let printed = opsdeck(&home, &["audit", "--json"]).stdout;
    let stored = std::fs::read_to_string(home.state_dir().join("opsdeck").join("audit.jsonl"))
        .expect("the audit log is in the state dir");
    assert_eq!(printed.lines().count(), stored.lines().count());
    for (what, text) in [("printed", &printed), ("stored", &stored)] {
        assert!(
            !text.contains(secret),
            "{what} audit log holds the secret: {text}"
        );
    }

    // The table for people shows the same records.
    let table = opsdeck(&home, &["audit"]);
    assert_eq!(table.code, 0, "{table}");
    assert!(
        table.stdout.contains("mute_alarm") && table.stdout.contains("refused"),
        "{table}"
    );
}
