//! Pacing one token at a known rate, with a 429 as the only signal.
//!
//! Genesys removed the `inin-ratelimit-*` headers in 2021, so a client cannot see how much of
//! its allowance is left: it must pace itself at the known limit (300 requests per token per
//! minute unless the org raised it) and learn from 429s. Each token has one [`Pacer`]:
//!
//! - **Spread evenly.** A GCRA (generic cell rate algorithm, a token bucket in disguise) lets
//!   a request go every `60 s / rate`, with [`BURST`] more allowed at once after a pause.
//! - **Just enough in flight.** At most `latency × rate + 1` requests are out at once (the
//!   latency is an average of the answers seen), so the rate is reached at the latency actually
//!   observed and no pile of requests waits to meet a 429 together.
//! - **AIMD on 429s.** A 429 holds the token for its `Retry-After` and lowers its rate once per
//!   burst of 429s: to just under the number of requests Genesys accepted from this token over
//!   the last minute (that is the limit it just met), by at least [`CUT_MIN`] and at most
//!   [`CUT_MAX`]. The token then holds until enough of those requests have aged out of the
//!   window for the lower rate to fit under it. The rate stays just under that limit for
//!   [`SETTLE`], then creeps back up by [`RECOVERY_PER_MINUTE`] of the configured pace per
//!   minute, in case the limit was raised or others stopped sharing it; a cut the window does
//!   not explain recovers the same way after a quiet minute. A limit lower than configured, or
//!   one shared with others, so settles just under it instead of oscillating.
//!
//! # Why 296, not 300
//! Genesys holds the limit over any 60 s span (a sliding window). The GCRA lets at most
//! `W / T + 1 + BURST` requests leave in any span of length `W` (`T = 60 s / rate`). Requests
//! arrive after a latency that varies by up to ±100 ms, so requests arriving within one
//! 60 s window of Genesys's may have left within 60.2 s of each other. For that never to pass
//! `L`: `rate · 60.2 / 60 + 1 + BURST ≤ L`, that is `rate ≤ (L − 1 − BURST) · 60 / 60.2`.
//! For `L = 300` and `BURST = 2`: 296.0 requests per minute ([`pace_for`]).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Genesys's limit per client-credentials token, unless the org had it raised
/// (`client.credentials.token.rate.per.minute`).
pub const DEFAULT_RATE_PER_MINUTE: u32 = 300;
/// The span over which Genesys counts a token's requests.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Requests that may leave at once, beyond the steady one, after a pause.
pub const BURST: u32 = 2;
/// How far apart two requests' latencies may be (±100 ms): requests that arrive within one
/// window may have left this much further apart.
const ARRIVAL_SPREAD: Duration = Duration::from_millis(200);
/// The most requests one token keeps in flight, whatever the latency; the engine runs this
/// many workers per token and the pacer lets as many of them go as the rate needs.
pub const MAX_IN_FLIGHT: usize = 16;
/// The latency assumed until the first answer: Genesys's usual quarter second.
const FIRST_LATENCY: Duration = Duration::from_millis(250);
/// Weight of the newest answer in the average latency.
const LATENCY_WEIGHT: f64 = 0.25;
/// After a 429 the rate goes just under what Genesys accepted over the last window...
const UNDER_ACCEPTED: f64 = 0.97;
/// ...and is cut by at least this share...
pub const CUT_MIN: f64 = 0.03;
/// ...and by at most this share (a 429 the window does not explain, such as a limit shared
/// with other integrations, halves the rate, as TCP does).
pub const CUT_MAX: f64 = 0.5;
/// Share of the configured pace regained per minute once a window has passed without a 429.
pub const RECOVERY_PER_MINUTE: f64 = 0.05;
/// How long the rate stays just under a limit Genesys showed, before probing above it.
pub const SETTLE: Duration = Duration::from_secs(300);
/// The slowest a token ever goes, in requests per minute.
const SLOWEST: f64 = 1.0;

/// The rate that keeps a steady run under `limit_per_minute` in every window; see the module
/// documentation for the arithmetic.
pub fn pace_for(limit_per_minute: u32) -> f64 {
    let limit = f64::from(limit_per_minute.max(1));
    let usable = (limit - f64::from(1 + BURST)).max(limit / 2.0);
    let window = WINDOW.as_secs_f64();
    (usable * window / (window + ARRIVAL_SPREAD.as_secs_f64())).max(SLOWEST)
}

/// The pacer of one token. Shared by every task that uses the token.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    /// Woken when a request in flight is answered (or given up), for tasks waiting for room.
    freed: Notify,
}

