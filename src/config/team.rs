//! `[team]`: the teammates a post can be assigned to, and whether new urgent posts are dealt out among those
//! present (the round robin, run by the elected fetcher only).

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamConfig {
    /// Names as each teammate's `[me] name` says them; the assign picker lists them with anyone seen working.
    pub members: Vec<String>,
    /// Each new urgent post goes to the next teammate present (a heartbeat within the last minute).
    pub round_robin: bool,
}

impl TeamConfig {
    /// The members, each cleaned as `[me] name` is, blanks and repeats left out, in the configured order.
    pub fn members(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in &self.members {
            let name = crate::text::one_line(&crate::text::sanitize(name))
                .trim()
                .to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_cleaned_once_each() {
        let team: TeamConfig =
            toml::from_str("members = [\"ana\", \" ben \", \"\", \"ana\", \"cy\\u001b[2J\"]")
                .unwrap();
        assert_eq!(team.members(), ["ana", "ben", "cy"]);
        assert!(!team.round_robin);
        let err = toml::from_str::<TeamConfig>("robin = true").unwrap_err();
        assert!(err.to_string().contains("unknown field `robin`"), "{err}");
    }
}
