//! Snapshots of every pane, popup and the composer at 80x24, 120x40 and 200x50, empty states included.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{Command, Msg, update};
use crate::domain::PostId;
use crate::sources::Health;
use crate::state::fixture;
use crate::state::{AppState, Pane};

pub(super) const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

pub(super) fn draw(state: &AppState, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::render(f, state)).unwrap();
    terminal.backend().to_string()
}

pub(super) fn snap(name: &str, state: &AppState) {
    for size in SIZES {
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), draw(state, size));
    }
}

pub(super) fn with(mut state: AppState, commands: &[Command]) -> AppState {
    for c in commands {
        update(&mut state, Msg::Command(*c));
    }
    state
}

#[test]
fn empty_console() {
    snap("empty", &fixture::empty());
}

#[test]
fn every_pane_focused() {
    for pane in fixture::empty().panes() {
        let mut s = fixture::workspace();
        s.focus = pane;
        snap(&format!("pane_{}", pane.title().to_lowercase()), &s);
    }
}

#[test]
fn detail_of_a_customer_complaint_with_thread_and_draft() {
    let mut desk = fixture::desk();
    desk.select(Pane::Regulars, PostId(1));
    let s = with(desk.state, &[Command::OpenDetail]);
    snap("detail_customer", &s);
}

#[test]
fn a_review_shows_its_stars_in_the_row_and_in_detail() {
    let mut desk = fixture::desk();
    let mut review = fixture::post(7, "Ann Lee", None, true, 5, "Not what I expected.");
    review.network = crate::domain::Network::Rss;
    review.rating = Some(1);
    review.triage = crate::triage::with_rating(review.triage, Some(1));
    desk.add(vec![review]);
    desk.select(Pane::Attention, PostId(7));
    let s = with(desk.state, &[Command::OpenDetail]);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            screen.contains("complaint @Ann Lee ★☆☆☆☆ Not what")
                || screen.contains("!  @Ann Lee ★☆☆☆☆ Not"),
            "{screen}"
        );
        assert!(screen.contains("★☆☆☆☆ 1/5"), "{screen}");
        assert!(screen.contains("1-star review"), "{screen}");
    }
}

#[test]
fn a_reply_by_hand_is_said_in_the_composer_and_the_confirmation() {
    let mut desk = fixture::desk();
    let mut post = fixture::post(7, "ann-makes", None, true, 5, "where is my order?");
    post.network = crate::domain::Network::Tumblr;
    post.url = Some("https://ann-makes.tumblr.com/post/123".into());
    desk.add(vec![post]);
    desk.select(Pane::Mentions, PostId(7));
    let mut s = with(desk.state, &[Command::Reply]);
    update(&mut s, Msg::Paste("Hi Ann, so sorry: let me look.".into()));
    snap("composer_by_hand", &s);
    snap("confirm_by_hand", &with(s, &[Command::SendReply]));
}

#[test]
fn detail_shows_what_a_post_quotes() {
    let mut desk = fixture::desk();
    let mut quoted = fixture::post(
        8,
        "ann@far.example",
        None,
        false,
        90,
        "My order never arrived and nobody answers",
    );
    quoted.native_id = "q8".into();
    quoted.context = true;
    let mut quoting = fixture::post(
        9,
        "cu@far.example",
        None,
        true,
        5,
        "Same experience here, avoid for now",
    );
    quoting.quotes = Some("q8".into());
    let mut mention = fixture::post(7, "x@far.example", None, true, 200, "hi");
    mention.native_id = "n7".into();
    desk.add(vec![mention, quoted, quoting]);
    desk.select(Pane::Mentions, PostId(9));
    let s = with(desk.state, &[Command::OpenDetail]);
    let screen = draw(&s, (160, 45));
    assert!(screen.contains("┃ quoting @ann@far.example:"), "{screen}");
    assert!(
        screen.contains("┃ My order never arrived and nobody answers"),
        "{screen}"
    );
}

