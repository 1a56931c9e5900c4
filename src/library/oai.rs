//! OAI-PMH 2.0 at `/oai`, so the provincial lifelong-learning platform (or any standard
//! harvester) collects every district's public records as Dublin Core (`oai_dc`): the library's
//! published resources (withdrawn ones as deleted records) and the items of published December
//! catalogues. Sets are `district:{code}` and `district:{code}:{kind}`; lists come 100 records
//! at a time with a resumption token. Anonymous, GET or POST, one transaction per request,
//! across districts through `oai_records()` (migration 0030), which returns only what is public.

use super::repo::{self, OaiQuery, OaiRecord};
use crate::error::Result;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::tx::AnyTx;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::fmt::Write;

/// Records in one answer of a list.
pub const PAGE: usize = 100;
const GRANULARITY: &str = "YYYY-MM-DDThh:mm:ssZ";
const NAMESPACE: &str = "cedu";

/// `GET /oai?verb=…`.
pub async fn get(
    State(app): State<AppState>,
    AnyTx(tx): AnyTx,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response> {
    let args: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    answer(&app, tx, &headers, args).await
}

/// `POST /oai` with the arguments as a form.
pub async fn post(
    State(app): State<AppState>,
    AnyTx(tx): AnyTx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let args: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    answer(&app, tx, &headers, args).await
}

/// This site's address as the request named it (the feed's base URL).
fn base_url(app: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    let scheme = if app.web.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// An OAI-PMH error: its code and what it says.
struct Error(&'static str, &'static str);

/// Text for XML: the five characters escaped, and characters XML 1.0 cannot hold dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A `from` or `until` argument: a day or a second in UTC, with which granularity (true:
/// seconds). `until` a day means to its last second.
fn datestamp(value: &str, until: bool) -> Option<(DateTime<Utc>, bool)> {
    if value.len() == 10 {
        let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
        let time = if until {
            day.and_hms_opt(23, 59, 59)?
        } else {
            day.and_hms_opt(0, 0, 0)?
        };
        return Some((time.and_utc(), false));
    }
    if value.len() != 20 {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%SZ").ok()?;
    Some((at.and_utc(), true))
}

/// A set as a harvester names it: a district, or a district's kind of record.
fn parse_set(spec: &str) -> Option<(String, Option<String>)> {
    let rest = spec.strip_prefix("district:")?;
    let (district, kind) = match rest.split_once(':') {
        Some((d, k)) => (d, Some(k.to_string())),
        None => (rest, None),
    };
    let code_like = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    if !code_like(district) || kind.as_deref().is_some_and(|k| !code_like(k)) {
        return None;
    }
    Some((district.to_string(), kind))
}

/// An identifier: `oai:cedu:{district}:{library|catalogue}:{id}`.
fn parse_identifier(id: &str) -> Option<(String, &str, i64)> {
    let mut parts = id.strip_prefix("oai:cedu:")?.split(':');
    let (district, source, n) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !matches!(source, "library" | "catalogue") {
        return None;
    }
    parse_set(&format!("district:{district}"))?;
    Some((district.to_string(), source, n.parse().ok()?))
}

fn identifier(r: &OaiRecord) -> String {
    format!("oai:{NAMESPACE}:{}:{}:{}", r.district_code, r.source, r.id)
}

/// The arguments of a list, as typed (so a resumption token keeps the granularity).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ListArgs {
    prefix: String,
    from: String,
    until: String,
    set: String,
}

/// A resumption token: the list's arguments, the last key given and how many so far.
fn token(a: &ListArgs, last: &OaiRecord, cursor: usize) -> String {
    format!(
        "v1~{}~{}~{}~{}~{}~{}~{}~{cursor}",
        a.prefix, a.from, a.until, a.set, last.tenant_id, last.source, last.id
    )
}

type Resume = (ListArgs, (i64, String, i64), usize);

fn parse_token(t: &str) -> Option<Resume> {
    let p: Vec<&str> = t.split('~').collect();
    if p.len() != 9 || p[0] != "v1" || !matches!(p[6], "library" | "catalogue") {
        return None;
    }
    let args = ListArgs {
        prefix: p[1].into(),
        from: p[2].into(),
        until: p[3].into(),
        set: p[4].into(),
    };
    let key = (p[5].parse().ok()?, p[6].to_string(), p[7].parse().ok()?);
    Some((args, key, p[8].parse().ok()?))
}

/// The list query `args` mean, or the error they are.
fn list_query(a: &ListArgs) -> std::result::Result<OaiQuery, Error> {
    if a.prefix != "oai_dc" {
        return Err(Error("cannotDisseminateFormat", "Only oai_dc is offered."));
    }
    let bad = |what| Error("badArgument", what);
    let from = (!a.from.is_empty())
        .then(|| datestamp(&a.from, false).ok_or(bad("from is not a UTC datestamp.")))
        .transpose()?;
    let until = (!a.until.is_empty())
        .then(|| datestamp(&a.until, true).ok_or(bad("until is not a UTC datestamp.")))
        .transpose()?;
    if let (Some((f, fs)), Some((u, us))) = (from, until) {
        if fs != us {
            return Err(bad("from and until have different granularities."));
        }
        if f > u {
            return Err(bad("from is later than until."));
        }
    }
    let (district, kind) = if a.set.is_empty() {
        (None, None)
    } else {
        match parse_set(&a.set) {
            Some((d, k)) => (Some(d), k),
            None => return Err(Error("noRecordsMatch", "No such set.")),
        }
    };
    Ok(OaiQuery {
        district,
        kind,
        id: None,
        from: from.map(|f| f.0),
        until: until.map(|u| u.0),
        after: None,
    })
}

/// Which arguments each verb takes besides `verb`: required, optional, exclusive.
fn allowed(verb: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match verb {
        "Identify" => (&[], &[]),
        "ListMetadataFormats" => (&[], &["identifier"]),
        "ListSets" => (&[], &["resumptionToken"]),
        "GetRecord" => (&["identifier", "metadataPrefix"], &[]),
        "ListIdentifiers" | "ListRecords" => (
            &[],
            &["metadataPrefix", "from", "until", "set", "resumptionToken"],
        ),
        _ => return None,
    })
}

async fn answer(
    app: &AppState,
    mut tx: crate::db::Tx,
    headers: &HeaderMap,
    args: Vec<(String, String)>,
) -> Result<Response> {
    let base = format!("{}/oai", base_url(app, headers));
    let mut body = String::new();
    let result = respond(&mut tx, app, headers, &args, &mut body).await;
    tx.commit().await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n",
    );
    let _ = writeln!(xml, "<responseDate>{}</responseDate>", stamp(Utc::now()));
    match result? {
        Ok(()) => {
            xml.push_str("<request");
            for (k, v) in &args {
                let _ = write!(xml, " {}=\"{}\"", esc(k), esc(v));
            }
            let _ = writeln!(xml, ">{}</request>", esc(&base));
            xml.push_str(&body);
        }
        Err(Error(code, text)) => {
            // After badVerb or badArgument the request is echoed without its arguments.
            let echo = !matches!(code, "badVerb" | "badArgument");
            xml.push_str("<request");
            if echo {
                for (k, v) in &args {
                    let _ = write!(xml, " {}=\"{}\"", esc(k), esc(v));
                }
            }
            let _ = writeln!(xml, ">{}</request>", esc(&base));
            let _ = writeln!(xml, "<error code=\"{code}\">{}</error>", esc(text));
        }
    }
    xml.push_str("</OAI-PMH>\n");
    Ok((
        [
            (header::CONTENT_TYPE, "text/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        xml,
    )
        .into_response())
}

/// Writes the verb's element into `out`, or says which OAI-PMH error the request is; a
/// database failure is the outer error.
async fn respond(
    tx: &mut crate::db::Tx,
    app: &AppState,
    headers: &HeaderMap,
    args: &[(String, String)],
    out: &mut String,
) -> Result<std::result::Result<(), Error>> {
    let verbs: Vec<&str> = args
        .iter()
        .filter(|(k, _)| k == "verb")
        .map(|(_, v)| v.as_str())
        .collect();
    let [verb] = verbs[..] else {
        return Ok(Err(Error("badVerb", "Exactly one verb is needed.")));
    };
    let Some((required, optional)) = allowed(verb) else {
        return Ok(Err(Error("badVerb", "No such verb.")));
    };
    let mut seen: Vec<&str> = Vec::new();
    for (k, _) in args.iter().filter(|(k, _)| k != "verb") {
        if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            return Ok(Err(Error(
                "badArgument",
                "An argument this verb does not take.",
            )));
        }
        if seen.contains(&k.as_str()) {
            return Ok(Err(Error("badArgument", "An argument given twice.")));
        }
        seen.push(k);
    }
    if required.iter().any(|r| !seen.contains(r)) {
        return Ok(Err(Error("badArgument", "A required argument is missing.")));
    }
    let arg = |name: &str| {
        args.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let base = base_url(app, headers);
    Ok(match verb {
        "Identify" => {
            let earliest = repo::oai_earliest(tx).await?.unwrap_or_else(Utc::now);
            let host = base.split("://").nth(1).unwrap_or("localhost");
            let host = host.split(':').next().unwrap_or("localhost");
            let _ = write!(
                out,
                "<Identify>\n<repositoryName>{}</repositoryName>\n<baseURL>{}/oai</baseURL>\n\
                 <protocolVersion>2.0</protocolVersion>\n<adminEmail>oai-admin@{}</adminEmail>\n\
                 <earliestDatestamp>{}</earliestDatestamp>\n<deletedRecord>transient</deletedRecord>\n\
                 <granularity>{GRANULARITY}</granularity>\n</Identify>\n",
                esc(Lang::Zh.t("app.name")),
                esc(&base),
                esc(host),
                stamp(earliest),
            );
            Ok(())
        }
        "ListMetadataFormats" => {
            if let Some(id) = arg("identifier")
                && find(tx, id).await?.is_none()
            {
                return Ok(Err(Error("idDoesNotExist", "No such record.")));
            }
            out.push_str(
                "<ListMetadataFormats>\n<metadataFormat><metadataPrefix>oai_dc</metadataPrefix>\
                 <schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>\
                 <metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>\
                 </metadataFormat>\n</ListMetadataFormats>\n",
            );
            Ok(())
        }
        "ListSets" => {
            if arg("resumptionToken").is_some() {
                return Ok(Err(Error("badResumptionToken", "Sets come in one list.")));
            }
            let sets = repo::oai_sets(tx).await?;
            out.push_str("<ListSets>\n");
            let mut last = String::new();
            for (code, name, kind) in &sets {
                if *code != last {
                    let _ = writeln!(
                        out,
                        "<set><setSpec>district:{}</setSpec><setName>{}</setName></set>",
                        esc(code),
                        esc(name)
                    );
                    last = code.clone();
                }
                let _ = writeln!(
                    out,
                    "<set><setSpec>district:{}:{}</setSpec><setName>{} · {}</setName></set>",
                    esc(code),
                    esc(kind),
                    esc(name),
                    esc(&kind_label(kind))
                );
            }
            out.push_str("</ListSets>\n");
            Ok(())
        }
        "GetRecord" => {
            if arg("metadataPrefix") != Some("oai_dc") {
                return Ok(Err(Error(
                    "cannotDisseminateFormat",
                    "Only oai_dc is offered.",
                )));
            }
            let Some(r) = find(tx, arg("identifier").unwrap_or("")).await? else {
                return Ok(Err(Error("idDoesNotExist", "No such record.")));
            };
            out.push_str("<GetRecord>\n");
            record(out, &base, &r);
            out.push_str("</GetRecord>\n");
            Ok(())
        }
        _ => {
            let full = verb == "ListRecords";
            let (list_args, after, cursor) = match arg("resumptionToken") {
                Some(t) => {
                    if seen.len() > 1 {
                        return Ok(Err(Error(
                            "badArgument",
                            "resumptionToken is an exclusive argument.",
                        )));
                    }
                    match parse_token(t) {
                        Some((a, key, cursor)) => (a, Some(key), Some(cursor)),
                        None => {
                            return Ok(Err(Error("badResumptionToken", "Not a token of ours.")));
                        }
                    }
                }
                None => {
                    let Some(prefix) = arg("metadataPrefix") else {
                        return Ok(Err(Error("badArgument", "metadataPrefix is required.")));
                    };
                    let a = ListArgs {
                        prefix: prefix.into(),
                        from: arg("from").unwrap_or("").into(),
                        until: arg("until").unwrap_or("").into(),
                        set: arg("set").unwrap_or("").into(),
                    };
                    (a, None, None)
                }
            };
            let mut q = match list_query(&list_args) {
                Ok(q) => q,
                Err(e) if cursor.is_some() => {
                    let _ = e;
                    return Ok(Err(Error("badResumptionToken", "Not a token of ours.")));
                }
                Err(e) => return Ok(Err(e)),
            };
            q.after = after;
            let mut rows = repo::oai_records(tx, &q, PAGE as i32 + 1).await?;
            if rows.is_empty() {
                return Ok(Err(match cursor {
                    Some(_) => Error("badResumptionToken", "The list has changed or ended."),
                    None => Error("noRecordsMatch", "No records match."),
                }));
            }
            let more = rows.len() > PAGE;
            rows.truncate(PAGE);
            let element = if full {
                "ListRecords"
            } else {
                "ListIdentifiers"
            };
            let _ = writeln!(out, "<{element}>");
            for r in &rows {
                if full {
                    record(out, &base, r);
                } else {
                    header_of(out, r);
                }
            }
            let done = cursor.unwrap_or(0);
            if more {
                let last = rows.last().expect("a page of rows");
                let _ = writeln!(
                    out,
                    "<resumptionToken cursor=\"{done}\">{}</resumptionToken>",
                    esc(&token(&list_args, last, done + rows.len()))
                );
            } else if cursor.is_some() {
                let _ = writeln!(out, "<resumptionToken cursor=\"{done}\"/>");
            }
            let _ = writeln!(out, "</{element}>");
            Ok(())
        }
    })
}

/// The record an identifier names, if the feed holds it.
async fn find(tx: &mut crate::db::Tx, id: &str) -> Result<Option<OaiRecord>> {
    let Some((district, source, n)) = parse_identifier(id) else {
        return Ok(None);
    };
    let q = OaiQuery {
        district: Some(district),
        kind: (source == "catalogue").then(|| "catalogue".to_string()),
        id: Some(n),
        ..Default::default()
    };
    let rows = repo::oai_records(tx, &q, 2).await?;
    Ok(rows.into_iter().find(|r| r.source == source))
}

fn kind_label(kind: &str) -> String {
    if kind == "catalogue" {
        Lang::Zh.t("library.oai_catalogue").to_string()
    } else {
        Lang::Zh.t(&format!("library.kind.{kind}")).to_string()
    }
}

fn header_of(out: &mut String, r: &OaiRecord) {
    let status = if r.deleted { " status=\"deleted\"" } else { "" };
    let _ = writeln!(
        out,
        "<header{status}><identifier>{}</identifier><datestamp>{}</datestamp>\
         <setSpec>district:{}</setSpec><setSpec>district:{}:{}</setSpec></header>",
        esc(&identifier(r)),
        stamp(r.stamp),
        esc(&r.district_code),
        esc(&r.district_code),
        esc(&r.kind)
    );
}

/// The DCMI type of a kind of record.
fn dc_type(kind: &str) -> &'static str {
    match kind {
        "video" => "MovingImage",
        "audio" => "Sound",
        "document" => "Text",
        "catalogue" => "Service",
        _ => "InteractiveResource",
    }
}

fn record(out: &mut String, base: &str, r: &OaiRecord) {
    out.push_str("<record>");
    header_of(out, r);
    if r.deleted {
        out.push_str("</record>\n");
        return;
    }
    let zh = Lang::Zh;
    let page = match r.source.as_str() {
        "library" => format!("{base}/d/{}/library/{}", r.district_code, r.id),
        _ => format!("{base}/public/{}/{}", r.district_code, r.year.unwrap_or(0)),
    };
    let subject = if r.source == "library" {
        zh.t(&format!("library.subject.{}", r.subject)).to_string()
    } else {
        zh.t(&format!("resource.{}", r.subject)).to_string()
    };
    out.push_str(
        "<metadata><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">",
    );
    let mut dc = |name: &str, value: &str| {
        if !value.is_empty() {
            let _ = write!(out, "<dc:{name}>{}</dc:{name}>", esc(value));
        }
    };
    dc("title", &r.title);
    dc("creator", &r.creator);
    dc("subject", &subject);
    for p in &r.populations {
        dc("subject", zh.t(&format!("population.{p}")));
    }
    dc("description", &r.description);
    dc("publisher", &r.district_name);
    dc("date", &r.stamp.format("%Y-%m-%d").to_string());
    dc("type", dc_type(&r.kind));
    dc("format", r.content_type.as_deref().unwrap_or(""));
    if let Some(d) = r.duration_minutes {
        dc("format", &format!("{d} min"));
    }
    dc("identifier", &page);
    dc("relation", &r.external_url);
    dc("language", &r.language);
    if !r.licence.is_empty() {
        dc("rights", zh.t(&format!("library.licence.{}", r.licence)));
    }
    dc("coverage", &r.district_name);
    out.push_str("</oai_dc:dc></metadata></record>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datestamps_are_utc_days_or_seconds_and_until_a_day_runs_to_its_end() {
        let (from, secs) = datestamp("2026-12-01", false).unwrap();
        assert_eq!(
            (stamp(from).as_str(), secs),
            ("2026-12-01T00:00:00Z", false)
        );
        assert_eq!(
            stamp(datestamp("2026-12-01", true).unwrap().0),
            "2026-12-01T23:59:59Z"
        );
        assert!(datestamp("2026-12-01T05:06:07Z", false).unwrap().1);
        assert!(datestamp("2026-12-01T05:06:07+08:00", false).is_none());
        assert!(datestamp("2026-13-01", false).is_none());
    }

    #[test]
    fn sets_identifiers_and_tokens_read_back_what_they_wrote() {
        assert_eq!(
            parse_set("district:mengjin:video"),
            Some(("mengjin".into(), Some("video".into())))
        );
        assert_eq!(parse_set("mengjin"), None);
        assert_eq!(
            parse_identifier("oai:cedu:mengjin:library:12"),
            Some(("mengjin".into(), "library", 12))
        );
        assert_eq!(parse_identifier("oai:cedu:mengjin:secret:12"), None);
        assert_eq!(parse_token("v1~oai_dc~~~~1~library"), None);
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(esc("a\u{1}b"), "ab");
    }
}
