//! A team's console on a shared PostgreSQL workspace: whether the live link to the other consoles is up, and
//! who runs the sources (one console or `regulars sync`, elected).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// The workspace is shared (PostgreSQL): the status bar shows the link and the fetcher.
    pub shared: bool,
    /// Why the live link is down (changes made elsewhere show only after it is back); `None`: up.
    pub down: Option<String>,
    pub fetcher: Fetcher,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Fetcher {
    /// Not known yet (the first try of the lock is on its way).
    #[default]
    Unknown,
    /// This console runs the sources.
    Here,
    /// Another console or `regulars sync` does, named as it announced itself (`None`: it did not).
    Elsewhere(Option<String>),
}

impl Live {
    /// The status bar's words for it: "live · fetching here", "live down · fetching: ana@till-2".
    pub fn label(&self) -> String {
        let link = if self.down.is_some() {
            "live down"
        } else {
            "live"
        };
        match &self.fetcher {
            Fetcher::Unknown => link.to_string(),
            Fetcher::Here => format!("{link} · fetching here"),
            Fetcher::Elsewhere(Some(name)) => format!("{link} · fetching: {name}"),
            Fetcher::Elsewhere(None) => format!("{link} · fetching elsewhere"),
        }
    }
}