#[test]
fn detail_shows_the_shops_own_reply_in_the_thread() {
    let mut desk = fixture::desk();
    let mut reply = fixture::post(
        7,
        "marlowfinch@mastodon.social",
        None,
        false,
        10,
        "@priya so sorry for the wait, your resized ring ships today",
    );
    reply.in_reply_to = Some("n1".into());
    reply.by_shop = true;
    reply.triage = crate::domain::Triage::neutral();
    desk.add(vec![reply]);
    desk.select(Pane::Regulars, PostId(1));
    let s = with(desk.state.clone(), &[Command::OpenDetail]);
    let screen = draw(&s, (160, 45));
    assert!(
        screen.contains("↳ your shop @marlowfinch@mastodon.social"),
        "{screen}"
    );
    assert!(screen.contains("answered 10m"), "{screen}");
    snap("detail_shop_reply", &s);

    // The shop's post itself (reached from a Log row about it): marked, not triaged, in its thread.
    desk.log(crate::domain::NewAction {
        post: Some(PostId(7)),
        customer: None,
        kind: crate::domain::ActionKind::Note,
        note: "sent from the phone".into(),
        at: desk.state.now,
        url: None,
    });
    desk.state.focus = Pane::Log;
    desk.state.log.selected = desk
        .state
        .log_rows()
        .iter()
        .position(|r| matches!(r, crate::state::LogRow::Action(a) if a.id == 2))
        .unwrap();
    desk.settle();
    let s = desk.state;
    let screen = draw(&s, (160, 45));
    assert!(
        screen.contains("YOUR SHOP @marlowfinch@mastodon.social"),
        "{screen}"
    );
    assert!(
        screen.contains("posted by the shop: not triaged"),
        "{screen}"
    );
    assert!(
        screen.contains("↑ @priya@hachyderm.io: @marlowfinch still waiting"),
        "{screen}"
    );
    assert!(!screen.contains("neutral 0.00"), "{screen}");
}

#[test]
fn sources_with_a_long_reason_wrap_and_scroll() {
    for size in SIZES {
        let mut s = fixture::workspace();
        s.size = size;
        s.sources.insert(
            "bluesky".into(),
            Health::AuthFailed(
                "the app password was refused (HTTP 401 from https://bsky.social/xrpc/com.atproto.server.createSession): \
                 create a new app password in Settings > Privacy and security > App passwords and put it in the \
                 file named by password_file"
                    .into(),
            ),
        );
        for i in 0..44 {
            s.sources.insert(format!("rss-{i:02}"), Health::Polling);
        }
        let s = with(s, &[Command::Sources]);
        let top = draw(&s, size);
        assert!(
            top.contains("bluesky") && top.contains("password_file"),
            "{top}"
        );
        assert!(top.contains("▼"), "a hint that there is more:\n{top}");
        insta::assert_snapshot!(format!("sources_long_{}x{}", size.0, size.1), top);
        let end = draw(&with(s, &[Command::LastPost]), size);
        assert!(end.contains("rss-43") && end.contains("▲"), "{end}");
        insta::assert_snapshot!(format!("sources_long_end_{}x{}", size.0, size.1), end);
    }
}

