// The live chart's data: rows and requests per minute over time, against the pace the run
// keeps (the pool's rate, from each progress event: just under the org's allowance, lower for
// a while after a 429), with rate-limit waits and retries marked. Pure: no DOM.

/** Rates are measured over this many seconds of the run (shorter at the start). */
export const RATE_WINDOW_SECONDS = 10;

/** Collects progress samples and markers of one run. */
export class RateTracker {
  constructor() {
    /** The pool's pace in requests per minute, as the latest progress event said. */
    this.allowance = null;
    this.samples = []; // { t, done, requests }
    this.points = []; // { t, rowsPerMinute, requestsPerMinute, allowance }
    this.markers = []; // { t, kind: 'rateLimited' | 'retry' }
  }

  /**
   * A cumulative progress event (`elapsedSeconds`, `done`, `requests`), with the pool's pace
   * (`ratePerMinute`).
   */
  addProgress({
    elapsedSeconds: t, done, requests, ratePerMinute,
  }) {
    if (ratePerMinute > 0) this.allowance = ratePerMinute;
    const last = this.samples[this.samples.length - 1];
    if (last && t - last.t < 0.5) {
      // Replace rather than add: at most two samples a second keep the chart light.
      this.samples[this.samples.length - 1] = { t: last.t, done, requests };
    } else {
      this.samples.push({ t, done, requests });
    }
    const since = t - RATE_WINDOW_SECONDS;
    let base = this.samples[0];
    for (const sample of this.samples) {
      if (sample.t <= since) base = sample; else break;
    }
    const span = t - base.t;
    const point = span > 0
      ? {
        t,
        rowsPerMinute: ((done - base.done) / span) * 60,
        requestsPerMinute: ((requests - base.requests) / span) * 60,
        allowance: this.allowance,
      }
      : {
        t, rowsPerMinute: 0, requestsPerMinute: 0, allowance: this.allowance,
      };
    const lastPoint = this.points[this.points.length - 1];
    if (lastPoint && t - lastPoint.t < 0.5) this.points[this.points.length - 1] = point;
    else this.points.push(point);
    return point;
  }

  /** A rate-limit wait or a retry, at run time `t` (seconds). */
  mark(t, kind) {
    this.markers.push({ t, kind });
  }

  /** The latest run time seen. */
  get now() {
    const last = this.samples[this.samples.length - 1];
    return last ? last.t : 0;
  }
}

/**
 * Lay the tracker's data out on a `width` × `height` chart: SVG path strings for the two rates
 * and for the pace (a step line: it drops after a 429 and climbs back), the latest pace's y
 * (`null` before any progress said it), and marker x positions. The y axis reaches a little
 * over the highest pace or rate.
 */
export function layoutChart(tracker, { width, height, padding = 4 }) {
  const tMax = Math.max(60, tracker.now);
  const highest = Math.max(
    tracker.allowance ?? 0,
    ...tracker.points.map((p) => Math.max(p.rowsPerMinute, p.requestsPerMinute, p.allowance ?? 0)),
  );
  const yMax = niceCeiling(highest * 1.1);
  const x = (t) => padding + (t / tMax) * (width - 2 * padding);
  const y = (v) => height - padding - (v / yMax) * (height - 2 * padding);
  const path = (key) => tracker.points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)} ${y(p[key]).toFixed(1)}`)
    .join(' ');
  const paced = tracker.points.filter((p) => p.allowance > 0);
  const allowancePath = paced
    .map((p, i) => {
      // Level until the pace changed, then straight down or up.
      if (i === 0) return `M${x(p.t).toFixed(1)} ${y(p.allowance).toFixed(1)}`;
      return `H${x(p.t).toFixed(1)} V${y(p.allowance).toFixed(1)}`;
    })
    .join(' ');
  return {
    rowsPath: path('rowsPerMinute'),
    requestsPath: path('requestsPerMinute'),
    allowancePath,
    allowanceY: tracker.allowance > 0 ? y(tracker.allowance) : null,
    markers: tracker.markers.map((m) => ({ x: x(m.t), kind: m.kind })),
    yMax,
    tMax,
  };
}

/** 1, 2, 5 × 10^n at or above `value`. */
export function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

/**
 * Whether a rate measured over `elapsedSeconds` with `done` rows finished means something: after
 * a full rate window, or once enough rows finished that one more or less barely moves it. A run
 * of a few rows in under a second would otherwise show "8,701 / min".
 */
export function rateMeansSomething({ elapsedSeconds, done }) {
  if (!(elapsedSeconds > 0)) return false;
  return elapsedSeconds >= RATE_WINDOW_SECONDS || (done >= 100 && elapsedSeconds >= 2);
}

/**
 * What the Speed chart says instead of lines, or `null` when it has lines to show: nothing is
 * charted before a rate means something, and a run that ended before that was too short to chart.
 */
export function chartNote(tracker, { going }) {
  const last = tracker.samples[tracker.samples.length - 1];
  if (last && rateMeansSomething({ elapsedSeconds: last.t, done: last.done })) return null;
  if (going) return `The speed is charted after ${RATE_WINDOW_SECONDS} s of running.`;
  if (!last) return null;
  return `This run took under ${RATE_WINDOW_SECONDS} s: too short to chart its speed.`;
}
