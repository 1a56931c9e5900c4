//! The message catalogue: every string the UI shows, in Simplified Chinese (the default) and
//! English, kept in two Fluent files a translator edits without Rust, `locales/zh-CN.ftl` and
//! `locales/en.ftl`. Both are compiled in and parsed once, at the first lookup, into a table.
//!
//! Templates and code name a message by a dotted key, `"app.name"`. Fluent identifiers cannot
//! hold `.`, so the files write each `.` as `-` (`app-name = ...`); keys never contain `-`, so
//! the two spellings map one to one, and a grep for `app.name` finds the file's line too.
//!
//! `t(key)` is a hash lookup that borrows the text from the table: no allocation, however many
//! hundred times a page asks. A message with values (`Welcome, { $name }`) is formatted by
//! `tf(key, &[("name", &value)])`, which Fluent fills in, without Unicode isolation marks.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::fmt::Display;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Both catalogue files, in the order of `Lang::index`.
const SOURCES: [(&str, &str); 2] = [
    ("zh-CN.ftl", include_str!("locales/zh-CN.ftl")),
    ("en.ftl", include_str!("locales/en.ftl")),
];

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    const fn index(self) -> usize {
        match self {
            Lang::Zh => 0,
            Lang::En => 1,
        }
    }

    /// Reads the remembered choice (`zh` or `en`); anything else is the default.
    pub fn from_cookie(value: Option<&str>) -> Lang {
        match value {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The language of a request: the remembered choice (the `cedu_lang` cookie) when there
    /// is one, else the browser's most preferred language that cedu has (`Accept-Language`,
    /// by q-value, the first listed winning a tie: `zh`, `zh-*` Chinese, `en`, `en-*` English),
    /// else Chinese. Traditional Chinese (`zh-TW`, `zh-Hant`) gets the Simplified.
    pub fn from_request(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        match cookie {
            Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            _ => accept_language.map_or(Lang::Zh, Lang::from_accept_language),
        }
    }

    fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut params = item.split(';');
            let tag = params.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let lang = if primary.eq_ignore_ascii_case("zh") {
                Lang::Zh
            } else if primary.eq_ignore_ascii_case("en") {
                Lang::En
            } else {
                continue;
            };
            let q = params
                .map(str::trim)
                .find(|p| p.get(..2).is_some_and(|q| q.eq_ignore_ascii_case("q=")))
                .map_or(Some(1.0), |p| p[2..].parse::<f32>().ok());
            // q=0 is "not this one"; an unreadable q counts as no preference.
            if let Some(q) = q.filter(|q| *q > 0.0)
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Zh, |(_, lang)| lang)
    }

    /// The other language, for the switch on every page.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn cookie_value(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The switch's label, written in the language it switches to.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// The message for `key`; an unknown key shows itself, and a test keeps that from shipping.
    /// The text is borrowed from the catalogue (`'static`); the signature ties it to `key`
    /// only for that fallback.
    pub fn t(self, key: &str) -> &str {
        match CATALOGUE.texts.get(key) {
            Some(texts) => &texts[self.index()],
            None => key,
        }
    }

    /// A message with values: `tf("notice.reminder", &[("due", &cycle.due_on)])` fills in its
    /// `{ $due }`. Values are given as text (a Fluent plural selector would need numbers; no
    /// message has one); an unknown key shows itself, like `t`.
    pub fn tf(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let bundle = &CATALOGUE.bundles[self.index()];
        let Some(pattern) = bundle
            .get_message(&fluent_id(key))
            .and_then(|message| message.value())
        else {
            return key.to_string();
        };
        let mut values = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            values.set(*name, value.to_string());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&values), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "a message was formatted with missing values");
        }
        text.into_owned()
    }
}

