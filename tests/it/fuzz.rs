//! Hostile input at every form and every search: the test finds them as a visitor would, by
//! following links from each role's home (so a new form is covered without being listed here),
//! then posts a table of hostile values into every field. Never a 5xx, never raw markup echoed,
//! and a form answered with 422 shows what was typed.

use crate::support::{Client, TestApp};
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

const HOSTILE: &[&str] = &[
    "",
    "a\0b",
    "\u{1}\u{7}\u{1b}[31m",
    "line\r\nbreak\ttab",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' OR '1'='1' --",
    "\\%_%00",
    "99999999999999999999",
    "-9223372036854775808",
    "-1",
    "1e308",
    "NaN",
    "2026-02-30",
    "0000-00-00",
    "😀👨\u{200d}👩\u{200d}👧",
    "\u{202e}لا\u{200f}",
];

/// Markup that must never come back unescaped.
const RAW_MARKUP: &[&str] = &["<script>alert(1)", "<img src=x onerror"];

#[derive(Debug, Clone)]
struct Form {
    method: String,
    action: String,
    multipart: bool,
    /// (name, value, kind): kind is the input type, "select" or "textarea".
    fields: Vec<(String, String, String)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = at + tag[at..].find('"')?;
    Some(
        tag[at..end]
            .replace("&#34;", "\"")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

fn forms(body: &str) -> Vec<Form> {
    let mut found = Vec::new();
    for chunk in body.split("<form").skip(1) {
        let Some(end) = chunk.find("</form>") else {
            continue;
        };
        let html = &chunk[..end];
        let open = &html[..html.find('>').unwrap_or(0)];
        let mut fields = Vec::new();
        for tag in html.split("<input").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(0)];
            if let Some(name) = attr(tag, "name") {
                let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
                fields.push((name, attr(tag, "value").unwrap_or_default(), kind));
            }
        }
        for tag in html.split("<select").skip(1) {
            if let Some(name) = attr(tag, "name") {
                let first = tag
                    .split("<option")
                    .nth(1)
                    .and_then(|o| attr(o, "value"))
                    .unwrap_or_default();
                fields.push((name, first, "select".into()));
            }
        }
        for tag in html.split("<textarea").skip(1) {
            if let Some(name) = attr(&tag[..tag.find('>').unwrap_or(0)], "name") {
                fields.push((name, String::new(), "textarea".into()));
            }
        }
        found.push(Form {
            method: attr(open, "method").unwrap_or_else(|| "get".into()),
            action: attr(open, "action").unwrap_or_default(),
            multipart: open.contains("multipart/form-data"),
            fields,
        });
    }
    found
}

fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .collect()
}

/// Pages not worth crawling: leaving, switching language, files, and the same list's pages.
fn skip(path: &str) -> bool {
    path.starts_with("/lang/")
        || path.starts_with("/static/")
        || path.contains(".xlsx")
        || path.contains("/evidence/")
        || path.contains("page=")
        || path.contains("sort=")
}

/// A path with its numbers as `#`, so `/units/3` and `/units/4` are one shape.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// Every form reachable from `start` within `limit` pages, keyed by method and action.
async fn crawl(client: &Client, start: &str, limit: usize) -> BTreeMap<String, Form> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_string()]);
    let mut found = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        // One page of each shape (`/units/#`): the forms of the others are the same.
        if seen.len() >= limit || !seen.insert(shape(&path)) {
            continue;
        }
        let page = client.get(&path).await;
        assert!(
            page.status.as_u16() < 500,
            "GET {path}: {}\n{}",
            page.status,
            page.body
        );
        for form in forms(&page.body) {
            if form.action == "/logout" {
                continue;
            }
            found
                .entry(format!("{} {}", form.method, shape(&form.action)))
                .or_insert(form);
        }
        let location = Some(page.location().to_string()).filter(|l| l.starts_with('/'));
        for link in links(&page.body).into_iter().chain(location) {
            if !skip(&link) && !seen.contains(&shape(&link)) {
                queue.push_back(link);
            }
        }
    }
    found
}

/// The fields with `value` in every field a person could type into or choose.
fn hostile(form: &Form, value: &str, csrf: &str) -> Vec<(String, String)> {
    form.fields
        .iter()
        .filter(|(_, _, kind)| kind != "file" && kind != "submit")
        .map(|(name, original, kind)| {
            let keep = name == "csrf" || (kind == "hidden" && name == "form_token");
            let v = match (name.as_str(), keep) {
                ("csrf", _) => csrf.to_string(),
                (_, true) => original.clone(),
                _ => value.to_string(),
            };
            (name.clone(), v)
        })
        .collect()
}

