import test from 'node:test';
import assert from 'node:assert/strict';
import { RateTracker, layoutChart, niceCeiling } from '../js/logic/rate.js';

test('the rate is measured over the last ten seconds', () => {
  const tracker = new RateTracker({ allowancePerMinute: 300, poolSize: 2 });
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0 });
  for (let t = 1; t <= 20; t += 1) {
    tracker.addProgress({ elapsedSeconds: t, done: t * 10, requests: t * 10 });
  }
  const last = tracker.points[tracker.points.length - 1];
  assert.equal(Math.round(last.rowsPerMinute), 600);
  assert.equal(tracker.allowance, 600);
});

test('samples closer than half a second replace each other', () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 1, done: 1, requests: 1 });
  tracker.addProgress({ elapsedSeconds: 1.2, done: 2, requests: 2 });
  assert.equal(tracker.samples.length, 1);
  assert.equal(tracker.samples[0].done, 2);
});

test('the chart puts the allowance line below the top and markers in time', () => {
  const tracker = new RateTracker({ allowancePerMinute: 300, poolSize: 1 });
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0 });
  tracker.addProgress({ elapsedSeconds: 30, done: 150, requests: 150 });
  tracker.mark(15, 'rateLimited');
  const chart = layoutChart(tracker, { width: 208, height: 108, padding: 4 });
  assert.equal(chart.yMax, 500);
  assert.ok(chart.allowanceY > 4 && chart.allowanceY < 104, `allowance at ${chart.allowanceY}`);
  assert.equal(chart.markers[0].x, 4 + (15 / 60) * 200);
  assert.match(chart.rowsPath, /^M4\.0 104\.0 L/);
});

test('axis tops are round numbers', () => {
  assert.equal(niceCeiling(330), 500);
  assert.equal(niceCeiling(1000), 1000);
  assert.equal(niceCeiling(1001), 2000);
  assert.equal(niceCeiling(0), 1);
});
