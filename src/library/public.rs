//! The public library, for residents on a phone without an account: search and filters in
//! one box and a folded section, resources as cards, a resource's page that plays or opens it
//! (its views counted, nothing about who), and its files served in byte ranges so a video
//! seeks without loading the rest. Nothing unpublished is found here.

use super::model::{KINDS, MAX_PART, POPULATIONS, Range, SUBJECTS};
use super::repo::{self, FileMeta, Lesson, Provider, Resource, Resources, Which};
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::list::{self, ListQuery, Paged};
use crate::web::tx::PublicTx;
use crate::web::{Ctx, render};
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "library/public_index.html")]
struct IndexPage {
    ctx: Ctx,
    code: String,
    district: String,
    list: Paged<Resource>,
    query: ListQuery,
    providers: Vec<Provider>,
    kinds: &'static [&'static str],
    subjects: &'static [&'static str],
    populations: &'static [&'static str],
}

impl IndexPage {
    fn base(&self) -> String {
        format!("/d/{}/library", self.code)
    }

    /// Whether a filter beyond the words is chosen (the folded filters then open).
    fn filtered(&self) -> bool {
        ["kind", "subject", "population", "provider"]
            .iter()
            .any(|f| !self.query.get(f).is_empty())
    }
}

/// `GET /d/{district}/library?q=&kind=&subject=&population=&provider=&page=`: the district's
/// published resources, most viewed first.
pub async fn index(ctx: Ctx, public: PublicTx, query: ListQuery) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let listing = Resources {
        query: &query,
        scope: None,
    };
    let rows = list::page(&mut tx, &listing, query.page()).await?;
    let providers = repo::public_providers(&mut tx).await?;
    tx.commit().await?;
    Ok(render(&IndexPage {
        ctx,
        code: district.code,
        district: district.name,
        list: rows,
        query,
        providers,
        kinds: &KINDS,
        subjects: &SUBJECTS,
        populations: &POPULATIONS,
    }))
}

#[derive(Template)]
#[template(path = "library/public_show.html")]
struct ShowPage {
    ctx: Ctx,
    code: String,
    district: String,
    r: Resource,
    lessons: Vec<Lesson>,
}

impl ShowPage {
    fn base(&self) -> String {
        format!("/d/{}/library/{}", self.code, self.r.id)
    }

    /// The description cut for sharing (Open Graph).
    fn summary(&self) -> String {
        let text = if self.r.description.is_empty() {
            self.ctx.label("library.kind", &self.r.kind)
        } else {
            self.r.description.replace('\n', " ")
        };
        let cut: String = text.chars().take(120).collect();
        if cut.len() < text.len() {
            format!("{cut}…")
        } else {
            cut
        }
    }
}

/// `GET /d/{district}/library/{id}`: a published resource, played or opened here; each view
/// counted.
pub async fn show(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let r = repo::published(&mut tx, id).await?.or_404()?;
    let lessons = repo::lessons(&mut tx, id).await?;
    repo::count_view(&mut tx, district.id, id).await?;
    tx.commit().await?;
    Ok(render(&ShowPage {
        ctx,
        code: district.code,
        district: district.name,
        r,
        lessons,
    }))
}

/// A published resource's file, or 404.
async fn public_file(public: PublicTx, id: i64, which: Which) -> Result<(Tx, FileMeta)> {
    let PublicTx { mut tx, .. } = public;
    repo::published(&mut tx, id).await?.or_404()?;
    let meta = repo::file_meta(&mut tx, id, which).await?.or_404()?;
    Ok((tx, meta))
}

/// `GET /d/{district}/library/{id}/file`: its content, in ranges.
pub async fn file(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let (tx, meta) = public_file(public, id, Which::Content).await?;
    cached(serve(tx, &ctx, meta, &headers).await)
}

/// `GET /d/{district}/library/{id}/cover`: its cover image.
pub async fn cover(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let (tx, meta) = public_file(public, id, Which::Cover).await?;
    cached(serve(tx, &ctx, meta, &headers).await)
}

/// `GET /d/{district}/library/{id}/lessons/{l}/file`: a lesson's file, in ranges.
pub async fn lesson_file(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id, l)): Path<(String, i64, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let (tx, meta) = public_file(public, id, Which::Lesson(l)).await?;
    cached(serve(tx, &ctx, meta, &headers).await)
}

/// A published file may be kept a few minutes by the browser (a player asks for it often).
fn cached(res: Result<Response>) -> Result<Response> {
    res.map(|mut res| {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        res
    })
}

/// A stored file answered as the request's `Range` asks: 206 with the slice read in SQL, 416
/// for a range past its end, or the whole file (200) streamed a slice at a time in the
/// request's transaction, which ends when the last slice is read.
pub async fn serve(mut tx: Tx, ctx: &Ctx, meta: FileMeta, headers: &HeaderMap) -> Result<Response> {
    let size = meta.size.max(0) as u64;
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let common = |status: StatusCode, len: u64, body: Body| -> Response {
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        let mut set = |name, value: String| {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        };
        set(header::CONTENT_TYPE, meta.content_type.clone());
        set(
            header::CONTENT_DISPOSITION,
            crate::web::files::attachment(&meta.file_name),
        );
        set(header::ACCEPT_RANGES, "bytes".into());
        set(header::CONTENT_LENGTH, len.to_string());
        // Never compressed on the way: the bytes are the file's, as the ranges count them.
        set(header::CONTENT_ENCODING, "identity".into());
        res
    };
    match Range::parse(asked, size) {
        Range::Unsatisfiable => {
            tx.commit().await?;
            let mut res = crate::web::error_page(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ctx.lang,
                ctx.user.clone(),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            res.headers_mut()
                .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            Ok(res)
        }
        Range::Part { start, end } => {
            let len = end - start + 1;
            let bytes = repo::file_slice(&mut tx, meta.id, start, len).await?;
            tx.commit().await?;
            if bytes.len() as u64 != len {
                return Err(AppError::internal("a file shorter than its size"));
            }
            let mut res = common(StatusCode::PARTIAL_CONTENT, len, Body::from(bytes));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            Ok(res)
        }
        Range::Whole => {
            let id = meta.id;
            let slices = futures_util::stream::unfold(Some((tx, 0u64)), move |state| async move {
                let (mut tx, at) = state?;
                if at >= size {
                    return match tx.commit().await {
                        Ok(()) => None,
                        Err(e) => Some((Err(std::io::Error::other(e)), None)),
                    };
                }
                let len = MAX_PART.min(size - at);
                match repo::file_slice(&mut tx, id, at, len).await {
                    Ok(bytes) if !bytes.is_empty() => {
                        Some((Ok(Bytes::from(bytes)), Some((tx, at + len))))
                    }
                    Ok(_) => Some((Err(std::io::Error::other("a short file")), None)),
                    Err(e) => Some((Err(std::io::Error::other(e)), None)),
                }
            });
            Ok(common(StatusCode::OK, size, Body::from_stream(slices)))
        }
    }
}
