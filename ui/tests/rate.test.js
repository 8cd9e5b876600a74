import test from 'node:test';
import assert from 'node:assert/strict';
import {
  RateTracker, chartNote, layoutChart, niceCeiling, rateMeansSomething,
} from '../js/logic/rate.js';

test('the rate is measured over the last ten seconds', () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0 });
  for (let t = 1; t <= 20; t += 1) {
    tracker.addProgress({ elapsedSeconds: t, done: t * 10, requests: t * 10 });
  }
  const last = tracker.points[tracker.points.length - 1];
  assert.equal(Math.round(last.rowsPerMinute), 600);
});

test("the allowance line is the pool's pace from the progress events, and follows a cut", () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0, ratePerMinute: 592 });
  assert.equal(tracker.allowance, 592, 'two tokens paced just under 300 each');
  tracker.addProgress({ elapsedSeconds: 10, done: 90, requests: 95, ratePerMinute: 592 });
  // A 429 on one token: it slows down, the pool's pace with it.
  tracker.addProgress({ elapsedSeconds: 20, done: 180, requests: 190, ratePerMinute: 490 });
  const chart = layoutChart(tracker, { width: 208, height: 108, padding: 4 });
  assert.equal(chart.yMax, 1000);
  const y = (v) => 104 - (v / 1000) * 100;
  assert.equal(chart.allowanceY, y(490));
  assert.equal(
    chart.allowancePath,
    `M4.0 ${y(592).toFixed(1)} H37.3 V${y(592).toFixed(1)} H70.7 V${y(490).toFixed(1)}`,
  );
});

test('without a pace from the engine there is no allowance line', () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0 });
  tracker.addProgress({ elapsedSeconds: 30, done: 150, requests: 150 });
  const chart = layoutChart(tracker, { width: 208, height: 108, padding: 4 });
  assert.equal(chart.allowanceY, null);
  assert.equal(chart.allowancePath, '');
});

test('samples closer than half a second replace each other', () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 1, done: 1, requests: 1 });
  tracker.addProgress({ elapsedSeconds: 1.2, done: 2, requests: 2 });
  assert.equal(tracker.samples.length, 1);
  assert.equal(tracker.samples[0].done, 2);
});

test('the chart puts the allowance line below the top and markers in time', () => {
  const tracker = new RateTracker();
  tracker.addProgress({ elapsedSeconds: 0, done: 0, requests: 0, ratePerMinute: 296 });
  tracker.addProgress({ elapsedSeconds: 30, done: 150, requests: 150, ratePerMinute: 296 });
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

test('a rate means something after ten seconds, or over many rows, never over a few in an instant', () => {
  assert.equal(rateMeansSomething({ elapsedSeconds: 0.4, done: 58 }), false, 'no "8,701 / min"');
  assert.equal(rateMeansSomething({ elapsedSeconds: 9, done: 40 }), false);
  assert.equal(rateMeansSomething({ elapsedSeconds: 10, done: 3 }), true);
  assert.equal(rateMeansSomething({ elapsedSeconds: 3, done: 150 }), true);
  assert.equal(rateMeansSomething({ elapsedSeconds: 0, done: 0 }), false);
});

test('the chart says when a run is too short to chart, and says nothing once it has lines', () => {
  const tracker = new RateTracker();
  assert.equal(chartNote(tracker, { going: false }), null, 'no run yet');
  assert.match(chartNote(tracker, { going: true }), /after 10 s of running/);
  tracker.addProgress({ elapsedSeconds: 0.6, done: 8, requests: 20 });
  assert.match(chartNote(tracker, { going: true }), /after 10 s of running/);
  assert.match(chartNote(tracker, { going: false }), /too short to chart/);
  tracker.addProgress({ elapsedSeconds: 12, done: 90, requests: 200 });
  assert.equal(chartNote(tracker, { going: true }), null);
  assert.equal(chartNote(tracker, { going: false }), null);
});
