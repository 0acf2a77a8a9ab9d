//! The general causes behind the demo's mistriaged stories (issue 20), each checked on posts of our own (also in
//! `tests/data/triage/probes.jsonl`), not on the demo's sentences.

use super::Classifier;

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
