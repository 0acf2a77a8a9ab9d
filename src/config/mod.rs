//! Configuration: TOML, looked up from `--config`, then `$REGULARS_CONFIG`, then the XDG config dir.
//! No config found means the demo workspace. A bad config is refused with the file, line, field and the fix.

pub mod checkin;
pub mod keymap;
pub mod layout;
pub mod me;
pub mod replies;
pub mod store;
pub mod team;
pub mod theme;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::customers::config::{CustomersConfig, Origin};
use crate::domain::Network;
use crate::sources::demo::DemoConfig;
use crate::sources::listening::{Homes, Listening};
pub use crate::sources::registry::SourceConfig;
use crate::triage::{Classifier, TriageError, Tuning};
pub use keymap::{Keymap, KeysTable, Mode};
pub use replies::{ReplyTexts, SavedReply};
pub use theme::{Theme, ThemeConfig};

const DEFAULT_KEYS: &str = include_str!("../../assets/default.toml");

/// The embedded default key bindings.
pub fn default_keys() -> KeysTable {
    #[derive(Deserialize)]
    struct Defaults {
        keys: KeysTable,
    }
    // Embedded at build time and covered by tests: a failure is a bug in the binary, not user input.
    toml::from_str::<Defaults>(DEFAULT_KEYS)
        .map(|d| d.keys)
        .unwrap_or_else(|e| panic!("assets/default.toml: {e}"))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub shop: ShopConfig,
    /// Where the shop's customers come from and how the top N are ranked (supersedes `[shop] customers`).
    pub customers: Option<crate::customers::config::CustomersConfig>,
    /// Sources by name: `[sources.<name>]` with `kind = "mastodon" | "bluesky" | "rss" | "jsonl" | "demo"`.
    pub sources: BTreeMap<String, SourceConfig>,
    /// Superseded by `[alerts]`, still read: see [`Config::alerts_policy`].
    pub notifications: NotificationConfig,
    /// What notifies at once, how often, when not, and how; spikes.
    pub alerts: crate::alerts::AlertsConfig,
    pub links: crate::links::LinksConfig,
    pub keys: KeysTable,
    pub theme: ThemeConfig,
    pub layout: layout::LayoutConfig,
    pub triage: Tuning,
    /// `[composer]`: the greetings `Ctrl-T` switches between.
    pub composer: replies::ComposerConfig,
    /// `[[replies]]`: saved replies for the composer's picker.
    pub replies: Vec<SavedReply>,
    /// `[checkin]`: a check-in's length and the minutes each kind of item takes.
    pub checkin: checkin::CheckInConfig,
    /// `[hours]`: opening hours and time zone, for response times counted in business hours.
    pub hours: crate::hours::BusinessHours,
    /// `[me]`: who is at the keyboard (a team sharing one workspace sees who did what).
    pub me: me::MeConfig,
    /// `[team]`: teammates to assign posts to, and the round robin of new urgent posts.
    pub team: team::TeamConfig,
    /// `[store]`: SQLite (the default) or PostgreSQL, and where its connection string comes from.
    pub store: store::StoreConfig,
}

impl Config {
    /// The triage classifier for this shop, the console's and `regulars classify`'s alike: the `[triage]`
    /// tuning and the shop's handles (a post is addressed to the shop only when it mentions one).
    ///
    /// The shop's names and keywords are not cues: posts naming a shop in words tell stories, good ones as
    /// often as bad, and counting such a post as addressed to the shop flagged the demo's praise stories.
    pub fn classifier(&self) -> Result<Classifier, TriageError> {
        let listening = Listening::new(self, &[]);
        Ok(Classifier::new(&self.triage)?.with_shop_handles(listening.shop_handles()))
    }

