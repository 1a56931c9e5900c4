//! Spreadsheets out: one sheet with a title row, bold headers, frozen panes and a filter.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, TryStreamExt};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    /// An amount kept in fen, as yuan.
    pub fn yuan(fen: i64) -> Cell {
        Cell::Number(fen as f64 / 100.0)
    }
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

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
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
    let mut w = Writer::new();
    for s in sheets {
        w.sheet(s.name, s.title, s.headers)?;
        for row in s.rows {
            w.row(row)?;
        }
    }
    w.finish()
}

/// Writes a workbook row by row, so an export can stream rows from the database without
/// holding them: each sheet's rows go to a temporary file (constant memory), not to RAM.
pub struct Writer {
    book: Workbook,
    sheets: usize,
    /// The current sheet's next row and column count.
    row: u32,
    columns: u16,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Self {
            book: Workbook::new(),
            sheets: 0,
            row: 0,
            columns: 0,
        }
    }

    /// Starts a sheet: `title` in the first row, then bold headers.
    pub fn sheet(&mut self, name: &str, title: &str, headers: &[&str]) -> Result<(), XlsxError> {
        self.end_sheet()?;
        let bold = Format::new().set_bold();
        let title_format = Format::new().set_bold().set_font_size(14);
        let ws = self.book.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, title, &title_format)?;
        for (c, h) in headers.iter().enumerate() {
            let col = c as u16;
            ws.write_string_with_format(1, col, *h, &bold)?;
            ws.set_column_width(col, (h.chars().count() * 2 + 4).clamp(8, 40) as f64)?;
        }
        self.sheets += 1;
        self.row = 2;
        self.columns = headers.len() as u16;
        Ok(())
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let ws = self.book.worksheet_from_index(self.sheets - 1)?;
        for (c, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Text(t) => ws.write_string(self.row, c as u16, t)?,
                Cell::Number(n) => ws.write_number(self.row, c as u16, *n)?,
                Cell::Empty => ws,
            };
        }
        self.row += 1;
        Ok(())
    }

    /// One row per item of `rows` (a database stream), laid out by `cells`, as the items arrive.
    pub async fn stream<T>(
        &mut self,
        mut rows: impl Stream<Item = sqlx::Result<T>> + Unpin,
        cells: impl Fn(T) -> Vec<Cell>,
    ) -> crate::error::Result<()> {
        while let Some(item) = rows.try_next().await? {
            self.row(&cells(item)).map_err(AppError::internal)?;
        }
        Ok(())
    }

    /// Frozen headers and a filter over the rows written, on the sheet being finished.
    fn end_sheet(&mut self) -> Result<(), XlsxError> {
        if self.sheets == 0 {
            return Ok(());
        }
        let ws = self.book.worksheet_from_index(self.sheets - 1)?;
        ws.set_freeze_panes(2, 0)?;
        if self.columns > 0 {
            ws.autofilter(1, 0, self.row - 1, self.columns - 1)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.end_sheet()?;
        self.book.save_to_buffer()
    }
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
