//! `[alerts]`: what notifies at once, how often, when not, and how (desktop, bell).

use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use serde::Deserialize;

use super::spike::SpikeRule;
use crate::triage::Category;

/// A kind of post a rule names: a category, or `crisis` (distress with a danger cue: self-harm, threats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Complaint,
    Distress,
    Crisis,
    Question,
    Praise,
    Neutral,
}

impl Trigger {
    fn matches(self, category: Category, crisis: bool) -> bool {
        match self {
            Trigger::Crisis => crisis,
            Trigger::Complaint => category == Category::Complaint,
            Trigger::Distress => category == Category::Distress,
            Trigger::Question => category == Category::Question,
            Trigger::Praise => category == Category::Praise,
            Trigger::Neutral => category == Category::Neutral,
        }
    }
}

/// When the terminal bell rings with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bell {
    /// Only where desktop notifications cannot be shown (no notification service, or `desktop = false`).
    #[default]
    Fallback,
    Always,
    Never,
}

/// A daily span of local time when nothing notifies, `"22:00-07:00"`; it may cross midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let fix = "write it as \"22:00-07:00\": start-end, 24-hour clock, it may cross midnight";
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| format!("{text:?}: {fix}"))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| format!("{text:?}: {fix}"))
        };
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(format!("{text:?}: starts and ends at the same time; {fix}"));
        }
        Ok(QuietHours { start, end })
    }

    /// Whether `t` falls in the span: from `start` (included) to `end` (not), across midnight when it ends
    /// earlier than it starts.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<QuietHours, D::Error> {
        let text = String::deserialize(d)?;
        QuietHours::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A named time zone (`"Europe/London"`), for quiet hours kept in the shop's time wherever the console runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub chrono_tz::Tz);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<chrono_tz::Tz>().map(Zone).map_err(|_| {
            serde::de::Error::custom(format!(
                "{text:?} is not a time zone name; use one like \"Europe/London\" or \"America/New_York\" \
                 (leave it out for this computer's local time)"
            ))
        })
    }
}

/// `[alerts]`, as written; the older `[notifications]` section folds in through [`AlertsConfig::with_legacy`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// What notifies at once when a regular (a customer in the top N) posts it.
    pub regulars: Vec<Trigger>,
    /// What notifies at once from anyone.
    pub anyone: Vec<Trigger>,
    /// Also anyone's complaint or distress at least this urgent (0..1); none by default.
    pub min_urgency: Option<f32>,
    /// At most one notification per this many seconds; what comes meanwhile is summed up in the next.
    pub coalesce_seconds: u32,
    /// Nothing notifies in this span of the day; what came is summed up when it ends.
    pub quiet_hours: Option<QuietHours>,
    /// The zone quiet hours are read in (default: this computer's local time).
    pub time_zone: Option<Zone>,
    /// Desktop notifications (through the session's notification service).
    pub desktop: bool,
    pub bell: Bell,
    pub spike: SpikeRule,
}

impl Default for AlertsConfig {
    fn default() -> AlertsConfig {
        AlertsConfig {
            regulars: vec![Trigger::Complaint, Trigger::Distress],
            anyone: vec![Trigger::Distress],
            min_urgency: None,
            coalesce_seconds: 120,
            quiet_hours: None,
            time_zone: None,
            desktop: true,
            bell: Bell::default(),
            spike: SpikeRule::default(),
        }
    }
}

impl AlertsConfig {
    /// The policy with the older `[notifications]` section's word where `[alerts]` leaves it open:
    /// `enabled = false` turns desktop notifications off, `min_urgency` is `[alerts] min_urgency`.
    pub fn with_legacy(mut self, enabled: bool, min_urgency: Option<f32>) -> AlertsConfig {
        self.desktop &= enabled;
        self.min_urgency = self.min_urgency.or(min_urgency);
        self
    }

    pub fn check(&self) -> Result<(), String> {
        if let Some(m) = self.min_urgency.filter(|m| !(0.0..=1.0).contains(m)) {
            return Err(format!(
                "alerts.min_urgency = {m}: use a number from 0 to 1"
            ));
        }
        self.spike.check()
    }

    /// Whether a post notifies at once: by its kind and who wrote it, or because staff asked to hear about
    /// every post of this customer.
    pub fn wants(&self, post: &super::Arrival) -> bool {
        let matches =
            |rules: &[Trigger]| rules.iter().any(|t| t.matches(post.category, post.crisis));
        post.always
            || matches(&self.anyone)
            || (post.regular && matches(&self.regulars))
            || self
                .min_urgency
                .is_some_and(|m| post.category.needs_attention() && post.urgency >= m)
    }

