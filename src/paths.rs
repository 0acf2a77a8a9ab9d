//! Where files live: XDG config, data and state dirs (overridable by flags; tests point XDG_* at temp dirs).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> Paths {
        match directories::ProjectDirs::from("", "", "regulars") {
            Some(dirs) => Paths {
                config_dir: Some(dirs.config_dir().to_path_buf()),
                data_dir: dirs.data_dir().to_path_buf(),
                state_dir: dirs.state_dir().unwrap_or(dirs.data_dir()).to_path_buf(),
            },
            // No home directory at all (a bare container): keep everything beside the working directory.
            None => Paths {
                config_dir: None,
                data_dir: PathBuf::from(".regulars"),
                state_dir: PathBuf::from(".regulars"),
            },
        }
    }

    /// The database: the demo has its own file so that trying the demo never touches real work.
    pub fn database(&self, demo: bool) -> PathBuf {
        self.data_dir
            .join(if demo { "demo.db" } else { "regulars.db" })
    }
}

/// Deletes a SQLite database and its WAL/SHM companions (`--fresh`).
pub fn remove_database(path: &std::path::Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
