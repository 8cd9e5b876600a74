//! Pacing one token by Genesys's own signals, so a run stays just under the allowance instead
//! of bouncing off 429s.
//!
//! Every response carries `inin-ratelimit-allowed`, `-count` and `-reset`. The pacer lets
//! requests go while `count + in flight < allowed`; when the window's allowance is spent it
//! holds every request until the window ends. The end is known to within the headers'
//! one-second resolution from each response (`now + reset` is an upper bound, `now + reset − 1`
//! a lower one); the bounds tighten as answers arrive at different moments, so the pacer waits
//! for the true end, not a rounded-up second. A 429 holds the token for its `Retry-After`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::ratelimit::RateLimit;

/// A small margin after the estimated end of a window.
const MARGIN: Duration = Duration::from_millis(15);
/// How long to wait and look again when the pacer has nothing better to go on.
const POLL: Duration = Duration::from_millis(25);

/// The pacer of one token. Shared by every task that uses the token.
#[derive(Debug, Default)]
pub struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests allowed per window, once a response has said.
    allowed: Option<u32>,
    /// The highest count seen in the current window.
    count: u32,
    /// Requests sent and not answered yet.
    in_flight: u32,
    /// Bounds of the current window's end, from the `reset` headers.
    end_lower: Option<Instant>,
    end_upper: Option<Instant>,
    /// No request before this (a 429's `Retry-After`).
    blocked_until: Option<Instant>,
    /// How long requests were held back, in total.
    held: Duration,
}

/// Permission to send one request; give the answer's headers back with [`Permit::observe`].
#[derive(Debug)]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    answered: bool,
}

impl Pacer {
    /// Wait until one more request may be sent on this token.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let wait = {
                let mut state = self.state.lock().expect("pacer lock");
                match state.next_wait(Instant::now()) {
                    None => {
                        state.in_flight += 1;
                        return Permit {
                            pacer: self,
                            answered: false,
                        };
                    }
                    Some(wait) => {
                        state.held += wait;
                        wait
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// When the pacer is holding requests back, the moment it will let them go.
    pub fn holding_until(&self) -> Option<Instant> {
        let state = self.state.lock().expect("pacer lock");
        let now = Instant::now();
        if let Some(until) = state.blocked_until.filter(|u| *u > now) {
            return Some(until);
        }
        let allowed = state.allowed?;
        let end = state.end_upper? + MARGIN;
        (state.count + state.in_flight >= allowed && end > now).then_some(end)
    }

    /// Total time requests on this token were held back by the pacer.
    pub fn held(&self) -> Duration {
        self.state.lock().expect("pacer lock").held
    }

    fn answered(&self, limit: Option<RateLimit>, retry_after: Option<Duration>) {
        let mut state = self.state.lock().expect("pacer lock");
        state.in_flight = state.in_flight.saturating_sub(1);
        let now = Instant::now();
        if let Some(limit) = limit {
            state.observe(now, limit);
        }
        if let Some(wait) = retry_after {
            let until = now + wait;
            state.blocked_until = Some(state.blocked_until.map_or(until, |b| b.max(until)));
        }
    }
}

impl State {
    /// `None` when a request may go now, else how long to wait before asking again.
    fn next_wait(&mut self, now: Instant) -> Option<Duration> {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Some(until - now);
            }
            self.blocked_until = None;
        }
        if let Some(end) = self.end_upper {
            if now >= end + MARGIN {
                // The window is over: its count no longer matters.
                self.count = 0;
                self.end_lower = None;
                self.end_upper = None;
            }
        }
        let Some(allowed) = self.allowed else {
            // Until the first answer says what is allowed, send one request at a time.
            return (self.in_flight > 0).then_some(POLL);
        };
        if self.count + self.in_flight < allowed {
            return None;
        }
        match self.end_upper {
            Some(end) => Some(
                (end + MARGIN)
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(1)),
            ),
            None => Some(POLL),
        }
    }

    fn observe(&mut self, now: Instant, limit: RateLimit) {
        self.allowed = Some(limit.allowed);
        let upper = now + limit.reset;
        let lower = upper.checked_sub(Duration::from_secs(1)).unwrap_or(now);
        match (self.end_lower, self.end_upper) {
            (Some(_), Some(current_upper)) if lower > current_upper => {
                // The answer belongs to a newer window.
                self.count = limit.count;
                self.end_lower = Some(lower);
                self.end_upper = Some(upper);
            }
            (Some(current_lower), Some(_)) if upper < current_lower => {
                // A late answer from a window that has ended: nothing to learn.
            }
            (Some(current_lower), Some(current_upper)) => {
                self.count = self.count.max(limit.count);
                self.end_lower = Some(current_lower.max(lower));
                self.end_upper = Some(current_upper.min(upper).max(current_lower.max(lower)));
            }
            _ => {
                self.count = self.count.max(limit.count);
                self.end_lower = Some(lower);
                self.end_upper = Some(upper);
            }
        }
    }
}

impl Permit<'_> {
    /// Report the answer's rate-limit headers (and a 429's `Retry-After`).
    pub fn observe(mut self, limit: Option<RateLimit>, retry_after: Option<Duration>) {
        self.answered = true;
        self.pacer.answered(limit, retry_after);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.answered {
            self.pacer.answered(None, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(allowed: u32, count: u32, reset: u64) -> RateLimit {
        RateLimit {
            allowed,
            count,
            reset: Duration::from_secs(reset),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn sends_one_request_until_the_allowance_is_known_then_up_to_it() {
        let pacer = Pacer::default();
        let first = pacer.acquire().await;
        {
            let mut state = pacer.state.lock().unwrap();
            assert_eq!(state.next_wait(Instant::now()), Some(POLL));
        }
        first.observe(Some(limit(3, 1, 10)), None);
        let a = pacer.acquire().await;
        let b = pacer.acquire().await;
        // count 1 + 2 in flight = 3 = allowed: the next one waits for the window's end.
        let wait = pacer
            .state
            .lock()
            .unwrap()
            .next_wait(Instant::now())
            .unwrap();
        assert!(wait > Duration::from_secs(8) && wait <= Duration::from_secs(10) + MARGIN);
        a.observe(Some(limit(3, 2, 10)), None);
        b.observe(Some(limit(3, 3, 10)), None);
        let started = Instant::now();
        let _c = pacer.acquire().await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(9),
            "held until the window ended: {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_the_token_for_retry_after() {
        let pacer = Pacer::default();
        pacer
            .acquire()
            .await
            .observe(Some(limit(300, 300, 40)), Some(Duration::from_secs(4)));
        let started = Instant::now();
        let _p = pacer.acquire().await;
        assert!(started.elapsed() >= Duration::from_secs(4));
    }

    #[test]
    fn window_end_bounds_tighten_as_answers_arrive() {
        let mut state = State::default();
        let t0 = Instant::now();
        state.observe(t0, limit(300, 10, 5));
        state.observe(t0 + Duration::from_millis(700), limit(300, 11, 5));
        let width = state.end_upper.unwrap() - state.end_lower.unwrap();
        assert_eq!(width, Duration::from_millis(300));
        assert_eq!(state.count, 11);
    }
}
