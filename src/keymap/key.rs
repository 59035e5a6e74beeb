//! Key syntax: parsing "ctrl-c" / "G" / "pageup" into a normalised `KeySpec`, printing it back in
//! canonical form, and normalising crossterm `KeyEvent`s so both sides compare equal.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// Named keys as written in keymap files, in the order help lists them.
const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("space", KeyCode::Char(' ')),
];

/// Names people often type for a key we spell differently; only used to suggest the fix.
const ALIASES: &[(&str, &str)] = &[
    ("escape", "esc"),
    ("return", "enter"),
    ("cr", "enter"),
    ("pgup", "pageup"),
    ("pgdn", "pagedown"),
    ("pgdown", "pagedown"),
    ("del", "delete"),
    ("ins", "insert"),
    ("bs", "backspace"),
    ("bksp", "backspace"),
    ("spc", "space"),
    ("arrowup", "up"),
    ("arrowdown", "down"),
    ("arrowleft", "left"),
    ("arrowright", "right"),
    ("control", "ctrl"),
    ("meta", "alt"),
    ("option", "alt"),
];

const MODIFIERS: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
];

/// One key with its modifiers, normalised so that every way of writing or reporting the same
/// physical key compares equal (see `normalise`). `Display` prints the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    code: KeyCode,
    mods: KeyModifiers,
}

impl KeySpec {
    /// The key a terminal event stands for, or None when it can never be bound (media keys,
    /// super/hyper/meta modifiers, F13+...), so such events match nothing.
    pub fn from_event(event: &KeyEvent) -> Option<KeySpec> {
        let bindable = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        if !bindable.contains(event.modifiers) || !is_bindable_code(event.code) {
            return None;
        }
        Some(normalise(event.code, event.modifiers))
    }

    /// True for a key that types a character (no ctrl/alt): text contexts must not bind these.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

fn is_bindable_code(code: KeyCode) -> bool {
    match code {
        KeyCode::Char(c) => !c.is_control(),
        KeyCode::F(n) => (1..=12).contains(&n),
        other => NAMED.iter().any(|(_, named)| *named == other),
    }
}

/// Terminals disagree on how they report shifted keys, so fold them to one form:
/// - a character key never carries SHIFT: the character itself says it ('G', '?'); a lowercase
///   letter reported with SHIFT (kitty protocol) becomes uppercase;
/// - with ctrl, letters are lowercase: legacy terminals send the same byte for ctrl-c and
///   ctrl-shift-c, so a binding that told them apart could never fire;
/// - tab with SHIFT is backtab, and backtab carries no SHIFT (crossterm adds it).
fn normalise(code: KeyCode, mut mods: KeyModifiers) -> KeySpec {
    let shift = mods.contains(KeyModifiers::SHIFT);
    let code = match code {
        KeyCode::Char(c) => {
            mods.remove(KeyModifiers::SHIFT);
            let c = if mods.contains(KeyModifiers::CONTROL) {
                single_case(c.to_lowercase()).unwrap_or(c)
            } else if shift {
                single_case(c.to_uppercase()).unwrap_or(c)
            } else {
                c
            };
            KeyCode::Char(c)
        }
        KeyCode::Tab if shift => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        KeyCode::BackTab => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        other => other,
    };
    KeySpec { code, mods }
}

/// Case mapping can expand ('ß' → "SS"); keep the original character then.
fn single_case(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        // People know backtab as shift-tab; that is also what help should show.
        if self.mods.contains(KeyModifiers::SHIFT) || self.code == KeyCode::BackTab {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::BackTab => f.write_str("tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED.iter().find(|(_, k)| *k == code).map(|(n, _)| *n);
                f.write_str(name.unwrap_or("?"))
            }
        }
    }
}

