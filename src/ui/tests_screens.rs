//! Every size readable and honest screens: what a small screen keeps, what is never cut mid-word, what is
//! never offered when it cannot work, and the themes (light, `NO_COLOR`).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::tests::{SIZES, draw, snap, with};
use crate::app::{Command, Effect, Msg, update};
use crate::config::{Theme, ThemeConfig};
use crate::domain::PostId;
use crate::state::{AppState, Pane, Popup, fixture};

fn buffer(state: &AppState, (w, h): (u16, u16)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::render(f, state)).unwrap();
    terminal.backend().buffer().clone()
}

fn line(screen: &str, containing: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(containing))
        .unwrap_or_else(|| panic!("no line with {containing:?}:\n{screen}"))
        .to_string()
}

#[test]
fn detail_shows_the_post_first_and_why_after() {
    let mut desk = fixture::desk();
    desk.select(Pane::Attention, PostId(1));
    let s = with(desk.state, &[Command::OpenDetail]);
    for size in SIZES {
        let screen = draw(&s, size);
        let text = screen.find("still waiting on my ring").expect(&screen);
        let why = screen.find("why:").expect(&screen);
        assert!(text < why, "{size:?}:\n{screen}");
    }
}

#[test]
fn attention_rows_take_one_line_with_the_post_text() {
    let mut s = fixture::workspace();
    s.focus = Pane::Attention;
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            !screen.contains("┃       urgency"),
            "no second line: {screen}"
        );
        // The post's own words, not the shop's handle it opens with.
        let row = line(&screen, "Tom Okafor #2");
        assert!(
            row.contains("urgent: stranded") && !row.contains("@marlowfinch"),
            "{size:?}: {row}"
        );
    }
}

#[test]
fn list_columns_align_with_or_without_a_category() {
    let mut s = fixture::workspace();
    s.focus = Pane::Regulars;
    let screen = draw(&s, (80, 24));
    // Ada's post is neutral (no category word), Priya's a complaint: their names start in the same column.
    let ada = line(&screen, "Ada Lind");
    let priya = line(&screen, "Priya Raman");
    assert_eq!(
        ada.find("Ada Lind").map(|i| ada[..i].chars().count()),
        priya
            .find("Priya Raman")
            .map(|i| priya[..i].chars().count()),
        "\n{ada}\n{priya}"
    );
}

#[test]
fn the_status_bar_keeps_help_and_cuts_messages_at_a_word() {
    let mut s = fixture::workspace();
    s.sources
        .insert("bluesky".into(), crate::sources::Health::Live);
    let message = "reply sent to demo, and the follow-up for Priya Raman is closed as followed up";
    s.flash(message);
    snap("status_long_message", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        let bar = screen.lines().last().unwrap();
        assert!(bar.contains("? help"), "{size:?}: {bar}");
        if let Some(cut) = bar.split('…').next().filter(|_| bar.contains('…')) {
            let word = cut.rsplit(' ').next().unwrap();
            assert!(
                message.split(' ').any(|w| w == word),
                "{size:?}: cut inside a word: {bar}"
            );
        }
    }
    let bar = draw(&s, (80, 24)).lines().last().unwrap().to_string();
    assert!(
        bar.contains("reply sent to demo, and the follow-up…")
            || bar.contains("reply sent to demo, and the…")
            || bar.contains("reply sent to demo,…")
            || bar.contains("reply sent to…"),
        "cut after a whole word: {bar}"
    );
}

#[test]
fn the_help_popup_uses_the_width_it_has() {
    let s = with(fixture::workspace(), &[Command::Help]);
    let wide = draw(&s, (200, 50));
    let check_in = Command::StartCheckIn.desc();
    assert!(wide.contains(check_in), "whole on one line at 200:\n{wide}");
    let narrow = draw(&s, (80, 24));
    let top = line(&narrow, "Help · Esc closes");
    assert_eq!(top.trim_matches('"').chars().count(), 80);
    assert!(
        top.contains("╭ ╭ Help"),
        "76 columns wide, not a fixed 70: {top}"
    );
}

#[test]
fn the_send_confirmation_always_shows_its_answers() {
    let mut s = with(fixture::workspace(), &[Command::Reply]);
    update(&mut s, Msg::Paste("Hi Tom, so sorry!\n".repeat(20)));
    let s = with(s, &[Command::SendReply]);
    snap("confirm_send_long", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("Enter send"), "{size:?}:\n{screen}");
        assert!(screen.contains("back to the draft"), "{size:?}:\n{screen}");
    }
}

