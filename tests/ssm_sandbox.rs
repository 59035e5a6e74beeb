//! Run Command (`opsdeck run -- CMD`, the console's `:run CMD`) against the sandbox emulator:
//! what is sent, to which instances, what is reported and audited, and what is refused. What
//! was sent is read back from the emulator itself (ListCommands keeps every command moto
//! received) or counted at the SDK boundary with a `RequestLog`.
//!
//! moto's SendCommand adds every instance of the region to a command sent by instance id, and
//! answers GetCommandInvocation with Success for any of them: opsdeck must follow only the
//! instances it targeted. Each test has its own `TestHome` and sandbox, so they run in parallel.
mod common;

use common::{TestHome, clients_for, console_options, deployed_home, endpoint};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::action::Action;
use opsdeck::app::Core;
use opsdeck::audit::Outcome;
use opsdeck::aws::AwsError;
use opsdeck::aws::error::AwsErrorKind;
use opsdeck::aws::guard::is_read_operation;
use opsdeck::aws::request_log::RequestLog;
use opsdeck::aws::{self, Clients};
use opsdeck::domain::AutoScalingGroup;
use opsdeck::msg::Msg;
use opsdeck::ops::run::{RunOptions, Sink};
use opsdeck::ops::{Operation, Progress, Verdict};
use opsdeck::state::Overlay;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const STACK: &str = "ha-web";
const FAKE: &str = "i-00000000000000000";

/// `opsdeck ARGS`: (exit code, stdout, stderr).
fn opsdeck(home: &TestHome, args: &[&str]) -> (i32, String, String) {
    let out = home.opsdeck().args(args).output().expect("opsdeck runs");
    let [o, e] = [out.stdout, out.stderr].map(|b| String::from_utf8_lossy(&b).into_owned());
    (out.status.code().unwrap(), o, e)
}

fn sandbox(home: &TestHome, args: &[&str]) -> (i32, String, String) {
    opsdeck(home, &[&["--sandbox"], args].concat())
}

/// `audit --json`, without the stack's creation (the first record).
fn audit_after_create(home: &TestHome) -> Vec<Value> {
    let (code, out, err) = opsdeck(home, &["audit", "--json"]);
    assert_eq!(code, 0, "{err}");
    let lines = out.lines().map(|l| serde_json::from_str(l).unwrap());
    let lines: Vec<Value> = lines.collect();
    assert_eq!(lines[0]["action"], "deploy", "{lines:?}");
    lines[1..].to_vec()
}

/// The in-service instance ids of the stack's one group, as `status --json` reports them.
fn in_service_from_status(home: &TestHome) -> (String, BTreeSet<String>) {
    let status = home.status_json();
    let groups = status["auto_scaling_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let ids = groups[0]["instances"].as_array().unwrap().iter();
    let ids = ids.filter(|i| i["lifecycle"] == "InService");
    let ids = ids.map(|i| i["id"].as_str().unwrap().into()).collect();
    (groups[0]["name"].as_str().unwrap().to_string(), ids)
}

/// Every command the emulator received: (instance ids as moto stored them, `commands`).
fn emulator_commands(home: &TestHome) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let endpoint = endpoint(home);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let clients = clients_for(&endpoint, None, false).await;
        let out = clients.ssm.list_commands().send().await;
        let commands = out.expect("ListCommands").commands;
        let commands = commands.unwrap_or_default().into_iter().map(|c| {
            assert_eq!(c.document_name(), Some("AWS-RunShellScript"));
            let params = c.parameters().and_then(|p| p.get("commands").cloned());
            let ids = c.instance_ids.unwrap_or_default().into_iter().collect();
            (ids, params.unwrap_or_default())
        });
        commands.collect()
    })
}

/// The stack's one group, read from the emulator now.
async fn the_group(clients: &Clients) -> AutoScalingGroup {
    let resources = aws::stack::list_resources(clients, STACK).await.unwrap();
    let groups = aws::asg::describe_groups(clients, &resources.auto_scaling_groups);
    let mut groups = groups.await.unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    groups.remove(0)
}

/// One of the group's instances into standby: out of service, but still an instance of the
/// region (so moto adds it to every command). Returns the group as it is afterwards.
async fn one_in_standby(clients: &Clients) -> (AutoScalingGroup, String) {
    let group = the_group(clients).await;
    let standby = group.instances[0].id.clone();
    let entered = aws::asg::enter_standby(clients, &group.name, &standby).await;
    entered.expect("EnterStandby");
    (the_group(clients).await, standby)
}

