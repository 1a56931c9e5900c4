//! What a library resource is, apart from how it is typed or stored: its kinds, subjects,
//! licences and languages; its review steps; and the range of a file a request asks for.

pub use crate::activities::model::POPULATIONS;

pub const KINDS: [&str; 5] = ["video", "audio", "document", "course", "link"];

/// The controlled list of subjects the library is searched by.
pub const SUBJECTS: [&str; 10] = [
    "digital",
    "health",
    "skills",
    "agriculture",
    "family",
    "culture",
    "reading",
    "law",
    "safety",
    "other",
];

pub const LICENCES: [&str; 5] = [
    "cc_by",
    "cc_by_nc",
    "cc_by_nc_nd",
    "platform_only",
    "public_domain",
];

/// Chinese, Chinese Sign Language, English.
pub const LANGUAGES: [&str; 3] = ["zh", "csl", "en"];

/// Where a unit's resource stands: draft → submitted → published, or returned with a reason
/// (then submitted again); a published one may be withdrawn (and submitted again after edits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Publish,
    Return,
    Withdraw,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Submit, Step::Publish, Step::Return, Step::Withdraw];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Publish => "publish",
            Step::Return => "return",
            Step::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The statuses the step starts from.
    pub fn from(self) -> &'static [&'static str] {
        match self {
            Step::Submit => &["draft", "returned", "withdrawn"],
            Step::Publish | Step::Return => &["submitted"],
            Step::Withdraw => &["published"],
        }
    }

    pub fn to(self) -> &'static str {
        match self {
            Step::Submit => "submitted",
            Step::Publish => "published",
            Step::Return => "returned",
            Step::Withdraw => "withdrawn",
        }
    }

    /// Whether the reviewer takes the step (the rest are the providing unit's).
    pub fn reviews(self) -> bool {
        !matches!(self, Step::Submit)
    }

    /// Whether the step needs a reason, which the unit then reads.
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Return | Step::Withdraw)
    }
}

/// What the providing unit may still edit.
pub const EDITABLE: [&str; 3] = ["draft", "returned", "withdrawn"];

/// Whether a kind carries a file (a link never does; a course's lessons carry theirs).
pub fn has_file(kind: &str) -> bool {
    matches!(kind, "video" | "audio" | "document")
}

/// The kind of a resource's file by its first bytes, when its name says the same: video
/// (MP4, WebM), audio (MP3, M4A, Ogg, WAV) or a document (PDF, Office); `None` otherwise.
pub fn content_kind(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let at = |i: usize, m: &[u8]| bytes.get(i..i + m.len()) == Some(m);
    let media: Option<(&str, &[&str])> = if at(4, b"ftyp") {
        if at(8, b"M4A ") {
            Some(("audio/mp4", &["m4a"]))
        } else {
            Some(("video/mp4", &["mp4", "m4v"]))
        }
    } else if at(0, b"\x1a\x45\xdf\xa3") {
        Some(("video/webm", &["webm"]))
    } else if at(0, b"ID3") || at(0, b"\xff\xfb") || at(0, b"\xff\xf3") {
        Some(("audio/mpeg", &["mp3"]))
    } else if at(0, b"OggS") {
        Some(("audio/ogg", &["ogg", "oga"]))
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Some(("audio/wav", &["wav"]))
    } else {
        crate::web::files::sniff(bytes)
    };
    media
        .filter(|(_, exts)| exts.contains(&ext.as_str()))
        .map(|(k, _)| k)
}

/// The part of a file a request asks for, from its `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// No range (or one we do not serve, such as several): the whole file, 200.
    Whole,
    /// Bytes `start..=end`, 206.
    Part { start: u64, end: u64 },
    /// Nothing of the file is in the range: 416.
    Unsatisfiable,
}

/// The most one 206 answer carries; a player asks again for the rest. Keeps a request's
/// memory and its connection's time small whatever the file's size.
pub const MAX_PART: u64 = 4 * 1024 * 1024;