#[test]
fn sources_show_an_x_read_budget() {
    let mut s = fixture::workspace();
    let month = s.now.format("%Y-%m").to_string();
    s.sources.insert(
        "x".into(),
        Health::Disabled(
            "monthly read budget of 10,000 posts reached; resumes on 2027-01-01 or raise monthly_read_budget"
                .into(),
        ),
    );
    update(
        &mut s,
        Msg::SourceUsage {
            source: "x".into(),
            usage: crate::sources::Usage {
                unit: "reads",
                used: 10_004,
                budget: Some(10_000),
                period: month,
            },
        },
    );
    s.sources.insert("x-brand".into(), Health::Polling);
    s.usage.insert(
        "x-brand".into(),
        crate::sources::Usage {
            unit: "reads",
            used: 1234,
            budget: None,
            period: "2020-01".into(),
        },
    );
    let s = with(s, &[Command::Sources]);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("reads 10,004 / 10,000 this"), "{screen}");
        assert!(screen.contains("reads 1,234 in 2020-01"), "{screen}");
        insta::assert_snapshot!(format!("sources_budget_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn composer_with_hints() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let mut s = with(s, &[Command::Reply]);
    update(
        &mut s,
        Msg::Paste("Check out our new collection! 20% off with code SPARKLE".into()),
    );
    snap("composer", &s);
}

#[test]
fn popups() {
    snap("help", &with(fixture::workspace(), &[Command::Help]));
    snap(
        "action_form",
        &with(fixture::workspace(), &[Command::LogAction]),
    );
    snap(
        "follow_up_form",
        &with(fixture::workspace(), &[Command::ScheduleFollowUp]),
    );
    let mut s = fixture::workspace();
    s.sources.insert(
        "bluesky".into(),
        Health::AuthFailed("invalid app password".into()),
    );
    snap("sources", &with(s, &[Command::Sources]));
    let mut s = with(fixture::workspace(), &[Command::Reply]);
    update(
        &mut s,
        Msg::Paste("Hi Tom, so sorry! DM us your hotel and we'll courier the ring today.".into()),
    );
    let s = with(s, &[Command::SendReply]);
    snap("confirm_send", &s);
}

#[test]
fn filter_line_and_no_match() {
    let mut s = with(fixture::workspace(), &[Command::Filter]);
    update(&mut s, Msg::Paste("zebra".into()));
    snap("filter_no_match", &s);
}

#[test]
fn help_lists_every_command_from_the_keymap() {
    let s = fixture::workspace();
    let text: String = super::help::lines(&s)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    for c in Command::ALL {
        assert!(text.contains(c.desc()), "help misses {c:?}");
    }
}

#[test]
fn hostile_text_is_drawn_harmlessly() {
    let s = fixture::empty();
    let raw = format!(
        "\x1b]0;pwned\x07\x1b[2J\x1b[Hclear \u{202e}gnp.exe \x1b[8mhidden {}",
        "long ".repeat(2000)
    );
    let ingest = crate::ingest::Ingest::new(
        std::sync::Arc::new(crate::triage::Classifier::english()),
        Default::default(),
    );
    let mut incoming = crate::domain::IncomingPost {
        network: crate::domain::Network::Mastodon,
        native_id: "h".into(),
        url: None,
        author: crate::domain::Author {
            handle: "evil\x1b[31m@x.y".into(),
            display_name: "\u{202e}eve".into(),
        },
        text: raw,
        created_at: fixture::now(),
        in_reply_to: None,
        reply_ref: None,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: None,
    };
    incoming.text.push('\u{9b}');
    let prepared = ingest.prepare(incoming, fixture::now());
    let mut post = fixture::post(1, "x@y.z", None, true, 1, "");
    post.text = prepared.incoming.text;
    post.author = prepared.incoming.author;
    post.triage = prepared.triage;
    let mut desk = fixture::Desk {
        state: s,
        db: crate::store::Db::open_in_memory().unwrap(),
    };
    desk.add(vec![post]);
    let mut s = desk.state;
    s.focus = Pane::Mentions;
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            !screen.contains('\x1b') && !screen.contains('\u{202e}') && !screen.contains('\u{9b}')
        );
        assert!(
            screen.contains("clear") && screen.contains("gnp.exe") && screen.contains("hidden")
        );
    }
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    let mut s = with(fixture::workspace(), &[Command::Reply]);
    update(&mut s, Msg::Paste("Hi".into()));
    let states = [
        fixture::empty(),
        fixture::workspace(),
        s,
        with(fixture::workspace(), &[Command::Help]),
    ];
    for state in &states {
        for size in [
            (1, 1),
            (10, 3),
            (40, 10),
            (79, 23),
            (119, 30),
            (120, 30),
            (300, 80),
        ] {
            draw(state, size);
        }
    }
}

