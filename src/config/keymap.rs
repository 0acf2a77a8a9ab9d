//! Key chords and the keymap: embedded defaults patched by the user's `[keys.*]` tables.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::command::Command;

/// A key plus modifiers, as written in config: `j`, `G`, `ctrl-s`, `shift-tab`, `enter`, `f1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Chord {
    pub fn parse(s: &str) -> Result<Chord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            // Terminals send shift-tab as BackTab, without shift (as `from_event` reads it).
            "tab" | "backtab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().unwrap_or(0);
                if !(1..=12).contains(&n) {
                    return Err(format!("`{s}`: function keys go from f1 to f12"));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let c = if mods.contains(KeyModifiers::SHIFT) {
                            mods.remove(KeyModifiers::SHIFT);
                            shifted(s, c)?
                        } else {
                            c
                        };
                        // Ctrl chords are case-insensitive in terminals; store them lower-case.
                        if mods.contains(KeyModifiers::CONTROL) {
                            KeyCode::Char(c.to_ascii_lowercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => {
                        return Err(format!(
                            "`{s}` is not a key: use one character (`j`, `G`, `/`), a name (enter, esc, tab, \
                             up, down, left, right, pageup, pagedown, home, end, space, backspace, delete, f1-f12), \
                             optionally prefixed with ctrl-, alt- or shift-"
                        ));
                    }
                }
            }
        };
        Ok(Chord { code, mods })
    }

    /// Normalises a terminal key event: shift is implied by an upper-case char and dropped.
    pub fn from_event(key: &KeyEvent) -> Chord {
        let mut mods =
            key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match key.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Chord { code, mods }
    }

    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        out.push_str(&key);
        out
    }
}

/// The character a terminal sends for shift with `c` (shift itself is never sent with a character, see
/// [`Chord::from_event`]): `shift-a` is `A`. Shift with a digit or a sign gives another character on each
/// keyboard, so that chord is refused rather than bound to a key nobody can press.
fn shifted(chord: &str, c: char) -> Result<char, String> {
    if !c.is_alphabetic() {
        return Err(format!(
            "`{chord}`: shift with `{c}` types another character on each keyboard; write the character itself \
             (`!` rather than `shift-1`)"
        ));
    }
    let mut upper = c.to_uppercase();
    Ok(match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    })
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Normal,
    Composer,
    /// The saved-replies picker (typing filters it).
    Picker,
    /// A yes/no question.
    Confirm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: HashMap<(Mode, Chord), Command>,
    /// Chords per command, in configured order, for help and hints.
    chords: BTreeMap<Command, Vec<Chord>>,
}

/// `[keys]` as written in TOML: mode -> command name -> chords.
pub type KeysTable = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Keymap {
    /// Builds the keymap from defaults patched by the user's tables. A user entry replaces that command's
    /// chords; a chord another command keeps (by default or by the user) is an error naming both, never a
    /// silent unbind. Errors name `keys.<mode>.<command>` and the fix.
    pub fn build(defaults: &KeysTable, user: &KeysTable) -> Result<Keymap, String> {
        let mut keymap = Keymap {
            bindings: HashMap::new(),
            chords: BTreeMap::new(),
        };
        let mut taken_by_user = HashMap::new();
        for (mode_name, table) in user {
            for (cmd_name, chords) in table {
                for (mode, chord, command) in parse_entry(mode_name, cmd_name, chords)? {
                    if let Some(other) = keymap
                        .bindings
                        .get(&(mode, chord))
                        .filter(|o| **o != command)
                    {
                        return Err(format!(
                            "keys.{mode_name}.{cmd_name}: `{}` is already bound to `{}`; pick another key",
                            chord.label(),
                            other.name()
                        ));
                    }
                    taken_by_user.insert((mode, chord), command);
                    keymap.bind(mode, chord, command);
                }
            }
        }
        for (mode_name, table) in defaults {
            for (cmd_name, chords) in table {
                if user
                    .get(mode_name)
                    .is_some_and(|t| t.contains_key(cmd_name))
                {
                    continue;
                }
                for (mode, chord, command) in parse_entry(mode_name, cmd_name, chords)? {
                    // Taking a key from another command would silently unbind it there: say so instead.
                    if let Some(user_cmd) = taken_by_user.get(&(mode, chord)) {
                        return Err(format!(
                            "keys.{mode_name}.{user}: `{key}` is already bound to `{cmd_name}` by default; \
                             pick another key, or give {cmd_name} other keys too \
                             ({cmd_name} = [...] under [keys.{mode_name}])",
                            user = user_cmd.name(),
                            key = chord.label(),
                        ));
                    }
                    if let Some(other) = keymap
                        .bindings
                        .get(&(mode, chord))
                        .filter(|o| **o != command)
                    {
                        return Err(format!(
                            "default keys.{mode_name}.{cmd_name}: `{}` clashes with `{}`",
                            chord.label(),
                            other.name()
                        ));
                    }
                    keymap.bind(mode, chord, command);
                }
            }
        }
        Ok(keymap)
    }

    fn bind(&mut self, mode: Mode, chord: Chord, command: Command) {
        if self.bindings.insert((mode, chord), command).is_none() {
            self.chords.entry(command).or_default().push(chord);
        }
    }

    pub fn defaults() -> Keymap {
        let defaults = crate::config::default_keys();
        // The embedded defaults are tested; an error here is a build-time bug.
        Keymap::build(&defaults, &KeysTable::new())
            .unwrap_or_else(|e| panic!("default keymap: {e}"))
    }

    pub fn command(&self, mode: Mode, key: &KeyEvent) -> Option<Command> {
        self.bindings.get(&(mode, Chord::from_event(key))).copied()
    }

    /// Whether any mode binds this key (an unbound Alt-chord is Esc and a key typed quickly).
    pub fn binds(&self, key: &KeyEvent) -> bool {
        let chord = Chord::from_event(key);
        [Mode::Normal, Mode::Composer, Mode::Confirm]
            .iter()
            .any(|mode| self.bindings.contains_key(&(*mode, chord)))
    }

    /// The labels of a command's chords, e.g. `["j", "↓"]`.
    pub fn labels(&self, command: Command) -> Vec<String> {
        self.chords
            .get(&command)
            .map(|cs| cs.iter().map(Chord::label).collect())
            .unwrap_or_default()
    }

    /// The first chord's label, for status-bar hints.
    pub fn hint(&self, command: Command) -> String {
        self.labels(command)
            .into_iter()
            .next()
            .unwrap_or_else(|| "unbound".into())
    }
}

