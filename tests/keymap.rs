//! Keymap behaviour as users meet it: shipped files, layering, "none", lookup order, and the
//! start-up messages a bad keymap file produces.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::action::{Action, Context};
use opsdeck::keymap::{Keymap, KeymapFileError, SHIPPED, parse_key};
use std::path::Path;

const PANEL: [Context; 3] = [Context::Targets, Context::List, Context::Global];

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

fn ch(c: char) -> KeyEvent {
    press(KeyCode::Char(c), KeyModifiers::NONE)
}

fn at(keymap: &Keymap, contexts: &[Context], key: &str) -> Option<Action> {
    keymap.lookup_spec(contexts, parse_key(key).unwrap())
}

/// A config dir holding `keymap.toml` with `text`.
fn config_dir_with(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keymap.toml"), text).unwrap();
    dir
}

/// Load `text` as the user's keymap file and return the start-up error it causes.
fn user_file_error(text: &str) -> (String, String) {
    let dir = config_dir_with(text);
    let err = Keymap::load_from(None, Some(dir.path())).expect_err("file should be refused");
    let file = dir.path().join("keymap.toml").display().to_string();
    assert!(
        err.downcast_ref::<KeymapFileError>().is_some(),
        "a file problem is a KeymapFileError: {err:?}"
    );
    (err.to_string(), file)
}

#[test]
fn every_shipped_keymap_loads() {
    for (name, _) in SHIPPED {
        let keymap = Keymap::load_from(Some(name), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(keymap.sources()[0].contains("default.toml"));
        if *name != "default" {
            assert!(keymap.sources()[1].contains(&format!("{name}.toml")));
        }
    }
}

#[test]
fn default_binds_every_action_somewhere() {
    let keymap = Keymap::builtin();
    for action in Action::all() {
        let bound = Context::all().any(|c| keymap.bindings(c).iter().any(|(_, a)| *a == action));
        assert!(bound, "{} has no key in default.toml", action.name());
    }
}

/// One Markdown row per (context, action): the README's table must match default.toml exactly.
fn default_bindings_table() -> String {
    let keymap = Keymap::builtin();
    let mut out = String::from("| Context | Keys | Action | What it does |\n|---|---|---|---|\n");
    for context in Context::all() {
        let bindings = keymap.bindings(context);
        let mut actions: Vec<Action> = bindings.iter().map(|(_, a)| *a).collect();
        actions.dedup();
        for action in actions {
            let keys: Vec<String> = bindings
                .iter()
                .filter(|(_, a)| *a == action)
                .map(|(k, _)| format!("`{k}`"))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                context.name(),
                keys.join(" "),
                action.name(),
                action.description()
            ));
        }
    }
    out
}

#[test]
fn readme_documents_every_default_binding() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps/README.md"))
            .unwrap();
    let table = default_bindings_table();
    assert!(
        readme.contains(&table),
        "keymaps/README.md is out of date; replace its default bindings table with:\n{table}"
    );
}

