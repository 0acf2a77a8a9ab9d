//! `[me]`: who is at the keyboard, named on what this console does (claims, actions, replies) so a team
//! sharing one workspace sees who did what.

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeConfig {
    /// The name teammates see; the login name when unset.
    pub name: Option<String>,
}

impl MeConfig {
    /// The configured name, else the login name from `login` (`$USER`, then `$LOGNAME`), else "me".
    pub fn name(&self, login: impl Fn(&str) -> Option<String>) -> String {
        let clean = |s: String| {
            let s = crate::text::one_line(&crate::text::sanitize(&s))
                .trim()
                .to_string();
            (!s.is_empty()).then_some(s)
        };
        self.name
            .clone()
            .and_then(clean)
            .or_else(|| login("USER").and_then(clean))
            .or_else(|| login("LOGNAME").and_then(clean))
            .unwrap_or_else(|| "me".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_name_else_the_login_name() {
        let env = |k: &str| (k == "LOGNAME").then(|| "ana".to_string());
        assert_eq!(MeConfig::default().name(env), "ana");
        let me = MeConfig {
            name: Some(" Ben\u{1b}[31m ".into()),
        };
        assert_eq!(me.name(env), "Ben");
        assert_eq!(MeConfig::default().name(|_| None), "me");
    }
}