fn in_service(group: &AutoScalingGroup) -> BTreeSet<String> {
    let ids = opsdeck::ops::command::in_service_ids(group);
    ids.into_iter().collect()
}

fn count_op(entries: &[String], op: &str) -> usize {
    let ops = entries.iter().filter_map(|e| e.rsplit('.').next());
    ops.filter(|o| *o == op).count()
}

/// The ids in a list like "i-1, i-2" (or "i-1,i-2" with `sep` ",").
fn split(list: &str, sep: &str) -> BTreeSet<String> {
    list.split(sep).map(String::from).collect()
}

/// "action outcome" of an audit line.
fn outcome(record: &Value) -> String {
    let field = |f: &str| record[f].as_str().unwrap().to_string();
    format!("{} {}", field("action"), field("outcome"))
}

/// The per-instance result lines ("── i-… Success, exit 0") among progress lines.
fn results<'a>(lines: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let results = lines.into_iter().map(str::trim_start);
    let results = results.filter_map(|l| l.strip_prefix("── "));
    results.map(String::from).collect()
}

fn all_succeeded(ids: &BTreeSet<String>) -> BTreeSet<String> {
    let lines = ids.iter().map(|id| format!("{id} Success, exit 0"));
    lines.collect()
}

/// `ops::run::execute` on the stack, followed up to 30 s, polling every second.
async fn execute(clients: &Clients, op: &Operation, sink: Sink<'_>) -> Result<Verdict, AwsError> {
    let opts = RunOptions {
        wait: true,
        timeout: Duration::from_secs(30),
        poll_every: Duration::from_secs(1),
    };
    opsdeck::ops::run::execute(clients, STACK, op, &opts, sink).await
}

// 1. Headless run, confirmed with --yes
#[test]
fn headless_run_reports_every_in_service_instance_and_is_audited() {
    let home = deployed_home();
    let (group, ids) = in_service_from_status(&home);
    assert_eq!(ids.len(), 2, "{ids:?}");

    let (code, out, err) = sandbox(&home, &["run", "--yes", "--", "echo", "hello"]);
    assert_eq!(code, 0, "{out}{err}");
    let listed = out
        .lines()
        .find_map(|l| l.strip_prefix("Instances in service: "));
    assert_eq!(split(listed.unwrap(), ", "), ids, "{out}");
    let will = format!("Will run `echo hello` on 2 in-service instance(s) of {group}.");
    assert!(out.contains(&will), "{out}");
    assert_eq!(results(out.lines()), all_succeeded(&ids), "{out}");
    assert!(out.contains("✔ 2/2 instances succeeded"), "{out}");

    let records = audit_after_create(&home);
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(outcome(r), "run_command succeeded");
    assert_eq!(r["target"], group.as_str());
    assert_eq!(r["parameters"]["command"], "echo hello");
    assert_eq!(r["parameters"]["timeout_secs"], "120");
    let audited = r["parameters"]["instances"].as_str().unwrap();
    assert_eq!(split(audited, ","), ids);

    // The emulator received exactly one command, with the command line as typed.
    let commands = emulator_commands(&home);
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0].1, ["echo hello"]);
    assert!(commands[0].0.is_superset(&ids), "{commands:?}");
}