    /// `[alerts]`, with what an older config says in `[notifications]` where `[alerts]` leaves it open.
    pub fn alerts_policy(&self) -> crate::alerts::AlertsConfig {
        self.alerts
            .clone()
            .with_legacy(self.notifications.enabled, self.notifications.min_urgency)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShopConfig {
    pub name: String,
    pub handles: ShopHandles,
    pub keywords: Vec<String>,
    /// Without `#`.
    pub hashtags: Vec<String>,
    /// The customers file exported from the shop's database (CSV with the default columns); relative to the
    /// config file. Superseded by `[customers]`, kept working.
    pub customers: Option<PathBuf>,
    /// The currency spend is counted in (ISO 4217 code; default GBP).
    pub currency: crate::money::Currency,
}

/// `[shop.handles]`: the shop's own handle per network (`mastodon = "shop@instance"`, `bluesky = "shop.bsky.social"`),
/// keyed by the network's name; only networks people have handles on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopHandles(BTreeMap<Network, String>);

impl ShopHandles {
    pub fn get(&self, network: Network) -> Option<&str> {
        self.0.get(&network).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Network, &str)> {
        self.0.iter().map(|(n, h)| (*n, h.as_str()))
    }
}

impl FromIterator<(Network, String)> for ShopHandles {
    fn from_iter<I: IntoIterator<Item = (Network, String)>>(iter: I) -> ShopHandles {
        ShopHandles(iter.into_iter().collect())
    }
}

impl<'de> Deserialize<'de> for ShopHandles {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ShopHandles, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        let mut handles = BTreeMap::new();
        for (key, handle) in raw {
            let network = Network::parse(&key)
                .filter(|n| n.has_accounts())
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "shop.handles.{key}: not a network with handles; use one of {}",
                        Network::with_accounts()
                            .map(Network::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            if !handle.trim().is_empty() {
                handles.insert(network, handle);
            }
        }
        Ok(ShopHandles(handles))
    }
}

/// `[notifications]`, from before `[alerts]`: `enabled = false` still turns desktop notifications off, and
/// `min_urgency` is `[alerts] min_urgency`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationConfig {
    pub enabled: bool,
    /// Also anyone's complaint or distress at least this urgent (0..1).
    pub min_urgency: Option<f32>,
}

impl Default for NotificationConfig {
    fn default() -> NotificationConfig {
        NotificationConfig {
            enabled: true,
            min_urgency: None,
        }
    }
}

/// A loaded, validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    /// The file it came from; `None` for the demo workspace.
    pub path: Option<PathBuf>,
    pub keymap: Keymap,
    pub theme: Theme,
}

impl Settings {
    pub fn is_demo(&self) -> bool {
        self.path.is_none()
    }

    /// Where the customers come from, with paths resolved against the config file's folder: `[customers]`,
    /// else the legacy `[shop] customers` CSV, and for the demo its embedded customers.
    pub fn customers(&self) -> Option<CustomersConfig> {
        let Some(path) = &self.path else {
            return Some(CustomersConfig::csv_defaults(Origin::Embedded {
                name: "embedded demo customers",
                text: crate::sources::demo::CUSTOMERS,
            }));
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let config = match (&self.config.customers, &self.config.shop.customers) {
            (Some(c), _) => c.clone(),
            (None, Some(file)) => CustomersConfig::csv_defaults(Origin::Csv {
                path: file.clone(),
                delimiter: b',',
                decimal_comma: false,
            }),
            (None, None) => return None,
        };
        Some(CustomersConfig {
            origin: config.origin.resolved(base),
            ..config
        })
    }
}

/// Where the config is looked up, in order: the flag, then the environment, then the XDG config dir.
pub fn locate(
    flag: Option<&Path>,
    env: Option<&str>,
    xdg_config_dir: Option<&Path>,
) -> Result<Option<PathBuf>, String> {
    if let Some(p) = flag {
        return if p.is_file() {
            Ok(Some(p.to_path_buf()))
        } else {
            Err(format!("--config {}: no such file", p.display()))
        };
    }
    if let Some(p) = env.filter(|s| !s.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(Some(p))
        } else {
            Err(format!(
                "$REGULARS_CONFIG={}: no such file; unset it or point it at your config",
                p.display()
            ))
        };
    }
    Ok(xdg_config_dir
        .map(|d| d.join("config.toml"))
        .filter(|p| p.is_file()))
}

