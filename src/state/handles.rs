//! The popups that find and unlink a customer's handles.

use crate::domain::{Candidate, CustomerId, Network};

/// What each network's account search found for a customer's name, for staff to pick one to link.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidatesPopup {
    pub customer: CustomerId,
    /// Networks whose answer has not come yet.
    pub searching: Vec<Network>,
    /// Per network: its candidates, or why it could not be searched.
    pub found: Vec<(Network, Result<Vec<Candidate>, String>)>,
    /// Index into every candidate, network after network.
    pub selected: usize,
}

impl CandidatesPopup {
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.found
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flatten()
    }

    pub fn chosen(&self) -> Option<&Candidate> {
        self.candidates().nth(self.selected)
    }

    /// Moves the selection by `delta`, within the candidates.
    pub fn step(&mut self, delta: isize) {
        let last = self.candidates().count().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}

/// A customer's handles, one to remove once staff answer yes.
#[derive(Debug, Clone, PartialEq)]
pub struct UnlinkPopup {
    pub customer: CustomerId,
    /// Index into the customer's handles.
    pub selected: usize,
    /// "unlink @x from Priya?" is asked.
    pub asking: bool,
}