// 2. Not confirmed (no TTY, no --yes), and an empty command
#[test]
fn headless_run_without_consent_or_command_sends_nothing() {
    let home = deployed_home();
    // `output()` gives the child no terminal on stdin.
    let (code, out, err) = sandbox(&home, &["run", "--", "uptime"]);
    assert_eq!(code, 5, "{out}{err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(out.contains("Not done."), "{out}");
    let records = audit_after_create(&home);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(outcome(&records[0]), "run_command declined");
    assert_eq!(records[0]["detail"], "not confirmed");

    let (code, out, err) = sandbox(&home, &["run", "--yes", "--", "  "]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no command given"), "{err}");
    assert!(
        err.contains("`opsdeck run -- uptime`"),
        "names the fix: {err}"
    );
    // A usage error is not an attempted action: nothing more is audited.
    assert_eq!(audit_after_create(&home).len(), 1);

    // moto keeps every command it receives: none arrived.
    assert_eq!(emulator_commands(&home), vec![]);
}

// 3. --read-only: run, ssm and tunnel refused; no SendCommand leaves the process
#[test]
fn read_only_refuses_run_ssm_and_tunnel() {
    let home = deployed_home();
    for args in [
        &["--read-only", "run", "--yes", "--", "uptime"][..],
        &["--read-only", "ssm", "--any-healthy"],
        &["--read-only", "tunnel"],
    ] {
        let (code, out, err) = sandbox(&home, args);
        assert_eq!(code, 6, "{args:?}: {out}{err}");
        assert!(err.contains("read-only"), "{args:?}: {err}");
    }
    // Sessions are refused before any operation exists; only run is audited.
    let records = audit_after_create(&home);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(outcome(&records[0]), "run_command refused");
    assert_eq!(records[0]["parameters"]["command"], "uptime");

    // The library path with read-only clients: the guard stops SendCommand in the process.
    let endpoint = endpoint(&home);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let log = RequestLog::default();
        let clients = clients_for(&endpoint, Some(log.clone()), true).await;
        let group = the_group(&clients).await;
        let op = Operation::RunCommand {
            group: group.name.clone(),
            instances: in_service(&group).into_iter().collect(),
            command: "uptime".into(),
            timeout_secs: 60,
        };
        match execute(&clients, &op, &mut |_| {}).await {
            Err(e) if e.kind == AwsErrorKind::ReadOnly => {}
            other => panic!("not refused by the guard: {other:?}"),
        }
        assert_eq!(count_op(&log.entries(), "SendCommand"), 1, "attempted");
        let sent = log.sent();
        assert_eq!(count_op(&sent, "SendCommand"), 0, "{sent:?}");
        let ops = sent.iter().filter_map(|e| e.rsplit('.').next());
        let writes: Vec<&str> = ops.filter(|o| !is_read_operation(o)).collect();
        assert_eq!(writes, Vec::<&str>::new(), "{sent:?}");
    });
    assert_eq!(emulator_commands(&home), vec![]);
}

// 4. The console: `!` → "run uptime" → confirmation → progress view
async fn run_until(core: &mut Core, what: &str, timeout: Duration, done: impl Fn(&Core) -> bool) {
    let started = Instant::now();
    while !done(core) {
        let left = timeout.checked_sub(started.elapsed());
        let left = left.unwrap_or_else(|| panic!("timed out: {what}; {:?}", core.state.flash));
        let msg = tokio::time::timeout(left, core.recv()).await;
        let msg = msg.unwrap_or_else(|_| panic!("timed out: {what}; {:?}", core.state.flash));
        core.apply(msg.expect("the core's channel stays open"));
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn console_run_confirms_the_in_service_instances_and_follows_only_them() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    let audit = home.path().join("console-audit.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (standby, targets) = runtime.block_on(async {
        let writer = clients_for(&endpoint, None, false).await;
        let (group, standby) = one_in_standby(&writer).await;
        let targets = in_service(&group);
        assert_eq!(targets.len(), 2, "a replacement keeps capacity: {group:?}");
        assert!(!targets.contains(&standby));

        let log = RequestLog::default();
        let clients = clients_for(&endpoint, Some(log.clone()), false).await;
        let options = console_options(&audit);
        let mut core = Core::start(clients, &options);
        let loaded = |c: &Core| c.state.capacity.data.is_some();
        run_until(&mut core, "capacity", Duration::from_secs(30), loaded).await;

        // `!` opens the command line with "run "; the rest is typed.
        core.apply(Msg::Action(Action::RunCommand));
        let Overlay::Command(input) = &core.state.overlay else {
            panic!("the command line opens: {:?}", core.state.overlay);
        };
        assert_eq!(input.text, "run ");
        let typed = "uptime".chars().map(|c| key(KeyCode::Char(c)));
        typed.for_each(|k| _ = core.apply(k));
        core.apply(key(KeyCode::Enter));
        let (overlay, flash) = (&core.state.overlay, &core.state.flash);
        let Overlay::Confirm(c) = overlay else {
            panic!("a confirmation: {overlay:?}; flash {flash:?}");
        };
        let op = c.op.clone().expect("something to confirm");
        let Operation::RunCommand { instances, .. } = &op else {
            panic!("a command to confirm: {op:?}");
        };
        let expected = Operation::RunCommand {
            group: group.name.clone(),
            instances: instances.clone(),
            command: "uptime".into(),
            timeout_secs: 120,
        };
        assert_eq!(op, expected);
        assert_eq!(instances.iter().cloned().collect::<BTreeSet<_>>(), targets);
        let listed = c.lines.iter().find_map(|l| l.strip_prefix("instances: "));
        assert_eq!(split(listed.unwrap(), ", "), targets, "{:?}", c.lines);
        assert_eq!(count_op(&log.entries(), "SendCommand"), 0, "not before y");

        core.apply(Msg::Action(Action::Confirm));
        assert!(matches!(core.state.overlay, Overlay::Activity));
        let ended = |c: &Core| c.state.activity.as_ref().is_some_and(|a| !a.running());
        run_until(&mut core, "the verdict", Duration::from_secs(60), ended).await;
        core.stop();
        let activity = core.state.activity.clone().unwrap();
        let verdict = activity.verdict.clone().unwrap();
        assert!(verdict.ok, "{verdict:?}: {:#?}", activity.lines);
        assert_eq!(verdict.text, "2/2 instances succeeded");
        let seen = results(activity.lines.iter().map(String::as_str));
        assert_eq!(seen, all_succeeded(&targets), "{:#?}", activity.lines);

        // One SendCommand; one GetCommandInvocation per target (moto answers Success at the
        // first poll) and none for the standby instance moto adds to the command.
        let sent = log.sent();
        assert_eq!(count_op(&sent, "SendCommand"), 1, "{sent:?}");
        let polls = count_op(&sent, "GetCommandInvocation");
        assert_eq!(polls, targets.len(), "{sent:?}");
        (standby, targets)
    });

    let commands = emulator_commands(&home);
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0].1, ["uptime"]);
    assert!(commands[0].0.is_superset(&targets), "{commands:?}");
    if commands[0].0.contains(&standby) {
        eprintln!("moto added {standby} to the command: its send_command bug, as noted");
    }
    let records = opsdeck::audit::read(&audit).unwrap();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0].action, "run_command");
    assert_eq!(records[0].outcome, Outcome::Succeeded);
    assert_eq!(records[0].parameters["command"], "uptime");
}

