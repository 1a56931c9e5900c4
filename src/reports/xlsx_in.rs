//! Spreadsheets in: a sheet's rows below its header row, keyed by column, whatever order or
//! language (Chinese or English) the headers are in. Imports check and stage these rows.

use crate::web::i18n::Lang;
use calamine::{Data, DataType, Reader};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A row as read from the sheet: its number in the sheet and its cells by column key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RawRow {
    pub row: usize,
    pub cells: BTreeMap<String, String>,
}

impl RawRow {
    pub fn get(&self, column: &str) -> String {
        self.cells.get(column).cloned().unwrap_or_default()
    }
}

/// Opens an .xlsx (or .xls/.ods) file; the error is a catalogue key.
pub fn open(bytes: Vec<u8>) -> Result<calamine::Sheets<std::io::Cursor<Vec<u8>>>, &'static str> {
    calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| "import.not_xlsx")
}

/// The rows of sheet `index` below the first row that names every one of `required`.
pub fn rows(
    book: &mut calamine::Sheets<std::io::Cursor<Vec<u8>>>,
    index: usize,
    columns: &[&'static str],
    required: &[&'static str],
) -> Result<Vec<RawRow>, &'static str> {
    let range = book
        .worksheet_range_at(index)
        .ok_or("import.empty")?
        .map_err(|_| "import.not_xlsx")?;
    let start = range.start().map_or(0, |(r, _)| r as usize);
    let mut header: Option<Vec<Option<&'static str>>> = None;
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        match &header {
            None => {
                let keys: Vec<Option<&'static str>> =
                    texts.iter().map(|t| column_for(t, columns)).collect();
                if required.iter().all(|r| keys.contains(&Some(*r))) {
                    header = Some(keys);
                }
            }
            Some(keys) => {
                if texts.iter().all(|t| t.is_empty()) {
                    continue;
                }
                let cells = keys
                    .iter()
                    .zip(texts)
                    .filter_map(|(k, t)| Some((k.as_ref()?.to_string(), t)))
                    .collect();
                rows.push(RawRow {
                    row: start + i + 1,
                    cells,
                });
            }
        }
    }
    header.map(|_| rows).ok_or("import.no_header")
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(_) | Data::DateTimeIso(_) => {
            cell.as_date().map(|d| d.to_string()).unwrap_or_default()
        }
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

/// Which column a header names, in Chinese or English.
fn column_for(header: &str, columns: &[&'static str]) -> Option<&'static str> {
    let header = header.trim().trim_end_matches('*');
    columns
        .iter()
        .copied()
        .find(|k| Lang::Zh.t(k) == header || Lang::En.t(k).eq_ignore_ascii_case(header))
}

/// A value given as a catalogue label (either language) or as its code.
pub fn by_label(value: &str, area: &str, codes: &[&'static str]) -> Option<&'static str> {
    let value = value.trim();
    codes.iter().copied().find(|c| {
        let key = format!("{area}.{c}");
        *c == value || Lang::Zh.t(&key) == value || Lang::En.t(&key).eq_ignore_ascii_case(value)
    })
}

/// A list cell ("老年人、农村居民") as codes; unknown entries come back prefixed with `?`.
pub fn list_by_label(value: &str, area: &str, codes: &[&'static str]) -> Vec<String> {
    value
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| by_label(v, area, codes).map_or_else(|| format!("?{v}"), str::to_string))
        .collect()
}
