//! The Customers view (full screen, `R`): every customer with where they stand, one customer's story, and the
//! editor of the shop's private notes. Rows and stories are read from the store (`Effect::LoadCustomers`,
//! `Effect::LoadStory`), again whenever something about a customer changes while the view is open.

use ratatui_textarea::{CursorMove, TextArea};

use crate::domain::{CustomerId, CustomerStory, CustomerSummary};

#[derive(Debug, Clone, Default)]
pub struct CustomersView {
    /// Regulars by rank, then former ones, as last read.
    pub rows: Vec<CustomerSummary>,
    /// The first answer came (until then the view says it is reading).
    pub loaded: bool,
    /// The last read failed: why.
    pub error: Option<String>,
    /// Index of the selected row.
    pub selected: usize,
    /// The story open over the list.
    pub story: Option<StoryView>,
    /// The private notes being edited (over the list, the story or the panes).
    pub note: Option<NoteEditor>,
}

impl CustomersView {
    pub fn selected_row(&self) -> Option<&CustomerSummary> {
        self.rows.get(self.selected)
    }

    /// The customer of the open story, else of the selected row.
    pub fn customer(&self) -> Option<CustomerId> {
        self.story
            .as_ref()
            .map(|s| s.customer)
            .or(self.selected_row().map(|r| r.customer.id))
    }

    /// New rows, keeping the selection on the customer it was on.
    pub fn set_rows(&mut self, rows: Vec<CustomerSummary>) {
        let was = self.selected_row().map(|r| r.customer.id);
        self.rows = rows;
        self.loaded = true;
        self.error = None;
        self.selected = was
            .and_then(|id| self.rows.iter().position(|r| r.customer.id == id))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }
}

/// One customer's story, as asked for and (once read) as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryView {
    pub customer: CustomerId,
    /// `None` until read.
    pub story: Option<CustomerStory>,
    /// Lines scrolled off the top.
    pub scroll: u16,
}

/// The editor of a customer's private notes: a multi-line textarea, saved on close.
#[derive(Debug, Clone)]
pub struct NoteEditor {
    pub customer: CustomerId,
    /// Whose notes (for the title).
    pub name: String,
    pub textarea: TextArea<'static>,
}

impl NoteEditor {
    pub fn open(customer: CustomerId, name: &str, note: &str) -> NoteEditor {
        let mut textarea = TextArea::new(note.split('\n').map(str::to_string).collect());
        textarea.move_cursor(CursorMove::Bottom);
        textarea.move_cursor(CursorMove::End);
        NoteEditor {
            customer,
            name: name.to_string(),
            textarea,
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }
}

impl super::AppState {
    /// The customer a customer command acts on: in the Customers view, the story's or the selected row's; in
    /// the panes, the current post's.
    pub fn customer_in_context(&self) -> Option<CustomerId> {
        match self.view {
            super::View::Customers => self.customers_view.customer(),
            _ => self.current_post().and_then(|p| p.customer),
        }
    }
}
