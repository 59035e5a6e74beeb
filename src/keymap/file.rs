//! One keymap file: TOML text in, a validated `Layer` (per-context bindings in file order) out,
//! or every problem found, each with its file:line:column and the fix.
use super::closest;
use super::key::{KeySpec, parse_key};
use crate::action::{Action, Context};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The value that removes a binding instead of naming an action.
pub const UNBIND: &str = "none";

/// One context's entries in file order. `None` as the action means "none": unbind the key.
pub type Entries = Vec<(KeySpec, Option<Action>)>;

/// A parsed keymap file: its context tables in file order.
#[derive(Debug, Clone)]
pub struct Layer {
    pub tables: Vec<(Context, Entries)>,
}

/// Why a keymap file was refused. Display gives one paragraph per problem:
/// `<what> at <file>:<line>:<column>; <fix>`, then the offending line with a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapFileError {
    pub file: String,
    pub problems: Vec<Problem>,
    /// A way to start anyway, shown last (set for the user's own keymap file).
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based; 0 when the parser gave no position.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub what: String,
    pub fix: String,
    /// The source line and a caret under the span, pre-rendered so Display needs no source.
    excerpt: String,
}

impl std::error::Error for KeymapFileError {}

impl fmt::Display for KeymapFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            if p.line == 0 {
                write!(f, "{} in {}; {}", p.what, self.file, p.fix)?;
            } else {
                write!(
                    f,
                    "{} at {}:{}:{}; {}",
                    p.what, self.file, p.line, p.column, p.fix
                )?;
            }
            if !p.excerpt.is_empty() {
                write!(f, "\n{}", p.excerpt)?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n\n{hint}")?;
        }
        Ok(())
    }
}

/// Collects problems against one source text so positions are computed once, in one place.
struct Diagnostics<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Diagnostics<'_> {
    fn push(&mut self, span: Option<Range<usize>>, what: String, fix: String) {
        let (line, column, excerpt) = match span {
            Some(span) => {
                let (line, column) = line_col(self.text, span.start);
                (line, column, excerpt(self.text, line, column, &span))
            }
            None => (0, 0, String::new()),
        };
        self.problems.push(Problem {
            line,
            column,
            what,
            fix,
            excerpt,
        });
    }
}

/// 1-based line and character column of a byte offset (clamped into the text).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn excerpt(text: &str, line: usize, column: usize, span: &Range<usize>) -> String {
    let Some(source) = text.lines().nth(line - 1) else {
        return String::new();
    };
    let rest = source.chars().count().saturating_sub(column - 1).max(1);
    let width = text
        .get(span.clone())
        .map_or(1, |s| s.chars().take_while(|c| *c != '\n').count())
        .clamp(1, rest);
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    format!(
        "  {gutter} | {source}\n  {pad} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(width)
    )
}

fn action_list() -> String {
    let names: Vec<&str> = Action::all().map(Action::name).collect();
    format!(
        "actions: {}; or \"{UNBIND}\" to unbind the key",
        names.join(", ")
    )
}

fn context_list() -> String {
    let names: Vec<&str> = Context::all().map(Context::name).collect();
    format!("contexts: {}", names.join(", "))
}

fn did_you_mean<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, names).map_or(String::new(), |n| format!("did you mean \"{n}\"? "))
}

/// TOML tables keep keys sorted; the span start restores the order the file wrote them in,
/// which decides each action's primary key.
fn in_file_order<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Parse and validate a whole file; `file` is how messages name it.
pub fn parse_layer(file: &str, text: &str) -> Result<Layer, KeymapFileError> {
    let mut diags = Diagnostics {
        text,
        problems: Vec::new(),
    };
    let layer = match DeTable::parse(text) {
        Ok(doc) => check_document(doc.get_ref(), &mut diags),
        Err(e) => {
            let message = e.message().trim();
            diags.push(
                e.span(),
                format!("invalid TOML ({message})"),
                toml_fix(message).to_string(),
            );
            Layer { tables: Vec::new() }
        }
    };
    if diags.problems.is_empty() {
        Ok(layer)
    } else {
        Err(KeymapFileError {
            file: file.to_string(),
            problems: diags.problems,
            hint: None,
        })
    }
}

/// The usual cause of each TOML complaint in a keymap, phrased as what to change.
fn toml_fix(message: &str) -> &'static str {
    if message.contains("duplicate") {
        "a key appears once per table and a [context] once per file; keep one and merge the rest"
    } else if message.contains("key") {
        "quote keys that are not plain letters, digits, \"-\" or \"_\", e.g. \"?\" = \"help\""
    } else {
        "each line is key = \"action\" with the action in double quotes, e.g. q = \"quit\""
    }
}