// 5. Confirmed instances that left service are skipped, and the verdict says so
#[test]
fn instances_no_longer_in_service_are_skipped_not_sent() {
    let home = deployed_home();
    let endpoint = endpoint(&home);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let log = RequestLog::default();
        let clients = clients_for(&endpoint, Some(log.clone()), false).await;
        let (group, standby) = one_in_standby(&clients).await;
        let real = in_service(&group).into_iter().next().unwrap();
        let run = |instances: &[&str]| Operation::RunCommand {
            group: group.name.clone(),
            instances: instances.iter().map(|s| s.to_string()).collect(),
            command: "uptime".into(),
            timeout_secs: 60,
        };

        // Confirmed: an id that is no instance, one now in standby, and one in service.
        log.clear();
        let mut events = Vec::new();
        let mut sink = |p: Progress| {
            if let Progress::Event(line) = p {
                events.push(line);
            }
        };
        let op = run(&[FAKE, &standby, &real]);
        let verdict = execute(&clients, &op, &mut sink).await.unwrap();
        for gone in [FAKE, &standby] {
            let skipped = format!("{gone}: skipped, no longer in service in {}", group.name);
            assert!(events.contains(&skipped), "{events:#?}");
        }
        let sent_to_one = |e: &String| e.ends_with("sent to 1 instance(s): uptime");
        assert!(events.iter().any(sent_to_one), "{events:#?}");
        let real_only = BTreeSet::from([real.clone()]);
        let lines = events.iter().map(String::as_str);
        assert_eq!(results(lines), all_succeeded(&real_only), "{events:#?}");
        assert!(!verdict.ok, "a skip is no full success: {verdict:?}");
        let text = format!("1/1 instances succeeded; skipped (left service): {FAKE}, {standby}");
        assert_eq!(verdict.text, text);
        let sent = log.sent();
        assert_eq!(count_op(&sent, "SendCommand"), 1, "{sent:?}");
        assert_eq!(count_op(&sent, "GetCommandInvocation"), 1, "{sent:?}");

        // None of them in service: nothing is sent at all.
        log.clear();
        let verdict = execute(&clients, &run(&[FAKE]), &mut |_| {}).await.unwrap();
        let text = &verdict.text;
        assert!(
            !verdict.ok && text.starts_with("not sent: none of the 1"),
            "{text}"
        );
        assert_eq!(count_op(&log.sent(), "SendCommand"), 0);
    });

    // The emulator got one command, and the id that is no instance was never in it.
    let commands = emulator_commands(&home);
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert!(!commands[0].0.contains(FAKE), "{commands:?}");
}
