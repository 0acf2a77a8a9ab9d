//! The general causes behind the demo's mistriaged stories (issue 20), each checked on posts of our own (also in
//! `tests/data/triage/probes.jsonl`), not on the demo's sentences.

use super::{Category, Classifier, ShopContext};

fn en() -> Classifier {
    Classifier::english()
}

fn labels(c: &Classifier, text: &str) -> Vec<&'static str> {
    c.classify(text).reasons.iter().map(|r| r.label).collect()
}

#[test]
fn time_waited_and_running_out_of_patience_is_a_complaint() {
    let c = en();
    for text in [
        "@tidewellgoods ordered a custom necklace in March and it's now June. lovely people but my patience is \
         wearing thin",
        "three weeks for a watch strap. I'm losing patience with @tidewellgoods",
        "@tidewellgoods still waiting to hear back about my repair quote, it's been ten days",
    ] {
        let t = c.classify(text);
        assert!(t.category.needs_attention(), "{text}: {t:?}");
    }
    // A wait that was worth it is no complaint.
    let worth = "the resize took two weeks and it was worth every day of the wait, thank you @tidewellgoods";
    assert!(!c.classify(worth).category.needs_attention());
}

#[test]
fn a_price_that_does_not_match_is_a_complaint() {
    let c = en();
    for text in [
        "@tidewellgoods the tag said £40 but you charged me £55 at the till. that doesn't add up",
        "my bank statement shows two payments to @tidewellgoods for one order",
        "@tidewellgoods the invoice says £12 postage but the website said free delivery over £50. the numbers \
         don't match",
    ] {
        let t = c.classify(text);
        assert!(t.category.needs_attention(), "{text}: {t:?}");
        assert!(labels(&c, text).contains(&"does not match"), "{text}");
    }
    let fine = "@tidewellgoods the receipt says £30, same as the tag. all good, thanks for the quick service";
    assert!(!c.classify(fine).category.needs_attention());
}

#[test]
fn gratitude_after_a_rescue_is_no_complaint() {
    let c = en();
    for text in [
        "@tidewellgoods the parcel turned up this morning after all, you saved my sister's birthday. I owe you one",
        "YOU SAVED THE DAY @tidewellgoods!!! the dress arrived an hour before the party",
        "@northlinebus someone handed it in at the depot and my wallet is back with me. so relieved, thank you",
    ] {
        let t = c.classify(text);
        assert!(!t.category.needs_attention(), "{text}: {t:?}");
    }
}

#[test]
fn losing_a_job_is_hard_times_not_an_order_problem() {
    let c = en();
    for text in [
        "got laid off today. cancelled the gym and every subscription I have. scared.",
        "lost my job last week so I cancelled my order with @tidewellgoods, they refunded me straight away",
        "been made redundant after 12 years. no idea what comes next",
    ] {
        let l = labels(&c, text);
        assert!(l.contains(&"hard times"), "{text}: {l:?}");
        let t = c.classify(text);
        let lost = t.reasons.iter().find(|r| r.label == "order problem");
        assert!(
            lost.is_none_or(|r| !r.words(text).to_lowercase().starts_with("lost")),
            "{text}: {l:?}"
        );
    }
}

#[test]
fn a_personal_event_naming_no_business_is_not_for_attention() {
    let c = en();
    for text in [
        "our youngest lost a tooth at the park and we searched the grass for an hour. tooth fairy will take an IOU",
        "my toddler broke the tv remote again. we now own three remotes and zero working ones",
        "the cake collapsed again, third try. the dog is thrilled",
        "the vet bill was £90. I'd be cross if I weren't so relieved she's ok",
    ] {
        let t = c.classify(text);
        assert!(!t.category.needs_attention(), "{text}: {t:?}");
    }
    // The same problem words about a shop's work still count.
    let shop = "@tidewellgoods the clasp you replaced broke again, third time now";
    assert!(c.classify(shop).category.needs_attention());
    // "if I weren't so gutted" is gutted, not its negation.
    let gutted = "the courier says my parcel is lost. I'd laugh if I weren't so gutted";
    assert!(c.classify(gutted).category.needs_attention());
}

#[test]
fn feelings_in_a_regulars_own_life_are_not_for_attention_when_ingest_knows_the_shop_is_not_in_it() {
    let c = en();
    for text in [
        "my sister is furious that I ate the last mince pie. family politics",
        "the football tonight was a disgrace, absolutely gutted",
    ] {
        // From words alone the feeling counts (the negative-affect dev set counts it)...
        let alone = c.classify_on("mastodon", text, ShopContext::Unknown);
        assert_eq!(alone.category, c.classify(text).category, "{text}");
        // ...but a regular's own post that does not name the shop and names no business is life.
        let life = c.classify_on("mastodon", text, ShopContext::NotMentioned);
        assert!(!life.category.needs_attention(), "{text}: {life:?}");
    }
    // A service let-down, a problem with an order and distress still count in a regular's own posts.
    for text in [
        "the 8:10 train is cancelled and the next one is delayed. furious",
        "still no parcel and nobody answers the phone. furious",
        "lost my job today, can't stop shaking",
    ] {
        let t = c.classify_on("mastodon", text, ShopContext::NotMentioned);
        assert!(t.category.needs_attention(), "{text}: {t:?}");
    }
}