/// Loads and validates a config file.
pub fn load(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("config {}: cannot read: {e}", path.display()))?;
    let config = parse(&text).map_err(|e| format!("config {}: {e}", path.display()))?;
    settings(config, Some(path.to_path_buf()))
        .map_err(|e| format!("config {}: {e}", path.display()))
}

/// Parses config text; errors carry toml's line, column and field, and what would be valid.
pub fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    validate(&config)?;
    Ok(config)
}

fn validate(config: &Config) -> Result<(), String> {
    config.layout.check()?;
    config.checkin.check()?;
    config.store.check()?;
    if let Some(m) = config
        .notifications
        .min_urgency
        .filter(|m| !(0.0..=1.0).contains(m))
    {
        return Err(format!(
            "notifications.min_urgency = {m}: use a number from 0 to 1"
        ));
    }
    config.alerts.check()?;
    for (i, tag) in config.shop.hashtags.iter().enumerate() {
        if tag.trim_start_matches('#').trim().is_empty() || tag.contains(char::is_whitespace) {
            return Err(format!(
                "shop.hashtags[{i}] = {tag:?}: a hashtag is one word, like \"MarlowFinch\""
            ));
        }
    }
    if config.customers.is_some() && config.shop.customers.is_some() {
        return Err(
            "shop.customers and [customers] both say where the customers come from; keep [customers] and \
             remove `customers` from [shop] (as [customers]: kind = \"csv\", path = \"...\")"
                .into(),
        );
    }
    for (name, source) in &config.sources {
        source.check(name)?;
    }
    let homes = Homes::of(config);
    for (network, raw) in config.shop.handles.iter() {
        homes
            .handle(network, raw)
            .map_err(|why| format!("shop.handles.{network}: {why}"))?;
    }
    check_reply_texts(config)
}

/// Greetings and saved replies: variables known, every reply named once.
fn check_reply_texts(config: &Config) -> Result<(), String> {
    for (i, greeting) in config.composer.greetings.iter().enumerate() {
        replies::check(greeting).map_err(|e| format!("composer.greetings[{i}]: {e}"))?;
    }
    let mut names = std::collections::HashSet::new();
    for (i, reply) in config.replies.iter().enumerate() {
        let name = reply.name.trim();
        if name.is_empty() {
            return Err(format!(
                "replies[{i}]: the reply has no name; give it one (name = \"Late parcel\") to find it in the picker"
            ));
        }
        if !names.insert(name.to_lowercase()) {
            return Err(format!(
                "replies[{i}] \"{name}\": another reply has this name; give each reply its own"
            ));
        }
        replies::check(&reply.text).map_err(|e| format!("replies[{i}] \"{name}\": {e}"))?;
    }
    Ok(())
}

impl Settings {
    /// The greetings and saved replies the composer offers.
    pub fn reply_texts(&self) -> ReplyTexts {
        ReplyTexts {
            greetings: self.config.composer.greetings.clone(),
            saved: self.config.replies.clone(),
        }
    }
}

/// A parsed config made ready to run: its keymap and theme built from it.
pub fn settings(config: Config, path: Option<PathBuf>) -> Result<Settings, String> {
    let keymap = Keymap::build(&default_keys(), &config.keys)?;
    let theme = Theme::from_config(&config.theme, Theme::no_color_env())?;
    Ok(Settings {
        config,
        path,
        keymap,
        theme,
    })
}

