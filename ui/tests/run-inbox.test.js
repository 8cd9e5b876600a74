import test from 'node:test';
import assert from 'node:assert/strict';
import { bindRunEvents, newRun } from '../js/logic/run-inbox.js';

const finished = (index) => ({ event: 'rowFinished', data: { index, status: 'created' } });

/** What the window does with a batch: record which run got which rows. */
function recorder() {
  const batches = [];
  const deliver = (run, events) => {
    batches.push({ run, events });
    for (const { event, data } of events) if (event === 'rowFinished') run.status.set(data.index, data.status);
  };
  return { batches, deliver };
}

test('events that arrive before the run has started wait, then reach it in order', () => {
  const { batches, deliver } = recorder();
  const run = newRun({ going: true });
  const inbox = bindRunEvents(run, deliver);
  inbox.receive([finished(0), finished(1)]);
  inbox.receive([finished(2)]);
  assert.equal(batches.length, 0, 'nothing is delivered before the command answers');

  run.runId = 'run-1';
  inbox.open();
  inbox.receive([finished(3)]);
  assert.deepEqual(batches.map((b) => b.events.map((e) => e.data.index)), [[0, 1, 2], [3]]);
  assert.ok(batches.every((b) => b.run === run));
  assert.deepEqual([...run.status.keys()], [0, 1, 2, 3]);
});

test('opening a past run while one is going leaves the live run its own events', () => {
  const { deliver } = recorder();
  const live = newRun({ runId: 'live', going: true });
  const inbox = bindRunEvents(live, deliver);
  inbox.open();
  inbox.receive([finished(0)]);

  // The history's Open makes another run the one on screen.
  const past = newRun({ runId: 'past', rows: [{ line: 2 }, { line: 3 }] });
  inbox.receive([finished(1)]);

  assert.deepEqual([...live.status.keys()], [0, 1]);
  assert.equal(past.status.size, 0, 'the past run is untouched');
});

test('a new run starts empty, with what the caller knows', () => {
  const run = newRun({ runId: 'r', going: true });
  assert.equal(run.runId, 'r');
  assert.equal(run.going, true);
  assert.deepEqual(run.rows, []);
  assert.equal(run.status.size + run.errors.size + run.steps.size, 0);
  assert.notEqual(newRun().status, newRun().status, 'no two runs share their maps');
});
