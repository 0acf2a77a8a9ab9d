//! `regulars checkin [--minutes N]`: the console, opened straight into a check-in (see `state::checkin`).

use crate::config::checkin::check_minutes;
use crate::workspace::Workspace;

/// The workspace set to open on a check-in of `minutes` (the config's `[checkin] minutes` without it).
pub fn prepare(mut workspace: Workspace, minutes: Option<u32>) -> anyhow::Result<Workspace> {
    if let Some(minutes) = minutes {
        let minutes = check_minutes(minutes).map_err(|e| anyhow::anyhow!("--minutes {e}"))?;
        workspace.settings.config.checkin.minutes = minutes;
    }
    workspace.start_check_in = true;
    Ok(workspace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn minutes_from_the_command_line_are_checked_and_used() {
        let dir = tempfile::tempdir().unwrap();
        let open = || async {
            let settings = crate::config::demo(5.0);
            Workspace::open(settings, dir.path().join("r.db"), false)
                .await
                .unwrap()
        };
        let err = prepare(open().await, Some(0)).err().unwrap().to_string();
        assert!(
            err.starts_with("--minutes 0: give a check-in's length"),
            "{err}"
        );
        let workspace = prepare(open().await, Some(12)).unwrap();
        let state = workspace.initial_state(Default::default()).await.unwrap();
        let check_in = state.check_in.as_ref().unwrap();
        assert_eq!(check_in.budget_secs, 12 * 60);
        assert_eq!(state.view, crate::state::View::CheckIn);
        workspace.store.close().await;
        let workspace = prepare(open().await, None).unwrap();
        let state = workspace.initial_state(Default::default()).await.unwrap();
        assert_eq!(
            state.check_in.unwrap().budget_secs,
            5 * 60,
            "[checkin] minutes"
        );
        workspace.store.close().await;
    }
}
