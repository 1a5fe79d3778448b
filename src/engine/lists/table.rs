//! Delimited tables with a header (the CSL's CSV, the DPL's tab-separated file): rows whose
//! cells follow the loader's column list whatever the file's column order, with malformed
//! records (unbalanced quotes, a wrong number of fields, an unknown or missing column)
//! reported by file, line and field.

use std::path::Path;

use super::ListError;

/// One data row, cells in the order of the loader's column list.
pub(super) struct Row {
    /// 1-based line where the record starts.
    pub line: u64,
    pub cells: Vec<String>,
}

/// Reads a delimited file with a header into rows whose cells follow `columns` (the file may
/// order its columns differently). The header must name exactly `columns`; every row must have
/// as many fields as the header.
///
/// The `csv` crate accepts an unterminated quote and reads to the end of the file, which would
/// swallow every later row into one cell. A record whose raw text holds an odd number of `"` is
/// therefore reported as malformed: in RFC 4180 quotes only come in pairs.
pub(super) fn read_table(
    path: &Path,
    text: &str,
    delimiter: u8,
    columns: &[&str],
) -> Result<Vec<Row>, ListError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut order: Option<Vec<usize>> = None;
    let mut width = 0;
    let mut rows = Vec::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| ListError::Malformed {
                path: path.to_path_buf(),
                line: e.position().map_or(0, csv::Position::line),
                message: e.to_string(),
            })?;
        if !more {
            break;
        }
        let (line, start) = record
            .position()
            .map_or((0, 0), |p| (p.line(), p.byte() as usize));
        let end = reader.position().byte() as usize;
        let raw = text.as_bytes().get(start..end).unwrap_or_default();
        if raw.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            return Err(ListError::Malformed {
                path: path.to_path_buf(),
                line,
                message: "unbalanced quotes: a quoted field is not closed".into(),
            });
        }
        let Some(order) = &order else {
            width = record.len();
            order = Some(header_order(path, line, &record, columns)?);
            continue;
        };
        if record.len() != width {
            return Err(ListError::Malformed {
                path: path.to_path_buf(),
                line,
                message: format!("expected {width} fields, found {}", record.len()),
            });
        }
        let cells = order
            .iter()
            .map(|&i| record.get(i).unwrap_or_default().to_string())
            .collect();
        rows.push(Row { line, cells });
    }
    if rows.is_empty() {
        return Err(ListError::Missing {
            path: path.to_path_buf(),
            expected: "at least one record after the header".into(),
        });
    }
    Ok(rows)
}

/// Maps each expected column to its position in the header, naming the first missing,
/// unexpected or repeated column.
fn header_order(
    path: &Path,
    line: u64,
    header: &csv::StringRecord,
    columns: &[&str],
) -> Result<Vec<usize>, ListError> {
    let error = |field: &str, message: String| ListError::Field {
        path: path.to_path_buf(),
        line,
        field: field.to_string(),
        message,
    };
    let mut order = vec![usize::MAX; columns.len()];
    for (at, name) in header.iter().enumerate() {
        let name = name.trim();
        let Some(want) = columns.iter().position(|c| c.eq_ignore_ascii_case(name)) else {
            return Err(error(
                name,
                format!("unexpected column; expected {}", columns.join(", ")),
            ));
        };
        if order[want] != usize::MAX {
            return Err(error(name, "column appears twice in the header".into()));
        }
        order[want] = at;
    }
    if let Some(missing) = order.iter().position(|&i| i == usize::MAX) {
        return Err(error(
            columns[missing],
            "column missing from the header".into(),
        ));
    }
    Ok(order)
}
