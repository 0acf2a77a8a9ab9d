//! Tests of the classifier's signals, spans and tuning.

use super::lexer::random_texts;
use super::*;

fn en() -> Classifier {
    Classifier::english()
}

fn cues(text: &str, t: &Triage) -> Vec<String> {
    t.reasons.iter().map(|r| r.cue(text)).collect()
}

fn has_cue(text: &str, t: &Triage, needle: &str) -> bool {
    cues(text, t).iter().any(|c| c.contains(needle))
}

/// `cue` fired, and every reason points at the words it names.
fn assert_fires(text: &str, t: &Triage, cue: &str) {
    assert!(has_cue(text, t, cue), "{text}: {:?}", cues(text, t));
    assert_spans(text, t);
}

/// The post goes to the Attention queue, with `cue` among its reasons (see [`assert_fires`]).
fn assert_flagged_by(c: &Classifier, text: &str, cue: &str) {
    let t = c.classify(text);
    assert!(t.category.needs_attention(), "{text}: {t:?}");
    assert_fires(text, &t, cue);
}

/// Every reason's span slices the text on char boundaries to the words its cue names.
fn assert_spans(text: &str, t: &Triage) {
    for r in &t.reasons {
        assert!(r.start < r.end && r.end <= text.len(), "{r:?} in {text:?}");
        let words = text
            .get(r.start..r.end)
            .unwrap_or_else(|| panic!("span not on char boundaries: {r:?}"));
        assert!(
            r.cue(text).ends_with(words),
            "cue {:?} does not name {:?}",
            r.cue(text),
            words
        );
        assert!(!words.trim().is_empty());
    }
}

#[test]
fn embedded_lexicon_loads() {
    let c = Classifier::new(&Tuning::default()).expect("en.toml parses");
    assert_eq!(c.languages().collect::<Vec<_>>(), ["en"]);
}

#[test]
fn classifier_is_send_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
    let c = std::sync::Arc::new(en());
    let c2 = c.clone();
    let h = std::thread::spawn(move || c2.classify("@shop my parcel never arrived").category);
    assert_eq!(h.join().unwrap(), Category::Complaint);
}

#[test]
fn reasons_point_at_real_words_even_after_emoji_and_accents() {
    let c = en();
    for text in [
        "@shop any update on my order? it's been 3 weeks",
        "😡😡 café crème était froid… @shop my order NEVER arrived!!! refund please",
        "Zoë’s ring arrived broken 💔 and I was charged twice. #NeverAgain",
        "naïve me thought it'd be fine: still waiting since Monday 🙄",
        "I can't go on anymore",
        "@shop thanks sooo much, the necklace is gorgeous 😍",
        "great, another delay. Thanks for nothing @airline",
        "the staff were not helpful at all :(",
    ] {
        let t = c.classify(text);
        assert!(!t.reasons.is_empty(), "no reasons for {text:?}");
        assert_spans(text, &t);
    }
    let text = "😡 été: my parcel never arrived";
    let t = c.classify(text);
    let r = t
        .reasons
        .iter()
        .find(|r| r.cue(text).contains("never arrived"))
        .expect("cue");
    assert_eq!(&text[r.start..r.end], "never arrived");
}

#[test]
fn no_negative_words_but_a_customer_chasing_an_order_is_a_complaint() {
    let text = "@shop any update on my order? it's been 3 weeks";
    let t = en().classify(text);
    assert!(t.category.needs_attention(), "{t:?}");
    assert!(t.score >= 0.5);
    assert!(
        has_cue(text, &t, "time elapsed: 3 weeks"),
        "{:?}",
        cues(text, &t)
    );
    assert!(has_cue(text, &t, "any update"), "{:?}", cues(text, &t));
}

#[test]
fn sadness_about_summer_is_not_a_complaint() {
    let t = en().classify("I'm so sad the summer is over");
    assert!(!t.category.needs_attention(), "{t:?}");
    assert!(t.score < 0.5);
    assert!(
        t.score > en().classify("the summer is over").score,
        "sadness still counts for something"
    );
}