#[test]
fn confirm_send_shows_the_mention_and_visibility_the_replier_adds() {
    let (mut s, _guard) = fixture::with_mastodon_replier(fixture::workspace());
    s.focus = Pane::Mentions;
    if let Some(p) = s.posts.get_mut(PostId(2)) {
        p.reply_ref =
            Some(serde_json::json!({"visibility": "private", "acct": "tom@mastodon.social"}));
    }
    let mut s = with(s, &[Command::Reply]);
    update(
        &mut s,
        Msg::Paste("So sorry, Tom! DM us your hotel and we'll courier the ring today.".into()),
    );
    let s = with(s, &[Command::SendReply]);
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(screen.contains("@tom@mastodon.social So sorry"), "{screen}");
        assert!(screen.contains("private"), "{screen}");
    }
    snap("confirm_send_mastodon", &s);
}

#[test]
fn replying_to_a_post_already_answered_asks_first() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let mut s = with(s, &[Command::Reply]);
    update(
        &mut s,
        Msg::PriorReply {
            post: PostId(2),
            prior: crate::domain::PriorReply {
                at: fixture::now() - chrono::Duration::minutes(78),
                origin: crate::domain::ReplyOrigin::ThisConsole,
            },
        },
    );
    for size in SIZES {
        let screen = draw(&s, size);
        assert!(
            screen.contains("already replied 08:42 by this console: reply again?"),
            "{screen}"
        );
    }
    snap("reply_again", &s);
    // Where a post takes one reply (a Google review), the question says the new one replaces it.
    s.posts.get_mut(PostId(2)).unwrap().network = crate::domain::Network::Google;
    let screen = draw(&s, (160, 45));
    assert!(
        screen.contains("by this console: replace that reply?")
            && screen.contains("one reply per post here")
            && screen.contains("replace it"),
        "{screen}"
    );
}

#[test]
fn an_unconfirmed_send_shows_the_locked_composer() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let mut s = with(s, &[Command::Reply]);
    update(&mut s, Msg::Paste("So sorry, it ships today.".into()));
    update(
        &mut s,
        Msg::ReplyUnconfirmed {
            post: PostId(2),
            reason: "Mastodon reply not confirmed (network: timed out)".into(),
        },
    );
    snap("composer_unconfirmed", &s);
}

#[test]
fn a_source_switched_off_is_drawn_as_a_problem_not_muted() {
    let mut s = fixture::workspace();
    s.sources.clear();
    s.sources.insert(
        "x".into(),
        Health::Disabled("monthly read budget of 10,000 posts reached".into()),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| super::render(f, &s)).unwrap();
    let buffer = terminal.backend().buffer();
    let bottom = buffer.area.height - 1;
    let dot = (0..buffer.area.width)
        .map(|x| &buffer[(x, bottom)])
        .find(|c| c.symbol() == "●")
        .expect("the source's dot");
    assert_eq!(dot.fg, s.theme.urgent);
}

/// The workspace (Sunday 22 Nov) with follow-ups overdue, due today and upcoming, one with a contact since.
fn follow_ups_desk() -> fixture::Desk {
    let mut desk = fixture::desk();
    desk.state.follow_ups.clear();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    desk.follow_up(Some(1), Some(1), day(22), "check the resized ring fits");
    desk.follow_up(Some(4), None, day(19), "did the engraving answer help?");
    desk.follow_up(Some(2), Some(2), day(23), "");
    desk.follow_up(
        None,
        Some(3),
        day(27),
        "ask Ada whether Bramble's collar tag engraving is still legible after the winter walks",
    );
    desk.log(crate::domain::NewAction {
        post: None,
        customer: Some(crate::domain::CustomerId(2)),
        kind: crate::domain::ActionKind::GiftSent,
        note: "flowers to Lisbon".into(),
        at: fixture::now() - chrono::Duration::days(2),
        url: None,
    });
    desk
}

