import test from 'node:test';
import assert from 'node:assert/strict';
import { progressMilestone } from '../js/logic/milestones.js';

test('a quarter is announced once, when progress first reaches it', () => {
  assert.equal(progressMilestone(0, 24, 100), null);
  assert.equal(progressMilestone(24, 25, 100), '25% done: 25 of 100 rows.');
  assert.equal(progressMilestone(25, 30, 100), null);
  assert.equal(progressMilestone(49, 50, 100), '50% done: 50 of 100 rows.');
});

test('a jump over several quarters speaks only of the highest', () => {
  assert.equal(progressMilestone(10, 80, 100), '75% done: 80 of 100 rows.');
});

test('the end and an empty run are not quarter milestones (the end has its own)', () => {
  assert.equal(progressMilestone(70, 100, 100), null);
  assert.equal(progressMilestone(0, 0, 0), null);
});
