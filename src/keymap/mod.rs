//! The merged keymap: shipped `keymaps/*.toml` plus the user's overrides, validated at start-up,
//! answering "which `Action` is this key here?" and "which keys do what?" (for help and hints).
//!
//! Layers, lowest first, merged per context and per key (a higher layer wins):
//! 1. `keymaps/default.toml`, compiled in;
//! 2. `--keymap NAME` (a shipped alternate: `vim`, `k9s`; `default` adds nothing) or
//!    `--keymap PATH` (any file);
//! 3. `$XDG_CONFIG_HOME/opsdeck/keymap.toml`, unless `--keymap PATH` was given: an explicit file
//!    replaces the personal one (which is also how to start with a broken personal file).
//!
//! `"none"` removes a key's binding from that one context; lookup then carries on to the less
//! specific contexts, exactly as if the key had never been bound there.
//!
//! Callers pass contexts most specific first: a focused panel is `[<panel>, List, Global]`;
//! overlays capture input, so help is `[Help]`, the command line `[Command]`, the filter prompt
//! `[Filter]` (an unbound key there is text to type).
mod file;
mod key;

pub use file::{KeymapFileError, Problem, UNBIND, is_text_context, line_col};
pub use key::{KeySpec, parse_key};

use crate::action::{Action, Context};
use color_eyre::eyre::{Result, eyre};
use crossterm::event::KeyEvent;
use std::collections::BTreeMap;
use std::path::Path;

/// Keymaps compiled into the binary, by the name `--keymap` takes.
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
    ("k9s", include_str!("../../keymaps/k9s.toml")),
];

/// The personal override file inside the config directory.
pub const USER_FILE: &str = "keymap.toml";

#[derive(Debug, Clone)]
pub struct Keymap {
    /// Per context, unique keys in priority order: the highest layer's keys first, each layer's
    /// in file order. The first key bound to an action is its primary key (hint bar).
    contexts: BTreeMap<Context, Vec<(KeySpec, Action)>>,
    /// Where each applied layer came from, lowest first (for help's footer and logs).
    sources: Vec<String>,
}

fn shipped_file_name(name: &str) -> String {
    format!("keymaps/{name}.toml (built in)")
}

fn shipped(name: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

impl Keymap {
    /// The compiled-in defaults alone. Infallible because a test parses every shipped file.
    pub fn builtin() -> Keymap {
        let mut keymap = Keymap {
            contexts: BTreeMap::new(),
            sources: Vec::new(),
        };
        keymap
            .apply_text(&shipped_file_name("default"), SHIPPED[0].1)
            .expect("keymaps/default.toml is valid (checked by tests)");
        keymap
    }

    /// default < `--keymap` alternate or file < `$XDG_CONFIG_HOME/opsdeck/keymap.toml` (if
    /// present and no `--keymap PATH`).
    pub fn load(keymap_arg: Option<&str>) -> Result<Keymap> {
        // Without a home directory there is no personal file to apply; that is no reason to
        // refuse to start.
        let config_dir = crate::paths::config_dir().ok();
        Keymap::load_from(keymap_arg, config_dir.as_deref())
    }

    /// `load` with the config directory given, so tests need no environment variables.
    pub fn load_from(keymap_arg: Option<&str>, config_dir: Option<&Path>) -> Result<Keymap> {
        let mut keymap = Keymap::builtin();
        match keymap_arg {
            None | Some("default") => {}
            Some(arg) => match shipped(arg) {
                Some(text) => keymap.apply_text(&shipped_file_name(arg), text)?,
                None => {
                    keymap.apply_file(arg)?;
                    return Ok(keymap);
                }
            },
        }
        if let Some(dir) = config_dir {
            let path = dir.join(USER_FILE);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let name = path.display().to_string();
                    keymap.apply_text(&name, &text).map_err(|mut e| {
                        e.hint = Some(
                            "to start without this file, pass --keymap /dev/null (an empty \
                             keymap on top of the defaults)"
                                .to_string(),
                        );
                        e
                    })?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(eyre!("cannot read keymap {}: {e}", path.display())),
            }
        }
        tracing::debug!(sources = ?keymap.sources, "keymap loaded");
        Ok(keymap)
    }

    /// `--keymap PATH`: an unknown name and a missing file look alike, so say both.
    fn apply_file(&mut self, path: &str) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
            let hint = closest(path, names.iter().copied())
                .map_or(String::new(), |n| format!("did you mean \"{n}\"? "));
            eyre!(
                "--keymap \"{path}\" is neither a shipped keymap nor a readable file ({e}); \
                 {hint}shipped keymaps: {}; or give the path of a .toml file",
                names.join(", ")
            )
        })?;
        Ok(self.apply_text(path, &text)?)
    }

    fn apply_text(&mut self, name: &str, text: &str) -> Result<(), KeymapFileError> {
        let layer = file::parse_layer(name, text)?;
        for (context, entries) in layer.tables {
            let lower = self.contexts.remove(&context).unwrap_or_default();
            let mut merged: Vec<(KeySpec, Action)> = entries
                .iter()
                .filter_map(|(k, a)| a.map(|a| (*k, a)))
                .collect();
            merged.extend(
                lower
                    .into_iter()
                    .filter(|(k, _)| !entries.iter().any(|(overridden, _)| overridden == k)),
            );
            self.contexts.insert(context, merged);
        }
        self.sources.push(name.to_string());
        Ok(())
    }

    /// The action for a key press, trying `contexts` in order (most specific first).
    pub fn lookup(&self, contexts: &[Context], key: &KeyEvent) -> Option<Action> {
        let key = KeySpec::from_event(key)?;
        self.lookup_spec(contexts, key)
    }

    /// `lookup` for an already parsed key (help, tests, the command line's "keys for").
    pub fn lookup_spec(&self, contexts: &[Context], key: KeySpec) -> Option<Action> {
        contexts.iter().find_map(|c| {
            let entries = self.contexts.get(c)?;
            entries.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
        })
    }

    /// Every binding in one context, grouped by action (in `Action` declaration order), each
    /// action's primary key first. Keys are in canonical form ("ctrl-c", "shift-tab", "?").
    pub fn bindings(&self, context: Context) -> Vec<(String, Action)> {
        let mut entries = self.contexts.get(&context).cloned().unwrap_or_default();
        entries.sort_by_key(|(_, a)| *a); // stable: keeps priority order within an action
        entries
            .into_iter()
            .map(|(k, a)| (k.to_string(), a))
            .collect()
    }

    /// The primary key for an action in one context: the first key the highest layer that binds
    /// it lists.
    pub fn key_for(&self, context: Context, action: Action) -> Option<String> {
        self.contexts
            .get(&context)?
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(k, _)| k.to_string())
    }

    /// The primary key that really reaches `action` through a context stack: a global key a
    /// more specific context rebinds is skipped. For the hint bar, which shows the stack.
    pub fn key_in(&self, contexts: &[Context], action: Action) -> Option<String> {
        contexts.iter().find_map(|c| {
            self.contexts.get(c)?.iter().find_map(|(k, a)| {
                (*a == action && self.lookup_spec(contexts, *k) == Some(action))
                    .then(|| k.to_string())
            })
        })
    }

    /// The files applied, lowest layer first.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// The candidate most like `word` (ignoring case, "-" vs "_"), if any is close enough to be a