/// Parse one key as written in a keymap file. The error is a sentence saying what is wrong and
/// how to write it instead, ready to follow a file position.
pub fn parse_key(s: &str) -> Result<KeySpec, String> {
    if s.is_empty() {
        return Err(format!("empty key; {}", KEY_SYNTAX));
    }
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    // Peel "mod-" prefixes; a lone trailing "-" is the minus key itself ("ctrl--").
    while let Some((head, tail)) = rest.split_once('-') {
        if tail.is_empty() && head.is_empty() {
            break;
        }
        let Some(&(_, m)) = MODIFIERS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(head))
        else {
            return Err(unknown_modifier(s, head));
        };
        if mods.contains(m) {
            return Err(format!("modifier \"{head}\" appears twice in \"{s}\""));
        }
        mods |= m;
        if tail.is_empty() {
            return Err(format!(
                "\"{s}\" has modifiers but no key; write e.g. \"{}c\"",
                s
            ));
        }
        rest = tail;
    }
    let code = parse_code(s, rest)?;
    if let KeyCode::Char(c) = code
        && mods.contains(KeyModifiers::SHIFT)
        && !c.is_alphabetic()
        && c != ' '
    {
        return Err(format!(
            "\"{s}\": shift with \"{c}\" depends on the keyboard layout; write the character \
             shift produces instead (e.g. \"?\" rather than \"shift-/\")"
        ));
    }
    Ok(normalise(code, mods))
}

const KEY_SYNTAX: &str = "write a single character (\"q\", \"?\", \"G\"), a named key (enter, esc, \
     tab, backtab, backspace, up, down, left, right, home, end, pageup, pagedown, delete, insert, \
     space, f1..f12), optionally after modifiers joined by \"-\" (\"ctrl-c\", \"alt-x\", \"shift-up\")";

fn parse_code(whole: &str, name: &str) -> Result<KeyCode, String> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_control() {
            return Err(format!(
                "\"{}\" is a control character; use its name (tab, enter, esc...)",
                whole.escape_debug()
            ));
        }
        return Ok(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(&(_, code)) = NAMED.iter().find(|(n, _)| *n == lower) {
        return Ok(code);
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return if (1..=12).contains(&n) {
            Ok(KeyCode::F(n))
        } else {
            Err(format!(
                "\"{whole}\": only f1..f12 can be bound (terminals rarely send others)"
            ))
        };
    }
    if name.contains('+') {
        return Err(format!(
            "\"{whole}\": join modifiers with \"-\", e.g. \"ctrl-c\", not \"ctrl+c\""
        ));
    }
    let quoted = if name == whole {
        format!("\"{name}\"")
    } else {
        format!("\"{name}\" in \"{whole}\"")
    };
    if let Some(fix) = suggest_name(&lower) {
        return Err(format!("unknown key {quoted}; did you mean \"{fix}\"?"));
    }
    if name.chars().all(|c| c.is_alphanumeric()) && name.len() <= 3 {
        return Err(format!(
            "\"{whole}\" is a key sequence; opsdeck binds single keys only (no \"gg\" or leader \
             keys), so bind one key such as \"{}\"",
            name.chars().next().unwrap_or('g')
        ));
    }
    Err(format!("unknown key {quoted}; {KEY_SYNTAX}"))
}

fn unknown_modifier(whole: &str, head: &str) -> String {
    let lower = head.to_ascii_lowercase();
    // "page-down" is a key name with a stray hyphen, not a modifier.
    let joined = whole.replace(['-', '_'], "").to_ascii_lowercase();
    if NAMED.iter().any(|(n, _)| *n == joined) {
        return format!("unknown key \"{whole}\"; did you mean \"{joined}\"?");
    }
    let fix = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map(|(_, real)| *real)
        .filter(|real| MODIFIERS.iter().any(|(m, _)| m == real))
        .or_else(|| crate::keymap::closest(&lower, MODIFIERS.iter().map(|(m, _)| *m)));
    let hint = fix.map_or(String::new(), |f| format!("did you mean \"{f}\"? "));
    format!("unknown modifier \"{head}\" in \"{whole}\"; {hint}modifiers are ctrl, alt and shift")
}