#[test]
fn lookup_tries_contexts_most_specific_first() {
    let keymap = Keymap::builtin();
    assert_eq!(keymap.lookup(&PANEL, &ch('j')), Some(Action::SelectNext));
    assert_eq!(keymap.lookup(&PANEL, &ch('q')), Some(Action::Quit));
    assert_eq!(keymap.lookup(&[Context::Global], &ch('j')), None);
    // The help table comes first, so its "q" closes instead of quitting.
    assert_eq!(
        keymap.lookup(&[Context::Help, Context::Global], &ch('q')),
        Some(Action::Close)
    );
    assert_eq!(keymap.lookup(&[Context::Filter], &ch('q')), None);
    let esc = press(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(keymap.lookup(&[Context::Filter], &esc), Some(Action::Close));
}

#[test]
fn uppercase_matches_with_or_without_shift() {
    let keymap = Keymap::builtin();
    for mods in [KeyModifiers::SHIFT, KeyModifiers::NONE] {
        let event = press(KeyCode::Char('G'), mods);
        assert_eq!(keymap.lookup(&PANEL, &event), Some(Action::SelectLast));
        let event = press(KeyCode::Char('R'), mods);
        assert_eq!(keymap.lookup(&PANEL, &event), Some(Action::RefreshAll));
    }
    assert_eq!(keymap.lookup(&PANEL, &ch('g')), Some(Action::SelectFirst));
    let backtab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(keymap.lookup(&PANEL, &backtab), Some(Action::FocusPrev));
}

#[test]
fn ctrl_c_parses_and_quits() {
    assert_eq!(parse_key("ctrl-c").unwrap().to_string(), "ctrl-c");
    let keymap = Keymap::builtin();
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(keymap.lookup(&PANEL, &ctrl_c), Some(Action::Quit));
    assert_eq!(keymap.lookup(&[Context::Help], &ctrl_c), Some(Action::Quit));
    assert_eq!(
        keymap.lookup(&[Context::Command], &ctrl_c),
        Some(Action::Close)
    );
    assert_eq!(keymap.lookup(&PANEL, &ch('c')), None);
}

#[test]
fn hint_bar_keys_are_the_first_listed() {
    let keymap = Keymap::builtin();
    let key = |c, a| keymap.key_for(c, a);
    assert_eq!(key(Context::Global, Action::Quit).as_deref(), Some("q"));
    assert_eq!(
        key(Context::Global, Action::FocusPrev).as_deref(),
        Some("shift-tab")
    );
    assert_eq!(
        key(Context::List, Action::SelectNext).as_deref(),
        Some("down")
    );
    assert_eq!(key(Context::Global, Action::SelectNext), None);
    let global = keymap.bindings(Context::Global);
    assert_eq!(global[0], ("q".to_string(), Action::Quit));
    assert_eq!(global[1], ("ctrl-c".to_string(), Action::Quit));
}

#[test]
fn user_file_in_config_dir_is_applied_per_key() {
    let dir = config_dir_with("[global]\nx = \"quit\"\nq = \"help\"\n");
    let keymap = Keymap::load_from(None, Some(dir.path())).unwrap();
    assert_eq!(at(&keymap, &PANEL, "x"), Some(Action::Quit));
    assert_eq!(at(&keymap, &PANEL, "q"), Some(Action::Help));
    // Keys the user did not mention keep their defaults.
    assert_eq!(at(&keymap, &PANEL, "ctrl-c"), Some(Action::Quit));
    assert_eq!(at(&keymap, &PANEL, "?"), Some(Action::Help));
    assert_eq!(
        keymap.key_for(Context::Global, Action::Quit).as_deref(),
        Some("x")
    );
    assert!(keymap.sources().last().unwrap().ends_with("keymap.toml"));
}

#[test]
fn missing_user_file_means_defaults() {
    let empty = tempfile::tempdir().unwrap();
    let keymap = Keymap::load_from(None, Some(empty.path())).unwrap();
    assert_eq!(keymap.sources().len(), 1);
    assert_eq!(at(&keymap, &PANEL, "q"), Some(Action::Quit));
}

#[test]
fn none_unbinds_in_its_context_only() {
    let dir = config_dir_with("[global]\nq = \"none\"\n[help]\nesc = \"none\"\n");
    let keymap = Keymap::load_from(None, Some(dir.path())).unwrap();
    assert_eq!(at(&keymap, &PANEL, "q"), None);
    assert_eq!(at(&keymap, &[Context::Help], "q"), Some(Action::Close));
    assert_eq!(at(&keymap, &[Context::Help], "esc"), None);
    assert!(
        !keymap
            .bindings(Context::Global)
            .iter()
            .any(|(k, _)| k == "q")
    );
}

#[test]
fn none_falls_through_to_less_specific_context() {
    let dir = config_dir_with("[help]\nq = \"none\"\n");
    let keymap = Keymap::load_from(None, Some(dir.path())).unwrap();
    assert_eq!(at(&keymap, &[Context::Help], "q"), None);
    assert_eq!(
        at(&keymap, &[Context::Help, Context::Global], "q"),
        Some(Action::Quit)
    );
}

#[test]
fn alternate_sits_between_default_and_user_file() {
    let dir = config_dir_with("[global]\nl = \"zoom\"\n");
    let keymap = Keymap::load_from(Some("vim"), Some(dir.path())).unwrap();
    assert_eq!(
        at(&keymap, &PANEL, "h"),
        Some(Action::FocusPrev),
        "from vim.toml"
    );
    assert_eq!(
        at(&keymap, &PANEL, "l"),
        Some(Action::Zoom),
        "user beats vim.toml"
    );
    assert_eq!(
        at(&keymap, &PANEL, "j"),
        Some(Action::SelectNext),
        "from default.toml"
    );
    assert_eq!(keymap.sources().len(), 3);
}

#[test]
fn keymap_path_replaces_the_user_file() {
    let user = config_dir_with("[global]\nx = \"quit\"\n");
    let other = tempfile::tempdir().unwrap();
    let path = other.path().join("mine.toml");
    std::fs::write(&path, "[global]\ny = \"quit\"\n").unwrap();
    let keymap = Keymap::load_from(path.to_str(), Some(user.path())).unwrap();
    assert_eq!(at(&keymap, &PANEL, "y"), Some(Action::Quit));
    assert_eq!(at(&keymap, &PANEL, "x"), None);
    assert_eq!(
        at(&keymap, &PANEL, "q"),
        Some(Action::Quit),
        "defaults stay below"
    );
}

#[test]
fn shipped_alternates_change_what_they_say() {
    let vim = Keymap::load_from(Some("vim"), None).unwrap();
    assert_eq!(at(&vim, &PANEL, "ctrl-f"), Some(Action::PageDown));
    assert_eq!(at(&vim, &PANEL, "ctrl-b"), Some(Action::PageUp));
    let k9s = Keymap::load_from(Some("k9s"), None).unwrap();
    assert_eq!(at(&k9s, &PANEL, "q"), None);
    assert_eq!(at(&k9s, &PANEL, "ctrl-c"), Some(Action::Quit));
    assert_eq!(at(&k9s, &PANEL, "ctrl-r"), Some(Action::Refresh));
    assert_eq!(at(&k9s, &PANEL, "0"), Some(Action::FocusStack));
    assert_eq!(at(&k9s, &PANEL, "5"), Some(Action::FocusZones));
    assert_eq!(at(&k9s, &PANEL, "6"), None);
}

#[test]
fn unknown_keymap_name_suggests_a_shipped_one() {
    let err = Keymap::load_from(Some("vmi"), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--keymap \"vmi\""), "{err}");
    assert!(err.contains("did you mean \"vim\"?"), "{err}");
    assert!(err.contains("shipped keymaps: default, vim, k9s"), "{err}");
}