/// A request's `Accept-Language` header, when it is readable, for `Lang::from_request`.
pub fn accept_language(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The Fluent identifier of a key: `app.name` is `app-name`.
fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

/// The key of a Fluent identifier: `app-name` is `app.name`.
fn key_of(id: &str) -> String {
    id.replace('-', ".")
}

struct Catalogue {
    /// Every message by key, formatted once, in the order of `Lang::index`. A message with
    /// placeholders is kept as written (`{ $name }` shows); `tf` formats those. FxHash halves
    /// a lookup's cost against the standard SipHash (11 against 23 ns); the table is fixed at
    /// start, so keys a visitor makes up (a flash cookie) can only miss, never flood it.
    texts: FxHashMap<Box<str>, [Box<str>; 2]>,
    bundles: [FluentBundle<FluentResource>; 2],
    /// What went wrong reading the files (logged at the first lookup): always empty, as a
    /// test checks.
    #[cfg_attr(not(test), allow(dead_code))]
    errors: Vec<String>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::load);

impl Catalogue {
    fn load() -> Self {
        let mut errors = Vec::new();
        let mut ids: [Vec<(String, bool)>; 2] = Default::default();
        let bundles = [Lang::Zh, Lang::En].map(|lang| {
            let (file, source) = SOURCES[lang.index()];
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(
                |(resource, parse_errors)| {
                    errors.extend(parse_errors.iter().map(|e| format!("{file}: {e:?}")));
                    resource
                },
            );
            ids[lang.index()] = resource
                .entries()
                .filter_map(|entry| match entry {
                    ast::Entry::Message(m) => Some((
                        m.id.name.to_string(),
                        m.value.as_ref().is_some_and(|p| !variables(p).is_empty()),
                    )),
                    _ => None,
                })
                .collect();
            let mut bundle = FluentBundle::new_concurrent(vec![
                lang.code().parse().expect("a valid language tag"),
            ]);
            // Isolation marks (U+2068, U+2069) around each value would end up in HTML,
            // spreadsheets and the database.
            bundle.set_use_isolating(false);
            if let Err(add_errors) = bundle.add_resource(resource) {
                errors.extend(add_errors.iter().map(|e| format!("{file}: {e:?}")));
            }
            bundle
        });
        let mut texts: FxHashMap<Box<str>, [Box<str>; 2]> = FxHashMap::default();
        for lang in [Lang::Zh, Lang::En] {
            let (file, _) = SOURCES[lang.index()];
            let bundle = &bundles[lang.index()];
            for (id, has_values) in &ids[lang.index()] {
                let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                    errors.push(format!("{file}: {id} has no text"));
                    continue;
                };
                let mut format_errors = Vec::new();
                let text: Box<str> = bundle
                    .format_pattern(pattern, None, &mut format_errors)
                    .into();
                // Without its values a message with placeholders reports each as missing.
                if !has_values && !format_errors.is_empty() {
                    errors.push(format!("{file}: {id}: {format_errors:?}"));
                }
                let entry = texts
                    .entry(key_of(id).into())
                    .or_insert_with(|| [text.clone(), text.clone()]);
                entry[lang.index()] = text;
            }
        }
        for e in &errors {
            tracing::error!(error = %e, "message catalogue");
        }
        Catalogue {
            texts,
            bundles,
            errors,
        }
    }
}

/// The `$variables` a pattern refers to, in selectors and variants too.
fn variables<'s>(message: &ast::Pattern<&'s str>) -> BTreeSet<&'s str> {
    fn inline<'s>(e: &ast::InlineExpression<&'s str>, out: &mut BTreeSet<&'s str>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name);
            }
            ast::InlineExpression::FunctionReference { arguments, .. }
            | ast::InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
                for a in &arguments.named {
                    inline(&a.value, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    fn expr<'s>(e: &ast::Expression<&'s str>, out: &mut BTreeSet<&'s str>) {
        match e {
            ast::Expression::Inline(e) => inline(e, out),
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pattern(&v.value, out);
                }
            }
        }
    }
    fn pattern<'s>(p: &ast::Pattern<&'s str>, out: &mut BTreeSet<&'s str>) {
        for element in &p.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expr(expression, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    pattern(message, &mut out);
    out
}