impl Range {
    /// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` against a file of `size` bytes. An
    /// open-ended range is cut to [`MAX_PART`]; a header we cannot read is ignored (RFC 9110).
    pub fn parse(header: Option<&str>, size: u64) -> Range {
        let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
            return Range::Whole;
        };
        if spec.contains(',') {
            return Range::Whole;
        }
        let Some((a, b)) = spec.trim().split_once('-') else {
            return Range::Whole;
        };
        let (a, b) = (a.trim(), b.trim());
        let parsed = |s: &str| s.parse::<u64>().ok();
        let (start, end) = match (a.is_empty(), b.is_empty()) {
            (false, false) => match (parsed(a), parsed(b)) {
                (Some(s), Some(e)) if s <= e => (s, e.min(size.saturating_sub(1))),
                _ => return Range::Whole,
            },
            (false, true) => match parsed(a) {
                Some(s) => (s, (s + MAX_PART - 1).min(size.saturating_sub(1))),
                None => return Range::Whole,
            },
            (true, false) => match parsed(b) {
                Some(0) => return Range::Unsatisfiable,
                Some(n) => (size.saturating_sub(n), size.saturating_sub(1)),
                None => return Range::Whole,
            },
            (true, true) => return Range::Whole,
        };
        if size == 0 || start >= size {
            return Range::Unsatisfiable;
        }
        Range::Part { start, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_header_is_read_against_the_files_size() {
        assert_eq!(Range::parse(None, 100), Range::Whole);
        assert_eq!(
            Range::parse(Some("bytes=10-19"), 100),
            Range::Part { start: 10, end: 19 }
        );
        assert_eq!(
            Range::parse(Some("bytes=90-200"), 100),
            Range::Part { start: 90, end: 99 }
        );
        assert_eq!(
            Range::parse(Some("bytes=95-"), 100),
            Range::Part { start: 95, end: 99 }
        );
        assert_eq!(
            Range::parse(Some("bytes=-5"), 100),
            Range::Part { start: 95, end: 99 }
        );
        assert_eq!(Range::parse(Some("bytes=100-"), 100), Range::Unsatisfiable);
        assert_eq!(Range::parse(Some("bytes=-0"), 100), Range::Unsatisfiable);
        assert_eq!(Range::parse(Some("bytes=5-1"), 100), Range::Whole);
        assert_eq!(Range::parse(Some("bytes=0-1,5-6"), 100), Range::Whole);
        assert_eq!(Range::parse(Some("items=0-1"), 100), Range::Whole);
        let big = 100 * MAX_PART;
        assert_eq!(
            Range::parse(Some("bytes=0-"), big),
            Range::Part {
                start: 0,
                end: MAX_PART - 1
            }
        );
    }

    #[test]
    fn the_unit_submits_and_the_reviewer_publishes_returns_or_withdraws() {
        assert!(!Step::Submit.reviews() && Step::Publish.reviews());
        assert_eq!(Step::Publish.from(), &["submitted"]);
        assert!(Step::Submit.from().contains(&"returned"));
        assert!(Step::Withdraw.needs_reason() && !Step::Publish.needs_reason());
        assert_eq!(Step::parse("withdraw"), Some(Step::Withdraw));
        assert!(has_file("video") && !has_file("link") && !has_file("course"));
    }

    #[test]
    fn a_file_is_taken_when_its_content_and_name_agree() {
        assert_eq!(
            content_kind("课.mp4", b"\0\0\0\x18ftypisom\0\0"),
            Some("video/mp4")
        );
        assert_eq!(
            content_kind("课.webm", b"\x1a\x45\xdf\xa3\x9f"),
            Some("video/webm")
        );
        assert_eq!(content_kind("讲座.mp3", b"ID3\x04\0"), Some("audio/mpeg"));
        assert_eq!(
            content_kind("手册.pdf", b"%PDF-1.4"),
            Some("application/pdf")
        );
        assert_eq!(content_kind("课.pdf", b"\0\0\0\x18ftypisom"), None);
        assert_eq!(content_kind("run.sh", b"#!/bin/sh"), None);
    }
}
