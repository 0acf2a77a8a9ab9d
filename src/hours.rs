//! Business hours (`[hours]`): when the shop is open, in its own time zone, so response times count the hours
//! someone could have answered, not nights, weekends and closed days.
//!
//! Opening windows are wall-clock times in the shop's IANA time zone, turned into UTC instants day by day: a
//! day on which the clocks change simply has a window of a different real length, so the arithmetic is right
//! across daylight-saving changes without special cases.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// The shop's opening hours: validated when the config loads (`[hours]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "HoursConfig")]
pub struct BusinessHours {
    tz: Tz,
    /// Monday first: each day's opening windows, start before end, in order, not overlapping.
    week: [Vec<Window>; 7],
    closed: BTreeSet<NaiveDate>,
}

/// One opening window of a day, wall-clock; `end` of `None` is midnight at the day's end ("24:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: NaiveTime,
    end: Option<NaiveTime>,
}

/// `[hours]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct HoursConfig {
    time_zone: String,
    monday: String,
    tuesday: String,
    wednesday: String,
    thursday: String,
    friday: String,
    saturday: String,
    sunday: String,
    closed: Vec<String>,
}

impl Default for HoursConfig {
    fn default() -> HoursConfig {
        let weekday = "09:00-17:00".to_string();
        HoursConfig {
            time_zone: "UTC".into(),
            monday: weekday.clone(),
            tuesday: weekday.clone(),
            wednesday: weekday.clone(),
            thursday: weekday.clone(),
            friday: weekday,
            saturday: String::new(),
            sunday: String::new(),
            closed: Vec::new(),
        }
    }
}

impl Default for BusinessHours {
    /// Monday to Friday, 09:00 to 17:00 UTC.
    fn default() -> BusinessHours {
        BusinessHours::try_from(HoursConfig::default())
            .unwrap_or_else(|e| panic!("the default [hours] are invalid: {e}"))
    }
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl TryFrom<HoursConfig> for BusinessHours {
    type Error = String;

    fn try_from(raw: HoursConfig) -> Result<BusinessHours, String> {
        let tz = Tz::from_str(raw.time_zone.trim()).map_err(|_| {
            format!(
                "hours.time_zone = {:?}: not an IANA time zone; write one like \"Europe/London\" or \
                 \"America/New_York\"",
                raw.time_zone
            )
        })?;
        let texts = [
            &raw.monday,
            &raw.tuesday,
            &raw.wednesday,
            &raw.thursday,
            &raw.friday,
            &raw.saturday,
            &raw.sunday,
        ];
        let mut week: [Vec<Window>; 7] = Default::default();
        for (i, text) in texts.iter().enumerate() {
            week[i] = windows(text).map_err(|why| {
                format!(
                    "hours.{} = {text:?}: {why}; write opening hours like \"09:00-17:30\", \
                     \"09:00-12:30, 13:30-17:30\", or \"\" for closed",
                    DAYS[i]
                )
            })?;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(
                "[hours] opens on no day: give at least one weekday its hours, like monday = \"09:00-17:00\""
                    .into(),
            );
        }
        let mut closed = BTreeSet::new();
        for (i, day) in raw.closed.iter().enumerate() {
            let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| {
                format!(
                    "hours.closed[{i}] = {day:?}: not a date; write closed days as \"2026-12-25\""
                )
            })?;
            closed.insert(date);
        }
        Ok(BusinessHours { tz, week, closed })
    }
}

/// "09:00-12:30, 13:30-17:30" as windows; "" is closed.
fn windows(text: &str) -> Result<Vec<Window>, String> {
    let mut out: Vec<Window> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) = part
            .split_once('-')
            .ok_or_else(|| format!("{part:?} has no '-' between its opening and closing times"))?;
        let start = time(start.trim())?;
        let end = match end.trim() {
            "24:00" => None,
            t => Some(time(t)?),
        };
        if end.is_some_and(|end| end <= start) {
            return Err(format!(
                "{part:?} closes before it opens (a window past midnight is two: \"22:00-24:00\" and the \
                 next day's \"00:00-02:00\")"
            ));
        }
        if let Some(last) = out.last()
            && last.end.is_none_or(|end| end > start)
        {
            return Err(format!("{part:?} overlaps the window before it"));
        }
        out.push(Window { start, end });
    }
    Ok(out)
}