#[test]
fn happy_tears_are_not_a_complaint_but_tears_over_a_problem_are() {
    let c = en();
    for text in [
        "my sister got engaged!!!! I screamed so loud the cat ran off 😭",
        "SHE SAID YES 😭 thank you for keeping the ring safe. she cried, I cried, the waiter cried",
    ] {
        let t = c.classify(text);
        assert!(!t.category.needs_attention(), "{text:?}: {t:?}");
        assert!(has_cue(text, &t, "tears: "), "the tears still show: {t:?}");
        assert_spans(text, &t);
    }
    for text in [
        "@shop my ring arrived broken and I cried 😭",
        "stuck at the airport in tears, they lost my bag",
    ] {
        let t = c.classify(text);
        assert!(t.category.needs_attention(), "{text:?}: {t:?}");
        assert!(has_cue(text, &t, "tears: "), "{t:?}");
    }
}

#[test]
fn emphasis_and_idioms_are_not_negation() {
    let c = en();
    let lovely = "My daughter wore Nan's pearls to her prom. I've never seen anything so lovely.";
    let t = c.classify(lovely);
    assert_eq!(t.category, Category::Praise, "{:?}", cues(lovely, &t));
    assert!(!has_cue(lovely, &t, "negat"), "{:?}", cues(lovely, &t));
    let let_down = "@shop I have never felt so let down by a shop";
    let t = c.classify(let_down);
    assert!(t.category.needs_attention(), "{:?}", cues(let_down, &t));
    assert!(has_cue(let_down, &t, "let down"));
    for text in [
        "Whitby was windy. I bought jet. I was warned. I regret nothing.",
        "The bands are ordered! 22 August can't come fast enough",
        "My cat knocked a glass off the table and looked me dead in the eye",
        "@airline I know I've been down on you before, but this was a great flight",
        "@hotel can I request a late checkout for Saturday?",
        "@airline is it possible to add hold luggage after booking?",
        "lost my voice from screaming at the match last night",
        "Just finished a 10k run, legs are dead",
        "@speakers the new soundbar sounds unreal",
        "The ending of that book destroyed me",
        "that film was so bad it was good",
        "@streaming your support team sorted my login in two minutes, thank you",
        "@council what day is the garden waste collection in my area?",
    ] {
        let t = c.classify(text);
        assert!(
            !t.category.needs_attention(),
            "{text:?}: {:?}",
            cues(text, &t)
        );
    }
}

#[test]
fn negation_flips_praise_within_its_scope() {
    let c = en();
    let not_helpful_text = "@shop the staff were not helpful";
    let not_helpful = c.classify(not_helpful_text);
    let helpful = c.classify("@shop the staff were helpful");
    assert!(not_helpful.score > helpful.score + 0.1);
    assert!(
        has_cue(not_helpful_text, &not_helpful, "negated: not helpful"),
        "{:?}",
        cues(not_helpful_text, &not_helpful)
    );
    // The scope ends at punctuation: "not" does not reach "great".
    let text = "not sure yet. the staff were great";
    let t = c.classify(text);
    assert!(!has_cue(text, &t, "negated"), "{:?}", cues(text, &t));
    // "not bad" is not negative.
    assert!(c.classify("the food was not bad").score < c.classify("the food was bad").score);
}

#[test]
fn intensifiers_and_downtoners_scale_feelings() {
    let c = en();
    let base = c.classify("the service was bad").score;
    assert!(c.classify("the service was really bad").score > base);
    assert!(c.classify("the service was a bit bad").score < base);
}

#[test]
fn contrast_weighs_what_follows_but() {
    let c = en();
    let t = c.classify("Nice staff but my order was wrong and nobody helped");
    assert!(t.category.needs_attention(), "{t:?}");
    let praise_last = c.classify("The order was late but the staff were lovely and kind");
    let problem_last = c.classify("The staff were lovely and kind but the order was late");
    assert!(problem_last.score > praise_last.score);
}

