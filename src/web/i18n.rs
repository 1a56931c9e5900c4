//! The one message catalogue: every string the UI shows, in Simplified Chinese (the default)
//! and English. Templates and handlers look strings up by key.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads the remembered choice (`zh` or `en`); anything else is the default.
    pub fn from_cookie(value: Option<&str>) -> Lang {
        match value {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
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
    pub fn t(self, key: &str) -> &str {
        match CATALOGUE_INDEX.get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }
}

static CATALOGUE_INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| {
        super::messages::CATALOGUE
            .iter()
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    });

pub fn has_key(key: &str) -> bool {
    CATALOGUE_INDEX.contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::messages::CATALOGUE;

    #[test]
    fn every_key_is_listed_once_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (key, zh, en) in CATALOGUE {
            assert!(seen.insert(key), "duplicate key {key}");
            assert!(!zh.is_empty() && !en.is_empty(), "untranslated {key}");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_is_in_the_catalogue() {
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            for file in walk(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) {
                let text = std::fs::read_to_string(&file).unwrap();
                for key in quoted_keys(&text) {
                    // Audit actions (`account.create`) are fine when their label `audit.account.create` exists.
                    if !has_key(key) && !has_key(&format!("audit.{key}")) && !key.ends_with(".html")
                    {
                        missing.push(format!("{}: {key}", file.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue:\n{}",
            missing.join("\n")
        );
    }

    /// Quoted strings shaped like catalogue keys (`area.name`) whose area the catalogue has.
    fn quoted_keys(text: &str) -> Vec<&str> {
        let areas: std::collections::HashSet<&str> = CATALOGUE
            .iter()
            .map(|(k, _, _)| k.split('.').next().unwrap())
            .collect();
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.contains('.')
                    && s.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && areas.contains(s.split('.').next().unwrap())
                    && !s.ends_with('.')
            })
            .collect()
    }

    fn walk(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(path));
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                && !path.ends_with("messages.rs")
                && !path.ends_with("i18n.rs")
            {
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
}