    /// Whether `now` is in quiet hours: in the configured zone, else in `local` (the console's offset).
    pub fn is_quiet(&self, now: DateTime<Utc>, local: FixedOffset) -> bool {
        let Some(quiet) = &self.quiet_hours else {
            return false;
        };
        let time = match self.time_zone {
            Some(Zone(tz)) => now.with_timezone(&tz).time(),
            None => now.with_timezone(&local).time(),
        };
        quiet.contains(time)
    }

    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::from(self.coalesce_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_cross_midnight() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        assert!(q.contains(hm(22, 0)) && q.contains(hm(23, 59)) && q.contains(hm(0, 0)));
        assert!(q.contains(hm(6, 59)));
        assert!(!q.contains(hm(7, 0)) && !q.contains(hm(12, 0)) && !q.contains(hm(21, 59)));
        let day = QuietHours::parse("12:30 - 13:30").unwrap();
        assert!(day.contains(hm(13, 0)) && !day.contains(hm(13, 30)) && !day.contains(hm(1, 0)));
    }

    #[test]
    fn bad_quiet_hours_say_how_to_write_them() {
        for bad in ["22-07", "22:00", "25:00-07:00", "07:00-07:00"] {
            let err = QuietHours::parse(bad).unwrap_err();
            assert!(err.contains("\"22:00-07:00\""), "{bad}: {err}");
        }
    }

    #[test]
    fn quiet_hours_in_a_named_zone_or_the_local_offset() {
        let mut c = AlertsConfig {
            quiet_hours: Some(QuietHours::parse("22:00-07:00").unwrap()),
            ..AlertsConfig::default()
        };
        // 06:30 UTC in summer: 07:30 in London (not quiet), 06:30 at UTC (quiet).
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 6, 30, 0).unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        assert!(c.is_quiet(now, utc));
        c.time_zone = Some(Zone(chrono_tz::Europe::London));
        assert!(!c.is_quiet(now, utc));
        // In winter London is at UTC.
        let winter = Utc.with_ymd_and_hms(2026, 1, 10, 6, 30, 0).unwrap();
        assert!(c.is_quiet(winter, utc));
    }

    #[test]
    fn the_section_reads_and_its_errors_name_the_place_and_the_fix() {
        let c = crate::config::parse(
            "[alerts]\nregulars = [\"complaint\", \"question\"]\nanyone = [\"crisis\"]\n\
             quiet_hours = \"22:00-07:00\"\ntime_zone = \"Europe/London\"\nbell = \"always\"\n\
             [alerts.spike]\nmin_posts = 20\n",
        )
        .unwrap();
        assert_eq!(c.alerts.regulars, [Trigger::Complaint, Trigger::Question]);
        assert_eq!(c.alerts.anyone, [Trigger::Crisis]);
        assert_eq!(c.alerts.bell, Bell::Always);
        assert_eq!(c.alerts.time_zone, Some(Zone(chrono_tz::Europe::London)));
        assert_eq!((c.alerts.spike.min_posts, c.alerts.spike.factor), (20, 3.0));
        let err = |text: &str| crate::config::parse(text).unwrap_err();
        let e = err("[alerts]\nquiet_hours = \"22-7\"\n");
        assert!(e.contains("line 2") && e.contains("\"22:00-07:00\""), "{e}");
        let e = err("[alerts]\nanyone = [\"angry\"]\n");
        assert!(e.contains("angry") && e.contains("crisis"), "{e}");
        let e = err("[alerts]\ntime_zone = \"Mars/Olympus\"\n");
        assert!(e.contains("line 2") && e.contains("Europe/London"), "{e}");
        let e = err("[alerts]\nbel = \"always\"\n");
        assert!(e.contains("bel") && e.contains("bell"), "{e}");
        let e = err("[alerts.spike]\nfactor = 0.5\n");
        assert!(e.contains("alerts.spike.factor"), "{e}");
        let e = err("[alerts]\nmin_urgency = 2.0\n");
        assert!(
            e.contains("alerts.min_urgency") && e.contains("0 to 1"),
            "{e}"
        );
    }

    #[test]
    fn the_older_notifications_section_still_counts() {
        let c = AlertsConfig::default().with_legacy(false, Some(0.8));
        assert!(!c.desktop);
        assert_eq!(c.min_urgency, Some(0.8));
        let own = AlertsConfig {
            min_urgency: Some(0.9),
            ..AlertsConfig::default()
        };
        assert_eq!(own.with_legacy(true, Some(0.8)).min_urgency, Some(0.9));
    }
}
