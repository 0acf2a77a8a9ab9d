//! The bench's answer: a table of named figures, ours beside the baseline's where there is one, so more
//! measurements (console frames, keys, search, memory) are rows added, not a new format.

use std::fmt;

/// Which way a figure improves, so the ratio always reads "ours is N times better" when above 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    pub ours: f64,
    pub baseline: Option<f64>,
    pub better: Better,
}

impl Figure {
    /// Ours against the baseline, above 1 when ours is better.
    pub fn ratio(&self) -> Option<f64> {
        let base = self.baseline?;
        let r = match self.better {
            Better::Higher => self.ours / base,
            Better::Lower => base / self.ours,
        };
        r.is_finite().then_some(r)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub title: String,
    pub figures: Vec<Figure>,
    /// Lines printed under the table: what was measured, how, where the files are.
    pub notes: Vec<String>,
}

impl Report {
    pub fn add(
        &mut self,
        name: impl Into<String>,
        unit: &'static str,
        ours: f64,
        baseline: Option<f64>,
        better: Better,
    ) {
        self.figures.push(Figure {
            name: name.into(),
            unit,
            ours,
            baseline,
            better,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        let width = self
            .figures
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        writeln!(
            f,
            "{:<width$}  {:>12}  {:>12}  {:>7}  unit",
            "figure", "ours", "baseline", "ratio"
        )?;
        for r in &self.figures {
            let baseline = r.baseline.map_or("-".to_string(), number);
            let ratio = r.ratio().map_or("-".to_string(), |x| format!("{x:.2}x"));
            writeln!(
                f,
                "{:<width$}  {:>12}  {:>12}  {:>7}  {}",
                r.name,
                number(r.ours),
                baseline,
                ratio,
                r.unit
            )?;
        }
        for note in &self.notes {
            writeln!(f, "  {note}")?;
        }
        Ok(())
    }
}

fn number(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The median of `samples` (the mean of the middle two for an even count); 0 for none.
pub fn median(samples: &[f64]) -> f64 {
    quantile(samples, 0.5)
}

/// The `q` quantile of `samples` by linear interpolation between closest ranks; 0 for none.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((quantile(&hundred, 0.99) - 99.01).abs() < 1e-9);
    }

    #[test]
    fn ratios_read_as_better_above_one_and_the_table_lists_every_figure() {
        let mut r = Report {
            title: "bench".into(),
            ..Report::default()
        };
        r.add(
            "ingest, store write",
            "posts/s",
            60_000.0,
            Some(40_000.0),
            Better::Higher,
        );
        r.add("batch write p99", "ms", 2.0, Some(4.0), Better::Lower);
        r.add("triage", "posts/s", 90_000.0, None, Better::Higher);
        let ratios: Vec<_> = r.figures.iter().map(Figure::ratio).collect();
        assert_eq!(ratios, [Some(1.5), Some(2.0), None]);
        let text = r.to_string();
        assert!(
            text.contains("1.50x") && text.contains("2.00x") && text.contains("60000"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 5);
    }
}
