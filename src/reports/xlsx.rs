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

/// A workbook of one sheet: `title` in the first row, then headers, then rows.
pub fn sheet(
    name: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    let title_format = Format::new().set_bold().set_font_size(14);
    ws.write_string_with_format(0, 0, title, &title_format)?;
    for (c, h) in headers.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(1, col, *h, &bold)?;
        ws.set_column_width(col, (h.chars().count() * 2 + 4).clamp(8, 40) as f64)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => ws.write_string(r, c as u16, s)?,
                Cell::Number(n) => ws.write_number(r, c as u16, *n)?,
                Cell::Empty => ws,
            };
        }
    }
    ws.set_freeze_panes(2, 0)?;
    if !headers.is_empty() {
        ws.autofilter(1, 0, rows.len() as u32 + 1, headers.len() as u16 - 1)?;
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
