//! The pacer against a simulated Genesys token limiter, on tokio's paused clock: the
//! limiter refuses a request when `limit` requests arrived in the 60 s before it (a sliding
//! window; refused requests do not count), and answers after a latency with jitter.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use super::*;

/// Genesys's limiter for one token, as seen by the pacer.
struct Limiter {
    limit: usize,
    /// Arrival times of accepted requests over the last window.
    window: Mutex<VecDeque<Instant>>,
    /// Every arrival: (when, accepted).
    log: Mutex<Vec<(Instant, bool)>>,
    /// `Retry-After` of a 429: `None` for the time until the oldest request leaves the
    /// window (rounded up), as a correct server says; `Some` for a fixed value.
    retry_after: Option<Duration>,
    /// Requests in flight now, and the most seen at once.
    in_flight: Mutex<(usize, usize)>,
}

impl Limiter {
    fn new(limit: usize) -> Arc<Limiter> {
        Arc::new(Limiter {
            limit,
            window: Mutex::default(),
            log: Mutex::default(),
            retry_after: None,
            in_flight: Mutex::default(),
        })
    }

    /// Count one arrival now: `None` when accepted, else the 429's `Retry-After`.
    fn arrive(&self) -> Option<Duration> {
        let now = Instant::now();
        let mut window = self.window.lock().unwrap();
        while window
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            window.pop_front();
        }
        let accepted = window.len() < self.limit;
        self.log.lock().unwrap().push((now, accepted));
        if accepted {
            window.push_back(now);
            return None;
        }
        let until_room = (window[0] + WINDOW).duration_since(now);
        Some(
            self.retry_after
                .unwrap_or(Duration::from_secs(until_room.as_secs_f64().ceil() as u64)),
        )
    }

    /// Accepted and refused arrivals in `[from, to)` seconds of the run.
    fn counts(&self, start: Instant, from: u64, to: u64) -> (usize, usize) {
        let log = self.log.lock().unwrap();
        let within = |at: &Instant| {
            let t = at.duration_since(start);
            t >= Duration::from_secs(from) && t < Duration::from_secs(to)
        };
        let accepted = log.iter().filter(|(at, ok)| *ok && within(at)).count();
        let refused = log.iter().filter(|(at, ok)| !*ok && within(at)).count();
        (accepted, refused)
    }

    /// The most requests it accepted in any window.
    fn busiest_window(&self) -> usize {
        let log = self.log.lock().unwrap();
        let accepted: Vec<Instant> = log
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(at, _)| *at)
            .collect();
        accepted
            .iter()
            .enumerate()
            .map(|(i, start)| {
                accepted[i..]
                    .iter()
                    .take_while(|at| at.duration_since(*start) < WINDOW)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }
}

/// Latency jitter, from a seeded generator so every run of a test sees the same latencies.
struct Jitter(StdRng);

impl Jitter {
    fn seeded(seed: u64) -> Self {
        Jitter(StdRng::seed_from_u64(seed))
    }

    /// A latency of `base` ± `spread`, in whole milliseconds.
    fn latency(&mut self, base: u64, spread: u64) -> Duration {
        Duration::from_millis(self.0.random_range(base - spread..=base + spread))
    }
}

