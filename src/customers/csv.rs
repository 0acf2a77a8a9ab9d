//! A CSV export read into a [`Table`]: a header line, then one record per line (quoted fields may span
//! lines), every record as wide as the header. Cells are text, trimmed; a UTF-8 byte-order mark is dropped.

use std::io::Read;

use super::problems::Problems;
use super::table::{Cell, Place, Row, Table};

/// Reads the file at `path`.
pub fn read_file(path: &std::path::Path, delimiter: u8) -> Result<(Table, Problems), Problems> {
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
        Problems::one(
            &origin,
            format!("cannot open: {e}; check customers.path in the config"),
        )
    })?;
    parse(file, &origin, delimiter)
}

/// Reads CSV text; `origin` names it in errors. An unreadable header is `Err`; the records that cannot be read
/// are left out of the table and come back as problems, each at its line, for the mapping to add its own to.
pub fn parse(
    reader: impl Read,
    origin: &str,
    delimiter: u8,
) -> Result<(Table, Problems), Problems> {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader);
    let header = csv.headers().map_err(|e| {
        Problems::one(
            origin,
            format!("line 1: cannot read the header: {}", reason(&e)),
        )
    })?;
    let columns: Vec<String> = header
        .iter()
        .enumerate()
        // The csv crate keeps a byte-order mark on the first header field when it cannot tell it apart.
        .map(|(i, h)| {
            if i == 0 {
                h.trim_start_matches('\u{feff}').trim().to_string()
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut problems = Problems::new(origin);
    if columns.iter().all(String::is_empty) {
        problems.push("line 1: the header is empty; the first line must name the columns");
        return Err(problems);
    }
    for (i, name) in columns.iter().enumerate() {
        if columns[..i].contains(name) {
            problems.push(format!(
                "line 1: column `{name}` appears twice in the header; rename one"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for record in csv.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                rows.push(Row {
                    place: Place::Line(line),
                    cells: record
                        .iter()
                        .map(|s| {
                            if s.is_empty() {
                                Cell::Null
                            } else {
                                Cell::Text(s.to_string())
                            }
                        })
                        .collect(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.at(Place::Line(line), None, reason(&e));
            }
        }
    }
    Ok((Table { columns, rows }, problems))
}

/// What is wrong with a record, and the fix, in the shop's words.
fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "{len} fields where the header has {expected_len}; quote a field that contains the delimiter \
             (\"Smith, Ann\") or check customers.delimiter"
        ),
        csv::ErrorKind::Utf8 { .. } => {
            "not UTF-8 text; save the export as UTF-8 (CSV UTF-8 in a spreadsheet)".into()
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cells: &[Cell]) -> Vec<String> {
        cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Null => "∅".into(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn table(text: &str, delimiter: u8) -> Table {
        let (table, problems) = parse(text.as_bytes(), "c.csv", delimiter).unwrap();
        assert!(problems.is_empty(), "{problems}");
        table
    }

    fn problems(text: &[u8]) -> String {
        match parse(text, "c.csv", b',') {
            Ok((_, p)) => p.to_string(),
            Err(p) => p.to_string(),
        }
    }

    #[test]
    fn quoted_fields_bom_trimming_and_lines() {
        let t = table(
            "\u{feff}id , name,note\n C1 ,\"Smith, Ann\",\"two\nlines\"\nC2,Bo,\n",
            b',',
        );
        assert_eq!(t.columns, ["id", "name", "note"]);
        assert_eq!(text(&t.rows[0].cells), ["C1", "Smith, Ann", "two\nlines"]);
        assert_eq!(t.rows[0].place, Place::Line(2));
        assert_eq!(t.rows[1].place, Place::Line(4), "after the two-line field");
        assert_eq!(text(&t.rows[1].cells), ["C2", "Bo", "∅"]);
    }

    #[test]
    fn semicolons_and_tabs() {
        let t = table("id;spend\nC1;1.234,50\n", b';');
        assert_eq!(text(&t.rows[0].cells), ["C1", "1.234,50"]);
        let t = table("id\tspend\nC1\t12\n", b'\t');
        assert_eq!(text(&t.rows[0].cells), ["C1", "12"]);
    }

    #[test]
    fn every_malformed_record_is_reported() {
        let (t, p) = parse(
            "id,name\nC1,Ann\nC2,Smith, Bo\nC3\nC4,Cy\n".as_bytes(),
            "c.csv",
            b',',
        )
        .unwrap();
        let err = p.to_string();
        assert!(
            err.contains("c.csv: line 3: 3 fields where the header has 2")
                && err.contains("c.csv: line 4: 1 fields"),
            "{err}"
        );
        assert_eq!(
            t.rows.len(),
            2,
            "the readable records are kept for the mapping's checks"
        );
        let err = problems(b"id,id\n");
        assert!(err.contains("`id` appears twice"), "{err}");
        let err = problems(b"id,name\nC1,\xff\xfe\n");
        assert!(err.contains("line 2: not UTF-8"), "{err}");
        let err = problems(b"");
        assert!(err.contains("header is empty"), "{err}");
    }
}
