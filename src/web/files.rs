//! Files people upload (evidence, qualification scans, photos): judged by their content, not
//! their name, kept only when both agree; and sent back always as a download, so no uploaded
//! file is ever shown by the browser as a page of this site.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The largest file kept.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The kind of a file by its first bytes, with the extensions that may carry it.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"]))
    } else if starts(b"\xff\xd8\xff") {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(("image/gif", &["gif"]))
    } else if starts(b"PK\x03\x04") && contains(bytes, b"[Content_Types].xml") {
        // Office Open XML: a zip with a content-types part.
        Some((
            "application/vnd.openxmlformats-officedocument",
            &["docx", "xlsx", "pptx"],
        ))
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Some(("application/x-ole-storage", &["doc", "xls", "ppt"]))
    } else {
        None
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The file's kind if it may be kept (a known kind whose name says the same), else the
/// catalogue key of why not.
pub fn acceptable(name: &str, bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.is_empty() {
        return Err("file.empty");
    }
    if bytes.len() > MAX_BYTES {
        return Err("file.too_large");
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match sniff(bytes) {
        Some((kind, exts)) if exts.contains(&ext.as_str()) => Ok(kind),
        _ => Err("file.type"),
    }
}

/// `content` as a download named `name` (ASCII fallback and the UTF-8 name both given).
pub fn download(name: &str, kind: String, content: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_DISPOSITION, attachment(name)),
        ],
        content,
    )
        .into_response()
}

/// The Content-Disposition of a download named `name`.
pub fn attachment(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{safe}\"; filename*=UTF-8''{}",
        super::urlencode(name)
    )
}

/// A file that may be kept: its name, its kind by content, its bytes.
pub struct Upload {
    pub name: String,
    pub kind: &'static str,
    pub bytes: Vec<u8>,
}

/// The upload judged, or the catalogue key of why not: none came (`empty`, in the area's own
/// words), or [`acceptable`] refused it.
pub fn judged(
    file: Option<(String, Vec<u8>)>,
    empty: &'static str,
) -> Result<Upload, &'static str> {
    let (name, bytes) = file.ok_or(empty)?;
    acceptable(&name, &bytes).map(|kind| Upload { name, kind, bytes })
}

/// The file of a form's `file` field, its name cut to 150 characters; `None` when none came.
pub async fn one_upload(
    mut multipart: axum::extract::Multipart,
) -> crate::error::Result<Option<(String, Vec<u8>)>> {
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field
                .file_name()
                .unwrap_or("file")
                .chars()
                .take(150)
                .collect::<String>();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| crate::error::AppError::BadRequest)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_kept_only_when_its_content_and_name_agree() {
        assert_eq!(
            acceptable("证书.pdf", b"%PDF-1.7 ..."),
            Ok("application/pdf")
        );
        assert_eq!(
            acceptable("证书.JPG", b"\xff\xd8\xff\xe0x"),
            Ok("image/jpeg")
        );
        assert_eq!(acceptable("证书.pdf", b"MZ\x90\x00"), Err("file.type"));
        assert_eq!(acceptable("a.pdf", b""), Err("file.empty"));
        assert_eq!(
            acceptable("report.pdf", b"\x89PNG\r\n\x1a\nimage"),
            Err("file.type"),
            "a png called pdf"
        );
        assert_eq!(
            acceptable("run.sh", b"#!/bin/sh\nrm -rf /"),
            Err("file.type")
        );
        let big = vec![b'%'; MAX_BYTES + 1];
        assert_eq!(acceptable("big.pdf", &big), Err("file.too_large"));
    }
}
