//! The residents' side: the portal's pages, sign-up with its capacity, waitlist, duplicate
//! phones, cancellation and limits; phones masked and sealed, sign-ups deleted a year after
//! their activity; check-in by code or the phone's last digits, staff ticks, attendance
//! flowing into the activity's figures; the posters' QR codes decoding to their pages.

use crate::support::{Client, Page, TestApp, with};
use reqwest::StatusCode;

pub const CLASS: &str = crate::activities::CLASS;

/// A session of the class today (the demo's dates are fixed; the tests run on any day), its
/// id.
pub async fn session_today(app: &TestApp, activity: i64) -> i64 {
    sqlx::query_scalar(
        "insert into activity_session (tenant_id, activity_id, held_on, starts_at, ends_at)
         values (1, $1, (now() at time zone 'Asia/Shanghai')::date, '16:30', '18:00') returning id",
    )
    .bind(activity)
    .fetch_one(&app.db.sys)
    .await
    .unwrap()
}

/// Signs up through the public form as `resident`, for `session`.
pub async fn sign_up(
    resident: &Client,
    activity: i64,
    session: i64,
    name: &str,
    phone: &str,
) -> Page {
    let path = format!("/d/mengjin/activities/{activity}");
    let form = resident.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let fields = with(
        form.form_fields(&path),
        &[
            ("session", &session.to_string()),
            ("name", name),
            ("phone", phone),
            ("consent", "yes"),
        ],
    );
    resident.submit(&path, &fields).await
}

/// The six-digit code and the link of a confirmation page.
fn confirmation(page: &Page) -> (String, String) {
    let code = page
        .body
        .split("id=\"signup-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let link = page.body.split("id=\"signup-link\"").next().unwrap();
    let link = link
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    (code.to_string(), link.to_string())
}