#[test]
fn unknown_action_names_file_position_and_suggestion() {
    let (err, file) = user_file_error("[global]\nx = \"zoom\"\nq   = \"quitt\"\n");
    let expected = format!(
        "unknown action \"quitt\" at {file}:3:7; did you mean \"quit\"? actions: quit, help,"
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(err.contains("or \"none\" to unbind the key"), "{err}");
    assert!(
        err.contains("--keymap /dev/null"),
        "user file errors say how to start anyway: {err}"
    );
}

#[test]
fn unknown_context_names_file_position_and_suggestion() {
    let (err, file) = user_file_error("[gloabl]\nq = \"quit\"\n");
    let expected = format!(
        "unknown context \"gloabl\" at {file}:1:2; did you mean \"global\"? contexts: global, list,"
    );
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn unparsable_key_names_file_position_and_fix() {
    let (err, file) = user_file_error("[list]\ndown = \"select_next\"\nescape = \"close\"\n");
    let expected = format!("bad key \"escape\" in [list] at {file}:3:1; unknown key \"escape\"");
    assert!(err.starts_with(&expected), "{err}");
    assert!(err.contains("did you mean \"esc\"?"), "{err}");
}

#[test]
fn toml_syntax_error_names_file_position_and_fix() {
    let (err, file) = user_file_error("[global]\n? = \"help\"\n");
    assert!(err.starts_with("invalid TOML ("), "{err}");
    assert!(
        err.contains(&format!(" at {file}:2:1; quote keys")),
        "{err}"
    );
    assert!(err.contains("\"?\" = \"help\""), "{err}");
    let (err, file) = user_file_error("[global]\nq = \"quit\"\nq = \"help\"\n");
    let expected = format!("invalid TOML (duplicate key) at {file}:3:1; a key appears once");
    assert!(err.starts_with(&expected), "{err}");
    let (err, file) = user_file_error("[global]\nq = \"quit\n");
    assert!(err.contains(&format!(" at {file}:2:")), "{err}");
    assert!(err.contains("in double quotes"), "{err}");
}

#[test]
fn duplicate_after_normalisation_names_both_lines() {
    let (err, file) = user_file_error("[global]\nctrl-c = \"quit\"\nCtrl-C = \"help\"\n");
    let expected = format!(
        "key \"Ctrl-C\" in [global] is the same key as \"ctrl-c\" on line 2 (both are ctrl-c) \
         at {file}:3:1; keep only one of them"
    );
    assert!(err.starts_with(&expected), "{err}");
    let (err, _) = user_file_error("[global]\nbacktab = \"quit\"\nshift-tab = \"help\"\n");
    assert!(err.contains("(both are shift-tab)"), "{err}");
}

#[test]
fn wrong_value_type_and_stray_binding_say_where_to_put_it() {
    let (err, file) = user_file_error("[global]\nq = 1\n");
    assert!(
        err.starts_with(&format!(
            "key \"q\" is bound to an integer, not an action name at {file}:2:5"
        )),
        "{err}"
    );
    let (err, file) = user_file_error("q = \"quit\"\n");
    assert!(
        err.starts_with(&format!(
            "binding \"q\" outside any context at {file}:1:1; put it under"
        )),
        "{err}"
    );
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let (err, file) = user_file_error("[global]\nq = \"quitt\"\n[lsit]\nj = \"select_next\"\n");
    assert!(err.contains(&format!("{file}:2:5")), "{err}");
    assert!(err.contains(&format!("{file}:3:2")), "{err}");
}

#[test]
fn explicit_keymap_file_errors_name_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.toml");
    std::fs::write(&path, "[list]\nj = \"selectnext\"\n").unwrap();
    let err = Keymap::load_from(path.to_str(), None)
        .unwrap_err()
        .to_string();
    let expected = format!(
        "unknown action \"selectnext\" at {}:2:5; did you mean \"select_next\"?",
        path.display()
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(!err.contains("--keymap /dev/null"), "{err}");
}

#[cfg(unix)]
#[test]
fn dev_null_starts_without_the_user_file() {
    let broken = config_dir_with("[global]\nq = \"quitt\"\n");
    assert!(Keymap::load_from(None, Some(broken.path())).is_err());
    let keymap = Keymap::load_from(Some("/dev/null"), Some(broken.path())).unwrap();
    assert_eq!(at(&keymap, &PANEL, "q"), Some(Action::Quit));
}
