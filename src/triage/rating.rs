//! A review's stars beside its words: a one- or two-star review is a complaint whatever its text says (often
//! nothing, or a polite "not for me"), a four- or five-star review with nothing else to say is praise.

use super::{Category, Reason, Triage};

/// The text's triage, corrected by the review's stars (1 to 5; anything else is ignored).
pub fn with_rating(triage: Triage, stars: Option<u8>) -> Triage {
    let Some(stars @ 1..=5) = stars else {
        return triage;
    };
    let label = match stars {
        1 => "1-star review",
        2 => "2-star review",
        4 => "4-star review",
        5 => "5-star review",
        _ => return triage,
    };
    let mut reasons = triage.reasons;
    // The cue is the rating, not words of the post: a label with no span.
    reasons.push(Reason::new(label, 0, 0));
    match stars {
        1 | 2 => {
            // Distress stays distress: a stuck, angry customer is more than a complaint.
            let category = match triage.category {
                Category::Distress => Category::Distress,
                _ => Category::Complaint,
            };
            let floor = if stars == 1 { 0.85 } else { 0.7 };
            Triage {
                category,
                score: triage.score.max(floor),
                reasons,
            }
        }
        _ if triage.category == Category::Neutral => Triage {
            category: Category::Praise,
            score: triage.score,
            reasons,
        },
        _ => Triage { reasons, ..triage },
    }
}

/// Stars as drawn in a row or in Detail: `★★☆☆☆`.
pub fn stars(stars: u8) -> String {
    let filled = usize::from(stars.min(5));
    format!("{}{}", "★".repeat(filled), "☆".repeat(5 - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(category: Category, score: f32) -> Triage {
        Triage {
            category,
            score,
            reasons: Vec::new(),
        }
    }

    #[test]
    fn low_stars_are_complaints_whatever_the_words() {
        for (stars, floor) in [(1, 0.85), (2, 0.7)] {
            for category in [Category::Neutral, Category::Praise, Category::Question] {
                let t = with_rating(text(category, 0.1), Some(stars));
                assert_eq!(t.category, Category::Complaint, "{stars} {category:?}");
                assert!(t.score >= floor);
                assert_eq!(t.reasons[0].label, format!("{stars}-star review"));
            }
        }
        let distress = with_rating(text(Category::Distress, 0.95), Some(1));
        assert_eq!(distress.category, Category::Distress);
        assert_eq!(distress.score, 0.95);
    }

    #[test]
    fn high_stars_make_silence_praise_but_keep_a_complaint() {
        assert_eq!(
            with_rating(text(Category::Neutral, 0.0), Some(5)).category,
            Category::Praise
        );
        let complaint = with_rating(text(Category::Complaint, 0.8), Some(4));
        assert_eq!(complaint.category, Category::Complaint);
        assert_eq!(
            complaint.reasons.len(),
            1,
            "the stars are shown as a reason"
        );
        for ignored in [None, Some(0), Some(3), Some(6)] {
            assert_eq!(
                with_rating(text(Category::Neutral, 0.2), ignored),
                text(Category::Neutral, 0.2)
            );
        }
    }

    #[test]
    fn stars_are_drawn_out_of_five() {
        assert_eq!(stars(2), "★★☆☆☆");
        assert_eq!(stars(9), "★★★★★");
    }
}