/// One `keys.<mode>.<command> = [chords]` entry, validated.
fn parse_entry(
    mode_name: &str,
    cmd_name: &str,
    chords: &[String],
) -> Result<Vec<(Mode, Chord, Command)>, String> {
    let mode = match mode_name {
        "normal" => Mode::Normal,
        "composer" => Mode::Composer,
        "picker" => Mode::Picker,
        "confirm" => Mode::Confirm,
        other => {
            return Err(format!(
                "keys.{other}: unknown key mode; valid modes are `normal`, `composer`, `picker` and `confirm`"
            ));
        }
    };
    let command: Command = serde_json::from_value(serde_json::Value::String(cmd_name.to_string()))
        .map_err(|_| {
            let names: Vec<String> = Command::ALL.iter().map(|c| c.name()).collect();
            format!(
                "keys.{mode_name}.{cmd_name}: unknown command; valid commands: {}",
                names.join(", ")
            )
        })?;
    let (home, home_name) = match command.group() {
        crate::app::command::Group::Composer => (Mode::Composer, "composer"),
        crate::app::command::Group::Picker => (Mode::Picker, "picker"),
        crate::app::command::Group::Confirm => (Mode::Confirm, "confirm"),
        _ => (Mode::Normal, "normal"),
    };
    if home != mode {
        return Err(format!(
            "keys.{mode_name}.{cmd_name}: this command belongs under [keys.{home_name}]"
        ));
    }
    chords
        .iter()
        .map(|raw| {
            Chord::parse(raw)
                .map(|chord| (mode, chord, command))
                .map_err(|e| format!("keys.{mode_name}.{cmd_name}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_bind_every_command() {
        let km = Keymap::defaults();
        for c in Command::ALL {
            assert!(!km.labels(c).is_empty(), "{c:?} has no default key");
        }
        assert_eq!(
            km.command(Mode::Normal, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Command::NextPost)
        );
        assert_eq!(
            km.command(Mode::Normal, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Command::LastPost)
        );
        assert_eq!(
            km.command(Mode::Normal, &key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Command::PrevPane)
        );
        assert_eq!(
            km.command(
                Mode::Composer,
                &key(KeyCode::Char('s'), KeyModifiers::CONTROL)
            ),
            Some(Command::SendReply)
        );
        assert_eq!(
            km.command(Mode::Composer, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn user_patch_replaces_a_commands_keys() {
        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("reply".into(), vec!["R".into(), "ctrl-r".into()]);
        // `R` is the Customers view's by default: it moves too, so nothing is unbound silently.
        user.entry("normal".into())
            .or_default()
            .insert("customers".into(), vec!["V".into()]);
        let km = Keymap::build(&crate::config::default_keys(), &user).unwrap();
        assert_eq!(
            km.command(Mode::Normal, &key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Command::Reply)
        );
        assert_eq!(
            km.command(Mode::Normal, &key(KeyCode::Char('r'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(km.labels(Command::Customers), vec!["V"]);
    }

    #[test]
    fn taking_another_commands_default_key_is_an_error_naming_both() {
        // The issue's case: `h` was mark_handled's, and taking it unbound mark_handled without a word.
        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("prev_pane".into(), vec!["x".into()]);
        let err = Keymap::build(&crate::config::default_keys(), &user).unwrap_err();
        assert!(
            err.contains("keys.normal.prev_pane")
                && err.contains("`x`")
                && err.contains("mark_handled"),
            "{err}"
        );
        // Giving the other command its own keys too resolves it.
        user.entry("normal".into())
            .or_default()
            .insert("mark_handled".into(), vec!["ctrl-x".into()]);
        let km = Keymap::build(&crate::config::default_keys(), &user).unwrap();
        assert_eq!(km.labels(Command::PrevPane), vec!["x"]);
        assert_eq!(km.labels(Command::MarkHandled), vec!["Ctrl-x"]);
        // Binding a command's own default key again is no clash.
        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("next_post".into(), vec!["j".into()]);
        assert!(Keymap::build(&crate::config::default_keys(), &user).is_ok());
    }

    #[test]
    fn every_default_binding_is_unique() {
        let defaults = crate::config::default_keys();
        let mut seen: HashMap<(Mode, Chord), String> = HashMap::new();
        for (mode_name, table) in &defaults {
            for (cmd_name, chords) in table {
                for (mode, chord, _) in parse_entry(mode_name, cmd_name, chords).unwrap() {
                    if let Some(other) = seen.insert((mode, chord), cmd_name.clone()) {
                        panic!(
                            "`{}` is bound to both {other} and {cmd_name}",
                            chord.label()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn no_movement_key_does_anything_irreversible_by_default() {
        let km = Keymap::defaults();
        let movement = [
            "h",
            "j",
            "k",
            "l",
            "w",
            "b",
            "e",
            "g",
            "G",
            "0",
            "$",
            "up",
            "down",
            "left",
            "right",
            "home",
            "end",
            "pageup",
            "pagedown",
            "tab",
            "shift-tab",
        ];
        let safe = [
            Command::NextPost,
            Command::PrevPost,
            Command::FirstPost,
            Command::LastPost,
            Command::PageDown,
            Command::PageUp,
            Command::NextPane,
            Command::PrevPane,
            Command::ScrollDetailDown,
            Command::ScrollDetailUp,
            // The private notes editor: nothing is saved without its own save key.
            Command::EditNote,
        ];
        for name in movement {
            let chord = Chord::parse(name).unwrap();
            let event = KeyEvent::new(chord.code, chord.mods);
            if let Some(command) = km.command(Mode::Normal, &event) {
                assert!(safe.contains(&command), "`{name}` does {command:?}");
            }
        }
        // `h` goes left as `l` goes right.
        let h = KeyEvent::new(KeyCode::Char('h'), KeyModifiers::NONE);
        assert_eq!(km.command(Mode::Normal, &h), Some(Command::PrevPane));
    }

    #[test]
    fn bad_bindings_are_reported_with_the_place() {
        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("replyy".into(), vec!["x".into()]);
        let err = Keymap::build(&crate::config::default_keys(), &user).unwrap_err();
        assert!(
            err.contains("keys.normal.replyy") && err.contains("mark_handled"),
            "{err}"
        );

        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("reply".into(), vec!["ctrl-shift-".into()]);
        assert!(
            Keymap::build(&crate::config::default_keys(), &user)
                .unwrap_err()
                .contains("keys.normal.reply")
        );

        let mut user = KeysTable::new();
        let t = user.entry("normal".into()).or_default();
        t.insert("reply".into(), vec!["x".into()]);
        t.insert("log_action".into(), vec!["x".into()]);
        let err = Keymap::build(&crate::config::default_keys(), &user).unwrap_err();
        assert!(err.contains("already bound"), "{err}");

        let mut user = KeysTable::new();
        user.entry("normal".into())
            .or_default()
            .insert("send_reply".into(), vec!["x".into()]);
        assert!(
            Keymap::build(&crate::config::default_keys(), &user)
                .unwrap_err()
                .contains("[keys.composer]")
        );
    }

    #[test]
    fn chord_parsing() {
        assert_eq!(
            Chord::parse("ctrl-S").unwrap(),
            Chord {
                code: KeyCode::Char('s'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(Chord::parse("f5").unwrap().code, KeyCode::F(5));
        assert!(Chord::parse("f13").is_err());
        assert!(Chord::parse("enterr").is_err());
        assert_eq!(Chord::parse("-").unwrap().code, KeyCode::Char('-'));
        assert_eq!(Chord::parse("ctrl-s").unwrap().label(), "Ctrl-s");
    }

    /// Found by the `config` fuzz target: `shift-a` and `shift-backtab` parsed to chords no key event ever
    /// normalises to, so such a binding silently never fired.
    #[test]
    fn every_parsed_chord_can_be_pressed() {
        for (written, code, mods) in [
            ("shift-a", KeyCode::Char('A'), KeyModifiers::NONE),
            ("alt-shift-a", KeyCode::Char('A'), KeyModifiers::ALT),
            ("ctrl-shift-a", KeyCode::Char('a'), KeyModifiers::CONTROL),
            ("shift-backtab", KeyCode::BackTab, KeyModifiers::NONE),
            ("shift-enter", KeyCode::Enter, KeyModifiers::SHIFT),
        ] {
            let chord = Chord::parse(written).unwrap();
            assert_eq!((chord.code, chord.mods), (code, mods), "{written}");
            assert_eq!(
                Chord::from_event(&KeyEvent::new(code, mods)),
                chord,
                "{written}"
            );
        }
        let err = Chord::parse("shift-1").unwrap_err();
        assert!(err.contains("`!` rather than `shift-1`"), "{err}");
    }
}
