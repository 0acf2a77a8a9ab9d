//! What the spike alert watches: mentions of the shop, and complaints (complaint or distress) from anyone.

use super::Category;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Watched {
    Mentions,
    Complaints,
}

impl Watched {
    pub const ALL: [Watched; 2] = [Watched::Mentions, Watched::Complaints];

    pub fn as_str(self) -> &'static str {
        match self {
            Watched::Mentions => "mentions",
            Watched::Complaints => "complaints",
        }
    }

    /// The categories counted as complaints: what goes to the Attention queue.
    pub fn complaint_categories() -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(|c| c.needs_attention())
    }
}
