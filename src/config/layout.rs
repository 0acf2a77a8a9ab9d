//! `[layout]`: how wide the panes are from 120 columns up (below that one list shows at a time, full width).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LayoutConfig {
    /// Relative widths of the three columns: Regulars and Mentions, Attention and the Log, Detail. Attention
    /// and Detail hold the most text, so they get the most room by default.
    pub columns: [u16; 3],
}

impl Default for LayoutConfig {
    fn default() -> LayoutConfig {
        LayoutConfig {
            columns: [28, 38, 34],
        }
    }
}

impl LayoutConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.columns.iter().all(|w| (1..=100).contains(w)) {
            return Ok(());
        }
        Err(format!(
            "layout.columns = {:?}: give three relative widths from 1 to 100 (lists, Attention, Detail), \
             e.g. [28, 38, 34]",
            self.columns
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_from_1_to_100_only() {
        assert!(LayoutConfig::default().check().is_ok());
        let err = LayoutConfig {
            columns: [0, 50, 50],
        }
        .check()
        .unwrap_err();
        assert!(err.contains("layout.columns"), "{err}");
    }
}