async fn status_of(app: &TestApp, session: i64, name: &str) -> String {
    sqlx::query_scalar("select status from signup where session_id = $1 and name = $2")
        .bind(session)
        .bind(name)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_full_session_takes_a_waitlist_one_phone_takes_one_place_and_a_cancellation_moves_the_next_up()
 {
    let app = TestApp::spawn().await;
    let class = crate::activities::activity_id(&app, CLASS).await;
    sqlx::query("update activity set capacity = 2 where id = $1")
        .bind(class)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let session = session_today(&app, class).await;
    let resident = app.client();
    // Bad input is kept beside its field, nothing saved.
    let path = format!("/d/mengjin/activities/{class}");
    let form = resident.get(&path).await;
    let bad = resident
        .submit(
            &path,
            &with(
                form.form_fields(&path),
                &[
                    ("session", &session.to_string()),
                    ("name", "李娜"),
                    ("phone", "12345"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("请填写11位手机号码");
    bad.assert_contains("请勾选同意后再报名");
    bad.assert_contains("李娜");
    let first = sign_up(&resident, class, session, "张一", "13800000001").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    first.assert_contains("报名成功");
    let (code, link) = confirmation(&first);
    assert_eq!(code.len(), 6);
    let twice = sign_up(&resident, class, session, "张一", "138 0000 0001").await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("这个手机号已经报名了这一场");
    sign_up(&resident, class, session, "张二", "13800000002")
        .await
        .assert_contains("报名成功");
    let third = sign_up(&resident, class, session, "张三", "13800000003").await;
    third.assert_contains("您在候补名单中");
    assert_eq!(status_of(&app, session, "张三").await, "waitlisted");
    // The place's page shows it masked; cancelling it moves 张三 up.
    let mine = resident.get(&link).await;
    mine.assert_contains("138****0001");
    mine.assert_lacks("13800000001");
    mine.assert_contains(&code);
    let token = link.rsplit('/').next().unwrap();
    let ask = resident.post(&link, &[]).await;
    ask.assert_contains("您的名额将让给候补名单中的下一位居民");
    let done = resident.post(&link, &[("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.assert_contains("已取消报名");
    assert_eq!(status_of(&app, session, "张一").await, "cancelled");
    assert_eq!(status_of(&app, session, "张三").await, "confirmed");
    assert!(!token.is_empty());
    // The phone is sealed and hashed, never stored plain.
    let plain: i64 = sqlx::query_scalar(
        "select count(*) from signup where session_id = $1
            and (position(convert_to('13800000', 'UTF8') in phone_cipher) > 0 or phone_masked like '%00000%')",
    )
    .bind(session)
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(plain, 0);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'signup' and actor_name = 'public'
            and after::text not like '%138%'",
    )
    .fetch_one(&app.db.sys)
    .await
    .unwrap();
    assert_eq!(
        audited, 4,
        "three sign-ups and a cancellation, no phone in them"
    );
    // Two more from the same address pass the limit of five a day.
    sign_up(&resident, class, session, "张四", "13800000004")
        .await
        .assert_contains("候补");
    sign_up(&resident, class, session, "张五", "13800000005")
        .await
        .assert_contains("候补");
    let sixth = sign_up(&resident, class, session, "张六", "13800000006").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    // A year after the activity its sign-ups are deleted.
    let ends: chrono::NaiveDate = sqlx::query_scalar("select ends_on from activity where id = $1")
        .bind(class)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let kept = cedu::activities::repo::signups::purge(&app.db.sys, ends + chrono::Days::new(365))
        .await
        .unwrap();
    assert_eq!(kept, 0, "not before the year is over");
    let deleted =
        cedu::activities::repo::signups::purge(&app.db.sys, ends + chrono::Days::new(366))
            .await
            .unwrap();
    assert_eq!(deleted, 5);
}

#[tokio::test]
async fn residents_check_in_by_code_or_last_digits_staff_tick_and_attendance_reaches_the_activity()
{
    let app = TestApp::spawn().await;
    let class = crate::activities::activity_id(&app, CLASS).await;
    let session = session_today(&app, class).await;
    let resident = app.client();
    let a = sign_up(&resident, class, session, "王一", "13900000011").await;
    let (code, _) = confirmation(&a);
    sign_up(&resident, class, session, "王二", "13700000011").await;
    sign_up(&resident, class, session, "王三", "13600000022").await;
    // The staff's page gives the session its check-in code.
    let point = app.login("mengjin-point").await;
    let staff = point.get(&format!("/activities/{class}/signups")).await;
    staff.assert_contains("139****0011");
    staff.assert_lacks("13900000011");
    let key: String = sqlx::query_scalar("select checkin_key from activity_session where id = $1")
        .bind(session)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    staff.assert_contains(&format!("/d/mengjin/checkin/{key}"));
    // A past session's code is neither shown nor drawn: check-in works on its day only.
    let past: Vec<String> = sqlx::query_scalar(
        "select checkin_key from activity_session where activity_id = $1 and held_on < current_date
            and checkin_key is not null",
    )
    .bind(class)
    .fetch_all(&app.db.sys)
    .await
    .unwrap();
    assert!(!past.is_empty(), "the class has sessions before today");
    for k in past {
        staff.assert_lacks(&k);
    }
    let path = format!("/d/mengjin/checkin/{key}");
    let phone = app.client();
    let check = |typed: &'static str| {
        let phone = &phone;
        let path = path.clone();
        async move {
            let form = phone.get(&path).await;
            phone
                .submit(&path, &with(form.form_fields(&path), &[("code", typed)]))
                .await
        }
    };
    let wrong = check("000000").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("没有找到");
    let ambiguous = check("0011").await;
    ambiguous.assert_contains("请输入6位确认码");
    let form = phone.get(&path).await;
    let by_code = phone
        .submit(&path, &with(form.form_fields(&path), &[("code", &code)]))
        .await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.body);
    // The name is masked: four guessed digits would otherwise tell whose place they were.
    by_code.assert_contains("王*，签到成功");
    by_code.assert_lacks("王一");
    let by_digits = check("0022").await;
    by_digits.assert_contains("王*，签到成功");
    by_digits.assert_lacks("王三");
    // Guessing is counted: nine more wrong tries from this address (ten with the first), and
    // then every try is refused until the hour has passed; staff can still tick.
    for guess in [
        "1000", "1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008",
    ] {
        assert_eq!(check(guess).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = check("0033").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    refused.assert_contains("输错的次数太多");
    let failures: i64 =
        sqlx::query_scalar("select count(*) from checkin_failure where session_id = $1")
            .bind(session)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(failures, 10, "the ambiguous try is not a failure");
    let (attendance, status): (Option<i32>, String) =
        sqlx::query_as("select attendance, status from activity_session where id = $1")
            .bind(session)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!((attendance, status.as_str()), (Some(2), "held"));
    // Staff tick 王二; the activity's figures follow its held sessions.
    let before: i32 = sqlx::query_scalar("select attendance from activity where id = $1")
        .bind(class)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let wang2: i64 = sqlx::query_scalar("select id from signup where name = '王二'")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let ticked = point
        .post(
            &format!("/activities/{class}/signups/{wang2}"),
            &[("present", "1")],
        )
        .await;
    assert_eq!(ticked.status, StatusCode::SEE_OTHER, "{}", ticked.body);
    let after: i32 = sqlx::query_scalar("select attendance from activity where id = $1")
        .bind(class)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    assert_eq!(after, before + 1);
    assert_eq!(
        app.audit_actions("signup", wang2).await,
        ["signup.create", "signup.tick"]
    );
    // Another town's administrator cannot tick, nor read the list.
    app.add_account("mengjin-huimeng", "mengjin", "town_admin", Some("MJ-HM"))
        .await;
    let huimeng = app.login("mengjin-huimeng").await;
    assert_eq!(
        huimeng
            .get(&format!("/activities/{class}/signups"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        huimeng
            .post(
                &format!("/activities/{class}/signups/{wang2}"),
                &[("present", "0")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A session of another day does not check in.
    sqlx::query(
        "insert into activity_session (tenant_id, activity_id, held_on, starts_at, ends_at, checkin_key)
         values (1, $1, (now() at time zone 'Asia/Shanghai')::date + 7, '16:30', '18:00', 'later-key')",
    )
    .bind(class)
    .execute(&app.db.sys)
    .await
    .unwrap();
    phone
        .get("/d/mengjin/checkin/later-key")
        .await
        .assert_contains("签到只在活动当天开放");
    assert_eq!(
        phone.get("/d/mengjin/checkin/no-such-key").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn check_ins_add_to_a_typed_head_count_reach_the_delivery_totals_and_stop_at_the_report() {
    let app = TestApp::spawn().await;
    let class = crate::activities::activity_id(&app, CLASS).await;
    let session = session_today(&app, class).await;
    let resident = app.client();
    let first = sign_up(&resident, class, session, "李一", "13900000031").await;
    let second = sign_up(&resident, class, session, "李二", "13900000032").await;
    let point = app.login("mengjin-point").await;
    // The staff's page gives the session its check-in code.
    point.get(&format!("/activities/{class}/signups")).await;
    let key: String = sqlx::query_scalar("select checkin_key from activity_session where id = $1")
        .bind(session)
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let path = format!("/d/mengjin/checkin/{key}");
    let check_in = |page: &Page| {
        let (code, _) = confirmation(page);
        let path = path.clone();
        let phone = app.client();
        async move {
            let form = phone.get(&path).await;
            let done = phone
                .submit(&path, &with(form.form_fields(&path), &[("code", &code)]))
                .await;
            assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        }
    };
    let held_in_totals = || async {
        sqlx::query_scalar::<_, i64>(
            "select coalesce(sum(t.sessions_held), 0)::bigint from delivery_total t join activity a
                on a.tenant_id = t.tenant_id and a.organiser_unit_id = t.organiser_unit_id
               and extract(year from a.starts_on)::int = t.year and coalesce(a.plan_item_id, 0) = t.plan_item_id
             where a.id = $1",
        )
        .bind(class)
        .fetch_one(&app.db.sys)
        .await
        .unwrap()
    };
    let totals_before = held_in_totals().await;
    // The first check-in holds today's session, and the plan's delivery counts it.
    check_in(&first).await;
    assert_eq!(held_in_totals().await, totals_before + 1);
    // The coordinator then types the head count: 30 came.
    let page = point.get(&format!("/activities/{class}")).await;
    let action = format!("/activities/{class}/sessions/{session}");
    let saved = point
        .submit(
            &action,
            &with(
                page.form_fields(&action),
                &[("status", "held"), ("attendance", "30"), ("walk_ins", "0")],
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A late check-in adds one to it, instead of setting it to the two checked in.
    check_in(&second).await;
    let attendance: Option<i32> =
        sqlx::query_scalar("select attendance from activity_session where id = $1")
            .bind(session)
            .fetch_one(&app.db.sys)
            .await
            .unwrap();
    assert_eq!(attendance, Some(31));
    // Once the activity is reported its figures are its report's: no more ticks.
    sqlx::query("update activity set status = 'reported' where id = $1")
        .bind(class)
        .execute(&app.db.sys)
        .await
        .unwrap();
    let li2: i64 = sqlx::query_scalar("select id from signup where name = '李二'")
        .fetch_one(&app.db.sys)
        .await
        .unwrap();
    let tick = point
        .post(
            &format!("/activities/{class}/signups/{li2}"),
            &[("present", "0")],
        )
        .await;
    assert_eq!(tick.status, StatusCode::NOT_FOUND);
}

/// The dark modules of a QR code drawn as runs (`M{x} {y}h{n}v1h-{n}z` in one path) in the
/// first `<svg>` after `from` in `html`, decoded.
pub fn decode_qr(html: &str, from: &str) -> String {
    let at = html.find(from).expect("the poster");
    let svg = &html[at..];
    let svg = &svg[svg.find("<svg").unwrap()..svg.find("</svg>").unwrap()];
    let total: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut dark = vec![false; total * total];
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for run in path.split('M').skip(1) {
        let (at, rest) = run.split_once('h').unwrap();
        let (x, y) = at.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let n: usize = rest.split('v').next().unwrap().parse().unwrap();
        for i in x..x + n {
            dark[y * total + i] = true;
        }
    }
    let scale = 4;
    let side = total * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        if dark[(y / scale) * total + x / scale] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("a readable code").1
}

#[tokio::test]
async fn a_towns_posters_carry_qr_codes_that_decode_to_its_pages() {
    let app = TestApp::spawn().await;
    let cg = app.unit_id("MJ-CG").await;
    let cg01 = app.unit_id("MJ-CG-01").await;
    let town = app.login("mengjin-town").await;
    let home = town.get("/home").await;
    home.assert_contains(&format!("/units/{cg}/posters/print"));
    let posters = town.get(&format!("/units/{cg}/posters/print")).await;
    assert_eq!(posters.status, StatusCode::OK);
    let page = decode_qr(&posters.body, &format!("id=\"poster-{cg}\""));
    assert_eq!(page, format!("{}/d/mengjin/units/{cg}", app.base()));
    let point = decode_qr(&posters.body, &format!("id=\"poster-{cg01}\""));
    assert_eq!(point, format!("{}/d/mengjin/units/{cg01}", app.base()));
    // The code leads to a page that is there for anyone.
    let path = page.trim_start_matches(&app.base()).to_string();
    let public = app.client().get(&path).await;
    public.assert_contains("城关镇社区教育学校");
    public.assert_contains("og:title");
    // Another town's posters are out of scope.
    let hm = app.unit_id("MJ-HM").await;
    assert_eq!(
        town.get(&format!("/units/{hm}/posters/print")).await.status,
        StatusCode::NOT_FOUND
    );
}
