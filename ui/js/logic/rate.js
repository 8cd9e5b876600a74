// The live chart's data: rows and requests per minute over time, against the rate-limit
// allowance, with rate-limit waits and retries marked. Pure: no DOM.

/** Rates are measured over this many seconds of the run (shorter at the start). */
export const RATE_WINDOW_SECONDS = 10;

/** Collects progress samples and markers of one run. */
export class RateTracker {
  constructor({ allowancePerMinute = 300, poolSize = 1 } = {}) {
    this.allowance = allowancePerMinute * poolSize;
    this.samples = []; // { t, done, requests }
    this.points = []; // { t, rowsPerMinute, requestsPerMinute }
    this.markers = []; // { t, kind: 'rateLimited' | 'retry' }
  }

  /** A cumulative progress event (`elapsedSeconds`, `done`, `requests`). */
  addProgress({ elapsedSeconds: t, done, requests }) {
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
      }
      : { t, rowsPerMinute: 0, requestsPerMinute: 0 };
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
 * Lay the tracker's data out on a `width` × `height` chart: SVG path strings for the two rates,
 * the allowance line's y, and marker x positions. The y axis reaches a little over the
 * allowance or the highest rate, whichever is higher.
 */
export function layoutChart(tracker, { width, height, padding = 4 }) {
  const tMax = Math.max(60, tracker.now);
  const highest = Math.max(
    tracker.allowance,
    ...tracker.points.map((p) => Math.max(p.rowsPerMinute, p.requestsPerMinute)),
  );
  const yMax = niceCeiling(highest * 1.1);
  const x = (t) => padding + (t / tMax) * (width - 2 * padding);
  const y = (v) => height - padding - (v / yMax) * (height - 2 * padding);
  const path = (key) => tracker.points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)} ${y(p[key]).toFixed(1)}`)
    .join(' ');
  return {
    rowsPath: path('rowsPerMinute'),
    requestsPath: path('requestsPerMinute'),
    allowanceY: y(tracker.allowance),
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