/// plausible typo; used for every "did you mean" in keymap errors.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace(['-', ' '], "_");
    let word = norm(word);
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::normalized_damerau_levenshtein(&word, &norm(candidate));
        if score >= 0.6 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layered(texts: &[&str]) -> Keymap {
        let mut keymap = Keymap::builtin();
        for (i, text) in texts.iter().enumerate() {
            keymap.apply_text(&format!("layer{i}"), text).unwrap();
        }
        keymap
    }

    fn at(keymap: &Keymap, contexts: &[Context], key: &str) -> Option<Action> {
        keymap.lookup_spec(contexts, parse_key(key).unwrap())
    }

    #[test]
    fn higher_layer_keys_become_primary() {
        let km = layered(&["[global]\nx = \"quit\"\n"]);
        assert_eq!(
            km.key_for(Context::Global, Action::Quit).as_deref(),
            Some("x")
        );
        let quit_keys: Vec<String> = km
            .bindings(Context::Global)
            .into_iter()
            .filter(|(_, a)| *a == Action::Quit)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(quit_keys, ["x", "q", "ctrl-c"]);
    }

    #[test]
    fn rebinding_a_key_moves_it_not_duplicates_it() {
        let km = layered(&["[global]\nq = \"help\"\n"]);
        let q: Vec<_> = km
            .bindings(Context::Global)
            .into_iter()
            .filter(|(k, _)| k == "q")
            .collect();
        assert_eq!(q, [("q".to_string(), Action::Help)]);
        assert_eq!(
            km.key_for(Context::Global, Action::Quit).as_deref(),
            Some("ctrl-c")
        );
    }

    #[test]
    fn none_falls_through_to_less_specific_contexts() {
        let km = layered(&["[help]\nq = \"none\"\n"]);
        assert_eq!(at(&km, &[Context::Help], "q"), None);
        assert_eq!(
            at(&km, &[Context::Help, Context::Global], "q"),
            Some(Action::Quit)
        );
        let km = layered(&["[global]\nq = \"none\"\n"]);
        assert_eq!(at(&km, &[Context::List, Context::Global], "q"), None);
        // Unbinding a key that was never bound is harmless.
        layered(&["[zones]\nx = \"none\"\n"]);
    }

    #[test]
    fn later_layer_can_rebind_what_an_earlier_one_unbound() {
        let km = layered(&["[global]\nq = \"none\"\n", "[global]\nq = \"zoom\"\n"]);
        assert_eq!(at(&km, &[Context::Global], "q"), Some(Action::Zoom));
    }

    #[test]
    fn key_in_skips_keys_a_specific_context_shadows() {
        let km = layered(&["[list]\nq = \"zoom\"\n"]);
        let stack = [Context::Targets, Context::List, Context::Global];
        assert_eq!(km.key_in(&stack, Action::Quit).as_deref(), Some("ctrl-c"));
        assert_eq!(km.key_in(&stack, Action::Zoom).as_deref(), Some("q"));
        assert_eq!(km.key_in(&[Context::Command], Action::Quit), None);
    }

    #[test]
    fn closest_needs_a_plausible_typo() {
        let names = ["quit", "refresh_all", "select_next"];
        assert_eq!(closest("quitt", names), Some("quit"));
        assert_eq!(closest("Refresh-All", names), Some("refresh_all"));
        assert_eq!(closest("selectnext", names), Some("select_next"));
        assert_eq!(closest("xyz", names), None);
    }
}
