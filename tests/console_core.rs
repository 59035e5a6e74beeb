//! The console's core loop (state, update, effects and pollers) driven without a terminal
//! against the sandbox emulator, through the real SDK, until every panel is populated.
mod common;

use opsdeck::app::{ConsoleOptions, Core};
use opsdeck::aws::request_log::RequestLog;
use opsdeck::aws::{ClientOptions, Clients};
use opsdeck::msg::Msg;
use opsdeck::sandbox::Sandbox;
use opsdeck::state::PanelId;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn deploy(endpoint: &str) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args([
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "deploy",
            "--preset",
            "sandbox",
            "--yes",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("opsdeck-console-core-test"),
        )
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn options() -> ConsoleOptions {
    common::console_options(&std::env::temp_dir().join("opsdeck-console-core-audit.jsonl"))
}

async fn run_until(core: &mut Core, timeout: Duration, done: impl Fn(&Core) -> bool) {
    let started = Instant::now();
    while !done(core) {
        let left = timeout.checked_sub(started.elapsed()).expect("timed out");
        let msg = tokio::time::timeout(left, core.recv())
            .await
            .expect("timed out")
            .unwrap();
        core.apply(msg);
    }
}

/// Clients on the sandbox that record their calls in `log`, with alarms and metrics seeded.
async fn seeded_clients(sandbox: &Sandbox, log: &RequestLog) -> Clients {
    let clients = Clients::new(&ClientOptions {
        endpoint_url: Some(sandbox.endpoint()),
        region: Some("us-east-1".into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        operation_timeout: Duration::from_secs(20),
        request_log: Some(log.clone()),
        ..Default::default()
    })
    .await;
    opsdeck::sandbox::seed::top_up(&clients, "ha-web")
        .await
        .unwrap();
    clients
}

#[test]
fn every_panel_is_populated_from_the_sandbox() {
    // The emulator must be started on this thread: it dies with the thread that spawned it.
    let sandbox = Sandbox::start_private().unwrap();
    deploy(&sandbox.endpoint());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = RequestLog::default();
        let clients = seeded_clients(&sandbox, &log).await;
        let started = Instant::now();
        let mut core = Core::start(clients, &options());
        run_until(&mut core, Duration::from_secs(30), |c| {
            c.state.all_populated()
        })
        .await;
        eprintln!("every panel populated after {:?}", started.elapsed());

        let s = &core.state;
        for panel in PanelId::all() {
            let (_, error, _, has_data) = s.feed_status(panel);
            assert!(has_data, "{panel:?} has data");
            assert!(error.is_none(), "{panel:?}: {error:?}");
        }
        assert_eq!(s.target_rows().len(), 2);
        assert!(s.target_rows().iter().all(|(_, t)| t.state == "healthy"));
        assert_eq!(s.instance_rows().len(), 2);
        assert!(s.database_rows()[0].multi_az);
        assert_eq!(s.alarm_rows().len(), 8);
        let history = &s.alarms.data.as_ref().unwrap().history;
        assert!(
            history.values().any(|points| points.len() >= 50),
            "sparklines have data"
        );
        let zones = s.zone_rows();
        assert_eq!(zones.len(), 2, "{zones:?}");
        assert_eq!(zones.iter().map(|z| z.targets_total).sum::<usize>(), 2);
        // The selection is on a real row of the focused panel.
        assert!(s.selected_index(s.focus).is_some());

        // A frame renders from this real state.
        let backend = ratatui::backend::TestBackend::new(160, 48);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        terminal
            .draw(|f| opsdeck::ui::render(f, &core.state))
            .unwrap();
        let screen = format!("{:?}", terminal.backend().buffer());
        assert!(screen.contains("ha-web"), "title shows the stack");

        // `:stack` switches through the keymap's command line: the old stack's rows are gone
        // and the new (missing) stack reports NotFound on its stack panel.
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let press = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
        core.apply(press(KeyCode::Char(':')));
        for c in "stack missing-stack".chars() {
            core.apply(press(KeyCode::Char(c)));
        }
        core.apply(press(KeyCode::Enter));
        assert_eq!(core.state.stack, "missing-stack");
        assert!(core.state.targets.data.is_none());
        run_until(&mut core, Duration::from_secs(10), |c| {
            c.state.stack_feed.error.is_some()
        })
        .await;
        let error = core.state.stack_feed.error.clone().unwrap();
        assert_eq!(
            error.kind,
            opsdeck::aws::error::AwsErrorKind::NotFound,
            "{error}"
        );
    });
    drop(sandbox);
}

/// Calls of one refresh of every panel, by operation.
async fn one_cycle(clients: Clients, log: &RequestLog) -> (BTreeMap<String, usize>, usize) {
    let mut core = Core::start(clients, &options());
    run_until(&mut core, Duration::from_secs(30), |c| {
        c.state.all_populated()
    })
    .await;
    eprintln!("first cycle: {} calls", log.entries().len());
    // Let in-flight first polls finish, then count exactly one refresh of every panel.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Some(msg) = core.try_recv() {
        core.apply(msg);
    }
    log.clear();
    core.apply(Msg::Action(opsdeck::action::Action::RefreshAll));
    let mut polled = std::collections::HashSet::new();
    let started = Instant::now();
    while polled.len() < 6 && started.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(5), core.recv()).await {
            if let Msg::Polled { panel, .. } = &msg {
                polled.insert(*panel);
            }
            core.apply(msg);
        }
    }
    let rows = core.state.instance_rows().len() + core.state.target_rows().len();
    core.stop();
    let mut counts = BTreeMap::new();
    for op in log.entries() {
        *counts.entry(op).or_insert(0) += 1;
    }
    (counts, rows)
}

#[test]
fn calls_per_refresh_do_not_grow_with_instances_and_targets() {
    let sandbox = Sandbox::start_private().unwrap();
    deploy(&sandbox.endpoint());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = RequestLog::default();
        let clients = seeded_clients(&sandbox, &log).await;
        let (small, small_rows) = one_cycle(clients.clone(), &log).await;

        // Six times the instances (and so the targets) of the same stack.
        let resources = opsdeck::aws::stack::list_resources(&clients, "ha-web")
            .await
            .unwrap();
        let asg = &resources.auto_scaling_groups[0];
        clients
            .autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(asg)
            .max_size(12)
            .desired_capacity(12)
            .send()
            .await
            .unwrap();
        let (big, big_rows) = one_cycle(clients.clone(), &log).await;
        assert!(
            big_rows >= small_rows + 20,
            "the stack grew: {small_rows} -> {big_rows} rows"
        );
        eprintln!("calls per refresh of every panel: {small:?} ({small_rows} and {big_rows} rows)");
        assert_eq!(
            small, big,
            "calls per refresh must not depend on the number of rows"
        );
        let total: usize = small.values().sum();
        assert!((6..=20).contains(&total), "{total} calls: {small:?}");
    });
    drop(sandbox);
}
