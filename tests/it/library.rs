//! The learning library: a unit's resource is public only once the bureau has reviewed and
//! published it (returned with a reason, resubmitted, withdrawn again), never before; its file
//! is served in the byte ranges a video player asks for (206, Content-Range, the exact bytes;
//! 416 past the end); views are counted with nothing about the visitor; and the OAI-PMH feed
//! follows the protocol's rules: each verb's required elements, UTC datestamps, from/until/set,
//! paging by resumption token over more than one page, and every error code that applies.

use crate::support::{Client, Page, TestApp, with};
use reqwest::StatusCode;

pub const AUDIO: &str = "智能手机入门：视频通话和网上缴费（音频课）";
pub const AWAITING: &str = "留守儿童心理关爱讲座讲义";

pub async fn resource_id(app: &TestApp, title: &str) -> i64 {
    sqlx::query_scalar("select id from library_resource where title = $1")
        .bind(title)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

/// Uploads `bytes` as `name` to a file form at `path`, as a browser would.
async fn upload(client: &Client, path: &str, name: &str, bytes: Vec<u8>) -> Page {
    let token = client.csrf_token().await;
    let form = reqwest::multipart::Form::new().text("csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let res = client
        .http
        .post(format!("{}{path}", client.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Client::page(res).await
}

/// A resource added through the form by `client` for `provider` (`u12`), its path.
async fn add(client: &Client, title: &str, kind: &str, provider: &str) -> String {
    let form = client.get("/library/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let fields = with(
        form.form_fields("/library"),
        &[
            ("title", title),
            ("kind", kind),
            ("subject", "digital"),
            ("provider", provider),
            ("description", "面向老年人的入门课程。"),
            ("populations", "elderly"),
        ],
    );
    let saved = client.submit("/library", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    saved.location().to_string()
}

async fn step(client: &Client, path: &str, action: &str, reason: &str) -> Page {
    let page = client.get(path).await;
    let version = page
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .map(|v| v.split('"').next().unwrap().to_string())
        .unwrap_or_default();
    client
        .post(
            &format!("{path}/step"),
            &[
                ("action", action),
                ("reason", reason),
                ("version", &version),
                ("confirm", "yes"),
            ],
        )
        .await
}

async fn status_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("select status from library_resource where id = $1")
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

fn pdf() -> Vec<u8> {
    cedu::demo_library::pdf(&["A handbook for the test."])
}

#[tokio::test]
async fn a_towns_resource_is_public_only_after_the_bureau_reviews_and_publishes_it() {
    let app = TestApp::spawn().await;
    let cg = app.unit_id("MJ-CG").await;
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    let resident = app.client();

    // Bad input is kept beside its field.
    let form = town.get("/library/new").await;
    let bad = town
        .submit(
            "/library",
            &with(
                form.form_fields("/library"),
                &[("title", ""), ("external_url", "javascript:alert(1)")],
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-title\"");
    bad.assert_contains("id=\"e-external_url\"");

    let path = add(&town, "老年人防诈骗手册", "document", &format!("u{cg}")).await;
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let public = format!("/d/mengjin/library/{id}");
    assert_eq!(resident.get(&public).await.status, StatusCode::NOT_FOUND);

    // Nothing to submit until it has its file; a file whose content is not its name's is refused.
    let early = step(&town, &path, "submit", "").await;
    assert_eq!(early.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "draft");
    let wrong = upload(
        &town,
        &format!("{path}/file"),
        "手册.pdf",
        b"MZ\x90\0".to_vec(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("id=\"e-file\"");
    let up = upload(&town, &format!("{path}/file"), "手册.pdf", pdf()).await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    assert_eq!(
        step(&town, &path, "submit", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status_of(&app, id).await, "submitted");

    // Submitted is not published: nothing of it is public, and the town cannot publish it.
    assert_eq!(resident.get(&public).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        resident.get(&format!("{public}/file")).await.status,
        StatusCode::NOT_FOUND
    );
    resident
        .get("/d/mengjin/library?q=防诈骗")
        .await
        .assert_lacks("老年人防诈骗手册");
    assert_eq!(
        step(&town, &path, "publish", "").await.status,
        StatusCode::NOT_FOUND
    );
    // The reviewer sees it awaiting review and previews its file.
    bureau
        .get("/library?status=submitted")
        .await
        .assert_contains("老年人防诈骗手册");
    assert_eq!(
        bureau.response(&format!("{path}/preview")).await.status(),
        StatusCode::OK
    );

    // Returned needs a reason, which the town reads; an edit and a second submission.
    let no_reason = step(&bureau, &path, "return", "").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("id=\"e-reason\"");
    step(&bureau, &path, "return", "请补充适用人群和时长").await;
    assert_eq!(status_of(&app, id).await, "returned");
    town.get(&path)
        .await
        .assert_contains("请补充适用人群和时长");
    let edit = town.get(&format!("{path}/edit")).await;
    let saved = town
        .submit(
            &path,
            &with(
                edit.form_fields(&path),
                &[("duration_minutes", "20"), ("populations", "elderly")],
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    step(&town, &path, "submit", "").await;

    // Publishing asks first, then the resident finds it, opens it and its file.
    let ask = bureau
        .post(
            &format!("{path}/step"),
            &[("action", "publish"), ("version", "0")],
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert_eq!(status_of(&app, id).await, "submitted");
    step(&bureau, &path, "publish", "").await;
    assert_eq!(status_of(&app, id).await, "published");
    resident
        .get("/d/mengjin/library?q=防诈骗")
        .await
        .assert_contains("老年人防诈骗手册");
    let page = resident.get(&public).await;
    page.assert_contains("老年人防诈骗手册");
    page.assert_contains("property=\"og:title\"");
    let file = resident.response(&format!("{public}/file")).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf());
    // Published, it is fixed: no edit until it is withdrawn.
    assert_eq!(
        town.get(&format!("{path}/edit")).await.status,
        StatusCode::SEE_OTHER
    );

    // Withdrawn, it is gone from the public side again; another town never saw it.
    step(&bureau, &path, "withdraw", "内容需要更新").await;
    assert_eq!(resident.get(&public).await.status, StatusCode::NOT_FOUND);
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);

    let actions = app.audit_actions("library_resource", id).await;
    for want in [
        "library.create",
        "library.file_add",
        "library.step",
        "library.update",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| *a == "library.step").count(),
        5,
        "submit, return, submit, publish, withdraw; the refused ones wrote nothing: {actions:?}"
    );
}

#[tokio::test]
async fn a_stale_edit_gets_the_conflict_page_and_a_course_takes_its_lessons() {
    let app = TestApp::spawn().await;
    let point = app.login("mengjin-point").await;
    let cg01 = app.unit_id("MJ-CG-01").await;
    let path = add(&point, "四点半课堂·手工课", "course", &format!("u{cg01}")).await;
    let edit = point.get(&format!("{path}/edit")).await;
    let fields = edit.form_fields(&path);
    let first = point
        .submit(
            &path,
            &with(fields.clone(), &[("title", "四点半课堂·剪纸")]),
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let stale = point
        .submit(&path, &with(fields, &[("title", "四点半课堂·折纸")]))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("四点半课堂·剪纸");

    let bad = point
        .post(
            &format!("{path}/lessons"),
            &[("lesson_title", ""), ("lesson_url", "ftp://x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-lesson_title\"");
    for title in ["第一课：剪窗花", "第二课：剪生肖"] {
        let added = point
            .post(
                &format!("{path}/lessons"),
                &[
                    ("lesson_title", title),
                    ("lesson_url", "https://le.ouchn.cn/"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let page = point.get(&path).await;
    page.assert_contains("第一课：剪窗花");
    page.assert_contains("第二课：剪生肖");
    assert_eq!(
        step(&point, &path, "submit", "").await.status,
        StatusCode::SEE_OTHER
    );
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(status_of(&app, id).await, "submitted");
}

#[tokio::test]
async fn a_video_is_served_in_the_byte_ranges_a_player_asks_for() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let college = app.unit_id_in("mengjin", "MJ").await;
    let path = add(&bureau, "太极拳第一式", "video", &format!("u{college}")).await;
    // An MP4's first box, then 11 MB of counting bytes: more than a form's body limit, and
    // three slices of a whole download.
    let mut video = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    video.extend((0..11_000_000u32).map(|i| (i % 251) as u8));
    let size = video.len();
    let up = upload(&bureau, &format!("{path}/file"), "太极.mp4", video.clone()).await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    step(&bureau, &path, "submit", "").await;
    step(&bureau, &path, "publish", "").await;
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let file = format!("{}/d/mengjin/library/{id}/file", app.base());
    let http = reqwest::Client::new();
    let get = |range: Option<&str>| {
        let mut req = http.get(&file);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send()
    };

    let page = app.client().get(&format!("/d/mengjin/library/{id}")).await;
    page.assert_contains("<video controls preload=\"metadata\"");

    let part = get(Some("bytes=1000-1999")).await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    let h = part.headers().clone();
    assert_eq!(
        h["content-range"],
        format!("bytes 1000-1999/{size}").as_str()
    );
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(h["content-length"], "1000");
    assert_eq!(part.bytes().await.unwrap().to_vec(), video[1000..2000]);

    let tail = get(Some("bytes=-16")).await.unwrap();
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes().await.unwrap().to_vec(), video[size - 16..]);
    let open = get(Some(&format!("bytes={}-", size - 5))).await.unwrap();
    assert_eq!(
        open.headers()["content-range"],
        format!("bytes {}-{}/{size}", size - 5, size - 1).as_str()
    );
    assert_eq!(open.bytes().await.unwrap().to_vec(), video[size - 5..]);

    let past = get(Some(&format!("bytes={size}-"))).await.unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.headers()["content-range"],
        format!("bytes */{size}").as_str()
    );

    let whole = get(None).await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), video);

    // The bureau's limit holds: at 1 MB a 2 MB file is refused beside its field.
    let bad = bureau
        .post("/library/settings", &[("max_file_mb", "0")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"e-max_file_mb\"");
    let set = bureau
        .post("/library/settings", &[("max_file_mb", "1")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let next = add(&bureau, "太极拳第二式", "video", &format!("u{college}")).await;
    let big = upload(
        &bureau,
        &format!("{next}/file"),
        "太极.mp4",
        video[..2_000_000].to_vec(),
    )
    .await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);
    big.assert_contains("id=\"e-file\"");
}

#[tokio::test]
async fn views_are_counted_per_resource_with_nothing_about_the_visitor() {
    let app = TestApp::spawn().await;
    let id = resource_id(&app, AUDIO).await;
    let views = || async {
        sqlx::query_scalar::<_, i64>("select views from library_view where resource_id = $1")
            .bind(id)
            .fetch_one(&app.db.sys)
            .await
            .unwrap()
    };
    let before = views().await;
    let resident = app.client();
    for _ in 0..3 {
        let page = resident.get(&format!("/d/mengjin/library/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("<audio controls preload=\"metadata\"");
    }
    // A player's range requests are not views.
    resident
        .http
        .get(format!("{}/d/mengjin/library/{id}/file", app.base()))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(views().await, before + 3);
    let columns: Vec<String> = sqlx::query_scalar(
        "select column_name::text from information_schema.columns where table_name = 'library_view' order by 1",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(columns, ["resource_id", "tenant_id", "views"]);
    // The unreviewed demo resource is nowhere public.
    let awaiting = resource_id(&app, AWAITING).await;
    assert_eq!(
        resident
            .get(&format!("/d/mengjin/library/{awaiting}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    resident
        .get("/d/mengjin/library")
        .await
        .assert_lacks(AWAITING);
    // Another district's address never shows Mengjin's.
    assert_eq!(
        resident
            .get(&format!("/d/yanshi/library/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

// ---- OAI-PMH ----

const OAI: &str = "http://www.openarchives.org/OAI/2.0/";
const DC: &str = "http://purl.org/dc/elements/1.1/";

struct Oai {
    status: StatusCode,
    content_type: String,
    body: String,
}

async fn oai(app: &TestApp, query: &str) -> Oai {
    let res = reqwest::get(format!("{}/oai?{query}", app.base()))
        .await
        .unwrap();
    Oai {
        status: res.status(),
        content_type: res.headers()["content-type"].to_str().unwrap().to_string(),
        body: res.text().await.unwrap(),
    }
}

fn doc(o: &Oai) -> roxmltree::Document<'_> {
    assert_eq!(o.status, StatusCode::OK);
    assert_eq!(o.content_type, "text/xml; charset=utf-8");
    let d = roxmltree::Document::parse(&o.body).unwrap_or_else(|e| panic!("{e}: {}", o.body));
    let root = d.root_element();
    assert!(root.has_tag_name((OAI, "OAI-PMH")));
    let date = child(root, "responseDate").text().unwrap();
    assert!(is_utc(date), "responseDate {date}");
    assert!(child(root, "request").text().unwrap().ends_with("/oai"));
    d
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    n.children()
        .find(|c| c.has_tag_name((OAI, name)))
        .unwrap_or_else(|| panic!("no {name} in {}", n.tag_name().name()))
}

fn all<'a>(d: &'a roxmltree::Document, ns: &str, name: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    d.descendants()
        .filter(|n| n.has_tag_name((ns, name)))
        .collect()
}

fn texts(d: &roxmltree::Document, ns: &str, name: &str) -> Vec<String> {
    all(d, ns, name)
        .iter()
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn is_utc(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// The error code of an answer (which must be a well-formed OAI-PMH answer).
fn error(o: &Oai) -> String {
    let d = doc(o);
    let e = all(&d, OAI, "error");
    assert_eq!(e.len(), 1, "{}", o.body);
    e[0].attribute("code").unwrap().to_string()
}

#[tokio::test]
async fn the_feed_identifies_itself_offers_dublin_core_and_lists_its_sets() {
    let app = TestApp::spawn().await;
    let o = oai(&app, "verb=Identify").await;
    let d = doc(&o);
    let id = child(d.root_element(), "Identify");
    for name in [
        "repositoryName",
        "baseURL",
        "protocolVersion",
        "adminEmail",
        "earliestDatestamp",
        "deletedRecord",
        "granularity",
    ] {
        assert!(!child(id, name).text().unwrap_or("").is_empty(), "{name}");
    }
    assert_eq!(child(id, "protocolVersion").text(), Some("2.0"));
    assert_eq!(
        child(id, "granularity").text(),
        Some("YYYY-MM-DDThh:mm:ssZ")
    );
    assert!(is_utc(child(id, "earliestDatestamp").text().unwrap()));
    assert_eq!(
        child(d.root_element(), "request").attribute("verb"),
        Some("Identify")
    );

    let o = oai(&app, "verb=ListMetadataFormats").await;
    let d = doc(&o);
    assert_eq!(texts(&d, OAI, "metadataPrefix"), ["oai_dc"]);

    let o = oai(&app, "verb=ListSets").await;
    let d = doc(&o);
    let sets = texts(&d, OAI, "setSpec");
    for want in [
        "district:mengjin",
        "district:mengjin:audio",
        "district:mengjin:course",
        "district:mengjin:catalogue",
    ] {
        assert!(sets.iter().any(|s| s == want), "{want} in {sets:?}");
    }
    assert_eq!(all(&d, OAI, "setName").len(), sets.len());

    // The same over POST, as harvesters may send it.
    let res = reqwest::Client::new()
        .post(format!("{}/oai", app.base()))
        .form(&[("verb", "Identify")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("<protocolVersion>2.0</protocolVersion>")
    );
}

/// Publishes `n` videos of Mengjin's college straight into the table, datestamped a second
/// apart from `start`.
async fn many(app: &TestApp, n: i32, start: &str) {
    sqlx::query(
        "insert into library_resource (tenant_id, title, kind, subject, provider_unit_id, licence,
                status, published_at, changed_at, created_by, external_url)
         select 1, '测试视频 ' || g, 'video', 'health', (select id from org_unit where tenant_id = 1 and code = 'MJ'),
                'cc_by', 'published', now(), $2::timestamptz + make_interval(secs => g), 'test', 'https://le.ouchn.cn/'
           from generate_series(1, $1) g",
    )
    .bind(n)
    .bind(start)
    .execute(&app.db.sys)
    .await
    .unwrap();
}

#[tokio::test]
async fn lists_page_by_resumption_token_and_select_by_set_and_datestamp() {
    let app = TestApp::spawn().await;
    many(&app, 230, "2024-03-01T00:00:00Z").await;
    let expected: i64 = sqlx::query_scalar(
        "select count(*) from library_resource where tenant_id = 1 and kind = 'video' and published_at is not null",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(expected > 200);

    // Every video of Mengjin's, a page of 100 at a time, each once.
    let mut seen: Vec<String> = Vec::new();
    let mut query =
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=district:mengjin:video".to_string();
    let mut pages = 0;
    loop {
        let o = oai(&app, &query).await;
        let d = doc(&o);
        let list = child(d.root_element(), "ListIdentifiers");
        for h in list.children().filter(|c| c.has_tag_name((OAI, "header"))) {
            seen.push(child(h, "identifier").text().unwrap().to_string());
            assert!(is_utc(child(h, "datestamp").text().unwrap()));
            let specs: Vec<&str> = h
                .children()
                .filter(|c| c.has_tag_name((OAI, "setSpec")))
                .filter_map(|c| c.text())
                .collect();
            assert!(specs.contains(&"district:mengjin:video"), "{specs:?}");
        }
        pages += 1;
        let token = list
            .children()
            .find(|c| c.has_tag_name((OAI, "resumptionToken")));
        match token.and_then(|t| t.text()) {
            Some(t) if !t.is_empty() => {
                query = format!("verb=ListIdentifiers&resumptionToken={}", urlencode(t))
            }
            _ => {
                assert!(
                    pages > 1 && token.is_some(),
                    "the last page of a split list has an empty token"
                );
                break;
            }
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len() as i64, expected);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());

    // ListRecords carries Dublin Core.
    let o = oai(
        &app,
        "verb=ListRecords&metadataPrefix=oai_dc&set=district:mengjin:video",
    )
    .await;
    let d = doc(&o);
    assert_eq!(all(&d, OAI, "record").len(), 100);
    assert_eq!(texts(&d, DC, "title").len(), 100);
    assert!(texts(&d, DC, "type").iter().all(|t| t == "MovingImage"));

    // from and until, by day and by second, inclusive.
    let count = |q: String| {
        let app = &app;
        async move {
            let o = oai(app, &q).await;
            let d = doc(&o);
            all(&d, OAI, "header").len()
        }
    };
    assert_eq!(
        count("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-03-01T00:00:10Z&until=2024-03-01T00:00:19Z".into()).await,
        10
    );
    assert_eq!(
        count("verb=ListIdentifiers&metadataPrefix=oai_dc&set=district:mengjin&from=2024-03-01&until=2024-03-01".into()).await,
        100
    );
    let o = oai(
        &app,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&until=2024-02-29",
    )
    .await;
    assert_eq!(error(&o), "noRecordsMatch");
    // Catalogue items come by their own set, with the catalogue's page as their identifier.
    let o = oai(
        &app,
        "verb=ListRecords&metadataPrefix=oai_dc&set=district:mengjin:catalogue",
    )
    .await;
    let d = doc(&o);
    assert!(!all(&d, OAI, "record").is_empty());
    assert!(
        texts(&d, DC, "identifier")
            .iter()
            .any(|i| i.contains("/public/mengjin/"))
    );
}

fn urlencode(s: &str) -> String {
    cedu::web::urlencode(s)
}

#[tokio::test]
async fn get_record_escapes_its_text_marks_withdrawals_deleted_and_every_error_has_its_code() {
    let app = TestApp::spawn().await;
    let audio = resource_id(&app, AUDIO).await;
    sqlx::query("update library_resource set title = 'A & B <c> \"d\"' where id = $1")
        .bind(audio)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let o = oai(
        &app,
        &format!(
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cedu:mengjin:library:{audio}"
        ),
    )
    .await;
    let d = doc(&o);
    assert_eq!(texts(&d, DC, "title"), ["A & B <c> \"d\""]);
    assert!(texts(&d, DC, "identifier")[0].ends_with(&format!("/d/mengjin/library/{audio}")));
    assert_eq!(texts(&d, DC, "type"), ["Sound"]);
    assert!(is_utc(&texts(&d, OAI, "datestamp")[0]));

    // Withdrawn: a deleted record, its header only.
    sqlx::query("update library_resource set status = 'withdrawn' where id = $1")
        .bind(audio)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let o = oai(
        &app,
        &format!(
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cedu:mengjin:library:{audio}"
        ),
    )
    .await;
    let d = doc(&o);
    assert_eq!(
        all(&d, OAI, "header")[0].attribute("status"),
        Some("deleted")
    );
    assert!(all(&d, OAI, "metadata").is_empty());

    // Never published: not in the feed at all.
    let awaiting = resource_id(&app, AWAITING).await;
    let id = format!("oai:cedu:mengjin:library:{awaiting}");
    for q in [
        format!("verb=GetRecord&metadataPrefix=oai_dc&identifier={id}"),
        format!("verb=ListMetadataFormats&identifier={id}"),
    ] {
        assert_eq!(error(&oai(&app, &q).await), "idDoesNotExist", "{q}");
    }

    let cases = [
        ("", "badVerb"),
        ("verb=Harvest", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&set=x", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        (
            "verb=GetRecord&identifier=oai:cedu:mengjin:library:1",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-03-01&until=2024-03-02T00:00:00Z",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-03-02&until=2024-03-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x",
            "badArgument",
        ),
        (
            "verb=ListRecords&resumptionToken=nonsense",
            "badResumptionToken",
        ),
        (
            "verb=ListIdentifiers&resumptionToken=v1~oai_dc~~~~999999~library~1~100",
            "badResumptionToken",
        ),
        ("verb=ListSets&resumptionToken=x", "badResumptionToken"),
        (
            "verb=ListRecords&metadataPrefix=marc21",
            "cannotDisseminateFormat",
        ),
        (
            "verb=GetRecord&metadataPrefix=marc21&identifier=oai:cedu:mengjin:library:1",
            "cannotDisseminateFormat",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cedu:nowhere:library:1",
            "idDoesNotExist",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=urn:isbn:1",
            "idDoesNotExist",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=district:nowhere",
            "noRecordsMatch",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2100-01-01",
            "noRecordsMatch",
        ),
    ];
    // noSetHierarchy and noMetadataFormats do not apply: the feed has sets, and every item
    // (deleted ones too) is offered as oai_dc.
    for (q, code) in cases {
        let o = oai(&app, q).await;
        assert_eq!(error(&o), code, "{q}: {}", o.body);
        let d = doc(&o);
        let request = child(d.root_element(), "request");
        if matches!(code, "badVerb" | "badArgument") {
            assert_eq!(request.attributes().count(), 0, "{q}");
        }
    }
}