#[derive(Debug)]
struct State {
    /// The pace of the configured limit ([`pace_for`]); the rate never goes above it.
    ceiling: f64,
    /// Requests per minute now.
    rate: f64,
    /// GCRA's theoretical arrival time: the next request is due then (up to `BURST`
    /// intervals early).
    due: Option<Instant>,
    /// Requests given a slot and not answered yet (waiting for their slot, or sent).
    in_flight: usize,
    /// Average time from sending to the answer.
    latency: Option<Duration>,
    /// No request before this (a 429's `Retry-After`, or until the window has room).
    held_until: Option<Instant>,
    /// Send times of this token's requests that Genesys may have counted (all but the 429s),
    /// over the last window.
    counted: VecDeque<Instant>,
    /// When the rate was last lowered.
    last_cut: Option<Instant>,
    /// Whether the window explained the last cut: the rate is then just under a limit
    /// Genesys showed, and stays there for [`SETTLE`].
    settled: bool,
    /// Whether a 429 may lower the rate: not again until a request sent after the last cut
    /// has been accepted, so one burst of 429s cuts once.
    armed: bool,
    /// When the recovery was last applied.
    recovered_at: Option<Instant>,
}

/// What became of a request, for [`Permit::answered`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered, whatever the status, except 429.
    Accepted,
    /// 429, with how long Genesys asked to wait.
    RateLimited { retry_after: Duration },
}

/// Permission to send one request. Report the answer with [`Permit::answered`]; dropped
/// without one (no answer came), the request counts as possibly received.
#[derive(Debug)]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    sent_at: Instant,
    answered: bool,
}

/// What a task asking to send must do.
enum Admission {
    /// Send at this moment (now or a little later): the slot is reserved.
    At(Instant),
    /// The token is on hold until then.
    Held(Instant),
    /// Enough requests are in flight: wait for an answer.
    Full,
}

impl Pacer {
    /// A pacer for a token whose limit is `limit_per_minute`.
    pub fn new(limit_per_minute: u32) -> Self {
        let ceiling = pace_for(limit_per_minute);
        Pacer {
            state: Mutex::new(State {
                ceiling,
                rate: ceiling,
                due: None,
                in_flight: 0,
                latency: None,
                held_until: None,
                counted: VecDeque::new(),
                last_cut: None,
                settled: false,
                armed: true,
                recovered_at: None,
            }),
            freed: Notify::new(),
        }
    }

    /// Pace at a new limit from now on (the rate starts again at its pace).
    pub fn set_limit(&self, limit_per_minute: u32) {
        let mut state = self.state.lock().expect("pacer lock");
        state.ceiling = pace_for(limit_per_minute);
        state.rate = state.ceiling;
        state.last_cut = None;
        state.settled = false;
        state.armed = true;
        drop(state);
        self.freed.notify_waiters();
    }

    /// Requests per minute this token paces at now.
    pub fn rate_per_minute(&self) -> f64 {
        self.state.lock().expect("pacer lock").rate
    }

    /// Requests this token may have in flight now.
    pub fn in_flight_limit(&self) -> usize {
        self.state.lock().expect("pacer lock").in_flight_limit()
    }

    /// When the token is on hold after a 429, the moment it lets requests go again.
    pub fn holding_until(&self) -> Option<Instant> {
        let state = self.state.lock().expect("pacer lock");
        state.held_until.filter(|until| *until > Instant::now())
    }

    /// Wait until one more request may be sent on this token.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            // Made before looking, so an answer that arrives in between still wakes us.
            let freed = self.freed.notified();
            let admission = self.state.lock().expect("pacer lock").admit(Instant::now());
            match admission {
                Admission::Full => freed.await,
                Admission::Held(until) => tokio::time::sleep_until(until).await,
                Admission::At(at) => {
                    tokio::time::sleep_until(at).await;
                    // A 429 may have put the token on hold while this slot was waiting: give
                    // the slot back and queue again behind the hold.
                    let held = self.holding_until().is_some();
                    if !held {
                        return Permit {
                            pacer: self,
                            sent_at: Instant::now(),
                            answered: false,
                        };
                    }
                    self.state.lock().expect("pacer lock").in_flight -= 1;
                    self.freed.notify_waiters();
                }
            }
        }
    }

    fn finished(&self, sent_at: Instant, outcome: Option<Outcome>) {
        self.state
            .lock()
            .expect("pacer lock")
            .finished(Instant::now(), sent_at, outcome);
        self.freed.notify_waiters();
    }
}

impl State {
    fn interval(&self) -> Duration {
        Duration::from_secs_f64(WINDOW.as_secs_f64() / self.rate)
    }

    fn in_flight_limit(&self) -> usize {
        let latency = self.latency.unwrap_or(FIRST_LATENCY).as_secs_f64();
        let needed = (latency * self.rate / WINDOW.as_secs_f64()).ceil() as usize + 1;
        needed.clamp(1, MAX_IN_FLIGHT)
    }

