//! Editing a draft in the user's own editor (`$VISUAL`, else `$EDITOR`): the text goes to a private temporary
//! file, the editor runs on it with the terminal handed over (see `TerminalGuard::away`), the file is read back.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::Command;

/// The editor to run, as words (`code --wait` is a program and its flags), from `$VISUAL` then `$EDITOR`.
pub fn command(visual: Option<String>, editor: Option<String>) -> Result<Vec<String>, String> {
    [visual, editor]
        .into_iter()
        .flatten()
        .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .find(|words| !words.is_empty())
        .ok_or_else(|| {
            "no editor set: export VISUAL or EDITOR (e.g. EDITOR=nano) to edit drafts outside"
                .to_string()
        })
}

/// Runs `editor` on `text` and returns the text as the editor left it. Errors say what went wrong in a
/// sentence for the status bar; the caller keeps the draft it had.
pub fn edit(editor: &[String], text: &str) -> Result<String, String> {
    let (program, args) = editor
        .split_first()
        .ok_or_else(|| "no editor set: export VISUAL or EDITOR".to_string())?;
    let file = TempDraft::create(text)?;
    let status = Command::new(program)
        .args(args)
        .arg(&file.0)
        .status()
        .map_err(|e| format!("could not start the editor `{program}`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the editor `{program}` failed ({status}); the draft is unchanged"
        ));
    }
    std::fs::read_to_string(&file.0).map_err(|e| {
        format!(
            "could not read the edited draft back from {}: {e}",
            file.0.display()
        )
    })
}

/// A draft in a file only the user can read, removed when done.
struct TempDraft(PathBuf);

impl TempDraft {
    fn create(text: &str) -> Result<TempDraft, String> {
        let dir = std::env::temp_dir();
        let pid = std::process::id();
        // A fresh name each time: `create_new` refuses to follow or reuse anything already there.
        for n in 0..100u32 {
            let path = dir.join(format!("regulars-draft-{pid}-{n}.txt"));
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path);
            match opened {
                Ok(mut f) => {
                    let draft = TempDraft(path);
                    f.write_all(text.as_bytes()).map_err(|e| {
                        format!("could not write the draft to {}: {e}", draft.0.display())
                    })?;
                    return Ok(draft);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(format!(
                        "could not create a file for the editor in {}: {e}",
                        dir.display()
                    ));
                }
            }
        }
        Err(format!(
            "could not create a file for the editor in {}: too many left over",
            dir.display()
        ))
    }
}

impl Drop for TempDraft {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn visual_first_then_editor_and_none_is_said() {
        assert_eq!(
            command(Some("code --wait".into()), Some("vi".into())),
            Ok(words("code --wait"))
        );
        assert_eq!(
            command(Some("  ".into()), Some("nano".into())),
            Ok(words("nano"))
        );
        assert!(command(None, None).unwrap_err().contains("EDITOR"));
    }

    #[test]
    fn the_editor_edits_the_file_and_the_text_comes_back() {
        // An "editor" that appends to the file it is given.
        let editor = words("sh -c");
        let mut editor = editor;
        editor.push("printf ' and more' >> \"$0\"".into());
        assert_eq!(edit(&editor, "Hi Anna").as_deref(), Ok("Hi Anna and more"));
    }

    #[test]
    fn a_failing_or_missing_editor_is_an_error_in_words() {
        let e = edit(&words("false"), "Hi").unwrap_err();
        assert!(e.contains("`false` failed"), "{e}");
        let e = edit(&words("/nonexistent/editor"), "Hi").unwrap_err();
        assert!(
            e.contains("could not start the editor `/nonexistent/editor`"),
            "{e}"
        );
    }
}
