//! The real binary, run in a throwaway home: no user config, data, state or desktop bus leaks in.

use std::process::Command;

pub fn regulars(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regulars"));
    cmd.env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env_remove("REGULARS_CONFIG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

/// The stdout of a run that must have succeeded (else the test fails showing both streams).
pub fn succeeded(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