/// The demo workspace: a small jewellery shop and the embedded demo feed.
pub fn demo(interval_seconds: f64) -> Settings {
    let config = Config {
        shop: ShopConfig {
            name: "Marlow & Finch Jewellers".into(),
            handles: ShopHandles::from_iter([
                (Network::Mastodon, "marlowfinch@mastodon.social".into()),
                (Network::Bluesky, "marlowfinch.bsky.social".into()),
            ]),
            keywords: vec![
                "Marlow & Finch".into(),
                "Marlow and Finch".into(),
                "marlowfinch".into(),
            ],
            hashtags: vec!["MarlowFinch".into(), "marlowandfinch".into()],
            customers: None,
            currency: crate::money::Currency::default(),
        },
        sources: BTreeMap::from([(
            "demo".to_string(),
            SourceConfig::Demo(DemoConfig { interval_seconds }),
        )]),
        ..Config::default()
    };
    Settings {
        config,
        path: None,
        keymap: Keymap::defaults(),
        theme: Theme::from_config(&ThemeConfig::default(), Theme::no_color_env())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../../config.example.toml");
        let config = parse(text).unwrap_or_else(|e| panic!("config.example.toml: {e}"));
        assert!(!config.shop.name.is_empty());
        settings(config, None).unwrap();
    }

    #[test]
    fn saved_replies_and_greetings_are_checked_by_name_and_variable() {
        let ok = parse(
            "[composer]\ngreetings = [\"Hello {first_name}! \"]\n\n[[replies]]\nname = \"Late parcel\"\n\
             text = \"Sorry {first_name}, we are chasing order {order}.\"\n",
        )
        .unwrap();
        assert_eq!(ok.replies[0].name, "Late parcel");
        assert_eq!(ok.composer.greetings, ["Hello {first_name}! "]);
        let err =
            parse("[[replies]]\nname = \"Late parcel\"\ntext = \"Order {ordr}\"\n").unwrap_err();
        assert!(
            err.contains("replies[0] \"Late parcel\"")
                && err.contains("{ordr}")
                && err.contains("{order}"),
            "{err}"
        );
        let err = parse("[composer]\ngreetings = [\"Hi {firstname}\"]\n").unwrap_err();
        assert!(
            err.contains("composer.greetings[0]") && err.contains("{firstname}"),
            "{err}"
        );
        let err = parse("[[replies]]\nname = \"\"\ntext = \"x\"\n").unwrap_err();
        assert!(err.contains("replies[0]: the reply has no name"), "{err}");
        let twice =
            "[[replies]]\nname = \"A\"\ntext = \"x\"\n[[replies]]\nname = \"a\"\ntext = \"y\"\n";
        assert!(
            parse(twice)
                .unwrap_err()
                .contains("replies[1] \"a\": another reply")
        );
        let err = parse("[[replies]]\nname = \"A\"\ntxt = \"x\"\n").unwrap_err();
        assert!(err.contains("line 3") && err.contains("txt"), "{err}");
        // No [composer]: the built-in greetings.
        assert_eq!(parse("").unwrap().composer.greetings.len(), 3);
    }

    #[test]
    fn unknown_field_names_line_and_valid_fields() {
        let err = parse("[shop]\nname = \"x\"\nkeywrods = [\"a\"]\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(
            err.contains("keywrods") && err.contains("keywords"),
            "{err}"
        );
    }

    #[test]
    fn wrong_type_and_bad_values_are_refused() {
        let err = parse("[notifications]\nenabled = \"yes\"\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("enabled"), "{err}");
        let err = parse("[notifications]\nmin_urgency = 3.0\n").unwrap_err();
        assert!(
            err.contains("min_urgency") && err.contains("0 to 1"),
            "{err}"
        );
        let err = parse("[sources.x]\nkind = \"myspace\"\n").unwrap_err();
        assert!(err.contains("myspace") && err.contains("demo"), "{err}");
        let err = parse("[sources.d]\nkind = \"demo\"\nspeed = 3\n").unwrap_err();
        assert!(err.contains("speed"), "{err}");
        let err = parse("[shop]\nhashtags = [\"two words\"]\n").unwrap_err();
        assert!(err.contains("shop.hashtags[0]"), "{err}");
    }

    #[test]
    fn source_tables_are_checked_with_line_and_column() {
        let text = "[shop]\nname = \"x\"\n\n[sources.m]\nkind = \"mastodon\"\ninstanse = \"https://a.example\"\n";
        let err = parse(text).unwrap_err();
        assert!(err.contains("line 4") && err.contains("column"), "{err}");
        assert!(
            err.contains("instanse") && err.contains("instance"),
            "{err}"
        );
        let err = parse("[sources.d]\nkind = \"demo\"\ninterval_seconds = 0.0\n").unwrap_err();
        assert!(err.contains("sources.d.interval_seconds"), "{err}");
        let ok = parse("[sources.d]\nkind = \"demo\"\n").unwrap();
        assert_eq!(ok.sources["d"].network(), Network::Demo);
    }

    #[test]
    fn shop_handles_are_keyed_by_network_and_checked_by_its_syntax() {
        let config = parse(
            "[shop.handles]\nmastodon = \"@Shop@Social.Example\"\nbluesky = \"shop.example\"\n",
        )
        .unwrap();
        assert_eq!(
            config.shop.handles.get(Network::Mastodon),
            Some("@Shop@Social.Example")
        );
        let err = parse("[shop]\nname = \"x\"\n[shop.handles]\nmyspace = \"shop\"\n").unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("myspace") && err.contains("mastodon, bluesky"),
            "{err}"
        );
        let err = parse("[shop.handles]\nrss = \"shop\"\n").unwrap_err();
        assert!(err.contains("shop.handles.rss"), "{err}");
        let err = parse("[shop.handles]\nbluesky = \"shop\"\n").unwrap_err();
        assert!(
            err.contains("shop.handles.bluesky") && err.contains("name.bsky.social"),
            "{err}"
        );
        // A bare Mastodon name is fine once the shop's instance is known from a source, not before.
        let err = parse("[shop.handles]\nmastodon = \"shop\"\n").unwrap_err();
        assert!(
            err.contains("shop.handles.mastodon") && err.contains("shop@your.instance"),
            "{err}"
        );
        parse(
            "[shop.handles]\nmastodon = \"shop\"\n[sources.m]\nkind = \"mastodon\"\n\
             instance = \"https://social.example\"\ntoken_env = \"T\"\n",
        )
        .unwrap();
    }

    #[test]
    fn lookup_order_flag_env_xdg() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        std::fs::write(&a, "").unwrap();
        std::fs::write(&b, "").unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        assert_eq!(
            locate(Some(&a), b.to_str(), Some(dir.path())).unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            locate(None, b.to_str(), Some(dir.path())).unwrap(),
            Some(b.clone())
        );
        assert_eq!(
            locate(None, None, Some(dir.path())).unwrap(),
            Some(dir.path().join("config.toml"))
        );
        assert_eq!(
            locate(None, None, Some(&dir.path().join("none"))).unwrap(),
            None
        );
        assert!(
            locate(Some(&dir.path().join("missing.toml")), None, None)
                .unwrap_err()
                .contains("--config")
        );
        assert!(
            locate(None, Some("/nonexistent/x.toml"), None)
                .unwrap_err()
                .contains("REGULARS_CONFIG")
        );
    }

    #[test]
    fn customers_come_from_the_section_the_legacy_file_or_the_demo() {
        let mut s = demo(5.0);
        assert!(matches!(
            s.customers().map(|c| c.origin),
            Some(Origin::Embedded { .. })
        ));
        s.path = Some(PathBuf::from("/etc/regulars/config.toml"));
        assert_eq!(s.customers(), None);
        s.config.shop.customers = Some(PathBuf::from("customers.csv"));
        let legacy = s.customers().unwrap();
        assert_eq!(legacy.origin.describe(), "/etc/regulars/customers.csv");
        assert_eq!((legacy.top, legacy.on_start), (30, true));
        s.config =
            parse("[customers]\nkind = \"sqlite\"\npath = \"shop.db\"\nquery = \"SELECT 1\"\n")
                .unwrap();
        assert_eq!(
            s.customers().unwrap().origin.describe(),
            "/etc/regulars/shop.db"
        );
        let err =
            parse("[shop]\ncustomers = \"c.csv\"\n[customers]\nkind = \"csv\"\npath = \"c.csv\"\n")
                .unwrap_err();
        assert!(err.contains("shop.customers and [customers]"), "{err}");
        let err = parse("[customers]\nkind = \"csv\"\npath = \"c.csv\"\ntop = 0\n").unwrap_err();
        assert!(
            err.contains("line 1") && err.contains("customers.top = 0"),
            "{err}"
        );
    }
}