fn suggest_name(lower: &str) -> Option<&'static str> {
    let squashed = lower.replace(['-', '_', ' '], "");
    if let Some(&(n, _)) = NAMED.iter().find(|(n, _)| *n == squashed) {
        return Some(n);
    }
    if let Some(&(_, real)) = ALIASES.iter().find(|(a, _)| *a == squashed) {
        return Some(real);
    }
    crate::keymap::closest(lower, NAMED.iter().map(|(n, _)| *n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> Option<KeySpec> {
        KeySpec::from_event(&KeyEvent::new(code, mods))
    }

    #[test]
    fn canonical_forms_round_trip() {
        for s in [
            "q",
            "?",
            ":",
            "/",
            "G",
            "1",
            "-",
            "ctrl--",
            "ctrl-c",
            "alt-x",
            "alt-X",
            "shift-up",
            "shift-tab",
            "enter",
            "esc",
            "space",
            "f1",
            "f12",
            "ctrl-alt-delete",
            "pagedown",
        ] {
            let k = parse_key(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(k.to_string(), s);
            assert_eq!(parse_key(&k.to_string()), Ok(k));
        }
    }

    #[test]
    fn spellings_of_one_key_are_equal() {
        let same = |a: &str, b: &str| {
            assert_eq!(parse_key(a), parse_key(b), "{a} vs {b}");
        };
        same("ctrl-c", "Ctrl-C");
        same("ctrl-c", "CTRL-shift-c");
        same("G", "shift-g");
        same("G", "shift-G");
        same("backtab", "shift-tab");
        same("backtab", "shift-backtab");
        same("space", " ");
        same("Enter", "enter");
        same("F5", "f5");
        assert_ne!(parse_key("g"), parse_key("G"));
        assert_ne!(parse_key("alt-x"), parse_key("alt-X"));
    }

    #[test]
    fn events_normalise_like_specs() {
        let k = |s| parse_key(s).ok();
        assert_eq!(ev(KeyCode::Char('G'), KeyModifiers::SHIFT), k("G"));
        assert_eq!(ev(KeyCode::Char('G'), KeyModifiers::NONE), k("G"));
        assert_eq!(ev(KeyCode::Char('g'), KeyModifiers::SHIFT), k("G"));
        assert_eq!(ev(KeyCode::Char('?'), KeyModifiers::SHIFT), k("?"));
        assert_eq!(ev(KeyCode::Char('c'), KeyModifiers::CONTROL), k("ctrl-c"));
        let ctrl_shift = KeyModifiers::CONTROL | KeyModifiers::SHIFT;
        assert_eq!(ev(KeyCode::Char('C'), ctrl_shift), k("ctrl-c"));
        assert_eq!(ev(KeyCode::BackTab, KeyModifiers::SHIFT), k("backtab"));
        assert_eq!(ev(KeyCode::Tab, KeyModifiers::SHIFT), k("backtab"));
        assert_eq!(ev(KeyCode::Up, KeyModifiers::SHIFT), k("shift-up"));
        assert_ne!(ev(KeyCode::Up, KeyModifiers::SHIFT), k("up"));
        assert_eq!(ev(KeyCode::Char('q'), KeyModifiers::SUPER), None);
        assert_eq!(ev(KeyCode::F(13), KeyModifiers::NONE), None);
        assert_eq!(ev(KeyCode::CapsLock, KeyModifiers::NONE), None);
    }

    #[test]
    fn errors_say_how_to_fix() {
        let err = |s: &str| parse_key(s).unwrap_err();
        assert!(
            err("escape").contains("did you mean \"esc\""),
            "{}",
            err("escape")
        );
        assert!(err("page-down").contains("did you mean \"pagedown\""));
        assert!(err("contrl-c").contains("did you mean \"ctrl\""));
        assert!(err("ctrl+c").contains("join modifiers with \"-\""));
        assert!(err("gg").contains("single keys only"));
        assert!(err("shift-/").contains("\"?\" rather than \"shift-/\""));
        assert!(err("f13").contains("f1..f12"));
        assert!(err("ctrl-").contains("no key"));
        assert!(err("ctrl-ctrl-c").contains("twice"));
        assert!(err("").contains("empty key"));
        assert!(err("\t").contains("control character"));
    }

    #[test]
    fn plain_chars_are_text() {
        assert!(parse_key("q").unwrap().is_plain_char());
        assert!(parse_key("space").unwrap().is_plain_char());
        assert!(!parse_key("ctrl-q").unwrap().is_plain_char());
        assert!(!parse_key("enter").unwrap().is_plain_char());
    }
}