#[test]
fn emoji_emoticons_elongation_and_caps_amplify() {
    let c = en();
    let plain = c.classify("@shop my order").score;
    assert!(c.classify("@shop my order 😡").score > plain + 0.1);
    assert!(c.classify("@shop my order :(").score > plain + 0.1);
    let text = "@shop my order :-(";
    assert!(has_cue(text, &c.classify(text), ":-("));
    let bad = c.classify("that was bad").score;
    assert!(c.classify("that was baaaad").score > bad - 1e-6);
    assert!(has_cue(
        "that was baaaad",
        &c.classify("that was baaaad"),
        "baaaad"
    ));
    assert!(c.classify("that was BAD").score > bad);
    assert!(c.classify("that was sooo bad").score > bad);
}

#[test]
fn requests_questions_and_addressing_the_shop() {
    let c = en();
    let q = c.classify("@shop do you have this ring in a size 8?");
    assert_eq!(q.category, Category::Question, "{q:?}");
    let chase_text = "@shop still waiting for a reply about my refund";
    let chase = c.classify(chase_text);
    assert!(chase.category.needs_attention(), "{chase:?}");
    assert!(has_cue(chase_text, &chase, "still waiting"));
    // Addressing the shop at the start is a signal of its own.
    let a = c
        .classify("@shop how do I return this? it doesn't fit")
        .score;
    let b = c.classify("how do I return this? it doesn't fit").score;
    assert!(a > b);
}

#[test]
fn time_elapsed() {
    let c = en();
    for (text, words) in [
        ("@bank I've been on hold for 2 hours", "2 hours"),
        ("@shop ordered 3 weeks ago, nothing", "3 weeks"),
        ("@shop waiting since Monday for a call back", "since Monday"),
        ("@shop it took an hour to get served", "an hour"),
    ] {
        let t = c.classify(text);
        assert!(
            has_cue(text, &t, &format!("time elapsed: {words}")),
            "{text}: {:?}",
            cues(text, &t)
        );
        assert_spans(text, &t);
    }
    let text = "have a nice day";
    assert!(!has_cue(text, &c.classify(text), "time elapsed"));
}

#[test]
fn money_and_order_problems() {
    let c = en();
    for text in [
        "I was charged twice for one order",
        "@shop my parcel never arrived",
        "they sent the wrong size again",
        "@bank I want a refund",
        "@telco no internet since yesterday",
        "the clasp broke after one week, stone fell out",
        "@games servers have been down all evening and no word from you",
        "@grocer the driver left my shopping in the rain, everything soaked",
        "@burgers asked for no onions. got extra onions",
        "@insurer my claim has been \"in progress\" since August",
        "@bakery sausage roll was stone cold in the middle",
        "@telco stop calling me every day trying to sell me an upgrade",
        "@grocer substituted my oat milk with whole milk. I'm lactose intolerant",
        "why does @console keep disconnecting me mid match",
        "@laptops my keyboard has a mind of its own",
        "@marketplace seller sent me an empty box and closed my case",
        "@hotel the room overlooks a building site, drilling from 7am",
        "@cereal found a piece of plastic in my cereal",
        "@speakers the update bricked my speaker",
        "@buses the bus drove straight past us at the stop",
        "@airline your customer service leaves much to be desired and the staff could care less",
        "@mobile I've been without signal at home since the mast work on tuesday",
        "@exchange withdrawal pending for 5 days, support just sends copy paste replies",
        "@pizza the pizza turned up cold again",
        "@mealkit I paused my deliveries and you charged me anyway",
        "@insurer so I pay for 10 years and the first time I claim you put my premium up 40%",
        "@salon asked for a trim, walked out with half my hair gone. I'm in bits",
        "@eats rider ate some of my chips. I can literally see the bite marks",
    ] {
        let t = c.classify(text);
        assert!(t.category.needs_attention(), "{text}: {t:?}");
    }
}

