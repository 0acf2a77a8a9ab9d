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
