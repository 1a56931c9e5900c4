//! Demo data for the learning library (marked 演示数据): Mengjin's published resources — an
//! audio lesson with a real (generated) WAV file, a video on another platform, a PDF handbook,
//! a course of two lessons from a member unit, a link to the national open university's
//! platform — and one resource from the women's federation awaiting the bureau's review.

use sqlx::PgConnection;

/// A one-page PDF (Helvetica, ASCII lines): small, valid, opens in any reader.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 72 760 Td 18 TL\n");
    for line in lines {
        let safe = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({safe}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A WAV of `seconds` of a soft tone (8 kHz, 8-bit mono): a real file a phone plays.
pub fn wav(seconds: u32) -> Vec<u8> {
    let rate = 8000u32;
    let n = rate * seconds;
    let mut out = Vec::with_capacity(44 + n as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes()); // bytes a second
    out.extend_from_slice(&1u16.to_le_bytes()); // block
    out.extend_from_slice(&8u16.to_le_bytes()); // bits
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    for i in 0..n {
        let t = i as f64 / f64::from(rate);
        let fade = (1.0 - t / f64::from(seconds)).max(0.0);
        let v = 128.0 + 40.0 * fade * (2.0 * std::f64::consts::PI * 440.0 * t).sin();
        out.push(v as u8);
    }
    out
}

struct Demo {
    title: &'static str,
    kind: &'static str,
    subject: &'static str,
    populations: &'static [&'static str],
    duration: Option<i32>,
    /// `u:CODE` for a unit of the network, `m:CODE` for a member unit.
    provider: &'static str,
    licence: &'static str,
    description: &'static str,
    url: &'static str,
    status: &'static str,
}

const RESOURCES: &[Demo] = &[
    Demo {
        title: "智能手机入门：视频通话和网上缴费（音频课）",
        kind: "audio",
        subject: "digital",
        populations: &["elderly", "left_behind_elderly"],
        duration: Some(1),
        provider: "u:MJ-CG",
        licence: "cc_by_nc",
        description: "城关镇社区教育学校老年智能手机班的第一课录音：怎样接听视频电话、怎样用手机缴水电费。演示数据：音频为一段提示音。",
        url: "",
        status: "published",
    },
    Demo {
        title: "家庭教育指导手册（节选）",
        kind: "document",
        subject: "family",
        populations: &["left_behind_children", "left_behind_women"],
        duration: None,
        provider: "u:MJ",
        licence: "cc_by_nc_nd",
        description: "区社区教育学院编写的家庭教育指导手册节选，供家长学校和村教学点使用。",
        url: "",
        status: "published",
    },
    Demo {
        title: "太极拳基础八式（视频）",
        kind: "video",
        subject: "health",
        populations: &["elderly", "all"],
        duration: Some(15),
        provider: "u:MJ-HM",
        licence: "platform_only",
        description: "会盟镇社区教育学校推荐的太极拳入门视频，在国家开放大学终身教育平台上观看。",
        url: "https://le.ouchn.cn/",
        status: "published",
    },
    Demo {
        title: "国家开放大学终身教育平台",
        kind: "link",
        subject: "other",
        populations: &["all"],
        duration: None,
        provider: "u:MJ",
        licence: "platform_only",
        description: "国家开放大学的终身教育平台：老年教育、职业技能、家庭教育等数千门免费课程。",
        url: "https://le.ouchn.cn/",
        status: "published",
    },
    Demo {
        title: "果树栽培实用技术（两课时）",
        kind: "course",
        subject: "agriculture",
        populations: &["rural"],
        duration: Some(90),
        provider: "m:MU-SCI",
        licence: "cc_by",
        description: "区科协组织的农村实用技术培训：苹果、樱桃的修剪和病虫害防治。",
        url: "",
        status: "published",
    },
    Demo {
        title: "留守儿童心理关爱讲座讲义",
        kind: "document",
        subject: "family",
        populations: &["left_behind_children"],
        duration: None,
        provider: "m:MU-WF",
        licence: "cc_by_nc",
        description: "区妇联“春蕾”志愿者讲座的讲义，等待区社区教育学院审核。",
        url: "",
        status: "submitted",
    },
];

async fn file(
    tx: &mut PgConnection,
    tenant_id: i64,
    resource: i64,
    lesson: Option<i64>,
    (name, kind, content): (&str, &str, Vec<u8>),
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into library_file (tenant_id, resource_id, lesson_id, role, file_name, content_type, size, content, uploaded_by)
         values ($1, $2, $3, 'content', $4, $5, $6, $7, '演示数据')",
    )
    .bind(tenant_id)
    .bind(resource)
    .bind(lesson)
    .bind(name)
    .bind(kind)
    .bind(content.len() as i64)
    .bind(content)
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn load(tx: &mut PgConnection, tenant_id: i64) -> sqlx::Result<()> {
    crate::db::set_tenant(tx, tenant_id).await?;
    for (n, d) in RESOURCES.iter().enumerate() {
        let (side, code) = d.provider.split_once(':').unwrap_or(("u", d.provider));
        let published = d.status == "published";
        let id: i64 = sqlx::query_scalar(
            "insert into library_resource (tenant_id, title, kind, subject, populations, duration_minutes,
                    provider_unit_id, provider_member_unit_id, licence, language, description, external_url,
                    status, published_at, changed_at, created_by, is_demo)
             values ($1, $2, $3, $4, $5, $6,
                     (select id from org_unit where tenant_id = $1 and code = $7 and $8 = 'u'),
                     (select id from member_unit where tenant_id = $1 and code = $7 and $8 = 'm'),
                     $9, 'zh', $10, $11, $12, case when $13 then now() end,
                     date_trunc('second', now()) - make_interval(days => $14), '演示数据', true)
             returning id",
        )
        .bind(tenant_id)
        .bind(d.title)
        .bind(d.kind)
        .bind(d.subject)
        .bind(d.populations)
        .bind(d.duration)
        .bind(code)
        .bind(side)
        .bind(d.licence)
        .bind(d.description)
        .bind(d.url)
        .bind(d.status)
        .bind(published)
        .bind(RESOURCES.len() as i32 - n as i32)
        .fetch_one(&mut *tx)
        .await?;
        match (d.kind, n) {
            ("audio", _) => {
                file(tx, tenant_id, id, None, ("第一课.wav", "audio/wav", wav(3))).await?
            }
            ("document", _) => {
                let body = pdf(&[
                    d.title_ascii(),
                    "Demo data of cedu (yan shi shu ju).",
                    "Mengjin District community-education college.",
                ]);
                file(
                    tx,
                    tenant_id,
                    id,
                    None,
                    ("讲义.pdf", "application/pdf", body),
                )
                .await?
            }
            ("course", _) => {
                let first: i64 = sqlx::query_scalar(
                    "insert into library_lesson (tenant_id, resource_id, position, title, duration_minutes)
                     values ($1, $2, 1, '第一课：苹果树冬季修剪', 45) returning id",
                )
                .bind(tenant_id)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let body = pdf(&["Lesson 1: pruning apple trees in winter (demo)."]);
                file(
                    tx,
                    tenant_id,
                    id,
                    Some(first),
                    ("第一课.pdf", "application/pdf", body),
                )
                .await?;
                sqlx::query(
                    "insert into library_lesson (tenant_id, resource_id, position, title, duration_minutes, external_url)
                     values ($1, $2, 2, '第二课：樱桃病虫害防治', 45, 'https://le.ouchn.cn/')",
                )
                .bind(tenant_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            _ => {}
        }
        if published {
            sqlx::query(
                "insert into library_view (tenant_id, resource_id, views) values ($1, $2, $3)",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(12 * (n as i64 + 1))
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

impl Demo {
    /// The PDF's first line (Helvetica has no Chinese): the kind of document, in English.
    fn title_ascii(&self) -> &'static str {
        match self.status {
            "published" => "Family education handbook (excerpt)",
            _ => "Caring for left-behind children: lecture notes",
        }
    }
}