fn check_document(doc: &DeTable<'_>, diags: &mut Diagnostics<'_>) -> Layer {
    let mut tables = Vec::new();
    for (name, value) in in_file_order(doc) {
        let Some(table) = value.get_ref().as_table() else {
            diags.push(
                Some(name.span()),
                format!("binding \"{}\" outside any context", name.get_ref()),
                "put it under a context header such as [global] or [list]".to_string(),
            );
            continue;
        };
        let Some(context) = Context::from_name(name.get_ref()) else {
            diags.push(
                Some(name.span()),
                format!("unknown context \"{}\"", name.get_ref()),
                format!(
                    "{}{}",
                    did_you_mean(name.get_ref(), Context::all().map(Context::name)),
                    context_list()
                ),
            );
            continue;
        };
        tables.push((context, check_table(context, table, diags)));
    }
    Layer { tables }
}

fn check_table(context: Context, table: &DeTable<'_>, diags: &mut Diagnostics<'_>) -> Entries {
    let mut bindings = Vec::new();
    let mut seen: HashMap<KeySpec, (String, usize)> = HashMap::new();
    for (raw_key, value) in in_file_order(table) {
        let raw = raw_key.get_ref().as_ref();
        let key = match parse_key(raw) {
            Ok(key) => key,
            Err(why) => {
                diags.push(
                    Some(raw_key.span()),
                    format!("bad key \"{raw}\" in [{}]", context.name()),
                    why,
                );
                continue;
            }
        };
        let action = match value.get_ref() {
            DeValue::String(name) if name.as_ref() == UNBIND => None,
            DeValue::String(name) => match Action::from_name(name) {
                Some(action) => Some(action),
                None => {
                    diags.push(
                        Some(value.span()),
                        format!("unknown action \"{name}\""),
                        format!(
                            "{}{}",
                            did_you_mean(name, Action::all().map(Action::name)),
                            action_list()
                        ),
                    );
                    continue;
                }
            },
            other => {
                let hint = if other.is_table() {
                    " (a key containing \".\" must be quoted, e.g. \".\" = \"zoom\")"
                } else {
                    ""
                };
                diags.push(
                    Some(value.span()),
                    format!(
                        "key \"{raw}\" is bound to {}, not an action name",
                        with_article(other.type_str())
                    ),
                    format!(
                        "write the action in quotes, e.g. \"{raw}\" = \"quit\", or \"{UNBIND}\" \
                         to unbind it{hint}"
                    ),
                );
                continue;
            }
        };
        let (line, _) = line_col(diags.text, raw_key.span().start);
        if let Some((first, first_line)) = seen.get(&key) {
            diags.push(
                Some(raw_key.span()),
                format!(
                    "key \"{raw}\" in [{}] is the same key as \"{first}\" on line {first_line} \
                     (both are {key})",
                    context.name()
                ),
                "keep only one of them".to_string(),
            );
            continue;
        }
        seen.insert(key, (raw.to_string(), line));
        if action.is_some() && is_text_context(context) && key.is_plain_char() {
            diags.push(
                Some(raw_key.span()),
                format!(
                    "key \"{raw}\" in [{}] would stop \"{key}\" from being typed",
                    context.name()
                ),
                "text contexts ([command], [filter]) take only named keys (enter, esc, tab, \
                 up...) and ctrl-/alt- keys"
                    .to_string(),
            );
            continue;
        }
        bindings.push((key, action));
    }
    bindings
}

fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// Contexts where unbound character keys are typed into a text field.
pub fn is_text_context(context: Context) -> bool {
    matches!(context, Context::Command | Context::Filter | Context::Form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd = 1\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'ç' is two bytes: byte 5 is 'd', the second character of line 2 (bytes would say 3).
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 4), (2, 1), "inside a character: its start");
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn keeps_file_order_and_unbinds() {
        let layer = parse_layer("t.toml", "[list]\nz = \"zoom\"\na = \"none\"\n").unwrap();
        let (ctx, entries) = &layer.tables[0];
        assert_eq!(*ctx, Context::List);
        let keys: Vec<String> = entries.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ["z", "a"], "file order, not sorted");
        assert_eq!(entries[0].1, Some(Action::Zoom));
        assert_eq!(entries[1].1, None);
    }

    #[test]
    fn reports_every_problem_with_excerpt() {
        let text = "[global]\nq = \"quitt\"\nescape = \"quit\"\n";
        let err = parse_layer("k.toml", text).unwrap_err();
        assert_eq!(err.problems.len(), 2);
        assert_eq!((err.problems[0].line, err.problems[0].column), (2, 5));
        assert_eq!((err.problems[1].line, err.problems[1].column), (3, 1));
        let shown = err.to_string();
        assert!(
            shown.contains("  2 | q = \"quitt\"\n    |     ^^^^^^^"),
            "{shown}"
        );
    }

    #[test]
    fn text_contexts_refuse_plain_characters_but_allow_none() {
        let err = parse_layer("k.toml", "[filter]\nq = \"close\"\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("would stop \"q\" from being typed")
        );
        assert!(parse_layer("k.toml", "[filter]\nq = \"none\"\nctrl-q = \"close\"\n").is_ok());
    }
}
