//! Teachers and volunteers: registration by staff, by the people themselves and from a file;
//! duplicates; masking, reveal and encryption of personal data; service hours, their rules and
//! their countersigning; records of service; anonymisation.

use crate::support::{Client, Page, TestApp, with};
use reqwest::StatusCode;

/// A person's id by name.
pub async fn educator_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("select id from educator where name = $1")
        .bind(name)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

/// Registers a person through the form, as `client` would.
pub async fn register(client: &Client, changes: &[(&str, &str)]) -> Page {
    let form = client.get("/educators/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut fields = with(
        form.form_fields("/educators"),
        &[
            ("name", "测试志愿者"),
            ("phone", "13912345678"),
            ("kind", "volunteer"),
        ],
    );
    let specialty = first_value(&form, "specialties");
    fields.push(("specialties".into(), specialty));
    let serve = first_value(&form, "serves");
    fields.push(("serves".into(), serve));
    let fields = with(fields, changes);
    client.submit("/educators", &fields).await
}

/// The value of the first checkbox named `name` on the page.
fn first_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name}"))
        + marker.len();
    page.body[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_town_registers_a_person_the_id_number_is_sealed_and_duplicates_are_caught() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let created = register(&town, &[("id_number", "11010519491231002X")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = educator_id(&app, "测试志愿者").await;
    assert_eq!(created.location(), format!("/educators/{id}"));
    let page = town.get(&format!("/educators/{id}")).await;
    page.assert_contains("139****5678");
    page.assert_contains("1101**********002X");
    assert!(!page.body.contains("13912345678") && !page.body.contains("11010519491231002X"));
    // At rest: ciphertext and a keyed hash, never the number.
    let (cipher, hash, masked, number): (Vec<u8>, Vec<u8>, String, String) = sqlx::query_as(
        "select id_cipher, id_hash, id_masked, volunteer_no from educator where id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let plain = b"11010519491231002X";
    assert!(!cipher.windows(plain.len()).any(|w| w == plain));
    assert!(!hash.windows(8).any(|w| w == &plain[..8]));
    assert_eq!(masked, "1101**********002X");
    assert!(number.starts_with("410308-"), "{number}");
    let dump: String =
        sqlx::query_scalar("select row_to_json(e)::text from educator e where id = $1")
            .bind(id)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert!(!dump.contains("11010519491231002X") && !dump.contains("1101051949"));

    // The same phone again, then the same ID number with another phone.
    let again = register(&town, &[("name", "重复的人")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("id=\"e-phone\"");
    again.assert_contains(&format!("href=\"/educators/{id}\""));
    again.assert_contains("重复的人");
    let same_id = register(
        &town,
        &[
            ("name", "另一个人"),
            ("phone", "13712345678"),
            ("id_number", "11010519491231002x"),
        ],
    )
    .await;
    assert_eq!(same_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    same_id.assert_contains("id=\"e-id_number\"");
    let people: i64 =
        sqlx::query_scalar("select count(*) from educator where name in ('重复的人', '另一个人')")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(people, 0);
    let audited = app.audit_actions("educator", id).await;
    assert_eq!(audited, ["educator.create"]);
}

#[tokio::test]
async fn phones_are_masked_on_every_list_and_export_and_seeing_one_in_full_is_audited() {
    let app = TestApp::spawn().await;
    let town = app.login("mengjin-town").await;
    let list = town.get("/educators").await;
    assert_eq!(list.status, StatusCode::OK);
    let (id, phone): (i64, String) = sqlx::query_as(
        "select e.id, e.phone from educator e join org_unit h on h.id = e.home_unit_id
          where h.code = 'MJ-CG' and e.status = 'active' order by e.id limit 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let masked = format!("{}****{}", &phone[..3], &phone[7..]);
    list.assert_contains(&masked);
    assert!(!list.body.contains(&phone), "a full phone on the list");
    let print = town.get("/educators/print").await;
    print.assert_contains(&masked);
    assert!(!print.body.contains(&phone));
    let sheet = town.sheet("/educators/export.xlsx").await;
    let cells: Vec<&String> = sheet.iter().flatten().collect();
    assert!(cells.iter().any(|c| **c == masked));
    assert!(
        !cells.iter().any(|c| c.contains(&phone)),
        "a full phone in the export"
    );

    // Its own town sees it in full on asking; the ask is in the audit log.
    let page = town.get(&format!("/educators/{id}")).await;
    let revealed = town
        .submit(
            &format!("/educators/{id}/reveal"),
            &page.form_fields(&format!("/educators/{id}/reveal")),
        )
        .await;
    assert_eq!(revealed.status, StatusCode::OK);
    revealed.assert_contains(&phone);
    let (actor, field): (String, serde_json::Value) = sqlx::query_as(
        "select actor_name, after from audit_log where action = 'educator.reveal' and entity_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(actor, "mengjin-town");
    assert_eq!(field["field"], "phone");
    // The supervision office reads the registry but may not reveal; another town sees nothing.
    let supervisor = app.login("mengjin-supervisor").await;
    let read = supervisor.get(&format!("/educators/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("reveal-phone"));
    assert_eq!(
        supervisor
            .post(&format!("/educators/{id}/reveal"), &[("field", "phone")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    assert_eq!(
        other.get(&format!("/educators/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post(&format!("/educators/{id}/reveal"), &[("field", "phone")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let others = other.get("/educators").await;
    assert!(!others.body.contains(&format!("/educators/{id}\"")));
}

async fn apply(client: &Client, changes: &[(&str, &str)]) -> Page {
    let form = client.get("/join/mengjin").await;
    assert_eq!(form.status, StatusCode::OK);
    let town = {
        let at = form.body.find("name=\"home_unit_id\"").unwrap();
        let rest = &form.body[at..];
        let marker = "<option value=\"";
        let first = rest.find(marker).unwrap() + marker.len();
        let second = rest[first..].find(marker).unwrap() + first + marker.len();
        rest[second..].split('"').next().unwrap().to_string()
    };
    let mut fields = with(
        form.form_fields("/join/mengjin"),
        &[
            ("name", "报名的居民"),
            ("phone", "13655556666"),
            ("kind", "volunteer"),
            ("home_unit_id", &town),
            ("consent", "yes"),
        ],
    );
    fields.push(("specialties".into(), first_value(&form, "specialties")));
    client.submit("/join/mengjin", &with(fields, changes)).await
}

#[tokio::test]
async fn people_sign_themselves_up_with_consent_within_limits_and_their_town_reviews_them() {
    let app = TestApp::spawn().await;
    let resident = app.client();
    let form = resident.get("/join/mengjin").await;
    form.assert_contains("id=\"consent-text\"");
    assert!(
        !form.body.contains("name=\"id_number\""),
        "no ID number asked"
    );
    let no_consent = apply(&resident, &[("consent", "")]).await;
    assert_eq!(no_consent.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_consent.assert_contains("id=\"e-consent\"");
    no_consent.assert_contains("报名的居民");
    let bot = apply(&resident, &[("website", "http://spam.example")]).await;
    assert_eq!(bot.status, StatusCode::OK);
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from educator where registered_by = 'self' and not is_demo",
        )
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
    };
    assert_eq!(count().await, 0, "the honeypot kept nothing");
    let done = apply(&resident, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    done.assert_contains("id=\"applied\"");
    assert_eq!(count().await, 1);
    let taken = apply(&resident, &[("name", "又一次")]).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("已经登记过");
    assert!(
        !taken.body.contains("/educators/"),
        "no link to the record for the public"
    );
    for n in 0..2 {
        let page = apply(&resident, &[("phone", &format!("1365555000{n}"))]).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let limited = apply(&resident, &[("phone", "13655550009")]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(count().await, 3);

    // The application is in the chosen town's queue; the town asks for more, then accepts.
    let id = educator_id(&app, "报名的居民").await;
    let home: String = sqlx::query_scalar(
        "select u.code from educator e join org_unit u on u.id = e.home_unit_id where e.id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let bureau = app.login("mengjin-bureau").await;
    let queue = bureau.get("/educators?status=applications").await;
    queue.assert_contains("报名的居民");
    let step = |to: &'static str, note: &'static str| {
        let bureau = &bureau;
        async move {
            let page = bureau.get(&format!("/educators/{id}")).await;
            let fields = with(
                page.form_fields(&format!("/educators/{id}/status")),
                &[("to", to), ("note", note)],
            );
            bureau
                .submit(&format!("/educators/{id}/status"), &fields)
                .await
        }
    };
    assert_eq!(
        step("more_info", "请补充服务时间").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(step("active", "").await.status, StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("select status from educator where id = $1")
        .bind(id)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(status, "active", "home {home}");
    let events: Vec<String> = sqlx::query_scalar(
        "select to_status from educator_event where educator_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(events, ["applied", "more_info", "active"]);
}

#[tokio::test]
async fn a_decline_needs_a_reason_and_a_confirmation_and_another_town_cannot_review() {
    let app = TestApp::spawn().await;
    let applicant: i64 =
        sqlx::query_scalar("select id from educator where status = 'applied' and is_demo")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    let bureau = app.login("mengjin-bureau").await;
    let path = format!("/educators/{applicant}/status");
    let version = |v: i32| v.to_string();
    let v: i32 = sqlx::query_scalar("select version from educator where id = $1")
        .bind(applicant)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let no_reason = bureau
        .post(&path, &[("to", "declined"), ("version", &version(v))])
        .await;
    assert_eq!(no_reason.status, StatusCode::SEE_OTHER);
    let asked = bureau
        .post(
            &path,
            &[
                ("to", "declined"),
                ("note", "暂不需要"),
                ("version", &version(v)),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "a confirmation first");
    asked.assert_contains("不能再恢复");
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    let refused = other
        .post(
            &path,
            &[
                ("to", "active"),
                ("version", &version(v)),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let done = bureau
        .post(
            &path,
            &[
                ("to", "declined"),
                ("note", "暂不需要"),
                ("version", &version(v)),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let (status, note): (String, String) =
        sqlx::query_as("select status, status_note from educator where id = $1")
            .bind(applicant)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!((status.as_str(), note.as_str()), ("declined", "暂不需要"));
}

/// A workbook of the import template's columns with these rows.
fn workbook(rows: &[[&str; 13]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "姓名",
        "性别",
        "出生年份",
        "手机号",
        "身份证号",
        "工作单位",
        "职务",
        "服务专长",
        "其他专长",
        "类别",
        "可服务时间",
        "登记单位代码",
        "服务单位代码",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn upload(client: &Client, bytes: Vec<u8>) -> Page {
    let token = client.csrf_token().await;
    let form = reqwest::multipart::Form::new().text("csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("people.xlsx"),
    );
    let res = client
        .http
        .post(format!("{}/educators/import", client.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Client::page(res).await
}

#[tokio::test]
async fn an_import_shows_every_error_first_writes_nothing_then_registers_every_row() {
    let app = TestApp::spawn().await;
    let bureau = app.login("mengjin-bureau").await;
    let template = bureau.sheet("/educators/import/template.xlsx").await;
    assert!(template.iter().any(|r| r.iter().any(|c| c == "手机号")));
    let good = [
        "导入甲",
        "女",
        "1970",
        "13511110001",
        "",
        "区文化馆",
        "",
        "书法",
        "",
        "志愿者",
        "周末白天",
        "MJ-CG",
        "MJ-CG",
    ];
    let bad = [
        "导入乙",
        "未知",
        "1870",
        "123",
        "110105194912310021",
        "",
        "",
        "没有这个",
        "",
        "路人",
        "",
        "NOPE",
        "MJ-CG",
    ];
    let dup = [
        "导入丙",
        "",
        "",
        "13511110001",
        "",
        "",
        "",
        "太极",
        "",
        "兼职教师",
        "",
        "MJ-CG",
        "MJ-CG-01",
    ];
    let staged = upload(&bureau, workbook(&[good, bad, dup])).await;
    assert_eq!(staged.status, StatusCode::SEE_OTHER, "{}", staged.body);
    let review = bureau.get(staged.location()).await;
    for expected in [
        "出生年份",
        "手机号",
        "身份证号",
        "服务专长",
        "类别",
        "登记单位代码",
        "与文件中前面的行重复",
    ] {
        review.assert_contains(expected);
    }
    assert!(
        !review.body.contains("id=\"confirm-import\""),
        "no confirm while errors stand"
    );
    let forced = bureau.post(staged.location(), &[]).await;
    assert_eq!(forced.status, StatusCode::SEE_OTHER);
    let imported = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from educator where name like '导入%'")
            .fetch_one(&app.db.sys)
            .await
            .unwrap()
    };
    assert_eq!(imported().await, 0, "a file with errors writes nothing");
    let fixed = [
        "导入丙",
        "",
        "",
        "13511110002",
        "",
        "",
        "",
        "太极",
        "",
        "兼职教师",
        "",
        "MJ-CG",
        "MJ-CG、MJ-CG-01",
    ];
    let staged = upload(&bureau, workbook(&[good, fixed])).await;
    let review = bureau.get(staged.location()).await;
    review.assert_contains("id=\"confirm-import\"");
    let done = bureau.post(staged.location(), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(imported().await, 2);
    let again = bureau.post(staged.location(), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(imported().await, 2, "a second confirm adds nothing");
    let serves: i64 = sqlx::query_scalar(
        "select count(*) from educator_unit eu join educator e on e.id = eu.educator_id where e.name = '导入丙'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(serves, 2);
}

/// Records hours for `person` at `unit` as `client`.
async fn record(
    client: &Client,
    person: i64,
    unit: i64,
    on: &str,
    starts: &str,
    ends: &str,
    hours: &str,
) -> Page {
    let form = client.get(&format!("/educators/{person}/hours/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let fields = with(
        form.form_fields(&format!("/educators/{person}/hours")),
        &[
            ("unit_id", &unit.to_string()),
            ("served_on", on),
            ("starts_at", starts),
            ("ends_at", ends),
            ("hours", hours),
            ("content", "书法兴趣班"),
        ],
    );
    client
        .submit(&format!("/educators/{person}/hours"), &fields)
        .await
}

/// An active demo person of 城关镇 who serves its first teaching point too.
async fn serving_at_a_point(app: &TestApp) -> (i64, i64) {
    sqlx::query_as(
        "select e.id, eu.unit_id from educator e join educator_unit eu on eu.educator_id = e.id
           join org_unit u on u.id = eu.unit_id
          where u.code like 'MJ-CG-%' and e.status = 'active' order by e.id limit 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_day_never_passes_twelve_hours_and_hours_come_in_quarters() {
    let app = TestApp::spawn().await;
    let (person, point) = serving_at_a_point(&app).await;
    let town = app.login("mengjin-town").await;
    let on = "2026-11-02";
    assert_eq!(
        record(&town, person, point, on, "08:00", "14:00", "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        record(&town, person, point, on, "", "", "5.5").await.status,
        StatusCode::SEE_OTHER
    );
    let over = record(&town, person, point, on, "18:00", "19:00", "").await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    over.assert_contains("超过12小时");
    let odd = record(&town, person, point, "2026-11-03", "14:00", "14:20", "").await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    odd.assert_contains("一刻钟");
    odd.assert_contains("value=\"14:20\"");
    let minutes: i64 = sqlx::query_scalar(
        "select sum(minutes) from service_hours where educator_id = $1 and served_on = '2026-11-02'",
    )
    .bind(person)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(minutes, 690);
}

#[tokio::test]
async fn the_point_countersigns_what_the_town_recorded_and_nobody_signs_their_own_or_another_towns()
{
    let app = TestApp::spawn().await;
    let (person, point) = serving_at_a_point(&app).await;
    let town = app.login("mengjin-town").await;
    assert_eq!(
        record(&town, person, point, "2026-11-05", "14:00", "16:30", "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let entry: i64 = sqlx::query_scalar(
        "select id from service_hours where educator_id = $1 and served_on = '2026-11-05'",
    )
    .bind(person)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let status = || async {
        sqlx::query_scalar::<_, String>("select status from service_hours where id = $1")
            .bind(entry)
            .fetch_one(&app.db.sys)
            .await
            .unwrap()
    };
    let own = town
        .post(
            "/hours/decide",
            &[
                ("entry", &entry.to_string()),
                ("decision", "approve"),
                ("back", "/hours"),
            ],
        )
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    assert_eq!(status().await, "pending", "not by who recorded it");
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let other = app.login("mengjin-huimeng").await;
    let refused = other
        .post(
            "/hours/decide",
            &[("entry", &entry.to_string()), ("decision", "approve")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let coordinator: String = sqlx::query_scalar(
        "select a.username from account a where a.unit_id = $1 and a.role = 'point_coordinator'",
    )
    .bind(point)
    .fetch_optional(&app.db.sys)
    .await
    .unwrap()
    .unwrap_or_default();
    let signer = if coordinator.is_empty() {
        app.add_account("cg-point", "mengjin", "point_coordinator", None)
            .await;
        sqlx::query("update account set unit_id = $1 where username = 'cg-point'")
            .bind(point)
            .execute(&app.db.sys)
            .await
            .unwrap();
        app.login("cg-point").await
    } else {
        app.login(&coordinator).await
    };
    let queue = signer.get("/hours?status=pending").await;
    queue.assert_contains(&format!("name=\"entry\" value=\"{entry}\""));
    let no_reason = signer
        .post(
            "/hours/decide",
            &[("entry", &entry.to_string()), ("decision", "decline")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::SEE_OTHER);
    assert_eq!(status().await, "pending");
    let approved = signer
        .post(
            "/hours/decide",
            &[
                ("entry", &entry.to_string()),
                ("decision", "approve"),
                ("back", "/hours"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    assert_eq!(status().await, "approved");
    let twice = signer
        .post(
            "/hours/decide",
            &[
                ("entry", &entry.to_string()),
                ("decision", "decline"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::SEE_OTHER);
    assert_eq!(status().await, "approved", "decided once");
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_log where action = 'hours.approve'")
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    // The national system's export holds the entry's fields.
    let sheet = town.sheet("/hours/export.xlsx?status=approved").await;
    assert!(
        sheet
            .iter()
            .any(|r| r.iter().any(|c| c == "2026-11-05") && r.iter().any(|c| c == "2.5"))
    );
}

#[tokio::test]
async fn a_record_of_service_certifies_the_recording_units_approved_hours_once_numbered() {
    let app = TestApp::spawn().await;
    let (person, point) = serving_at_a_point(&app).await;
    // The demo's approved afternoons at the point, and one more at the point still pending.
    let approved: (i64, i64) = sqlx::query_as(
        "select count(*), coalesce(sum(minutes), 0)::bigint from service_hours
          where educator_id = $1 and unit_id = $2 and status = 'approved'",
    )
    .bind(person)
    .bind(point)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(approved.0 > 0, "the demo has approved hours at the point");
    let town_school = point;
    let town = app.login("mengjin-town").await;
    let page = town.get(&format!("/educators/{person}")).await;
    let fields = with(
        page.form_fields(&format!("/educators/{person}/records")),
        &[
            ("unit_id", &town_school.to_string()),
            ("from", "2020-01-01"),
            ("to", &crate::support::today()),
        ],
    );
    let issued = town
        .submit(&format!("/educators/{person}/records"), &fields)
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER);
    assert!(
        issued.location().contains("/records/"),
        "{}",
        issued.location()
    );
    let record = town.get(issued.location()).await;
    assert_eq!(record.status, StatusCode::OK);
    record.assert_contains("志愿服务记录证明");
    record.assert_contains("MJ-CG-");
    record.assert_contains("（盖章）");
    let hours = approved.1 as f64 / 60.0;
    let text = format!("{hours:.2}");
    record.assert_contains(&format!(
        "累计服务时长 {} 小时",
        text.trim_end_matches('0').trim_end_matches('.')
    ));
    record.assert_contains(&format!("参加社区教育志愿服务 {} 次", approved.0));
    // Nothing approved at a unit over a period: nothing to certify.
    let empty = with(
        fields.clone(),
        &[("from", "2001-01-01"), ("to", "2001-12-31")],
    );
    let none = town
        .submit(&format!("/educators/{person}/records"), &empty)
        .await;
    town.get(none.location())
        .await
        .assert_contains("没有已签认");
    let again = town
        .submit(&format!("/educators/{person}/records"), &fields)
        .await;
    assert_eq!(
        again.location(),
        issued.location(),
        "a double click issues one"
    );
}

#[tokio::test]
async fn a_departed_person_is_anonymised_by_the_bureau_and_the_hours_stay() {
    let app = TestApp::spawn().await;
    let (id, minutes): (i64, i64) = sqlx::query_as(
        "select e.id, (select coalesce(sum(minutes), 0)::bigint from service_hours x where x.educator_id = e.id)
           from educator e where e.status = 'left' and e.is_demo limit 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    let town = app.login("mengjin-town").await;
    assert_eq!(
        town.post(&format!("/educators/{id}/anonymise"), &[("confirm", "yes")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bureau = app.login("mengjin-bureau").await;
    let asked = bureau
        .post(&format!("/educators/{id}/anonymise"), &[])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    let done = bureau
        .post(&format!("/educators/{id}/anonymise"), &[("confirm", "yes")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let (name, phone, id_hash, after): (String, String, Option<Vec<u8>>, i64) = sqlx::query_as(
        "select name, phone, id_hash, (select coalesce(sum(minutes), 0)::bigint from service_hours x where x.educator_id = e.id)
           from educator e where id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert!(name.starts_with("已匿名"), "{name}");
    assert_eq!((phone.as_str(), id_hash), ("", None));
    assert_eq!(after, minutes);
}

#[tokio::test]
async fn a_stale_edit_of_a_person_gets_the_conflict_page_showing_both() {
    let app = TestApp::spawn().await;
    let (person, _) = serving_at_a_point(&app).await;
    let town = app.login("mengjin-town").await;
    let bureau = app.login("mengjin-bureau").await;
    let path = format!("/educators/{person}");
    let mine = town.get(&format!("{path}/edit")).await.form_fields(&path);
    let theirs = bureau.get(&format!("{path}/edit")).await.form_fields(&path);
    let first = bureau
        .submit(&path, &with(theirs, &[("position", "先保存的职务")]))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = town
        .submit(&path, &with(mine, &[("position", "后保存的职务")]))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("先保存的职务");
    stale.assert_contains("后保存的职务");
}

#[tokio::test]
async fn a_town_sees_on_its_home_whose_qualification_runs_out_and_what_waits_to_be_signed() {
    let app = TestApp::spawn().await;
    let (name, town, days): (String, String, i32) = sqlx::query_as(
        "select e.name, h.code, q.valid_until - current_date from qualification q
           join educator e on e.id = q.educator_id join org_unit h on h.id = e.home_unit_id
          where q.valid_until <= current_date + 30 limit 1",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    app.add_account("expiring-town", "mengjin", "town_admin", Some(&town))
        .await;
    let client = app.login("expiring-town").await;
    let home = client.get("/home").await;
    home.assert_contains("id=\"expiring\"");
    home.assert_contains(&name);
    home.assert_contains(&format!("证书{days}天后到期"));
    home.assert_contains("id=\"pending-hours\"");
    // Another town's home does not show it.
    let other = app.login("mengjin-town").await.get("/home").await;
    if town != "MJ-CG" {
        assert!(!other.body.contains(&name));
    }
}

#[tokio::test]
async fn the_years_hours_by_town_are_each_towns_school_and_points_and_no_others() {
    let app = TestApp::spawn().await;
    // Approved hours this year at a town school and at one of its points, by two people.
    sqlx::query(
        "insert into service_hours (tenant_id, educator_id, unit_id, served_on, minutes, content, recorded_by, status)
         select 1, e.id, u.id, (now() at time zone 'Asia/Shanghai')::date, 60, '测试', '测试', 'approved'
           from (select id from educator where tenant_id = 1 order by id limit 2) e,
                org_unit u where u.tenant_id = 1 and u.code in ('MJ-CG', 'MJ-CG-01')",
    )
    .execute(&app.db.sys)
    .await
    .unwrap();
    // What the page must show, counted by the tree's paths (a town's units are those under it).
    let expected: Vec<(String, i64)> = sqlx::query_as(
        "select t.name, count(distinct x.educator_id) from service_hours x
           join org_unit u on u.tenant_id = x.tenant_id and u.id = x.unit_id
           join org_unit t on t.tenant_id = u.tenant_id and t.kind = 'town_school' and u.path like t.path || '%'
          where x.tenant_id = 1 and x.status = 'approved'
            and extract(year from x.served_on) = extract(year from (now() at time zone 'Asia/Shanghai'))
          group by t.name, t.path order by t.path",
    )
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(
        expected
            .iter()
            .any(|(t, n)| t == "城关镇社区教育学校" && *n >= 2),
        "{expected:?}"
    );
    let page = app.login("mengjin-bureau").await.get("/hours").await;
    for (town, people) in &expected {
        page.assert_contains(&format!("<tr><td>{town}</td><td class=\"n\">{people}</td>"));
    }
    // The town's own page lists its own town only.
    let town = app.login("mengjin-town").await.get("/hours").await;
    town.assert_contains("<tr><td>城关镇社区教育学校</td>");
    for (other, _) in expected.iter().filter(|(t, _)| t != "城关镇社区教育学校") {
        town.assert_lacks(&format!("<tr><td>{other}</td>"));
    }
}