#[test]
fn a_question_is_one_to_a_business_or_asked_in_so_many_words() {
    let c = en();
    let category = |text: &str, context| c.classify_on("mastodon", text, context).category;
    // Rhetorical question marks and "I need" in chatter ask nothing of anyone.
    for text in [
        "Tea or coffee? Both. Always both.",
        "finished the box set and I need a lie down",
        "Monday again? Already? Sigh.",
    ] {
        assert_ne!(
            category(text, ShopContext::NotMentioned),
            Category::Question,
            "{text}"
        );
    }
    for (text, context) in [
        (
            "@tidewellgoods do you do gift wrapping?",
            ShopContext::Mentioned,
        ),
        ("is Tidewell open on bank holidays?", ShopContext::Mentioned),
        (
            "can I return a sale item without a receipt?",
            ShopContext::NotMentioned,
        ),
        (
            "does anyone know a cobbler who can fix a zip?",
            ShopContext::NotMentioned,
        ),
        (
            "any tips for getting a stubborn ring off?",
            ShopContext::NotMentioned,
        ),
    ] {
        assert_eq!(category(text, context), Category::Question, "{text}");
    }
    // Strong praise phrased as a question is praise, unless the post tags the shop to ask it.
    let praise = "Tidewell rang me to check the new clasp was holding. Who does that? Legends";
    assert_eq!(category(praise, ShopContext::Mentioned), Category::Praise);
    let asked = "@tidewellgoods you're brilliant, can you do the same for my mum's bracelet?";
    assert_eq!(category(asked, ShopContext::Mentioned), Category::Question);
}

#[test]
fn a_problem_put_right_is_praise() {
    let c = en();
    for text in [
        "my watch stopped on Friday and @tidewellgoods sorted it in ten minutes. no fuss",
        "credit where it's due, the courier came back the same day with the right parcel",
    ] {
        assert_eq!(c.classify(text).category, Category::Praise, "{text}");
    }
}

#[test]
fn asking_what_the_shop_does_is_a_question_whatever_the_item_has_been_through() {
    let c = en();
    let category = |text: &str| {
        c.classify_on("mastodon", text, ShopContext::Mentioned)
            .category
    };
    for text in [
        "@tidewellgoods do you repair watch straps? mine snapped on the bus this morning",
        "@tidewellgoods do you buy back old silver? I've a box of broken chains doing nothing",
        "@tidewellgoods hi, do you open before 8? my shifts are grim and lunch is chaos",
    ] {
        assert_eq!(category(text), Category::Question, "{text}");
    }
    // A grievance with the shop's own work, or a wait, is still a complaint when asked as a question.
    for text in [
        "@tidewellgoods do you repair the clasps you sell? this one broke after a week",
        "@tidewellgoods do you even read your messages? still no reply",
    ] {
        assert!(category(text).needs_attention(), "{text}");
    }
}

#[test]
fn a_regulars_chatter_with_a_span_of_time_or_a_plan_in_passing_is_life() {
    let c = en();
    for text in [
        "exam countdown: 5 days. my notes are a war crime. the floor cannot be seen under them",
        "the seating plan for the reunion is a war crime. my aunts cannot be within ten feet",
    ] {
        let t = c.classify_on("mastodon", text, ShopContext::NotMentioned);
        assert!(!t.category.needs_attention(), "{text}: {t:?}");
    }
    // A wait with a problem beside it is a dealing with a business, not life.
    let t = c.classify_on(
        "mastodon",
        "3 weeks and it is still lost. furious",
        ShopContext::NotMentioned,
    );
    assert!(t.category.needs_attention(), "{t:?}");
}

#[test]
fn problem_words_in_a_happy_life_spoil_no_praise() {
    let c = en();
    for text in [
        "the party was perfect. the cake joke landed. nobody fell in the pond",
        "graduation day was wonderful, even the broken umbrella could not spoil it",
    ] {
        let t = c.classify_on("mastodon", text, ShopContext::NotMentioned);
        assert_eq!(t.category, Category::Praise, "{text}: {t:?}");
    }
}

#[test]
fn praise_for_a_thing_put_right_or_loved_is_praise() {
    let c = en();
    for text in [
        "the teapot is whole again thanks to @tidewellgoods, the spout had come clean off",
        "the scarf I bought my sister: she hasn't taken it off in a week. thank you @tidewellgoods 🥹",
        "asked the key cutter for a spare and he did it in five minutes. lovely man",
        "Back at the lake for the week. The sunset tonight: no filter needed.",
    ] {
        assert_eq!(c.classify(text).category, Category::Praise, "{text}");
    }
}

