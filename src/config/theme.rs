//! Colours, configurable under `[theme]`: a named base (`dark`, `light`) with any colour overridden, and
//! `NO_COLOR` honoured (<https://no-color.org>): no colour at all, urgency and selection shown by bold,
//! underline, reverse video and symbols instead.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    /// The base: "dark" (light text on a dark background) or "light".
    pub name: String,
    pub accent: Option<String>,
    pub urgent: Option<String>,
    pub distress: Option<String>,
    pub question: Option<String>,
    pub praise: Option<String>,
    pub muted: Option<String>,
    pub selected_bg: Option<String>,
}

impl Default for ThemeConfig {
    fn default() -> ThemeConfig {
        ThemeConfig {
            name: "dark".into(),
            accent: None,
            urgent: None,
            distress: None,
            question: None,
            praise: None,
            muted: None,
            selected_bg: None,
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
    /// `NO_COLOR`: every colour is the terminal's own; the selected row is drawn in reverse video.
    pub no_color: bool,
}

/// Light text on a dark background.
const DARK: Theme = Theme {
    accent: Color::Cyan,
    urgent: Color::LightRed,
    distress: Color::LightMagenta,
    question: Color::Yellow,
    praise: Color::Green,
    muted: Color::DarkGray,
    selected_bg: Color::Rgb(0x2e, 0x3a, 0x4e),
    no_color: false,
};

/// Dark text on a light background: deeper colours that keep their contrast on white.
const LIGHT: Theme = Theme {
    accent: Color::Blue,
    urgent: Color::Red,
    distress: Color::Magenta,
    question: Color::Rgb(0x8a, 0x5a, 0x00),
    praise: Color::Rgb(0x1a, 0x7f, 0x37),
    muted: Color::Rgb(0x6e, 0x6e, 0x6e),
    selected_bg: Color::Rgb(0xd6, 0xe4, 0xf5),
    no_color: false,
};

/// Without colour: the terminal's own foreground everywhere.
const PLAIN: Theme = Theme {
    accent: Color::Reset,
    urgent: Color::Reset,
    distress: Color::Reset,
    question: Color::Reset,
    praise: Color::Reset,
    muted: Color::Reset,
    selected_bg: Color::Reset,
    no_color: true,
};

impl Default for Theme {
    fn default() -> Theme {
        DARK
    }
}

impl Theme {
    /// The configured theme; `no_color` (the `NO_COLOR` variable set) wins over every colour.
    pub fn from_config(c: &ThemeConfig, no_color: bool) -> Result<Theme, String> {
        let base = match c.name.as_str() {
            "dark" => DARK,
            "light" => LIGHT,
            other => {
                return Err(format!(
                    "theme.name: `{other}` is not a theme; use \"dark\" or \"light\""
                ));
            }
        };
        let color = |field: &str, v: &Option<String>, default: Color| {
            match v {
            None => Ok(default),
            Some(v) => Color::from_str(v).map_err(|_| {
                format!(
                    "theme.{field}: `{v}` is not a colour; use a name (red, lightblue, darkgray...), \
                     a hex value (\"#ff8800\") or an index 0-255"
                )
            }),
        }
        };
        // Checked even under NO_COLOR: a typo is reported the same on every terminal.
        let theme = Theme {
            accent: color("accent", &c.accent, base.accent)?,
            urgent: color("urgent", &c.urgent, base.urgent)?,
            distress: color("distress", &c.distress, base.distress)?,
            question: color("question", &c.question, base.question)?,
            praise: color("praise", &c.praise, base.praise)?,
            muted: color("muted", &c.muted, base.muted)?,
            selected_bg: color("selected_bg", &c.selected_bg, base.selected_bg)?,
            no_color: false,
        };
        Ok(if no_color { PLAIN } else { theme })
    }

    /// Whether the environment asks for no colour: `NO_COLOR` set and not empty.
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// The selected row: its background, or reverse video without colour.
    pub fn selected(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(self.selected_bg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_colours_named() {
        assert_eq!(Theme::from_config(&ThemeConfig::default(), false), Ok(DARK));
        let bad = ThemeConfig {
            urgent: Some("reddish".into()),
            ..ThemeConfig::default()
        };
        let err = Theme::from_config(&bad, false).unwrap_err();
        assert!(
            err.contains("theme.urgent") && err.contains("reddish"),
            "{err}"
        );
        let err = Theme::from_config(&bad, true).unwrap_err();
        assert!(err.contains("reddish"), "checked under NO_COLOR too: {err}");
    }

    #[test]
    fn light_is_a_base_with_overrides_and_unknown_names_are_refused() {
        let light = ThemeConfig {
            name: "light".into(),
            accent: Some("#005f87".into()),
            ..ThemeConfig::default()
        };
        let theme = Theme::from_config(&light, false).unwrap();
        assert_eq!(theme.accent, Color::Rgb(0, 0x5f, 0x87));
        assert_eq!(theme.urgent, LIGHT.urgent);
        assert_ne!(theme.selected_bg, DARK.selected_bg);
        let err = Theme::from_config(
            &ThemeConfig {
                name: "solarized".into(),
                ..ThemeConfig::default()
            },
            false,
        )
        .unwrap_err();
        assert!(err.contains("theme.name") && err.contains("light"), "{err}");
    }

    #[test]
    fn no_color_drops_every_colour_and_selects_by_reverse_video() {
        let theme = Theme::from_config(&ThemeConfig::default(), true).unwrap();
        assert!(theme.no_color);
        assert_eq!(theme.urgent, Color::Reset);
        assert!(theme.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.selected().bg, None);
    }
}