#[test]
fn escalation_threats() {
    let c = en();
    for (text, cue) in [
        ("never again, going elsewhere", "never again"),
        (
            "@telco cancel my contract, switching to another provider",
            "cancel my",
        ),
        ("reporting you to trading standards", "reporting you"),
        ("worst service #NeverAgain", "NeverAgain"),
        ("@energyco I'm going to the regulator", "to the regulator"),
    ] {
        assert_flagged_by(&c, text, cue);
    }
    // A headline naming a regulator threatens nobody.
    let text = "Regulator approves EnergyCo merger";
    assert!(!has_cue(text, &c.classify(text), "escalation"));
}

#[test]
fn sarcasm() {
    let c = en();
    let text = "great, another delay";
    let t = c.classify(text);
    assert!(t.category.needs_attention(), "{t:?}");
    assert!(has_cue(text, &t, "sarcasm"), "{:?}", cues(text, &t));
    let t = c.classify("@shop thanks for nothing");
    assert!(t.category.needs_attention(), "{t:?}");
    // Sincere thanks stays praise.
    let t = c.classify("@shop thank you so much, the ring is gorgeous!");
    assert_eq!(t.category, Category::Praise, "{t:?}");
}

#[test]
fn distress_and_crisis() {
    let c = en();
    let t = c.classify(
        "@airline stranded at the airport with my kids, no hotel, flight cancelled tonight",
    );
    assert_eq!(t.category, Category::Distress, "{t:?}");
    assert!(!t.is_crisis());
    let t =
        c.classify("@shop the engagement ring hasn't arrived and I'm proposing tomorrow, urgent!!");
    assert_eq!(t.category, Category::Distress, "{t:?}");
    let t = c.classify("honestly I don't want to live anymore");
    assert_eq!(t.category, Category::Distress);
    assert!(t.is_crisis());
    assert!(t.score > 0.9);
}

#[test]
fn everyday_chatter_is_neutral_or_praise() {
    let c = en();
    for text in [
        "Dark Souls 3 launch date confirmed with new trailer",
        "heading to the beach with friends this weekend",
        "@shop what time do you open on Sunday?",
        "just finished my coffee, off to work",
    ] {
        let t = c.classify(text);
        assert!(!t.category.needs_attention(), "{text}: {t:?}");
    }
}

#[test]
fn mentions_and_links_fire_no_word_cues() {
    let c = en();
    let text = "@delay_bot look http://t.co/broken www.refund.com";
    let t = c.classify(text);
    assert!(t.reasons.is_empty(), "{:?}", cues(text, &t));
}

#[test]
fn tuning_adds_cues_products_and_never_flag_phrases() {
    let tuning: Tuning = toml::from_str(
        r#"
        products = ["Aurora ring"]
        never_flag = ["killer deal"]
        languages = { mastodon = "en", bluesky = "en" }
        cues = [ { phrase = "tarnished", category = "complaint", weight = 2.5 },
                 { phrase = "green finger", category = "complaint" } ]
        "#,
    )
    .unwrap();
    let c = Classifier::new(&tuning).unwrap();
    let text = "my Aurora ring gave me a green finger";
    let t = c.classify_on("mastodon", text, ShopContext::Unknown);
    assert!(
        has_cue(text, &t, "product: Aurora ring"),
        "{:?}",
        cues(text, &t)
    );
    assert!(has_cue(text, &t, "green finger"));
    assert!(t.score > en().classify("my Aurora ring gave me a green finger").score);
    let text = "what a killer deal";
    let killer = c.classify(text);
    assert!(
        !has_cue(text, &killer, "killer"),
        "{:?}",
        cues(text, &killer)
    );
    assert!(!killer.category.needs_attention());
}

