//! Colours, configurable under `[theme]`.

use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    pub accent: String,
    pub urgent: String,
    pub distress: String,
    pub question: String,
    pub praise: String,
    pub muted: String,
    pub selected_bg: String,
}

impl Default for ThemeConfig {
    fn default() -> ThemeConfig {
        ThemeConfig {
            accent: "cyan".into(),
            urgent: "lightred".into(),
            distress: "lightmagenta".into(),
            question: "yellow".into(),
            praise: "green".into(),
            muted: "darkgray".into(),
            selected_bg: "#2e3a4e".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub accent: Color,
    pub urgent: Color,
    pub distress: Color,
    pub question: Color,
    pub praise: Color,
    pub muted: Color,
    pub selected_bg: Color,
}

impl Default for Theme {
    fn default() -> Theme {
        // The default names are valid colours (tested).
        Theme::from_config(&ThemeConfig::default()).unwrap_or(Theme {
            accent: Color::Cyan,
            urgent: Color::LightRed,
            distress: Color::LightMagenta,
            question: Color::Yellow,
            praise: Color::Green,
            muted: Color::DarkGray,
            selected_bg: Color::Blue,
        })
    }
}

impl Theme {
    pub fn from_config(c: &ThemeConfig) -> Result<Theme, String> {
        let color = |field: &str, v: &str| {
            Color::from_str(v).map_err(|_| {
                format!(
                    "theme.{field}: `{v}` is not a colour; use a name (red, lightblue, darkgray...), \
                     a hex value (\"#ff8800\") or an index 0-255"
                )
            })
        };
        Ok(Theme {
            accent: color("accent", &c.accent)?,
            urgent: color("urgent", &c.urgent)?,
            distress: color("distress", &c.distress)?,
            question: color("question", &c.question)?,
            praise: color("praise", &c.praise)?,
            muted: color("muted", &c.muted)?,
            selected_bg: color("selected_bg", &c.selected_bg)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_colours_named() {
        assert!(Theme::from_config(&ThemeConfig::default()).is_ok());
        let bad = ThemeConfig {
            urgent: "reddish".into(),
            ..ThemeConfig::default()
        };
        let err = Theme::from_config(&bad).unwrap_err();
        assert!(
            err.contains("theme.urgent") && err.contains("reddish"),
            "{err}"
        );
    }
}
