//! Urgency: the order of the Attention queue.

use super::Triage;

/// What the console knows about a post besides its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UrgencyInputs {
    /// The customer's value to the shop (rank, spend) in 0..1; `None` for strangers.
    pub customer_value: Option<f32>,
    /// Minutes since the post was made.
    pub age_minutes: f32,
    /// The post mentions or replies to the shop's handle.
    pub addressed_to_shop: bool,
    /// Nobody from the shop has answered yet.
    pub unanswered: bool,
}

/// 0..1, higher first. A person in crisis is always 1.0; every other post stays at or below 0.95.
/// Recent, unanswered posts addressed to the shop from valued customers rise; answered ones sink.
pub fn urgency(triage: &Triage, inputs: &UrgencyInputs) -> f32 {
    if triage.is_crisis() {
        return 1.0;
    }
    let score = triage.score.clamp(0.0, 1.0);
    let value = inputs.customer_value.unwrap_or(0.0).clamp(0.0, 1.0);
    // Half-life of a day: a fresh complaint outranks yesterday's of the same weight.
    let age_h = (inputs.age_minutes.max(0.0)) / 60.0;
    let recency = 0.5f32.powf(age_h / 24.0);
    let mut u = 0.55 * score
        + 0.15 * value
        + 0.10 * recency
        + if inputs.addressed_to_shop { 0.10 } else { 0.0 }
        + if inputs.unanswered { 0.10 } else { 0.0 };
    if triage.category == super::Category::Distress {
        u += 0.1;
    }
    if !triage.category.needs_attention() {
        u *= 0.5;
    }
    if !inputs.unanswered {
        u *= 0.5;
    }
    u.clamp(0.0, 0.95)
}

/// Steps of [`attention_rank`]: coarse on purpose, so that within one step the newest post comes first.
const ATTENTION_STEPS: f32 = 20.0;

/// A post's place in the Attention queue (higher first; ties newest first): its [`urgency`] as it arrived, in
/// [`ATTENTION_STEPS`]. It leaves out age, which would reorder a million rows every minute: the store keeps
/// this as a column (refreshed when the post is answered or its customer's rank changes) and the console
/// places live posts with the same function.
pub fn attention_rank(
    triage: &Triage,
    customer_value: Option<f32>,
    addressed_to_shop: bool,
    unanswered: bool,
) -> i64 {
    let inputs = UrgencyInputs {
        customer_value,
        age_minutes: 0.0,
        addressed_to_shop,
        unanswered,
    };
    let rank = (urgency(triage, &inputs) * ATTENTION_STEPS).round() as i64;
    // Questions queue below every complaint and distress: their ranks are all under the lowest of those (0).
    if triage.category.needs_attention() {
        rank
    } else {
        rank - ATTENTION_STEPS as i64 - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::Classifier;

    fn inputs(value: Option<f32>, age: f32) -> UrgencyInputs {
        UrgencyInputs {
            customer_value: value,
            age_minutes: age,
            addressed_to_shop: true,
            unanswered: true,
        }
    }

    #[test]
    fn questions_rank_below_every_complaint() {
        let c = Classifier::english();
        let question = c.classify("@shop are you open on Saturday afternoon? need it for a gift!!");
        let mild = c.classify("the parcel is a bit late");
        assert_eq!(question.category, crate::triage::Category::Question);
        let top_question = attention_rank(&question, Some(1.0), true, true);
        let weakest_problem = Triage {
            category: crate::triage::Category::Complaint,
            score: 0.0,
            ..mild
        };
        assert!(top_question < 0);
        assert!(top_question < attention_rank(&weakest_problem, None, false, false));
        assert!(
            attention_rank(&question, None, true, true) < top_question,
            "a regular's question before a stranger's"
        );
    }

    #[test]
    fn crisis_always_tops_the_queue() {
        let c = Classifier::english();
        let crisis = c.classify("i can't go on anymore, i want to end my life");
        assert!(crisis.is_crisis(), "{crisis:?}");
        let angry = c.classify(
            "@shop WORST service ever!!! charged twice, never arrived, I want a refund NOW",
        );
        let stale = UrgencyInputs {
            customer_value: None,
            age_minutes: 5000.0,
            addressed_to_shop: false,
            unanswered: false,
        };
        assert_eq!(urgency(&crisis, &stale), 1.0);
        assert!(urgency(&angry, &inputs(Some(1.0), 0.0)) < 1.0);
    }

    #[test]
    fn value_recency_and_answers_order_the_queue() {
        let c = Classifier::english();
        let t = c.classify("@shop my parcel never arrived, still waiting for a refund");
        let regular = urgency(&t, &inputs(Some(0.9), 10.0));
        let stranger = urgency(&t, &inputs(None, 10.0));
        let old = urgency(&t, &inputs(Some(0.9), 60.0 * 48.0));
        let answered = urgency(
            &t,
            &UrgencyInputs {
                unanswered: false,
                ..inputs(Some(0.9), 10.0)
            },
        );
        assert!(regular > stranger);
        assert!(regular > old);
        assert!(regular > answered);
        let rank = |value: Option<f32>, answered: bool| attention_rank(&t, value, true, !answered);
        assert!(rank(Some(0.9), false) > rank(None, false));
        assert!(rank(None, false) > rank(None, true));
        assert_eq!(
            attention_rank(
                &c.classify("i can't go on anymore, i want to end my life"),
                None,
                false,
                false
            ),
            20
        );
        let chatter = c.classify("what a lovely sunny day");
        assert!(urgency(&chatter, &inputs(Some(0.9), 10.0)) < stranger);
    }
}