/// `workers` tasks sending requests on one pacer for `run`: half the latency to arrive,
/// half to come back; a 429 is waited out (`Retry-After`) and the request sent again, as the
/// client does.
async fn drive(
    pacer: Arc<Pacer>,
    limiter: Arc<Limiter>,
    workers: usize,
    run: Duration,
    latency: (u64, u64),
) {
    let end = Instant::now() + run;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let pacer = pacer.clone();
        let limiter = limiter.clone();
        tasks.spawn(async move {
            let mut jitter = Jitter::seeded(worker as u64 + 1);
            while Instant::now() < end {
                let permit = pacer.acquire().await;
                let took = jitter.latency(latency.0, latency.1);
                {
                    let mut in_flight = limiter.in_flight.lock().unwrap();
                    in_flight.0 += 1;
                    in_flight.1 = in_flight.1.max(in_flight.0);
                }
                tokio::time::sleep(took / 2).await;
                let refused = limiter.arrive();
                tokio::time::sleep(took / 2).await;
                limiter.in_flight.lock().unwrap().0 -= 1;
                match refused {
                    None => permit.answered(Outcome::Accepted),
                    Some(retry_after) => {
                        permit.answered(Outcome::RateLimited { retry_after });
                        tokio::time::sleep(retry_after).await;
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[test]
fn the_pace_leaves_room_for_the_burst_and_the_latency_spread() {
    let pace = pace_for(300);
    assert!((295.0..=296.1).contains(&pace), "{pace}");
    assert!(pace_for(10_000) > 9_900.0);
    assert!(pace_for(1) >= SLOWEST);
}

#[tokio::test(start_paused = true)]
async fn pacing_with_no_headers_reaches_the_rate_and_never_meets_the_limit() {
    let pacer = Arc::new(Pacer::new(300));
    let limiter = Limiter::new(300);
    let start = Instant::now();
    drive(
        pacer.clone(),
        limiter.clone(),
        MAX_IN_FLIGHT,
        Duration::from_secs(180),
        (250, 100),
    )
    .await;
    for minute in 0..3 {
        let (accepted, refused) = limiter.counts(start, minute * 60, (minute + 1) * 60);
        assert_eq!(refused, 0, "no 429 in minute {minute}");
        assert!(
            accepted >= 290,
            "minute {minute}: {accepted} requests, the pace is {:.1}/min",
            pace_for(300)
        );
    }
    assert!(limiter.busiest_window() <= 300);
    assert_eq!(pacer.rate_per_minute(), pace_for(300));
}

#[tokio::test(start_paused = true)]
async fn in_flight_follows_the_latency_and_no_more() {
    for (latency, most) in [(100, 2), (250, 3), (2_000, 11)] {
        let pacer = Arc::new(Pacer::new(300));
        let limiter = Limiter::new(300);
        // The first answers tell the pacer the latency.
        let warm_up = Duration::from_secs(10);
        drive(
            pacer.clone(),
            limiter.clone(),
            MAX_IN_FLIGHT,
            warm_up,
            (latency, 0),
        )
        .await;
        limiter.in_flight.lock().unwrap().1 = 0;
        let start = Instant::now();
        drive(
            pacer.clone(),
            limiter.clone(),
            MAX_IN_FLIGHT,
            Duration::from_secs(60),
            (latency, 0),
        )
        .await;
        let seen = limiter.in_flight.lock().unwrap().1;
        assert!(
            seen <= most,
            "{latency} ms: {seen} in flight, {most} are enough"
        );
        assert_eq!(pacer.in_flight_limit(), most, "{latency} ms");
        // And they are enough to reach the rate.
        let (accepted, _) = limiter.counts(start, 0, 60);
        assert!(
            accepted >= 290,
            "{latency} ms: {accepted} requests in a minute"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_lower_limit_than_configured_settles_just_under_it() {
    for retry_after in [None, Some(Duration::from_secs(1))] {
        let pacer = Arc::new(Pacer::new(300));
        let limiter = Arc::new(Limiter {
            retry_after,
            ..Arc::into_inner(Limiter::new(200)).unwrap()
        });
        let start = Instant::now();
        drive(
            pacer.clone(),
            limiter.clone(),
            MAX_IN_FLIGHT,
            Duration::from_secs(600),
            (250, 100),
        )
        .await;
        let (accepted, refused) = limiter.counts(start, 0, 600);
        let share = refused as f64 / (accepted + refused) as f64;
        println!(
            "Retry-After {retry_after:?}: {refused} 429s of {}, settled at {:.1}/min",
            accepted + refused,
            pacer.rate_per_minute()
        );
        assert!(
            share <= 0.01,
            "Retry-After {retry_after:?}: {refused} 429s of {} requests",
            accepted + refused
        );
        let settled = pacer.rate_per_minute();
        assert!(
            (180.0..200.0).contains(&settled),
            "Retry-After {retry_after:?}: settled at {settled:.1}/min"
        );
        let (late, _) = limiter.counts(start, 300, 600);
        assert!(
            late >= 5 * 180,
            "Retry-After {retry_after:?}: {late} requests in the last five minutes"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_429s_cuts_the_rate_once() {
    let pacer = Pacer::new(300);
    let mut permits = Vec::new();
    for _ in 0..3 {
        permits.push(pacer.acquire().await);
    }
    for permit in permits {
        permit.answered(Outcome::RateLimited {
            retry_after: Duration::from_secs(1),
        });
    }
    let once = pacer.rate_per_minute();
    assert!(once < pace_for(300), "the rate was cut");
    assert!(
        once >= pace_for(300) * (1.0 - CUT_MAX),
        "and cut once: {once:.1}"
    );
    // Still the same burst until a request sent after the cut is accepted.
    pacer.acquire().await.answered(Outcome::RateLimited {
        retry_after: Duration::from_secs(1),
    });
    assert_eq!(pacer.rate_per_minute(), once);
    pacer.acquire().await.answered(Outcome::Accepted);
    pacer.acquire().await.answered(Outcome::RateLimited {
        retry_after: Duration::from_secs(1),
    });
    assert!(pacer.rate_per_minute() < once, "a new burst cuts again");
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_the_token() {
    let pacer = Pacer::new(300);
    let refused_at = Instant::now();
    pacer.acquire().await.answered(Outcome::RateLimited {
        retry_after: Duration::from_secs(5),
    });
    assert_eq!(
        pacer.holding_until(),
        Some(refused_at + Duration::from_secs(5))
    );
    let _next = pacer.acquire().await;
    assert!(Instant::now() >= refused_at + Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn the_rate_recovers_slowly_after_a_quiet_window() {
    let pacer = Pacer::new(300);
    pacer.acquire().await.answered(Outcome::RateLimited {
        retry_after: Duration::from_secs(1),
    });
    let cut = pacer.rate_per_minute();
    tokio::time::sleep(Duration::from_secs(30)).await;
    pacer.acquire().await.answered(Outcome::Accepted);
    assert_eq!(
        pacer.rate_per_minute(),
        cut,
        "no recovery within the window"
    );
    tokio::time::sleep(Duration::from_secs(90)).await;
    pacer.acquire().await.answered(Outcome::Accepted);
    let regained = pacer.rate_per_minute() - cut;
    let expected = pace_for(300) * RECOVERY_PER_MINUTE;
    assert!(
        (regained - expected).abs() < 1.0,
        "one minute past the quiet window: +{regained:.1}/min, expected +{expected:.1}"
    );
}
