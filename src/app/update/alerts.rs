//! Alerts in `update`: arriving posts through the policy, the coalescer's window and quiet hours, delivery
//! (desktop, bell, status bar) and its outcome, "always tell me", and spikes.

use chrono::Duration;

use crate::alerts::{Alert, Arrival, Desktop, Notification, Spike};
use crate::app::{Command, Effect};
use crate::domain::{CustomerId, Post};
use crate::state::AppState;

/// New watched posts measure spikes again at most this often.
const SPIKE_CHECK_SECS: i64 = 60;
/// While a spike goes on it is measured again this often (to see it end), posts or not.
const SPIKE_RECHECK_SECS: i64 = 300;
/// A spike that goes on notifies again after this long at most.
const SPIKE_RETELL_HOURS: i64 = 1;

/// Live posts arrived: those the policy wants go to the coalescer; watched ones may mean a spike.
pub(super) fn arrived(state: &mut AppState, live: &[&Post]) -> Vec<Effect> {
    let alerts: Vec<Alert> = live
        .iter()
        .filter(|p| !p.by_shop && !p.context)
        .map(|p| arrival(state, p))
        .filter(|a| state.alerts.policy.wants(a))
        .map(Alert::Post)
        .collect();
    let mut effects = offer(state, alerts);
    let watched = live
        .iter()
        .any(|p| p.is_mention || p.triage.category.needs_attention());
    let due = state
        .alerts
        .spikes_checked_at
        .is_none_or(|at| state.now - at >= Duration::seconds(SPIKE_CHECK_SECS));
    if watched && due {
        effects.extend(measure_spikes(state));
    }
    effects
}

fn arrival(state: &AppState, post: &Post) -> Arrival {
    let customer = state.customer_of(post);
    Arrival {
        category: post.triage.category,
        crisis: post.triage.is_crisis(),
        regular: customer.is_some_and(|c| !c.former),
        always: post
            .customer
            .is_some_and(|c| state.alerts.always.contains(&c)),
        urgency: state.urgency(post),
        who: customer
            .map(|c| format!("{} (#{})", c.name, c.rank))
            .unwrap_or_else(|| format!("@{}", post.author.handle)),
        text: post.text.clone(),
    }
}

fn offer(state: &mut AppState, alerts: Vec<Alert>) -> Vec<Effect> {
    let (now, quiet) = (state.now, state.alerts.policy.is_quiet(state.now, state.tz));
    let alerts_state = &mut state.alerts;
    match alerts_state
        .coalescer
        .offer(&alerts_state.policy, alerts, now, quiet)
    {
        Some(n) => deliver(state, n),
        None => vec![],
    }
}

/// The clock moved: what the window or quiet hours held may go out; a spike going on is measured again.
pub(super) fn tick(state: &mut AppState) -> Vec<Effect> {
    if state.flash.is_none()
        && let Some(notice) = state.alerts.notice.take()
    {
        state.flash(notice);
    }
    let (now, quiet) = (state.now, state.alerts.policy.is_quiet(state.now, state.tz));
    let alerts = &mut state.alerts;
    let mut effects = match alerts.coalescer.tick(&alerts.policy, now, quiet) {
        Some(n) => deliver(state, n),
        None => vec![],
    };
    let recheck = !state.alerts.spikes.is_empty()
        && state
            .alerts
            .spikes_checked_at
            .is_none_or(|at| now - at >= Duration::seconds(SPIKE_RECHECK_SECS));
    if recheck {
        effects.extend(measure_spikes(state));
    }
    effects
}

/// A notification to the desktop when it works, else to the status bar; the bell as the policy says.
fn deliver(state: &mut AppState, n: Notification) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state.alerts.rings() {
        effects.push(Effect::Bell);
    }
    if state.alerts.to_desktop() {
        effects.push(Effect::Notify {
            title: n.title,
            body: n.body,
        });
    } else {
        state.alerts.banner = Some(n.title);
    }
    effects
}

