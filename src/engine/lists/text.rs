//! Reading list files into text: encoding checks with line numbers, and small helpers for the
//! cell conventions publishers use (`-0-` for empty, `;`-separated multi-values).

use std::path::Path;

use super::ListError;

fn read_bytes(path: &Path) -> Result<Vec<u8>, ListError> {
    let bytes = std::fs::read(path).map_err(|source| ListError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ListError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// 1-based line number of byte offset `at` in `bytes`.
pub fn line_of(bytes: &[u8], at: usize) -> u64 {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// Reads a UTF-8 file (a leading byte-order mark is dropped). Invalid UTF-8 is an error naming
/// the line of the first bad byte; an empty file is [`ListError::Empty`].
pub fn read_utf8(path: &Path) -> Result<String, ListError> {
    let bytes = read_bytes(path)?;
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            Err(ListError::Encoding {
                path: path.to_path_buf(),
                line: line_of(&bytes, at),
                encoding: "UTF-8",
                message: format!("invalid byte 0x{:02x} at offset {at}", bytes[at]),
            })
        }
    }
}

/// Reads a Windows-1252 (Latin-1 superset) file, as OFAC publishes its legacy CSV. Every byte
/// sequence decodes, so the check that remains is for binary content: a NUL byte means the file
/// is not text (for instance a UTF-16 file or a truncated download padded with zeros).
pub fn read_windows1252(path: &Path) -> Result<String, ListError> {
    let bytes = read_bytes(path)?;
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(ListError::Encoding {
            path: path.to_path_buf(),
            line: line_of(&bytes, at),
            encoding: "Windows-1252 text",
            message: format!("NUL byte at offset {at}"),
        });
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    Ok(text.into_owned())
}

/// A trimmed cell, or `None` when it is empty or OFAC's `-0-` placeholder.
pub fn cell(value: &str) -> Option<&str> {
    let v = value.trim();
    if v.is_empty() || v == "-0-" {
        None
    } else {
        Some(v)
    }
}

/// Splits a `;`-separated multi-value cell into trimmed, non-empty parts.
pub fn split_multi(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_multi_values() {
        assert_eq!(cell(" -0- "), None);
        assert_eq!(cell("  "), None);
        assert_eq!(cell(" CUBA "), Some("CUBA"));
        let parts: Vec<&str> = split_multi("a; b;;c ;").collect();
        assert_eq!(parts, ["a", "b", "c"]);
    }

    #[test]
    fn utf8_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, b"ok\nalso ok\nbad \xff here\n").unwrap();
        let err = read_utf8(&p).unwrap_err().to_string();
        assert!(err.contains("x.csv:3"), "{err}");
        std::fs::write(&p, b"  \n").unwrap();
        assert!(matches!(read_utf8(&p), Err(ListError::Empty { .. })));
    }

    #[test]
    fn windows1252_decodes_and_rejects_binary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sdn.csv");
        std::fs::write(&p, b"1,\"MU\xd1OZ\"\n").unwrap();
        assert_eq!(read_windows1252(&p).unwrap(), "1,\"MU\u{d1}OZ\"\n");
        std::fs::write(&p, b"1,\"A\"\n2,\0\0\n").unwrap();
        let err = read_windows1252(&p).unwrap_err().to_string();
        assert!(err.contains("sdn.csv:2"), "{err}");
    }
}