fn time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| format!("{text:?} is not a time (HH:MM)"))
}

impl BusinessHours {
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether the shop opens at all on this local date.
    fn open_on(&self, date: NaiveDate) -> bool {
        !self.closed.contains(&date) && !self.day(date).is_empty()
    }

    fn day(&self, date: NaiveDate) -> &[Window] {
        &self.week[date.weekday().num_days_from_monday() as usize]
    }

    /// The opening windows of a local date as UTC instants (none on a closed day).
    fn spans(&self, date: NaiveDate) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let open = self.open_on(date);
        self.day(date)
            .iter()
            .filter(move |_| open)
            .filter_map(move |w| {
                let start = self.instant(date, w.start)?;
                let end = match w.end {
                    Some(end) => self.instant(date, end)?,
                    None => self.instant(date.succ_opt()?, NaiveTime::MIN)?,
                };
                Some((start, end))
            })
    }

    /// A wall-clock time of a date as an instant: in the hour skipped when clocks go forward, the moment after
    /// the gap; in the hour repeated when they go back, its first occurrence.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = date.and_time(time);
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
            LocalResult::None => (1..=4).find_map(|quarters| {
                self.tz
                    .from_local_datetime(&(local + Duration::minutes(15 * quarters)))
                    .earliest()
                    .map(|t| t.to_utc())
            }),
        }
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The time the shop was open between `from` and `to` (zero when `to` is not after `from`).
    pub fn business_duration(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        // A day before and after: a window running to midnight may belong to the previous local date.
        let first = self.local_date(from).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = self.local_date(to);
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| self.spans(d).collect::<Vec<_>>())
            .map(|(start, end)| end.min(to) - start.max(from))
            .filter(|d| *d > Duration::zero())
            .sum()
    }

    /// When the business day that `t` falls in ends: the close of the day's last window if the shop is open
    /// later that day, else the close of the next day it opens. "Handled within the day" means by then.
    /// `None` only when the shop never opens in the year after `t` (every day closed).
    pub fn day_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.local_date(t)
            .iter_days()
            .take(366)
            .filter_map(|d| self.spans(d).last().map(|(_, end)| end))
            .find(|end| *end > t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(toml_text: &str) -> BusinessHours {
        #[derive(Deserialize)]
        struct Wrap {
            hours: BusinessHours,
        }
        toml::from_str::<Wrap>(toml_text)
            .map(|w| w.hours)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn london() -> BusinessHours {
        hours(
            r#"[hours]
time_zone = "Europe/London"
monday = "09:00-17:00"
tuesday = "09:00-17:00"
wednesday = "09:00-17:00"
thursday = "09:00-17:00"
friday = "09:00-17:00"
closed = ["2026-12-25"]"#,
        )
    }

    #[test]
    fn same_day_counts_only_opening_hours() {
        let h = london();
        // Tue 1 Dec 2026 (GMT = UTC): 08:00 to 10:30 is 1h30 open.
        let d = h.business_duration(utc("2026-12-01T08:00:00Z"), utc("2026-12-01T10:30:00Z"));
        assert_eq!(d, Duration::minutes(90));
        assert_eq!(
            h.business_duration(utc("2026-12-01T18:00:00Z"), utc("2026-12-01T20:00:00Z")),
            Duration::zero()
        );
    }

    #[test]
    fn a_weekend_counts_nothing() {
        let h = london();
        // Fri 4 Dec 16:00 to Mon 7 Dec 10:00: one hour on Friday, one on Monday.
        let d = h.business_duration(utc("2026-12-04T16:00:00Z"), utc("2026-12-07T10:00:00Z"));
        assert_eq!(d, Duration::hours(2));
    }

    #[test]
    fn a_closed_day_counts_nothing() {
        let h = london();
        // Thu 24 Dec 16:30 to Mon 28 Dec 09:15: Christmas Day (Friday) closed, then the weekend.
        let d = h.business_duration(utc("2026-12-24T16:30:00Z"), utc("2026-12-28T09:15:00Z"));
        assert_eq!(d, Duration::minutes(45));
    }

    #[test]
    fn across_the_spring_daylight_saving_change() {
        let h = london();
        // Clocks go forward on Sun 29 Mar 2026. Fri 27 Mar 16:00 GMT (16:00 UTC) to Mon 30 Mar 10:00 BST
        // (09:00 UTC): one hour each side, whatever the offset did in between.
        let d = h.business_duration(utc("2026-03-27T16:00:00Z"), utc("2026-03-30T09:00:00Z"));
        assert_eq!(d, Duration::hours(2));
        // Opening at 09:00 BST is 08:00 UTC after the change.
        let d = h.business_duration(utc("2026-03-30T07:00:00Z"), utc("2026-03-30T08:30:00Z"));
        assert_eq!(d, Duration::minutes(30));
    }

    #[test]
    fn a_window_over_the_change_has_its_real_length() {
        let h = hours(
            r#"[hours]
time_zone = "Europe/London"
sunday = "00:00-06:00""#,
        );
        // 00:00-06:00 local on 29 Mar 2026 is five real hours (01:00 becomes 02:00); on 25 Oct, seven.
        let spring = h.business_duration(utc("2026-03-28T12:00:00Z"), utc("2026-03-30T00:00:00Z"));
        assert_eq!(spring, Duration::hours(5));
        let autumn = h.business_duration(utc("2026-10-24T12:00:00Z"), utc("2026-10-26T00:00:00Z"));
        assert_eq!(autumn, Duration::hours(7));
    }

    #[test]
    fn a_window_to_midnight_and_split_days() {
        let h = hours(
            r#"[hours]
time_zone = "America/New_York"
monday = "09:00-12:00, 13:00-24:00""#,
        );
        // Mon 7 Dec 2026, EST = UTC-5: 11:00 local to Tue 01:00 local is 1h + 11h.
        let d = h.business_duration(utc("2026-12-07T16:00:00Z"), utc("2026-12-08T06:00:00Z"));
        assert_eq!(d, Duration::hours(12));
    }

    #[test]
    fn the_day_closes_at_the_last_window_or_the_next_open_day() {
        let h = london();
        assert_eq!(
            h.day_close(utc("2026-12-01T10:00:00Z")),
            Some(utc("2026-12-01T17:00:00Z"))
        );
        // After Friday's close: Monday's close.
        assert_eq!(
            h.day_close(utc("2026-12-04T18:00:00Z")),
            Some(utc("2026-12-07T17:00:00Z"))
        );
        // Christmas Eve evening: Christmas closed, the weekend, so Monday 28th.
        assert_eq!(
            h.day_close(utc("2026-12-24T19:00:00Z")),
            Some(utc("2026-12-28T17:00:00Z"))
        );
    }

    #[test]
    fn bad_hours_are_refused_naming_the_field() {
        let bad = |text: &str| {
            #[derive(Debug, Deserialize)]
            #[allow(dead_code)]
            struct Wrap {
                hours: BusinessHours,
            }
            toml::from_str::<Wrap>(text).unwrap_err().to_string()
        };
        let e = bad("[hours]\ntime_zone = \"Europe/Londn\"");
        assert!(
            e.contains("hours.time_zone") && e.contains("Europe/London"),
            "{e}"
        );
        let e = bad("[hours]\nmonday = \"17:00-09:00\"");
        assert!(
            e.contains("hours.monday") && e.contains("closes before it opens"),
            "{e}"
        );
        let e = bad("[hours]\ntuesday = \"9-5\"");
        assert!(
            e.contains("hours.tuesday") && e.contains("not a time"),
            "{e}"
        );
        let e = bad("[hours]\nclosed = [\"25/12/2026\"]");
        assert!(e.contains("hours.closed[0]"), "{e}");
        let e = bad(
            "[hours]\nmonday = \"\"\ntuesday = \"\"\nwednesday = \"\"\nthursday = \"\"\nfriday = \"\"",
        );
        assert!(e.contains("opens on no day"), "{e}");
    }
}