#[test]
fn hashtags_that_run_a_cue_word_into_a_name_fire_it() {
    let c = en();
    for (text, cue) in [
        ("@shop #acmeairsucks", "strong negative: acmeairsucks"),
        (
            "@shop parcel lost again #parcelcofail",
            "negative: parcelcofail",
        ),
        (
            "#worstserviceever at the Elm Street branch",
            "strong negative: worstserviceever",
        ),
        ("@shop #3hourdelay", "problem: hourdelay"),
        ("@shop #neveragainacme", "escalation: neveragainacme"),
    ] {
        let t = c.classify(text);
        assert_fires(text, &t, cue);
    }
    // Only at the hashtag's start or end as marked, never as a word of its own or inside another word.
    for (text, tag) in [
        ("#hellokitty for my niece", "hellokitty"),
        ("#badminton club tonight", "badminton"),
        ("#failsafe mode on", "failsafe"),
        ("#suckseed", "suckseed"),
    ] {
        let t = c.classify(text);
        assert!(!has_cue(text, &t, tag), "{text}: {:?}", cues(text, &t));
    }
    let text = "brandfail is a word, not a hashtag";
    assert!(!has_cue(text, &c.classify(text), "brandfail"));
}

#[test]
fn a_shop_can_add_hashtag_affixes_and_a_bad_one_is_named() {
    let t: Tuning =
        toml::from_str(r#"cues = [{ phrase = "*tarnished", category = "complaint" }]"#).unwrap();
    let c = Classifier::new(&t).unwrap();
    let text = "@shop #ringtarnished";
    assert!(has_cue(text, &c.classify(text), "shop cue: ringtarnished"));
    // The shop's affix overrides the lexicon's for the same word.
    let t: Tuning =
        toml::from_str(r#"cues = [{ phrase = "*sucks", category = "neutral" }]"#).unwrap();
    let text = "#acmesucks";
    assert!(!has_cue(
        text,
        &Classifier::new(&t).unwrap().classify(text),
        "negative"
    ));
    let t: Tuning =
        toml::from_str(r#"cues = [{ phrase = "*ab", category = "complaint" }]"#).unwrap();
    let e = Classifier::new(&t).unwrap_err().to_string();
    assert!(
        e.contains("*ab") && e.contains("three or more letters"),
        "{e}"
    );
    // A star beside other characters is text, as in the emoticon ":*".
    let t: Tuning = toml::from_str(r#"cues = [{ phrase = ":*", category = "praise" }]"#).unwrap();
    assert!(Classifier::new(&t).is_ok());
}

#[test]
fn tuning_rejects_unknown_keys_and_languages() {
    assert!(toml::from_str::<Tuning>("colour = 1").is_err());
    let t: Tuning = toml::from_str(r#"languages = { mastodon = "xx" }"#).unwrap();
    let e = Classifier::new(&t).unwrap_err();
    assert!(e.to_string().contains("xx"), "{e}");
    let t: Tuning =
        toml::from_str(r#"cues = [{ phrase = "a b c d e f g", category = "complaint" }]"#).unwrap();
    assert!(Classifier::new(&t).is_err());
}

#[test]
fn another_language_is_a_data_file() {
    let fr = r#"
        language = "fr"
        [model]
        bias = -2.0
        negative = 1.0
        positive = 1.0
        addressed = 0.5
        question = 0.0
        topic_unaddressed = 0.1
        problem_unaddressed = 0.5
        exclaim = 0.1
        caps = 0.3
        negator_cap = 1.0
        request_unaddressed = 0.5
        positive_with_problem = 0.3
        sarcasm_bonus = 0.3
        distress_min = 1.0
        praise_min = 1.0
        [[group]]
        kind = "complaint"
        weight = 3.0
        label = "problème"
        phrases = "jamais reçu, remboursement"
    "#;
    let c = Classifier::from_lexicon(fr, &Tuning::default()).unwrap();
    let text = "@boutique commande jamais reçu";
    let t = c.classify(text);
    assert!(t.category.needs_attention(), "{t:?}");
    assert_spans(text, &t);
}

#[test]
fn empty_and_odd_input_does_not_panic() {
    let c = en();
    for text in [
        "",
        " ",
        "@",
        "#",
        ":",
        "&amp;",
        "\u{FE0F}",
        "a\u{0301}",
        "’s",
        "::((",
        "<3<3</3",
        "10:30",
    ] {
        let t = c.classify(text);
        assert!((0.0..=1.0).contains(&t.score));
        assert_spans(text, &t);
    }
}

#[test]
fn quiet_despair_is_a_person_in_crisis_not_a_complaint() {
    let c = Classifier::english();
    for text in [
        "you made our wedding rings three years ago. she left. honestly I don't see the point of anything any more.",
        "lost my job and sold my mum's earrings for rent. I can't stop shaking and I don't know who to tell.",
    ] {
        let t = c.classify(text);
        assert!(t.is_crisis(), "{text}: {t:?}");
        assert_eq!(
            urgency(
                &t,
                &UrgencyInputs {
                    customer_value: None,
                    age_minutes: 600.0,
                    addressed_to_shop: false,
                    unanswered: true
                }
            ),
            1.0
        );
    }
}

#[test]
fn reasons_stored_before_labels_and_words_were_apart_still_read() {
    let r: Reason = serde_json::from_str(r#"{"cue":"still waiting","start":0,"end":13}"#).unwrap();
    assert_eq!(r.label, "still waiting");
    let text = "still waiting for my refund";
    let t = en().classify(text);
    let json = serde_json::to_string(&t.reasons).unwrap();
    let back: Vec<Reason> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t.reasons);
    assert_eq!(back[0].cue(text), t.reasons[0].cue(text));
}

#[test]
fn knowing_the_shop_handles_a_friend_tagged_first_is_not_the_shop() {
    let shop = en().with_shop_handles(["marlowfinch@mastodon.social", "marlowfinch.bsky.social"]);
    let to_friend = "@marcus the clasp on my bracelet broke again";
    let to_shop = "@marlowfinch the clasp on my bracelet broke again";
    let friend = shop.classify(to_friend);
    assert!(
        !friend.reasons.iter().any(|r| r.label == "addressed to"),
        "{:?}",
        cues(to_friend, &friend)
    );
    assert!(shop.classify(to_shop).score > friend.score);
    // Not knowing the shop (`regulars classify`), any leading handle counts.
    assert!((en().classify(to_friend).score - shop.classify(to_shop).score).abs() < 1e-6);
    // A reply that tags a friend first still addresses the shop, and says which handle.
    let text = "@marcus @marlowfinch my order never arrived";
    let t = shop.classify(text);
    assert!(
        has_cue(text, &t, "addressed to: @marlowfinch"),
        "{:?}",
        cues(text, &t)
    );
}

#[test]
fn a_problem_put_right_is_good_service_not_a_complaint() {
    let c = en();
    let fixed =
        c.classify("@bank was charged twice but your chat team sorted it in 4 minutes, thank you!");
    assert!(!fixed.category.needs_attention(), "{fixed:?}");
    let open = c.classify("@bank was charged twice and your chat team is no help");
    assert!(open.category.needs_attention(), "{open:?}");
}

#[test]
fn a_fix_that_did_not_happen_is_no_fix() {
    let c = en();
    for text in [
        "@shop you never sorted it, 3 calls later",
        "@shop still haven't got my refund after 3 weeks",
        "@shop not got my refund yet and its been a month",
        // The negation is inside a complaint phrase ("still haven't"), or the fix stands alone.
        "@shop you still haven't sorted it out",
        "@shop you haven't fixed it",
    ] {
        let t = c.classify(text);
        assert!(t.category.needs_attention(), "{text}: {t:?}");
        assert!(!has_cue(text, &t, "put right"), "{text}: {t:?}");
    }
    let text = "@shop still not happy with the replacement";
    assert_flagged_by(&c, text, "negated: not happy");
}

#[test]
fn a_worry_about_what_may_happen_is_not_a_grievance() {
    let c = en();
    let worry = c.classify("@courier will deliveries be delayed by the strike next week?");
    assert!(!worry.category.needs_attention(), "{worry:?}");
    assert_eq!(worry.category, Category::Question);
    // The same words about what did happen are a complaint.
    let happened = c.classify("@courier my delivery was delayed by the strike, 3 days late");
    assert!(happened.category.needs_attention(), "{happened:?}");
}

#[test]
fn a_worry_stays_a_question_with_an_occasion_or_a_service_word_in_it() {
    let c = en();
    for text in [
        "@courier will the snow delay deliveries this week? not urgent, just planning a birthday present",
        "@insurer if my basement floods, will the policy cover the damage?",
    ] {
        let t = c.classify(text);
        assert_eq!(t.category, Category::Question, "{text}: {t:?}");
        assert!(
            !has_cue(text, &t, "deadline") && !has_cue(text, &t, "stranded"),
            "{text}: {t:?}"
        );
    }
    // A question that chases the shop is no worry.
    let chase = "@telco will one of you please answer the phone?";
    assert!(c.classify(chase).category.needs_attention(), "{chase}");
}

#[test]
fn praise_in_a_sarcastic_post_is_the_irony_not_praise() {
    let c = en();
    assert_flagged_by(
        &c,
        "wow thanks StreamBox for putting the price up AND adding adverts. truly innovative stuff 👏👏👏",
        "sarcasm: wow thanks",
    );
    // A refund that came quickly is good service.
    let fixed = c.classify("Got my refund from @shop in 3 days, quicker than I expected tbh");
    assert!(!fixed.category.needs_attention(), "{fixed:?}");
}

#[test]
fn harm_from_a_product_and_running_out_of_medicine_are_flagged() {
    let c = en();
    for (text, cue) in [
        (
            "found a piece of hard plastic in my soup. my son nearly swallowed it",
            "nearly swallowed",
        ),
        (
            "@pharmacy my prescription was meant to be ready Monday. I'm down to my last 2 pills",
            "down to my last",
        ),
    ] {
        assert_flagged_by(&c, text, cue);
    }
}

#[test]
fn a_customers_own_order_makes_a_post_about_a_business_without_a_handle() {
    let c = en();
    assert_flagged_by(
        &c,
        "my order from QuickBite turned up 90 mins late and stone cold",
        "their order: my order",
    );
    // Without a customer's order, lateness is chatter.
    let chatter = c.classify("turned up 90 mins late to my own party lol");
    assert!(!chatter.category.needs_attention(), "{chatter:?}");
}

/// Random text built to stress the tokenizer (see [`random_texts`]): never a panic, and every reason on char
/// boundaries within the text.
#[test]
fn random_text_never_panics_and_spans_stay_on_char_boundaries() {
    let c = en();
    for text in random_texts(20_000) {
        let t = c.classify(&text);
        assert!((0.0..=1.0).contains(&t.score), "{text:?}");
        for r in &t.reasons {
            assert!(
                r.start <= r.end && text.get(r.start..r.end).is_some(),
                "{r:?} in {text:?}"
            );
        }
    }
}

/// Posts longer than one batch of tokens: a phrase is found wherever it falls, across a batch's end too.
#[test]
fn a_phrase_is_found_at_every_place_in_a_long_post() {
    let c = en();
    for filler in 30..110 {
        let text = format!(
            "@shop {}still waiting for my refund",
            "blue ".repeat(filler)
        );
        let t = c.classify(&text);
        assert!(has_cue(&text, &t, "still waiting"), "{filler}: {t:?}");
    }
}

#[test]
fn a_fault_that_goes_on_after_the_shop_replied_is_a_complaint() {
    let c = en();
    for (text, cue) in [
        (
            "@fibrehelp that's what you told me on monday. wifi still dropping every night",
            "still dropping",
        ),
        (
            "@musicapp yes I reinstalled it like you said. still crashing on launch",
            "still crashing",
        ),
        (
            "@clinic you said it'd be ready by friday and nobody has it",
            "you said it'd",
        ),
    ] {
        assert_flagged_by(&c, text, cue);
    }
}

#[test]
fn the_customers_own_fault_or_a_rescue_is_no_complaint() {
    let c = en();
    for text in [
        "@parcels found it under the doormat, my bad! thanks for checking",
        "car broke down on the bypass tonight, @roadhelp were there in 20 mins. can't thank you enough",
        "cracked the screen myself (my own fault) and @fixit replaced it in an hour",
    ] {
        let t = c.classify(text);
        assert!(!t.category.needs_attention(), "{text}: {t:?}");
    }
}
