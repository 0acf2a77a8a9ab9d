//! Alerts for the all-day user: which arriving posts notify at once (the policy, `[alerts]`), at most one
//! notification per window with the rest summed up, nothing in quiet hours, the terminal bell, a per-customer
//! "always tell me", and spikes in mentions or complaints.
//!
//! All of it is plain data and pure functions: `update` owns an [`Alerts`] in the state and turns what it
//! decides into effects (`Notify`, `Bell`); the runner delivers them and the outcome comes back as a `Msg`.
//! Where the desktop cannot show notifications, the console says so once and uses the bell and the status
//! bar instead.

mod coalesce;
mod config;
pub mod spike;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

pub use coalesce::{Coalescer, Notification};
pub use config::{AlertsConfig, Bell, QuietHours, Trigger, Zone};
pub use spike::{Spike, SpikeRule};

use crate::domain::{Category, CustomerId, Watched};

/// An arriving post, as the policy sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub category: Category,
    /// A person in crisis (`Triage::is_crisis`).
    pub crisis: bool,
    /// From a regular: a customer in the top N (not a former one).
    pub regular: bool,
    /// From a customer staff asked to hear about whatever they post.
    pub always: bool,
    pub urgency: f32,
    /// Who, as staff know them: "Priya Raman (#1)" or "@handle".
    pub who: String,
    pub text: String,
}

impl Arrival {
    /// "crisis", "complaint", "praise"...
    pub fn kind(&self) -> &'static str {
        if self.crisis {
            "crisis"
        } else {
            self.category.as_str()
        }
    }
}

/// Something to tell staff about.
#[derive(Debug, Clone, PartialEq)]
pub enum Alert {
    Post(Arrival),
    Spike(Spike),
}

impl Alert {
    fn post(&self) -> Option<&Arrival> {
        match self {
            Alert::Post(p) => Some(p),
            Alert::Spike(_) => None,
        }
    }

    fn spike(&self) -> Option<&Spike> {
        match self {
            Alert::Spike(s) => Some(s),
            Alert::Post(_) => None,
        }
    }
}

/// Whether desktop notifications reach anyone, as far as the console has learned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Desktop {
    #[default]
    Untried,
    Works,
    /// The first notification failed (no notification service, no session bus): why. Alerts use the bell
    /// and the status bar from then on.
    Unavailable(String),
}

/// The console's alerts: the policy and what it has done so far.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    pub policy: AlertsConfig,
    /// Customers whose every post notifies ("always tell me"), as stored.
    pub always: HashSet<CustomerId>,
    pub coalescer: Coalescer,
    pub desktop: Desktop,
    /// The latest alert, in the status bar, where no desktop notification shows it (until the next key).
    pub banner: Option<String>,
    /// The no-service notice, waiting for the message showing to go.
    pub notice: Option<String>,
    /// Spikes going on, as last measured (the status bar says so).
    pub spikes: Vec<Spike>,
    /// When the spikes were last asked for.
    pub spikes_checked_at: Option<DateTime<Utc>>,
    /// When each kind of spike last notified: one that lasts notifies again after an hour at most.
    pub spikes_told: HashMap<Watched, DateTime<Utc>>,
}

impl Alerts {
    pub fn new(policy: AlertsConfig) -> Alerts {
        Alerts {
            policy,
            ..Alerts::default()
        }
    }

    /// Whether an alert goes to the desktop: wanted, and not known to fail.
    pub fn to_desktop(&self) -> bool {
        self.policy.desktop && !matches!(self.desktop, Desktop::Unavailable(_))
    }

    /// Whether an alert delivered now rings the bell.
    pub fn rings(&self) -> bool {
        match self.policy.bell {
            Bell::Always => true,
            Bell::Fallback => !self.to_desktop(),
            Bell::Never => false,
        }
    }
}

#[cfg(test)]
mod tests;
