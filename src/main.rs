//! regulars: the command line. `regulars` runs the console (the demo where nothing is configured);
//! subcommands classify posts, sync sources without the console, and check the configuration.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use tokio::sync::mpsc;

use regulars::app::Msg;
use regulars::config::{self, Settings};
use regulars::paths::Paths;
use regulars::runtime::{self, Runner};
use regulars::workspace::Workspace;

#[derive(Parser, Debug)]
#[command(
    name = "regulars",
    version,
    about = "A terminal console for a shop's social-media staff"
)]
struct Cli {
    /// Config file (default: $REGULARS_CONFIG, then ~/.config/regulars/config.toml; none = the demo).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database file (default: in the XDG data dir; the demo uses its own file).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Console only: start with an empty database, deleting the one in use after asking (naming it and
    /// what it holds). Refused with a subcommand.
    #[arg(long, global = true)]
    fresh: bool,
    /// With --fresh or `customers forget`: go ahead without asking (for scripts).
    #[arg(long, global = true)]
    yes: bool,
    /// Run the embedded demo even if a config exists.
    #[arg(long, global = true)]
    demo: bool,
    /// Demo only: seconds between live posts.
    #[arg(long, default_value_t = 5.0, global = true, hide = true)]
    demo_interval: f64,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Triage posts: JSONL {"id","text"} in, one JSON result per line out.
    Classify {
        #[arg(long, default_value = "-")]
        input: String,
        #[arg(long, default_value = "-")]
        output: String,
    },
    /// Run the configured sources without the console, writing to the same store.
    Sync {
        /// Fetch what is new, then exit (default: follow live until interrupted).
        #[arg(long)]
        once: bool,
    },
    /// Check each configured source: reachable, authenticated, rate-limit headroom, cursor age.
    Doctor,
    /// The console, straight into a check-in: what needs you most, sized to the time.
    Checkin {
        /// Minutes (default: `[checkin] minutes`, else 5).
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// The shop's customers: import the top N from its database, list them, show one's story, find and link
    /// their handles, forget one.
    Customers {
        #[command(subcommand)]
        action: CustomersCmd,
    },
    /// The store itself: `store migrate --to postgres` copies this workspace into PostgreSQL for a team.
    Store {
        #[command(subcommand)]
        action: regulars::store_migrate::StoreCmd,
    },
    /// Write what the store holds for study elsewhere: `export corrections` (staff's corrections of the
    /// triage, as JSONL); `export posts|actions|replies` (CSV or JSON Lines, streamed).
    Export {
        #[command(subcommand)]
        what: ExportCmd,
    },
    /// Response times in business hours ([hours]) per network, for regulars and everyone; what was handled
    /// within the day; posts per day and per hour of the day by category.
    Report {
        /// The first day (2026-11-01, in [hours] time_zone) or an RFC 3339 time; default: a week before --to.
        #[arg(long)]
        from: Option<String>,
        /// The last day, included (or an RFC 3339 time, excluded); default: now.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: regulars::report::render::Format,
    },
    /// The morning read: urgent posts still open, regulars who posted, follow-ups due, replies sent and
    /// response times since a time.
    Digest {
        /// A span back from now (24h, 90m, 7d, 2w), a day (2026-11-30) or an RFC 3339 time.
        #[arg(long, default_value = "24h")]
        since: String,
        #[arg(long, value_enum, default_value = "text")]
        format: regulars::report::digest::Format,
    },
    /// Build a store of a month of generated posts through the real ingest and time it against a plain
    /// SQLite program writing the same rows into the same schema (medians over --runs).
    Bench {
        /// Posts to generate and ingest.
        #[arg(long, default_value_t = 1_000_000)]
        posts: usize,
        /// Posts per batch (one transaction each), for both sides (default: a Mastodon page).
        #[arg(long, default_value_t = regulars::bench::DEFAULT_BATCH)]
        batch: usize,
        /// Repetitions of each side, alternating, fresh files each time.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long, default_value_t = 17)]
        seed: u64,
        /// The shop's customers (the demo's first, then made-up ones).
        #[arg(long, default_value_t = 120)]
        customers: usize,
        /// Where the store files go (default: a new directory in the system's temp dir).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Keep the store of the first run (DIR/regulars.db) to open in the console.
        #[arg(long)]
        keep: bool,
        /// Skip the console's figures (first frame, keys, search, memory).
        #[arg(long)]
        no_console: bool,
        /// Measure only the console, on this store (how the bench runs its console side).
        #[arg(long, hide = true)]
        console: Option<PathBuf>,
        /// Measure only `export posts` on this store (how the bench runs its export side).
        #[arg(long, hide = true)]
        export: Option<PathBuf>,
        #[arg(long, hide = true)]
        export_since: Option<String>,
        #[command(subcommand)]
        what: Option<BenchCmd>,
    },
}

#[derive(Subcommand, Debug)]
enum BenchCmd {
    /// A day of a busy shop on an accelerated clock, the whole app headless with live sources (a JSONL file
    /// appended, a fake Mastodon instance); prints memory, open files and live tasks every simulated hour and
    /// fails if they grow after warm-up.
    Soak {
        /// Simulated hours.
        #[arg(long, default_value_t = 24)]
        hours: u32,
        /// Posts a simulated day brings.
        #[arg(long, default_value_t = 5_000)]
        posts_per_day: u32,
        /// Real minutes the whole run takes.
        #[arg(long, default_value_t = 3.0)]
        minutes: f64,
    },
}

#[derive(Subcommand, Debug)]
enum ExportCmd {
    /// Staff's corrections of the triage, one JSON object per line: {id, text, category, original: {category,
    /// score, reasons}, at}.
    Corrections {
        /// Where to write (default: standard output). The file is written whole or not at all.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Every post (or those since --since), in storage order: CSV with a header, or JSON Lines.
    Posts(TableArgs),
    /// Every action logged, oldest first.
    Actions(TableArgs),
    /// Every reply sent, oldest first.
    Replies(TableArgs),
}

/// `export posts|actions|replies`.
#[derive(clap::Args, Debug)]
struct TableArgs {
    #[arg(long, value_enum, default_value = "csv")]
    format: regulars::export::rows::Format,
    /// Only rows since: a span back from now (24h, 7d), a day (2026-11-30) or an RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Where to write (default: standard output). The file is written whole or not at all.
    #[arg(long)]
    output: Option<PathBuf>,
}

impl ExportCmd {
    fn table(&self) -> Option<(regulars::export::rows::Table, &TableArgs)> {
        use regulars::export::rows::Table;
        match self {
            ExportCmd::Posts(args) => Some((Table::Posts, args)),
            ExportCmd::Actions(args) => Some((Table::Actions, args)),
            ExportCmd::Replies(args) => Some((Table::Replies, args)),
            ExportCmd::Corrections { .. } => None,
        }
    }
}

#[derive(Subcommand, Debug)]
enum CustomersCmd {
    /// Every customer as the Customers view lists them: rank, spend, last post, last contact, follow-ups,
    /// what to do next.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One customer's story: their card and timeline (NAME: their name or the shop's id for them).
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a customer's personal data (name, email, spend, notes, handles) after asking; their posts stay
    /// as anonymous posts, or go with --posts. An import skips them from then on.
    Forget {
        name: String,
        /// Delete their posts too.
        #[arg(long)]
        posts: bool,
    },
    /// Search the networks for a customer's accounts (or every regular's missing ones) by their name, and
    /// link the candidate you type the number of. Nothing is linked without a typed choice.
    Find {
        /// A customer's name or customer number (default: every regular without a handle on a searchable
        /// network).
        name: Option<String>,
        /// Search only this network.
        #[arg(long)]
        network: Option<String>,
    },
    /// Remove one of a customer's handles.
    Unlink {
        /// The customer's name or customer number.
        name: String,
        /// The network, or network:handle when they have several there (`bluesky`, `x:ana_r`).
        target: String,
    },
    /// Read [customers] (the shop's CSV export or database), rank the top N and store them, printing what
    /// changed since the last import: new regulars, those dropping out, rank moves, spend changes.
    Import {
        /// Print what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the changes as JSON.
        #[arg(long)]
        json: bool,
    },
}

impl Cmd {
    fn name(&self) -> &'static str {
        match self {
            Cmd::Customers { .. } => "customers",
            Cmd::Classify { .. } => "classify",
            Cmd::Sync { .. } => "sync",
            Cmd::Doctor => "doctor",
            Cmd::Checkin { .. } => "checkin",
            Cmd::Bench { .. } => "bench",
            Cmd::Export { .. } => "export",
            Cmd::Store { .. } => "store",
            Cmd::Report { .. } => "report",
            Cmd::Digest { .. } => "digest",
        }
    }
}

/// `sync` ended with a source failing (the summary says which).
const SOURCE_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let (true, Some(command)) = (cli.fresh, &cli.command) {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                match command {
                    Cmd::Classify { .. } => {
                        "--fresh deletes the database and `classify` never reads it: drop --fresh".into()
                    }
                    _ => format!(
                        "--fresh deletes the database, so only the console takes it, never `{name}`: run \
                         `regulars --fresh` (no subcommand) to start empty, or point `{name}` at a new file with --db",
                        name = command.name()
                    ),
                },
            )
            .exit();
    }
    let forgetting = matches!(
        &cli.command,
        Some(Cmd::Customers {
            action: CustomersCmd::Forget { .. }
        })
    );
    if cli.yes && !cli.fresh && !forgetting {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--yes answers the question of --fresh or `customers forget`: use it with one of them",
            )
            .exit();
    }
    // The terminal guard has put the terminal back by the time an error gets here.
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`regulars customers list | head`) is not a failure to report.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The last word of a failed run: no secret in it, whatever the error quoted.
            eprintln!(
                "regulars: {}",
                regulars::sources::secret::redact(&format!("{e:#}"))
            );
            ExitCode::FAILURE
        }
    }
}

fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn settings(cli: &Cli, paths: &Paths) -> anyhow::Result<Settings> {
    if cli.demo {
        return Ok(config::demo(cli.demo_interval));
    }
    let env = std::env::var("REGULARS_CONFIG").ok();
    match config::locate(
        cli.config.as_deref(),
        env.as_deref(),
        paths.config_dir.as_deref(),
    )
    .map_err(anyhow::Error::msg)?
    {
        Some(path) => config::load(&path).map_err(anyhow::Error::msg),
        None => Ok(config::demo(cli.demo_interval)),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Cmd::Classify { input, output }) = &cli.command {
        classify(&cli, input, output)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Cmd::Bench {
        posts,
        batch,
        runs,
        seed,
        customers,
        dir,
        keep,
        no_console,
        console,
        export,
        export_since,
        what,
    }) = &cli.command
    {
        if let Some(BenchCmd::Soak {
            hours,
            posts_per_day,
            minutes,
        }) = what
        {
            let opts = regulars::bench::soak::Options {
                hours: *hours,
                posts_per_day: *posts_per_day,
                minutes: *minutes,
            };
            let flat = regulars::bench::soak::cli(&opts, &mut std::io::stdout())?;
            return Ok(if flat {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        if let Some(db) = export {
            regulars::bench::export::child(db, export_since.as_deref(), &mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(db) = console {
            regulars::bench::console::child(db, &mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        let opts = regulars::bench::Options {
            posts: *posts,
            batch: *batch,
            runs: *runs,
            seed: *seed,
            customers: *customers,
            dir: dir.clone(),
            keep: *keep,
            console: !*no_console,
        };
        let report = regulars::bench::run(&opts, &mut std::io::stderr())?;
        print!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let paths = Paths::discover();
    let _log = regulars::logging::init(&paths.state_dir)?;
    let settings = settings(&cli, &paths)?;
    // `store migrate` reads the SQLite file --db names, whatever [store] says.
    let migrating = matches!(cli.command, Some(Cmd::Store { .. }));
    (settings.config.store)
        .check_flags(cli.db.is_some() && !migrating, cli.fresh)
        .map_err(anyhow::Error::msg)?;
    let db = cli
        .db
        .clone()
        .unwrap_or_else(|| paths.database(settings.is_demo()));
    if cli.fresh {
        let confirmed = regulars::workspace::confirm_fresh(
            &db,
            cli.yes,
            &mut std::io::stdin().lock(),
            &mut std::io::stderr(),
        )?;
        if !confirmed {
            anyhow::bail!(
                "--fresh: nothing deleted, {} is as it was (answer yes, or add --yes to skip the question)",
                db.display()
            );
        }
    }
    if let Some(Cmd::Customers { action }) = &cli.command {
        return customers(action, &settings, &db, cli.yes);
    }
    if let Some(Cmd::Store { action }) = &cli.command {
        let store = &settings.config.store;
        regulars::store_migrate::run(action, &db, store, &mut std::io::stdout().lock())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Cmd::Report { from, to, format }) = &cli.command {
        regulars::report::cli::report(&settings, &db, from.as_deref(), to.as_deref(), *format)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Cmd::Digest { since, format }) = &cli.command {
        regulars::report::cli::digest(&settings, &db, since, *format)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some((table, a)) = cli.command.as_ref().and_then(|c| match c {
        Cmd::Export { what } => what.table(),
        _ => None,
    }) {
        let (since, output) = (a.since.as_deref(), a.output.as_deref());
        regulars::report::cli::export(&settings, &db, table, a.format, since, output)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Cmd::Export {
        what: ExportCmd::Corrections { output },
    }) = &cli.command
    {
        let into = output.clone();
        let n = regulars::workspace::with_store(&settings, &db, move |store| {
            regulars::export::corrections_to(store, into.as_deref(), &mut std::io::stdout().lock())
        })?;
        if let Some(path) = output {
            eprintln!("{n} corrections written to {}", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let workspace = Workspace::open(settings, db, cli.fresh).await?;
        match cli.command {
            None => console(workspace).await.map(|()| ExitCode::SUCCESS),
            Some(Cmd::Sync { once }) => {
                if let Some(why) = &workspace.customer_import {
                    eprintln!("customer import failed: {why} (the stored list is kept)");
                }
                let healthy = regulars::sync::run(workspace, once, &mut std::io::stdout()).await?;
                Ok(if healthy {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(SOURCE_FAILED)
                })
            }
            Some(Cmd::Doctor) => doctor(workspace).await.map(|()| ExitCode::SUCCESS),
            Some(Cmd::Checkin { minutes }) => {
                console(regulars::checkin::prepare(workspace, minutes)?)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
            Some(Cmd::Classify { .. })
            | Some(Cmd::Bench { .. })
            | Some(Cmd::Customers { .. })
            | Some(Cmd::Export { .. })
            | Some(Cmd::Store { .. })
            | Some(Cmd::Report { .. })
            | Some(Cmd::Digest { .. }) => Ok(ExitCode::SUCCESS),
        }
    })
}

/// `regulars customers ...`: read and written straight in the workspace's store, the SQLite file or
/// PostgreSQL (the console may be running).
fn customers(
    action: &CustomersCmd,
    settings: &Settings,
    db: &std::path::Path,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    use regulars::customers::show;
    use regulars::workspace::with_store;
    let clock = regulars::customers::story::Clock {
        now: chrono::Utc::now(),
        tz: *chrono::Local::now().offset(),
        currency: settings.config.shop.currency.clone(),
    };
    match action {
        CustomersCmd::Import { dry_run, json } => {
            let options = regulars::customers::import::Options {
                dry_run: *dry_run,
                json: *json,
            };
            let mut out = std::io::stdout().lock();
            regulars::customers::import::run(settings, db, options, clock.now, &mut out)?;
        }
        CustomersCmd::Find { .. } | CustomersCmd::Unlink { .. } => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(find_handles(action, settings, db))?;
        }
        CustomersCmd::List { json } => {
            let json = *json;
            with_store(settings, db, move |store| {
                show::list(&*store, &clock, json, &mut std::io::stdout().lock())
            })?
        }
        CustomersCmd::Show { name, json } => {
            let (name, json) = (name.clone(), *json);
            with_store(settings, db, move |store| {
                let all = store.customers()?;
                show::show(
                    &*store,
                    &all,
                    &name,
                    &clock,
                    json,
                    &mut std::io::stdout().lock(),
                )
            })?
        }
        CustomersCmd::Forget { name, posts } => {
            let (name, posts, now) = (name.clone(), *posts, clock.now);
            let forgotten = with_store(settings, db, move |store| {
                show::forget(
                    store,
                    &name,
                    posts,
                    yes,
                    now,
                    &mut std::io::stdin().lock(),
                    &mut std::io::stderr(),
                )
            })?;
            if !forgotten {
                anyhow::bail!("nothing forgotten, nothing changed (answer yes, or add --yes)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn classify(cli: &Cli, input: &str, output: &str) -> anyhow::Result<()> {
    let config = match cli.config.as_deref() {
        Some(path) => config::load(path).map_err(anyhow::Error::msg)?.config,
        None => Default::default(),
    };
    let classifier = config
        .classifier()
        .map_err(|e| anyhow::anyhow!("[triage]: {e}"))?;
    let reader: Box<dyn std::io::BufRead> = if input == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            std::fs::File::open(input).with_context(|| format!("--input {input}"))?,
        ))
    };
    let writer: Box<dyn Write> = if output == "-" {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(BufWriter::new(
            std::fs::File::create(output).with_context(|| format!("--output {output}"))?,
        ))
    };
    let stats = regulars::triage::classify_jsonl(reader, writer, &classifier)?;
    if stats.errors > 0 {
        eprintln!(
            "regulars classify: {} lines could not be read (see their error lines)",
            stats.errors
        );
    }
    Ok(())
}

async fn console(workspace: Workspace) -> anyhow::Result<()> {
    let client = regulars::sources::http::client();
    let wiring = runtime::wire(&workspace.settings, &workspace.customers, &client)
        .map_err(anyhow::Error::msg)?;
    let accounts: HashMap<_, _> = wiring
        .repliers
        .iter()
        .map(|(n, r)| (*n, r.account()))
        .collect();
    let mut state = workspace.initial_state(accounts).await?;
    let (ui_tx, ui_rx) = mpsc::unbounded_channel::<Msg>();
    let (effects_tx, effects_rx) = mpsc::unbounded_channel();
    let notifier: Arc<dyn regulars::notify::Notifier> = Arc::from(regulars::notify::for_config(
        workspace.settings.config.alerts_policy().desktop,
    ));
    let mut ingest = workspace.ingest();
    let rematch = regulars::ingest::Rematch::new(workspace.settings.config.clone(), &mut ingest);
    let runner = tokio::spawn(
        Runner::new(
            workspace.store.clone(),
            wiring.repliers,
            notifier,
            workspace.settings.config.links.clone(),
            ui_tx.clone(),
        )
        .with_accounts(wiring.accounts)
        .with_markers(regulars::sources::mastodon::markers::Markers::for_config(
            &workspace.settings.config,
            &client,
        ))
        .with_rematch(rematch)
        .with_staff(workspace.staff())
        .run(effects_rx),
    );
    let live = runtime::listen(&workspace.store, ui_tx.clone());
    let fetch = regulars::fetcher::Fetch {
        store: workspace.store.clone(),
        sources: wiring.sources,
        rewire: runtime::rewire(&workspace.settings, &workspace.customers, &client),
        ingest,
    };
    let running =
        runtime::start_sources(fetch, regulars::fetcher::whoami(workspace.staff()), ui_tx).await;
    let mut guard =
        regulars::terminal::TerminalGuard::enter().context("cannot take over the terminal")?;
    let result = regulars::console::run(
        &mut guard,
        &mut state,
        ui_rx,
        effects_tx,
        workspace.settings.config.links.osc52,
    )
    .await;
    drop(guard);
    running.stop().await;
    if let Some(live) = live {
        live.stop().await;
    }
    // Every effect asked for before quitting (the last draft save above all) is written before we exit; what a
    // database still refusing writes kept out is named, so staff can keep it by hand.
    if let Ok(unsaved) = runner.await {
        for what in unsaved {
            eprintln!("regulars: not saved (the database took no writes until quit): {what}");
        }
    }
    workspace.store.close().await;
    result
}

/// `customers find` and `customers unlink`: the networks' account searches, on the stored customers (no
/// import: that is `customers import`'s job).
async fn find_handles(
    action: &CustomersCmd,
    settings: &Settings,
    db: &std::path::Path,
) -> anyhow::Result<()> {
    let store = regulars::workspace::open_store(settings, db)?;
    let customers = store.call(|db| db.customers()).await?;
    let client = regulars::sources::http::client();
    let wiring = runtime::wire(settings, &customers, &client).map_err(anyhow::Error::msg)?;
    let finder = regulars::customers::find::Finder {
        store: &store,
        customers: &customers,
        accounts: &wiring.accounts,
    };
    let mut out = std::io::stdout();
    let result = match action {
        CustomersCmd::Find { name, network } => {
            let only = network
                .as_deref()
                .map(regulars::customers::find::network_arg)
                .transpose()?;
            finder
                .find(
                    name.as_deref(),
                    only,
                    &mut std::io::stdin().lock(),
                    &mut out,
                )
                .await
                .map(|_| ())
        }
        CustomersCmd::Unlink { name, target } => finder.unlink(name, target, &mut out).await,
        _ => Ok(()),
    };
    store.close().await;
    result
}

/// One line of `regulars doctor` (and its fix); whether the check passed.
fn print_check(check: &regulars::sources::Check) -> bool {
    let mark = if check.ok { "ok" } else { "FAIL" };
    let detail = regulars::sources::secret::redact(&check.detail);
    println!("{:<28} {:<4} {detail}", check.what, mark);
    if !check.fix.is_empty() {
        println!("{:<28} {:<4} fix: {}", "", "", check.fix);
    }
    check.ok
}

async fn doctor(workspace: Workspace) -> anyhow::Result<()> {
    let client = regulars::sources::http::client();
    let wiring = runtime::wire(&workspace.settings, &workspace.customers, &client)
        .map_err(anyhow::Error::msg)?;
    let mut broken = 0;
    println!("{:<28} {:<4} detail / fix", "check", "ok");
    for source in &wiring.sources {
        let name = source.name().to_string();
        let cursors = workspace
            .store
            .call(move |db| db.cursors(&name))
            .await
            .unwrap_or_default();
        for check in source.doctor(&cursors).await {
            broken += usize::from(!print_check(&check));
        }
    }
    if let Some(why) = &workspace.customer_import {
        broken += 1;
        println!("{:<28} {:<4} {why}", "customers import", "FAIL");
        println!(
            "{:<28} {:<4} fix: `regulars customers import --dry-run` lists every bad line",
            "", ""
        );
    }
    let store = &workspace.settings.config.store;
    if let Some(url) = store.postgres_url().map_err(anyhow::Error::msg)? {
        for check in regulars::store::postgres_doctor::run(url).await {
            broken += usize::from(!print_check(&check));
        }
        println!(
            "database: PostgreSQL ({} customers)",
            workspace.customers.len()
        );
    } else {
        println!(
            "database: {} ({} customers)",
            workspace.db_path.display(),
            workspace.customers.len()
        );
    }
    workspace.store.close().await;
    if broken > 0 {
        anyhow::bail!("{broken} check(s) failed");
    }
    Ok(())
}