#[test]
fn accepting_wishing_and_tempting_fate_are_not_praise() {
    let c = en();
    for text in [
        "the new burger place was fine. nothing special",
        "the vet says she'll be fine",
        "my son taught me what a new slang word means. I wish he hadn't.",
        "Booked the train for the morning of the interview. Perfect. Nothing can go wrong.",
    ] {
        let t = c.classify_on("mastodon", text, ShopContext::NotMentioned);
        assert_ne!(t.category, Category::Praise, "{text}: {t:?}");
    }
}

#[test]
fn asking_what_something_should_cost_is_a_question() {
    let c = en();
    let text = "what's a fair price for resoling boots? the cobbler quoted £60";
    let t = c.classify_on("mastodon", text, ShopContext::NotMentioned);
    assert_eq!(t.category, Category::Question, "{t:?}");
}

#[test]
fn quoted_words_in_a_regulars_life_are_someone_elses() {
    let c = en();
    let life = |text: &str| c.classify_on("mastodon", text, ShopContext::NotMentioned);
    // A report's, an agent's or a pet's name in quotes is not the author's praise or grievance.
    for text in [
        "my son's school report says \"a delight to teach, but easily distracted\". accurate",
        "the agent's email said \"we loved it, but it's not for our list\". back to the drawing board",
    ] {
        assert_eq!(life(text).category, Category::Neutral, "{text}");
    }
    let named =
        "my daughter named the goldfish \"Sir Angry Bubbles the Third\" and he seems happy with it";
    assert_eq!(life(named).category, Category::Praise);
    // One or two words in quotes are the author's own scare quotes: they count.
    let scare = "the 8:10 is \"delayed\" again. I am walking";
    assert!(
        life(scare)
            .reasons
            .iter()
            .any(|r| r.words(scare) == "delayed")
    );
    // From words alone, or in a post naming the shop, quoted words count as before.
    let report =
        "my son's school report says \"a delight to teach, but easily distracted\". accurate";
    assert_eq!(c.classify(report).category, Category::Praise);
    // A lone inch mark quotes nothing.
    let inch = "ordered a 12\" pizza and it was lovely";
    assert_eq!(life(inch).category, Category::Praise);
}

#[test]
fn good_news_with_a_run_of_exclamation_marks_is_joy() {
    let c = en();
    let life = |text: &str| {
        c.classify_on("mastodon", text, ShopContext::NotMentioned)
            .category
    };
    assert_eq!(life("we got the flat!!! keys on Friday"), Category::Praise);
    // Two marks are emphasis; a problem or a negation shouted is no joy.
    assert_eq!(life("new haircut!!"), Category::Neutral);
    assert_ne!(
        life("the boiler broke again!!! third time this winter"),
        Category::Praise
    );
    assert_ne!(
        life("not again!!! the cat is sick on the rug"),
        Category::Praise
    );
}

#[test]
fn a_gift_worn_every_day_is_loved() {
    let c = en();
    let life = |text: &str| {
        c.classify_on("mastodon", text, ShopContext::NotMentioned)
            .category
    };
    assert_eq!(
        life("bought my dad a watch for his 70th and he wears it every day now"),
        Category::Praise
    );
    // Happy tears over it are tears of joy.
    assert_eq!(
        life(
            "gave my sister the locket at Christmas. she wears it every day and still cries about it"
        ),
        Category::Praise
    );
}

#[test]
fn words_that_state_a_fact_or_a_task_are_not_praise() {
    let c = en();
    let life = |text: &str| {
        c.classify_on("mastodon", text, ShopContext::NotMentioned)
            .category
    };
    // Being alive is a fact; feeling alive is the feeling.
    assert_eq!(
        life("was anyone even alive when this song came out"),
        Category::Neutral
    );
    assert_eq!(
        life("this morning swim makes me feel alive"),
        Category::Praise
    );
    // Cleaning is a task; clean and easy to clean are qualities.
    assert_eq!(
        life("how to clean a cast iron pan, a thread"),
        Category::Neutral
    );
    assert_eq!(life("the new kettle is so easy to clean"), Category::Praise);
    // Weighing up a day is not cheering it.
    assert_eq!(
        life("missed the bus, but found a fiver on the pavement. net positive"),
        Category::Neutral
    );
}

#[test]
fn a_claim_put_to_be_denied_is_negated() {
    let c = en();
    for text in [
        "whoever says cats are the worst has never met ours",
        "whoever says running is boring has not run along the coast at sunrise",
    ] {
        for context in [ShopContext::Unknown, ShopContext::NotMentioned] {
            let t = c.classify_on("mastodon", text, context);
            assert!(!t.category.needs_attention(), "{text}: {t:?}");
        }
    }
    // A sunny morning and the worst denied: praise.
    let sunny = "sunshine and toast. whoever says Mondays are the worst has not had this Monday";
    assert_eq!(
        c.classify_on("mastodon", sunny, ShopContext::NotMentioned)
            .category,
        Category::Praise
    );
}
