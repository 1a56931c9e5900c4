//! The library's forms: a resource, a lesson of a course, the district's file size limit.

use super::model::{KINDS, LANGUAGES, LICENCES, POPULATIONS, SUBJECTS};
use super::repo::{Resource, ResourceInput};
use crate::activities::model::Organiser;
use crate::web::forms::{FieldErrors, Pairs, text, text_block, whole};
use crate::web::save::Compared;

#[derive(Debug, Default, Clone)]
pub struct ResourceForm {
    pub title: String,
    pub kind: String,
    pub subject: String,
    pub populations: Vec<String>,
    pub duration_minutes: String,
    pub provider: String,
    pub licence: String,
    pub language: String,
    pub description: String,
    pub external_url: String,
    pub version: String,
}

impl ResourceForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            title: p.get("title"),
            kind: p.get("kind"),
            subject: p.get("subject"),
            populations: p.all("populations"),
            duration_minutes: p.get("duration_minutes"),
            provider: p.get("provider"),
            licence: p.get("licence"),
            language: p.get("language"),
            description: p.get("description"),
            external_url: p.get("external_url"),
            version: p.get("version"),
        }
    }

    pub fn from_resource(r: &Resource) -> Self {
        Self {
            title: r.title.clone(),
            kind: r.kind.clone(),
            subject: r.subject.clone(),
            populations: r.populations.clone(),
            duration_minutes: r
                .duration_minutes
                .map(|d| d.to_string())
                .unwrap_or_default(),
            provider: r.provider_key(),
            licence: r.licence.clone(),
            language: r.language.clone(),
            description: r.description.clone(),
            external_url: r.external_url.clone(),
            version: r.version.to_string(),
        }
    }

    pub fn serves(&self, population: &str) -> bool {
        self.populations.iter().any(|p| p == population)
    }

    /// Checks the form; `providers` are the keys (`u12`, `m3`) the user may add for.
    pub fn parse(&self, providers: &[String]) -> Result<ResourceInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &self.title, true, 200);
        let kind = self.kind.trim().to_string();
        if !KINDS.contains(&kind.as_str()) {
            e.add("kind", "form.choose");
        }
        let subject = self.subject.trim().to_string();
        if !SUBJECTS.contains(&subject.as_str()) {
            e.add("subject", "form.choose");
        }
        let populations: Vec<String> = POPULATIONS
            .iter()
            .filter(|p| self.serves(p))
            .map(|p| p.to_string())
            .collect();
        let duration_minutes = if self.duration_minutes.trim().is_empty() {
            None
        } else {
            whole(
                &mut e,
                "duration_minutes",
                &self.duration_minutes,
                1..=10000,
                "library.duration_range",
            )
        };
        let provider =
            Organiser::parse(self.provider.trim()).filter(|p| providers.contains(&p.key()));
        if provider.is_none() {
            e.add("provider", "form.choose");
        }
        let licence = self.licence.trim().to_string();
        if !LICENCES.contains(&licence.as_str()) {
            e.add("licence", "form.choose");
        }
        let language = self.language.trim().to_string();
        if !LANGUAGES.contains(&language.as_str()) {
            e.add("language", "form.choose");
        }
        let description = text_block(&mut e, "description", &self.description, false, 4000);
        let external_url = url(&mut e, "external_url", &self.external_url);
        if kind == "link" && external_url.is_empty() && e.get("external_url").is_none() {
            e.add("external_url", "library.link_required");
        }
        e.into_result(ResourceInput {
            title,
            kind,
            subject,
            populations,
            duration_minutes,
            provider_unit_id: provider.and_then(Organiser::unit),
            provider_member_unit_id: provider.and_then(Organiser::member),
            licence,
            language,
            description,
            external_url,
        })
    }

    pub fn compare(&self, saved: &Resource) -> Vec<Compared> {
        let s = Self::from_resource(saved);
        vec![
            Compared::new("library.title_field", &self.title, &s.title),
            Compared::new("library.kind", &self.kind, &s.kind),
            Compared::new("library.subject", &self.subject, &s.subject),
            Compared::new(
                "library.duration",
                &self.duration_minutes,
                &s.duration_minutes,
            ),
            Compared::new("library.description", &self.description, &s.description),
            Compared::new("library.external_url", &self.external_url, &s.external_url),
        ]
    }
}

/// A web address on another platform: `http(s)://…`, no spaces, at most 500 characters;
/// empty is "".
pub fn url(e: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let value = text(e, field, value, false, 500);
    if value.is_empty() || e.get(field).is_some() {
        return value;
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.chars().any(char::is_whitespace) && !r.contains(['<', '>', '"'])
    });
    if !ok {
        e.add(field, "library.url_format");
    }
    value
}

/// A lesson as typed: its title, duration and link (its file is uploaded on its own).
pub struct LessonInput {
    pub title: String,
    pub duration_minutes: Option<i32>,
    pub external_url: String,
}

pub fn lesson(p: &Pairs) -> Result<LessonInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = text(&mut e, "lesson_title", &p.get("lesson_title"), true, 200);
    let d = p.get("lesson_duration");
    let duration_minutes = if d.trim().is_empty() {
        None
    } else {
        whole(
            &mut e,
            "lesson_duration",
            &d,
            1..=10000,
            "library.duration_range",
        )
    };
    let external_url = url(&mut e, "lesson_url", &p.get("lesson_url"));
    e.into_result(LessonInput {
        title,
        duration_minutes,
        external_url,
    })
}

/// The district's largest file, in MB.
pub fn max_file_mb(p: &Pairs) -> Result<i32, FieldErrors> {
    let mut e = FieldErrors::default();
    let mb = whole(
        &mut e,
        "max_file_mb",
        &p.get("max_file_mb"),
        1..=500,
        "library.max_file_range",
    );
    e.into_result(mb.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ResourceForm {
        ResourceForm {
            title: "智能手机入门".into(),
            kind: "video".into(),
            subject: "digital".into(),
            populations: vec!["elderly".into(), "nobody".into()],
            duration_minutes: "12".into(),
            provider: "u3".into(),
            licence: "cc_by".into(),
            language: "zh".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_resource_needs_its_choices_from_the_lists_and_a_provider_in_scope() {
        let ok = form().parse(&["u3".into()]).unwrap();
        assert_eq!(ok.populations, vec!["elderly".to_string()]);
        assert_eq!(ok.provider_unit_id, Some(3));
        let e = form().parse(&["u4".into()]).unwrap_err();
        assert_eq!(e.get("provider"), Some("form.choose"));
        let link = ResourceForm {
            kind: "link".into(),
            ..form()
        };
        let e = link.parse(&["u3".into()]).unwrap_err();
        assert_eq!(e.get("external_url"), Some("library.link_required"));
        let bad = ResourceForm {
            external_url: "javascript:alert(1)".into(),
            duration_minutes: "0".into(),
            ..form()
        };
        let e = bad.parse(&["u3".into()]).unwrap_err();
        assert_eq!(e.get("external_url"), Some("library.url_format"));
        assert_eq!(e.get("duration_minutes"), Some("library.duration_range"));
    }
}