/// Whether `key` is in the catalogue (a flash cookie's message is shown only then).
pub fn has_key(key: &str) -> bool {
    CATALOGUE.texts.contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use std::path::{Path, PathBuf};

    /// A file's syntax tree, comments and all; a syntax error fails with its line.
    fn parsed(lang: Lang) -> ast::Resource<&'static str> {
        let (file, source) = SOURCES[lang.index()];
        fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("line {}: {:?}", line_of(source, e.pos.start), e.kind))
                .collect();
            panic!("{file} does not parse:\n{}", lines.join("\n"))
        })
    }

    /// Each file's messages: dotted key → its `$variables`.
    fn messages(lang: Lang) -> Vec<(String, BTreeSet<&'static str>)> {
        parsed(lang)
            .body
            .iter()
            .filter_map(|entry| match entry {
                ast::Entry::Message(m) => Some((
                    key_of(m.id.name),
                    m.value.as_ref().map(variables).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }

    fn line_of(source: &str, byte: usize) -> usize {
        source[..byte.min(source.len())].matches('\n').count() + 1
    }

    fn all_keys() -> BTreeSet<String> {
        messages(Lang::Zh).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn both_files_parse_and_load_without_errors() {
        for lang in [Lang::Zh, Lang::En] {
            for entry in &parsed(lang).body {
                assert!(
                    !matches!(entry, ast::Entry::Junk { .. }),
                    "{}: {entry:?}",
                    SOURCES[lang.index()].0
                );
            }
        }
        assert!(
            CATALOGUE.errors.is_empty(),
            "{}",
            CATALOGUE.errors.join("\n")
        );
    }

    #[test]
    fn every_key_is_listed_once_in_each_language_and_translated() {
        let mut by_lang = Vec::new();
        for lang in [Lang::Zh, Lang::En] {
            let mut seen = BTreeSet::new();
            for (key, _) in messages(lang) {
                // Keys keep the shape the usage scans below look for; `-` would not map back.
                assert!(is_key_shaped(&key), "{}: {key}", SOURCES[lang.index()].0);
                assert!(seen.insert(key.clone()), "duplicate key {key}");
                assert!(!lang.t(&key).trim().is_empty(), "untranslated {key}");
            }
            by_lang.push(seen);
        }
        let only_zh: Vec<_> = by_lang[0].difference(&by_lang[1]).collect();
        let only_en: Vec<_> = by_lang[1].difference(&by_lang[0]).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-CN.ftl: {only_zh:?}\nonly in en.ftl: {only_en:?}"
        );
    }

    #[test]
    fn every_message_has_the_same_placeholders_in_both_languages() {
        let en: HashMap<String, BTreeSet<&str>> = messages(Lang::En).into_iter().collect();
        let mut differ = Vec::new();
        for (key, zh) in messages(Lang::Zh) {
            if let Some(en) = en.get(&key)
                && *en != zh
            {
                differ.push(format!("{key}: zh-CN {zh:?}, en {en:?}"));
            }
        }
        assert!(differ.is_empty(), "{}", differ.join("\n"));
    }

    #[test]
    fn placeholders_are_filled_in_without_isolation_marks() {
        let name: &dyn Display = &"<李明>";
        assert_eq!(
            Lang::En.tf("home.welcome", &[("name", name)]),
            "Welcome, <李明>"
        );
        assert_eq!(
            Lang::Zh.tf("home.welcome", &[("name", name)]),
            "您好，<李明>"
        );
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(
            Lang::Zh.tf("notice.reminder", &[("due", &due)]),
            "请于2026-12-31前提交本单位社区教育资源清单和下一年度行动计划。"
        );
        assert_eq!(Lang::En.tf("no.such_key", &[]), "no.such_key");
    }

    #[test]
    fn every_key_used_in_templates_and_code_is_in_the_catalogue() {
        let areas = areas();
        let mut missing = Vec::new();
        for (file, text) in sources() {
            for key in quoted(&text).filter(|s| is_key(s, &areas)) {
                // Audit actions (`account.create`) are fine when their label `audit.account.create` exists.
                if !has_key(key) && !has_key(&format!("audit.{key}")) && !key.ends_with(".html") {
                    missing.push(format!("{}: {key}", file.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue:\n{}",
            missing.join("\n")
        );
    }

    /// Audit actions no longer written (a unit is closed through its status since issue 3)
    /// that audit logs from before still hold; the log page labels them.
    const RETIRED_AUDIT_ACTIONS: [&str; 2] =
        ["audit.org_unit.deactivate", "audit.org_unit.activate"];

    /// A key counts as used when a template or the code quotes it, or when the code builds it
    /// at run time: `label("area", code)` in a template, or `format!("area.{code}")` (the
    /// `*_label()` methods, `audit.{action}`), and the code after `area.` is a code the
    /// program knows: quoted in Rust (a const list, an enum's `as_str`, a test's list), in SQL
    /// (a check constraint), or listed in a template's loop. The prefixes are found in the code, not listed here, so a
    /// new kind of label needs nothing in this test.
    #[test]
    fn every_key_in_the_catalogue_is_used() {
        let areas = areas();
        let mut used: HashSet<String> = HashSet::new();
        let mut prefixes: HashSet<String> = HashSet::new();
        let mut codes: HashSet<String> = HashSet::new();
        for (file, text) in sources() {
            used.extend(
                quoted(&text)
                    .filter(|s| is_key(s, &areas))
                    .map(str::to_string),
            );
            prefixes.extend(dynamic_prefixes(&text));
            if file.extension().is_some_and(|e| e == "rs") {
                codes.extend(
                    quoted(&text)
                        .filter(|s| is_code_shaped(s))
                        .map(str::to_string),
                );
            } else {
                codes.extend(loop_codes(&text));
            }
        }
        let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for file in walk(migrations, "sql") {
            let sql = std::fs::read_to_string(&file).unwrap();
            codes.extend(
                sql.split('\'')
                    .skip(1)
                    .step_by(2)
                    .filter(|s| is_code_shaped(s))
                    .map(str::to_string),
            );
        }
        let built = |key: &str| {
            prefixes.iter().any(|p| {
                key.strip_prefix(p.as_str())
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|code| codes.contains(code))
            })
        };
        let unused: Vec<String> = all_keys()
            .into_iter()
            .filter(|k| !used.contains(k) && !built(k) && !RETIRED_AUDIT_ACTIONS.contains(&&**k))
            .collect();
        assert!(
            unused.is_empty(),
            "keys no template or code uses (remove them from both .ftl files):\n{}",
            unused.join("\n")
        );
    }

    /// A message with placeholders shows them raw through `t`; one without has nothing for
    /// `tf` to fill. Every quoted use of a key is checked for the right one, and every `tf`
    /// call for the values its message names: `tf("home.welcome", &[("name", ...)])`.
    #[test]
    fn messages_with_placeholders_are_formatted_with_tf_given_every_value() {
        let placeholders: HashMap<String, BTreeSet<&str>> = messages(Lang::Zh)
            .into_iter()
            .filter(|(_, vars)| !vars.is_empty())
            .collect();
        assert!(placeholders.contains_key("notice.reminder"));
        let areas = areas();
        let mut wrong = Vec::new();
        for (file, text) in sources() {
            let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
            for pair in quotes.windows(2) {
                let key = &text[pair[0] + 1..pair[1]];
                if !is_key(key, &areas) || !has_key(key) {
                    continue;
                }
                let by_tf = text[..pair[0]].trim_end().ends_with("tf(");
                match placeholders.get(key) {
                    Some(_) if !by_tf => {
                        wrong.push(format!("{}: t({key}), not tf", file.display()))
                    }
                    None if by_tf => wrong.push(format!("{}: tf({key}), not t", file.display())),
                    Some(wanted) => {
                        let given = value_names(&text[pair[1] + 1..]);
                        if given != *wanted {
                            wrong.push(format!(
                                "{}: tf({key}) given {given:?}, needs {wanted:?}",
                                file.display()
                            ));
                        }
                    }
                    None => {}
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "use tf, with every value, for messages with placeholders and t for the others:\n{}",
            wrong.join("\n")
        );
    }

    /// The names in a `tf` call's values, read from just after its key: `, &[("due", &d)])`.
    fn value_names(after_key: &str) -> BTreeSet<&str> {
        let Some(open) = after_key.find('[') else {
            return BTreeSet::new();
        };
        let mut depth = 0;
        let mut end = after_key.len();
        for (i, c) in after_key[open..].char_indices() {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i;
                break;
            }
        }
        after_key[open..end]
            .split("(\"")
            .skip(1)
            .filter_map(|s| s.split_once("\","))
            .map(|(name, _)| name)
            .collect()
    }

    /// Every templates/*.html and src/**/*.rs file but this one, with its text.
    fn sources() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = walk(root.join("templates"), "html");
        files.extend(walk(root.join("src"), "rs"));
        files
            .into_iter()
            .filter(|f| !f.ends_with("web/i18n.rs"))
            .map(|f| {
                let text = std::fs::read_to_string(&f).unwrap();
                (f, text)
            })
            .collect()
    }

    /// The text between every two neighbouring `"`, so a key inside an attribute
    /// (`aria-label="{{ ctx.t("nav.label") }}"`) is found too.
    fn quoted(text: &str) -> impl Iterator<Item = &str> {
        let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
        (0..quotes.len().saturating_sub(1)).map(move |i| &text[quotes[i] + 1..quotes[i + 1]])
    }

    /// `area.name`: a lower-case first part, then parts of letters, digits and `_`.
    fn is_key_shaped(s: &str) -> bool {
        let mut parts = s.split('.');
        let first = parts.next().unwrap_or_default();
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && s.contains('.')
            && parts
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    }

    fn is_code_shaped(s: &str) -> bool {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    }

    /// The first parts of the catalogue's keys: a quoted `area.name` of another area is no key.
    fn areas() -> HashSet<String> {
        all_keys()
            .iter()
            .map(|k| k.split('.').next().unwrap().to_string())
            .collect()
    }

    fn is_key(s: &str, areas: &HashSet<String>) -> bool {
        is_key_shaped(s) && areas.contains(s.split('.').next().unwrap())
    }

    /// The codes a template loops over: `{% for a in [5, 4, 3, 2, 1] %}`.
    fn loop_codes(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (i, _) in text.match_indices(" in [") {
            let rest = &text[i + " in [".len()..];
            if let Some(end) = rest.find(']') {
                found.extend(
                    rest[..end]
                        .split(',')
                        .map(|c| c.trim().trim_matches('"'))
                        .filter(|c| is_code_shaped(c))
                        .map(str::to_string),
                );
            }
        }
        found
    }

    /// Areas whose keys a file builds at run time: `label("kind", ...)`, `format!("kind.{...}")`.
    fn dynamic_prefixes(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (start, opening) in [("label(\"", "\""), ("format!(\"", ".{")] {
            for (i, _) in text.match_indices(start) {
                let rest = &text[i + start.len()..];
                if let Some(end) = rest.find(opening) {
                    let prefix = &rest[..end];
                    if !prefix.is_empty()
                        && prefix
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                    {
                        found.push(prefix.to_string());
                    }
                }
            }
        }
        found
    }

    fn walk(dir: PathBuf, extension: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(path, extension));
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn english_is_chosen_only_when_asked_for() {
        assert_eq!(Lang::from_cookie(Some("en")), Lang::En);
        assert_eq!(Lang::from_cookie(Some("fr")), Lang::Zh);
        assert_eq!(Lang::from_cookie(None), Lang::Zh);
        assert_eq!(Lang::En.t("app.name"), "Community Education Platform");
    }

    #[test]
    fn a_first_visit_takes_the_browsers_language() {
        let first = |header| Lang::from_request(None, Some(header));
        assert_eq!(Lang::from_request(None, None), Lang::Zh);
        assert_eq!(first("en-US,en;q=0.9"), Lang::En);
        assert_eq!(first("EN-gb"), Lang::En);
        assert_eq!(first("en"), Lang::En);
        assert_eq!(first("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(first("zh-TW"), Lang::Zh);
        assert_eq!(first("zh-Hans-CN"), Lang::Zh);
        // Neither language offered, or anything will do: the default.
        assert_eq!(first("fr-FR,de;q=0.5"), Lang::Zh);
        assert_eq!(first("*"), Lang::Zh);
        assert_eq!(first(""), Lang::Zh);
        assert_eq!(first(";;,q=,,"), Lang::Zh);
        assert_eq!(first("en;中=1, zh;q=中"), Lang::En);
        // An unoffered favourite is passed over for the next one cedu has.
        assert_eq!(first("fr-FR, en;q=0.5"), Lang::En);
    }

    #[test]
    fn q_values_order_the_browsers_languages() {
        let first = |header| Lang::from_request(None, Some(header));
        assert_eq!(first("zh;q=0.5, en;q=0.8"), Lang::En);
        assert_eq!(first("en;q=0.5, zh"), Lang::Zh);
        assert_eq!(first("en;Q=0.9, zh;q=0.3"), Lang::En);
        // A tie goes to the first listed; q=0 means "not this one".
        assert_eq!(first("en;q=0.7, zh;q=0.7"), Lang::En);
        assert_eq!(first("en;q=0, zh;q=0.1"), Lang::Zh);
        assert_eq!(first("zh;q=0, en;q=0.1"), Lang::En);
        assert_eq!(first("en;q=0"), Lang::Zh);
        // An unreadable q-value is no preference at all.
        assert_eq!(first("en;q=high, zh;q=0.2"), Lang::Zh);
        assert_eq!(first("en-US;level=1;q=0.4, zh;q=0.3"), Lang::En);
    }

    #[test]
    fn the_remembered_choice_wins_over_the_browser() {
        assert_eq!(Lang::from_request(Some("zh"), Some("en-US")), Lang::Zh);
        assert_eq!(Lang::from_request(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::from_request(Some("en"), None), Lang::En);
        // A cookie cedu did not write is no choice.
        assert_eq!(Lang::from_request(Some("fr"), Some("en")), Lang::En);
    }
}
