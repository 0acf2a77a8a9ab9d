//! Files the tests write: secrets the sources insist are private, and appends to a followed file.

use std::io::Write;
use std::path::Path;

/// Writes a secret (token, app password) with 0600 permissions, as the sources require before reading it.
pub fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Appends to a file (created if missing), as a writer the JSONL source follows would.
pub fn append(path: &Path, bytes: impl AsRef<[u8]>) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes.as_ref()).unwrap();
}
