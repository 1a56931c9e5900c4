//! Spreadsheets out: one sheet with a title row, bold headers, frozen panes and a filter.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        s.to_string().into()
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Cell::Number(n.into())
    }
}

impl From<Option<i32>> for Cell {
    fn from(n: Option<i32>) -> Self {
        n.map_or(Cell::Empty, Cell::from)
    }
}

/// One sheet: `title` in the first row, then headers, then rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
}

/// A workbook of one sheet.
pub fn sheet(
    name: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    book(&[Sheet {
        name,
        title,
        headers,
        rows,
    }])
}

/// A workbook of several sheets, each with bold headers, frozen panes and a filter.
pub fn book(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let title_format = Format::new().set_bold().set_font_size(14);
    for s in sheets {
        // Rows stream to a temporary file rather than memory: exports of 100k rows stay small.
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(s.name)?;
        ws.write_string_with_format(0, 0, s.title, &title_format)?;
        for (c, h) in s.headers.iter().enumerate() {
            let col = c as u16;
            ws.write_string_with_format(1, col, *h, &bold)?;
            ws.set_column_width(col, (h.chars().count() * 2 + 4).clamp(8, 40) as f64)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => ws.write_string(r, c as u16, t)?,
                    Cell::Number(n) => ws.write_number(r, c as u16, *n)?,
                    Cell::Empty => ws,
                };
            }
        }
        ws.set_freeze_panes(2, 0)?;
        if !s.headers.is_empty() {
            ws.autofilter(1, 0, s.rows.len() as u32 + 1, s.headers.len() as u16 - 1)?;
        }
    }
    book.save_to_buffer()
}

/// The workbook as a download named `file_name`.
pub fn download(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
