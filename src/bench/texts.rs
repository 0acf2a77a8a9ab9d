//! Fragments the bench generator composes posts from: a jeweller's world (the demo's Marlow & Finch), its
//! products, orders and the ways people complain, worry, ask, thank and chat. Composed at random, they give
//! texts that vary in length, wording and script, as a month of real posts does.

use rand::Rng;
use rand::rngs::StdRng;

pub const FIRST_NAMES: &[&str] = &[
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farah",
    "Gareth",
    "Hana",
    "Ivo",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Owen",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Søren",
    "Małgorzata",
    "Ngozi",
    "Ritu",
    "Kenji",
    "Aoife",
    "Émile",
    "Björn",
    "Lucía",
    "Thandiwe",
];

pub const LAST_NAMES: &[&str] = &[
    "Adams",
    "Bianchi",
    "Chen",
    "Dlamini",
    "Evans",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jones",
    "Kaur",
    "Larsen",
    "Morales",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quint",
    "Rossi",
    "Silva",
    "Tanaka",
    "Umar",
    "Vogel",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zieliński",
    "Ó Ceallaigh",
    "Nguyễn",
];

pub const MASTODON_HOSTS: &[&str] = &[
    "mastodon.social",
    "hachyderm.io",
    "mas.to",
    "fosstodon.org",
    "mstdn.social",
    "toot.wales",
    "mastodon.ie",
    "social.vivaldi.net",
    "infosec.exchange",
    "mastodon.online",
];

pub const PRODUCTS: &[&str] = &[
    "engagement ring",
    "wedding band",
    "silver locket",
    "gold hoops",
    "charm bracelet",
    "pearl necklace",
    "signet ring",
    "watch strap",
    "opal pendant",
    "stacking rings",
    "cufflinks",
    "birthstone studs",
    "tennis bracelet",
    "christening bangle",
    "watch battery",
    "ring resize",
    "engraving",
];

pub const PROBLEMS: &[&str] = &[
    "still hasn't arrived",
    "arrived scratched",
    "came with the wrong engraving",
    "broke after two days",
    "is the wrong size and nobody replies to my emails",
    "was marked delivered but never came",
    "turned my finger green",
    "has been 'in the workshop' for five weeks",
    "arrived in a crushed box, the clasp is bent",
    "was charged twice",
];

pub const WAITS: &[&str] = &[
    "Still waiting for my refund",
    "Three weeks and no refund",
    "Been on hold for 40 minutes",
    "Nobody answers the phone",
    "Second email with no reply",
    "Tracking hasn't moved in 10 days",
];

pub const ASKS: &[&str] = &[
    "Can someone please sort this out?",
    "What is going on?",
    "Really disappointed.",
    "Not good enough.",
    "I want my money back.",
    "Absolutely furious 😡",
    "This is ridiculous.",
    "",
];

pub const DISTRESS: &[&str] = &[
    "I'm in tears, the {p} was my late mum's and you've lost it. Please, please help me find it",
    "honestly can't cope right now. the {p} was for the funeral on friday and it isn't here. please help",
    "panicking. proposing on saturday and the {p} is lost in the post. I feel sick. please help 😢",
    "the {p} you repaired was the last thing my dad gave me and now it's missing. I'm heartbroken",
];

pub const QUESTIONS: &[&str] = &[
    "can you resize a {p} while I wait, or do I leave it with you?",
    "are you open on Sunday? need to pick up a {p}",
    "how long does engraving on a {p} take?",
    "do you ship the {p} to Ireland?",
    "can I return a {p} bought as a gift without the receipt?",
    "is the {p} nickel-free? my ears hate everything",
    "what's the price for a {p}? can't see it on the site",
    "¿hacéis envíos a España? me encanta el {p}",
];

pub const PRAISE: &[&str] = &[
    "thank you so much, the {p} is perfect and she said yes!! 💍",
    "absolutely love my new {p}, beautifully made ✨",
    "brilliant service today, sorted my {p} in ten minutes. thank you!",
    "the {p} arrived a day early and the packaging is gorgeous. so happy",
    "can't stop looking at my {p}. best purchase of the year 🥰",
    "huge thanks to the lovely staff who fixed my {p}, you're stars ⭐",
];

pub const NEUTRAL_MENTIONS: &[&str] = &[
    "walked past {s} today, the window display is all tiny gold bees 🐝",
    "anyone been to {s}? thinking of getting a {p} there",
    "{s} have a new autumn collection out, the {p} looks nice",
    "picked up a {p} from {s} for my sister's birthday",
    "queue outside {s} this morning, must be the sale",
];

pub const CHATTER: &[&str] = &[
    "Up at 5 with the dog again. The foxes are unbothered.",
    "Sourdough starter is seven years old today. We had a little party.",
    "Rain in Aberystwyth. The sheep carry on regardless.",
    "Team offsite today. Someone brought a fondue set. I regret nothing.",
    "the cricket is on, the chai is on, the laptop is off. perfect saturday",
    "Spent the evening kerning a wedding invitation for a friend.",
    "wedding countdown: the seating plan has its own spreadsheet now.",
    "new stacking combo today: thin gold, hammered silver, tiny opal ✨",
    "My train is late again. Third time this week.",
    "Cast on a new jumper tonight. The wool smells of sheep in the best way 🐑",
    "Kaffee, Regen, Montag. Alles wie immer ☕",
    "今日は雨。猫はずっと寝ている 🐈",
    "finally finished the book. I need a week to recover",
    "the bus driver waited for me today. faith in humanity restored",
    "my sister got engaged!!! I screamed so loud the cat ran off 😭💍",
    "Baked maamoul with my aunties all afternoon, the kitchen is mostly semolina now",
    "Walked the coast path to the lighthouse. Windy, glorious, one ice cream.",
    "Sorting Nan's button tin with my daughter. She's claimed all the shiny ones.",
    "Anyone know a good plumber? The boiler is making whale noises.",
];

pub const REPLIES: &[&str] = &[
    "haha same",
    "this is so true",
    "oh no, hope it gets sorted!",
    "congratulations!! 🎉",
    "did you ever find out where they got it?",
    "I had the same problem last month",
    "love this",
    "where's that from?",
];

pub const SHOP_REPLIES: &[&str] = &[
    "so sorry about this! Could you DM us your order number and we'll sort it today?",
    "thank you so much, that means a lot to the whole team 💛",
    "yes we can! Pop in any time, it usually takes about 20 minutes.",
    "we're really sorry, a refund has been issued today. It can take 3–5 days to show.",
    "thanks for asking! We're open 10–4 on Sundays.",
];

pub const SHOP_NOTICES: &[&str] = &[
    "Our autumn collection is here 🍂 Come and see the new opal pieces in store. #MarlowFinch",
    "Heads up: the workshop is closed Monday for a team day. Repairs resume Tuesday.",
    "Last posting date for Christmas delivery is 18 December 🎄",
];

/// A name's letters and digits, lower-case ASCII: how it shows in a handle.
pub fn ascii(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// One of `items`, at random.
pub fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}