#[test]
fn follow_ups_view_overdue_today_and_upcoming() {
    let mut desk = follow_ups_desk();
    desk.send(Msg::Command(Command::FollowUps));
    desk.send(Msg::Command(Command::NextPost));
    snap("follow_ups", &desk.state);
    let screen = draw(&desk.state, (160, 45));
    for expected in [
        "overdue 3 days",
        "today",
        "tomorrow",
        "Fri 27 Nov",
        "2 due · 2 upcoming",
        "last contact 2d ago",
        "no contact yet",
        "2 follow-ups due",
    ] {
        assert!(screen.contains(expected), "{expected}: {screen}");
    }
}

#[test]
fn follow_ups_view_empty() {
    let mut s = fixture::empty();
    update(&mut s, Msg::Command(Command::FollowUps));
    snap("follow_ups_empty", &s);
    assert!(draw(&s, (80, 24)).contains("No follow-ups. Schedule one with f on a post."));
}

#[test]
fn a_reply_to_a_customer_with_a_follow_up_due_asks_to_close_it() {
    let mut desk = follow_ups_desk();
    desk.send(Msg::ReplySent {
        reply: crate::domain::Reply {
            post: PostId(1),
            network: crate::domain::Network::Mastodon,
            text: "Hi Priya, your ring is on its way back.".into(),
            sent_at: fixture::now(),
            url: None,
            remote_id: None,
            idempotency_key: Some("k1".into()),
            staff: "ana".into(),
        },
        action: crate::domain::Action {
            id: 100,
            post: Some(PostId(1)),
            customer: Some(crate::domain::CustomerId(1)),
            kind: crate::domain::ActionKind::Replied,
            note: String::new(),
            at: fixture::now(),
            url: None,
            staff: "ana".into(),
        },
    });
    snap("close_follow_up", &desk.state);
    let screen = draw(&desk.state, (160, 45));
    assert!(
        screen.contains("Priya Raman has a follow-up due today: check the resized ring"),
        "{screen}"
    );
    assert!(screen.contains("fits. Close it?"), "{screen}");
}

#[test]
fn finding_and_unlinking_a_customers_handles() {
    use crate::domain::{Candidate, Network};
    let mut desk = fixture::desk();
    for n in [
        Network::Mastodon,
        Network::Bluesky,
        Network::X,
        Network::Facebook,
    ] {
        desk.state.accounts.insert(n, format!("shop on {n}"));
    }
    desk.select(Pane::Regulars, PostId(1));
    desk.send(Msg::Command(Command::FindHandles));
    snap("candidates_searching", &desk.state);
    let priya = desk.state.current_post().and_then(|p| p.customer).unwrap();
    let found = |handle: &str, name: &str, followers, bio: &str| Candidate {
        network: Network::Bluesky,
        handle: handle.into(),
        display_name: name.into(),
        bio: bio.into(),
        followers,
        url: None,
    };
    desk.send(Msg::AccountsFound {
        customer: priya,
        found: vec![
            (
                Network::Bluesky,
                Ok(vec![
                    found(
                        "priya.bsky.social",
                        "Priya Raman",
                        Some(1234),
                        "Potter in Leeds. Rings, mugs and the occasional vase; mostly stoneware, fired twice, \
                         glazed in the colours of the moors after rain",
                    ),
                    found("praman.bsky.social", "P. Raman", None, ""),
                ]),
            ),
            (Network::X, Ok(vec![])),
        ],
    });
    desk.send(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('j'),
        crossterm::event::KeyModifiers::NONE,
    )));
    snap("candidates_found", &desk.state);
    desk.state.popup = None;
    desk.send(Msg::Command(Command::UnlinkHandle));
    desk.send(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    )));
    snap("unlink_asking", &desk.state);
}