fn escaped(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The page with every spelling of an escaped character made one (`&#60;` is `&lt;`).
fn normalized(body: &str) -> String {
    body.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&quot;", "&#34;")
        .replace("&#x27;", "&#39;")
        .replace("&#38;", "&amp;")
}

async fn send(client: &Client, form: &Form, fields: &[(String, String)]) -> crate::support::Page {
    let url = format!("{}{}", client.base, form.action);
    let res = match (form.method.as_str(), form.multipart) {
        ("get", _) => client.http.get(&url).query(fields).send().await,
        (_, true) => {
            let mut multipart = reqwest::multipart::Form::new();
            for (k, v) in fields {
                multipart = multipart.text(k.clone(), v.clone());
            }
            client.http.post(&url).multipart(multipart).send().await
        }
        _ => client.http.post(&url).form(fields).send().await,
    };
    Client::page(res.unwrap()).await
}

/// What went wrong with one request, if anything.
fn check(form: &Form, value: &str, page: &crate::support::Page) -> Option<String> {
    let what = format!("{} {} with {value:?}", form.method, form.action);
    if page.status.as_u16() >= 500 {
        return Some(format!("{what}: {}", page.status));
    }
    if RAW_MARKUP.iter().any(|raw| page.body.contains(raw)) {
        return Some(format!("{what}: echoed raw markup"));
    }
    let typed = form
        .fields
        .iter()
        .any(|(_, _, k)| matches!(k.as_str(), "text" | "textarea" | "email" | "tel"));
    if page.status == StatusCode::UNPROCESSABLE_ENTITY
        && typed
        && value.len() > 1
        && !value.chars().any(|c| c.is_control())
        && !normalized(&page.body).contains(&escaped(value.trim()))
    {
        return Some(format!("{what}: a 422 that lost what was typed"));
    }
    None
}

async fn fuzz_as(client: &Client, start: &str, limit: usize, failures: &mut Vec<String>) -> usize {
    let found = crawl(client, start, limit).await;
    let csrf = client.csrf_token().await;
    let mut sent = 0;
    let mut note = |problem: Option<String>| failures.extend(problem);
    for form in found.values() {
        for value in HOSTILE {
            let page = send(client, form, &hostile(form, value, &csrf)).await;
            note(check(form, value, &page));
            sent += 1;
        }
        if form.method == "post" {
            // No fields at all but the token, and every field twice.
            let bare = vec![("csrf".to_string(), csrf.clone())];
            note(check(form, "", &send(client, form, &bare).await));
            let twice: Vec<_> = hostile(form, "x", &csrf)
                .into_iter()
                .flat_map(|f| [f.clone(), f])
                .collect();
            note(check(form, "", &send(client, form, &twice).await));
            // Invalid percent-encoding in a raw body.
            let res = client
                .http
                .post(format!("{}{}", client.base, form.action))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf={csrf}&name=%zz%&%E5%9F=1&version=%FF"))
                .send()
                .await
                .unwrap();
            note(check(form, "", &Client::page(res).await));
            sent += 3;
        }
    }
    sent
}

#[tokio::test]
async fn hostile_input_at_every_form_and_search_never_gets_a_5xx_or_echoes_markup() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let mut sent = 0;
    let mut failures = Vec::new();
    // The bureau last: its hostile posts close the year's cycle, which ends the others' forms.
    for (user, start) in [
        ("mengjin-town", "/home"),
        ("mengjin-point", "/home"),
        ("mengjin-unit", "/home"),
        ("mengjin-evaluator", "/supervision"),
        ("mengjin-supervisor", "/supervision"),
        ("mengjin-bureau", "/home"),
    ] {
        let client = app.login(user).await;
        sent += fuzz_as(&client, start, 80, &mut failures).await;
    }
    let anonymous = app.client();
    sent += fuzz_as(&anonymous, "/public", 30, &mut failures).await;
    // Last: hostile usernames from one address end with that address locked (ten accounts).
    sent += fuzz_as(&anonymous, "/login", 5, &mut failures).await;
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Hostile path and query values where handlers read ids and codes.
    for url in [
        "/units/99999999999999999999",
        "/units/-1",
        "/units/abc",
        "/submissions/1e9",
        "/cycles/0?page=-1",
        "/units?page=99999999999999999999&sort=%3Cscript%3E",
        "/audit?page=-3",
    ] {
        let page = bureau.get(url).await;
        assert!(
            page.status.as_u16() < 500 && !page.status.is_redirection(),
            "{url}: {}\n{}",
            page.status,
            page.body
        );
    }
    for url in [
        "/public/%3Cscript%3E/2025",
        "/public/mengjin/99999",
        "/public/mengjin/-2025",
        "/public/mengjin/2025?tab=%3Cscript%3E&page=-5",
        "/public/mengjin/2025?page=99999999999999999999",
        "/survey/mengjin/99999999999999999999",
        "/survey/%F0%9F%98%80/1",
        "/public/mengjin/2025?q=%ZZ",
    ] {
        let page = anonymous.get(url).await;
        assert!(
            page.status.as_u16() < 500 && !RAW_MARKUP.iter().any(|raw| page.body.contains(raw)),
            "{url}: {}\n{}",
            page.status,
            page.body
        );
    }
    assert!(
        sent > 500,
        "only {sent} requests: the crawl found too few forms"
    );
}
