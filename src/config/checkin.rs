//! `[checkin]`: how long a check-in (`c`, `regulars checkin`) lasts and what each kind of item is expected to
//! take, which sizes its queue.

use serde::Deserialize;

use crate::domain::checkin::Estimates;

/// The longest check-in there is: past an hour, it is a shift.
pub const MAX_MINUTES: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckInConfig {
    /// Minutes a check-in lasts (`regulars checkin --minutes N` for one).
    pub minutes: u32,
    /// `[checkin.estimates]`: minutes per item, by kind.
    pub estimates: Estimates,
}

impl Default for CheckInConfig {
    fn default() -> CheckInConfig {
        CheckInConfig {
            minutes: 5,
            estimates: Estimates::default(),
        }
    }
}

impl CheckInConfig {
    pub fn check(&self) -> Result<(), String> {
        check_minutes(self.minutes).map_err(|e| format!("checkin.minutes = {e}"))?;
        self.estimates.check()
    }
}

/// A check-in's length, from 1 to [`MAX_MINUTES`]; the error starts with the value given, for the caller to
/// name where it came from.
pub fn check_minutes(minutes: u32) -> Result<u32, String> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(format!(
            "{minutes}: give a check-in's length in minutes, from 1 to {MAX_MINUTES} (e.g. 5)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_the_default_and_bad_values_are_named() {
        let example = super::super::parse(include_str!("../../config.example.toml")).unwrap();
        assert_eq!(example.checkin, CheckInConfig::default());
        let err = super::super::parse("[checkin]\nminutes = 0").unwrap_err();
        assert!(err.contains("checkin.minutes = 0: give"), "{err}");
        let err = super::super::parse("[checkin.estimates]\npraise = 90").unwrap_err();
        assert!(err.contains("checkin.estimates.praise = 90"), "{err}");
        let err = super::super::parse("[checkin]\nminute = 3").unwrap_err();
        assert!(err.contains("minute"), "{err}");
    }
}