/// A notification's outcome. The first failure says so once and turns to the bell and the status bar; the
/// alert that failed is shown there.
pub(super) fn notified(state: &mut AppState, title: String, error: Option<String>) -> Vec<Effect> {
    let Some(error) = error else {
        state.alerts.desktop = Desktop::Works;
        return vec![];
    };
    let rang = state.alerts.rings();
    if !matches!(state.alerts.desktop, Desktop::Unavailable(_)) {
        let notice =
            format!("no desktop notifications: alerts use the bell and this bar ({error})");
        // Background news never hides the answer to what staff just did: it waits for that to go.
        if state.flash.is_some() {
            state.alerts.notice = Some(notice);
        } else {
            state.flash(notice);
        }
    }
    state.alerts.desktop = Desktop::Unavailable(error);
    state.alerts.banner = Some(title);
    // The bell is the fallback's: ring it for this alert unless it rang already.
    if state.alerts.rings() && !rang {
        vec![Effect::Bell]
    } else {
        vec![]
    }
}

/// The bell could not ring: said once in the status bar (the terminal is likely gone or odd).
pub(super) fn rang(state: &mut AppState, error: Option<String>) {
    if let Some(error) = error {
        state.flash(format!("could not ring the bell: {error}"));
    }
}

/// A key was pressed: someone is at the console, the status bar's alert has been seen.
pub(super) fn seen(state: &mut AppState) {
    state.alerts.banner = None;
}

fn measure_spikes(state: &mut AppState) -> Vec<Effect> {
    let rule = state.alerts.policy.spike;
    if !rule.enabled {
        return vec![];
    }
    state.alerts.spikes_checked_at = Some(state.now);
    vec![Effect::MeasureSpikes {
        at: state.now,
        rule,
    }]
}

/// What the store counted: a new spike (or one that lasts past an hour) notifies; the status bar shows those
/// going on, and says when they are over.
pub(super) fn spikes_measured(
    state: &mut AppState,
    measured: Result<Vec<Spike>, String>,
) -> Vec<Effect> {
    let spikes = match measured {
        Ok(spikes) => spikes,
        Err(error) => {
            state.flash(format!("could not count the last hour's posts: {error}"));
            return vec![];
        }
    };
    let now = state.now;
    let told = &mut state.alerts.spikes_told;
    let mut news = Vec::new();
    for spike in &spikes {
        let fresh = told
            .get(&spike.watched)
            .is_none_or(|at| now - *at >= Duration::hours(SPIKE_RETELL_HOURS));
        let going_on = state
            .alerts
            .spikes
            .iter()
            .any(|s| s.watched == spike.watched);
        if fresh && !going_on {
            told.insert(spike.watched, now);
            news.push(Alert::Spike(spike.clone()));
        }
    }
    let over: Vec<&str> = state
        .alerts
        .spikes
        .iter()
        .filter(|old| spikes.iter().all(|s| s.watched != old.watched))
        .map(|s| s.watched.as_str())
        .collect();
    if !over.is_empty() {
        state.flash(format!("{} back to the usual rate", over.join(" and ")));
    }
    state.alerts.spikes = spikes;
    offer(state, news)
}

/// `A`: every post of the customer in context notifies from now on, or no longer.
pub(super) fn toggle_always(state: &mut AppState) -> Vec<Effect> {
    let Some(customer) = state.customer_in_context() else {
        state.flash("no customer here to always hear about");
        return vec![];
    };
    let on = !state.alerts.always.contains(&customer);
    vec![Effect::SetAlwaysTellMe { customer, on }]
}

/// The store took "always tell me" for a customer.
pub(super) fn always_set(state: &mut AppState, customer: CustomerId, on: bool) {
    let name = state
        .customers
        .get(&customer)
        .map(|c| c.name.clone())
        .or_else(|| {
            state
                .customers_view
                .rows
                .iter()
                .find(|r| r.customer.id == customer)
                .map(|r| r.customer.name.clone())
        })
        .unwrap_or_else(|| "the customer".into());
    let key = state.keymap.hint(Command::AlwaysTellMe);
    if on {
        state.alerts.always.insert(customer);
        state.flash(format!(
            "{name}: every post of theirs will notify ({key} again to stop)"
        ));
    } else {
        state.alerts.always.remove(&customer);
        state.flash(format!("{name}: their posts notify as anyone's again"));
    }
}