    fn admit(&mut self, now: Instant) -> Admission {
        if let Some(until) = self.held_until {
            if now < until {
                return Admission::Held(until);
            }
            self.held_until = None;
        }
        if self.in_flight >= self.in_flight_limit() {
            return Admission::Full;
        }
        let interval = self.interval();
        let due = self.due.unwrap_or(now);
        let earliest = due.checked_sub(interval * BURST).unwrap_or(now);
        let at = earliest.max(now);
        self.due = Some(due.max(at) + interval);
        self.in_flight += 1;
        Admission::At(at)
    }

    fn finished(&mut self, now: Instant, sent_at: Instant, outcome: Option<Outcome>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        while self
            .counted
            .front()
            .is_some_and(|at| now.duration_since(*at) > WINDOW)
        {
            self.counted.pop_front();
        }
        if outcome.is_some() {
            let took = now.duration_since(sent_at);
            self.latency = Some(match self.latency {
                None => took,
                Some(average) => {
                    average.mul_f64(1.0 - LATENCY_WEIGHT) + took.mul_f64(LATENCY_WEIGHT)
                }
            });
        }
        let after_cut = self.last_cut.is_none_or(|cut| sent_at >= cut);
        match outcome {
            Some(Outcome::RateLimited { retry_after }) => {
                self.hold(now + retry_after);
                if self.armed && after_cut {
                    self.cut(now);
                }
            }
            // No answer: Genesys may still have counted it.
            None => self.counted.push_back(sent_at),
            Some(Outcome::Accepted) => {
                self.counted.push_back(sent_at);
                if after_cut {
                    self.armed = true;
                }
                self.recover(now);
            }
        }
    }

    fn hold(&mut self, until: Instant) {
        self.held_until = Some(self.held_until.map_or(until, |held| held.max(until)));
        // The pause is not a reason for a burst afterwards beyond what GCRA allows.
        self.due = Some(self.due.map_or(until, |due| due.max(until)));
    }

    /// Lower the rate after a 429 and hold until the lower rate fits under the window.
    fn cut(&mut self, now: Instant) {
        let accepted = self.counted.len() as f64;
        let target = accepted * UNDER_ACCEPTED;
        let lowest = self.rate * (1.0 - CUT_MAX);
        let highest = self.rate * (1.0 - CUT_MIN);
        let explained = target >= lowest;
        self.rate = target.clamp(lowest, highest).max(SLOWEST);
        self.last_cut = Some(now);
        self.recovered_at = Some(now);
        self.armed = false;
        self.settled = explained;
        if explained {
            // The window is full of requests sent faster than the new rate: sending at the new
            // rate now would still meet the limit until enough of them have aged out.
            if let Some(room) = self.room_at(now) {
                self.hold(room);
            }
        }
    }

    /// The earliest moment from which sending at the current rate keeps this token's count
    /// over the window below what Genesys just refused (the requests counted now).
    ///
    /// The `k`-th request sent from `s` leaves at `s + (k − 1)·T`; the window then still holds
    /// the counted requests younger than a window, so the count stays below `n` as long as the
    /// `(k + 1)`-th oldest has aged out: `s ≥ counted[k] + WINDOW − (k − 1)·T` for every `k`.
    fn room_at(&self, now: Instant) -> Option<Instant> {
        let interval = self.interval();
        self.counted
            .iter()
            .skip(1)
            .enumerate()
            .filter_map(|(k, sent)| (*sent + WINDOW).checked_sub(interval * k as u32))
            .max()
            .filter(|room| *room > now)
    }

    /// Additive increase, [`RECOVERY_PER_MINUTE`] of the ceiling per minute: after a cut the
    /// window explained, from [`SETTLE`] on; after another cut, from a window on (until then
    /// the window still remembers the requests that met the limit).
    fn recover(&mut self, now: Instant) {
        let Some(cut) = self.last_cut else {
            return;
        };
        let wait = if self.settled { SETTLE } else { WINDOW };
        let from = cut + wait;
        if now < from || self.rate >= self.ceiling {
            return;
        }
        let since = self.recovered_at.map_or(from, |at| at.max(from));
        let minutes = now.duration_since(since).as_secs_f64() / 60.0;
        self.rate = (self.rate + self.ceiling * RECOVERY_PER_MINUTE * minutes).min(self.ceiling);
        self.recovered_at = Some(now);
    }
}

impl Permit<'_> {
    /// Report what became of the request.
    pub fn answered(mut self, outcome: Outcome) {
        self.answered = true;
        self.pacer.finished(self.sent_at, Some(outcome));
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.answered {
            self.pacer.finished(self.sent_at, None);
        }
    }
}

#[cfg(test)]
mod tests;