#[test]
fn a_send_that_cannot_succeed_is_explained_and_not_offered() {
    let mut s = fixture::workspace();
    s.accounts.clear();
    s.focus = Pane::Mentions;
    let mut s = with(s, &[Command::Reply]);
    update(&mut s, Msg::Paste("Hi Tom, so sorry!".into()));
    let mut s = with(s, &[Command::SendReply]);
    assert!(matches!(s.popup, Some(Popup::ConfirmSend { .. })));
    snap("cannot_send", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("cannot be sent"), "{size:?}:\n{screen}");
        assert!(screen.contains("No mastodon account"), "{screen}");
        assert!(!screen.contains("Enter send"), "no send offered:\n{screen}");
        assert!(screen.contains("back to the draft"), "{screen}");
    }
    let effects = update(&mut s, Msg::Command(Command::Confirm));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SendReply { .. })),
        "{effects:?}"
    );
    assert!(s.composer.is_some(), "the draft stays open");
}

#[test]
fn no_sources_is_said_in_the_panes_never_an_all_clear() {
    let mut s = fixture::empty();
    s.sources.clear();
    snap("no_sources", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(!screen.contains("Nothing needs attention"), "{screen}");
        assert!(screen.contains("No sources configured"), "{screen}");
        assert!(
            screen.contains("[sources.<name>]"),
            "how to add one: {screen}"
        );
    }
}

#[test]
fn no_color_keeps_urgency_and_selection_visible_without_colour() {
    let mut s = fixture::workspace();
    s.theme = Theme::from_config(&ThemeConfig::default(), true).unwrap();
    s.focus = Pane::Attention;
    for size in SIZES {
        let buf = buffer(&s, size);
        assert!(
            buf.content()
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
            "{size:?}: a colour was drawn"
        );
        let reversed = buf
            .content()
            .iter()
            .filter(|c| c.modifier.contains(Modifier::REVERSED))
            .count();
        assert!(reversed > 20, "the selected row shows in reverse video");
        let bold_badge = buf.content().iter().any(|c| {
            c.symbol() == "d" && c.modifier.contains(Modifier::BOLD) // "distress", bold
        });
        assert!(bold_badge, "urgent categories in bold");
    }
    snap("no_color", &s);
}

#[test]
fn the_light_theme_draws_with_its_own_colours() {
    let mut s = fixture::workspace();
    let light = ThemeConfig {
        name: "light".into(),
        ..ThemeConfig::default()
    };
    s.theme = Theme::from_config(&light, false).unwrap();
    s.focus = Pane::Attention;
    let buf = buffer(&s, (120, 40));
    let colours: std::collections::HashSet<Color> = buf.content().iter().map(|c| c.fg).collect();
    assert!(colours.contains(&s.theme.urgent), "{colours:?}");
    assert!(!colours.contains(&Theme::default().muted), "{colours:?}");
    let selected = buf.content().iter().any(|c| c.bg == s.theme.selected_bg);
    assert!(selected, "the selection in the light background");
}

#[test]
fn a_database_taking_no_writes_is_said_until_it_does() {
    let mut s = fixture::workspace();
    crate::app::update(
        &mut s,
        crate::app::Msg::StoreWritable {
            writer: crate::app::Writer::Work,
            why: Some("the disk is full: free some space".into()),
        },
    );
    for size in SIZES {
        let screen = draw(&s, size);
        let status = screen.lines().last().unwrap_or_default().to_string();
        assert!(status.contains("disk is full"), "{size:?}: {status}");
        assert!(status.contains("? help"), "{size:?}: {status}");
    }
    // Ingest's posts wait too: both are named; each writer's return clears only its own.
    let waits = |writer| crate::app::Msg::StoreWritable {
        writer,
        why: Some("cannot write the database: the disk is full: free some space".into()),
    };
    crate::app::update(&mut s, waits(crate::app::Writer::Ingest));
    let status = draw(&s, (200, 50))
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        status.contains("fetched posts and your work kept"),
        "{status}"
    );
    crate::app::update(
        &mut s,
        crate::app::Msg::StoreWritable {
            writer: crate::app::Writer::Ingest,
            why: None,
        },
    );
    assert_eq!(s.unwritable.len(), 1, "the work still waits");
    crate::app::update(
        &mut s,
        crate::app::Msg::StoreWritable {
            writer: crate::app::Writer::Work,
            why: None,
        },
    );
    assert!(s.unwritable.is_empty());
    let status = draw(&s, (120, 40))
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(status.contains("takes writes again"), "{status}");
}
