import test from 'node:test';
import assert from 'node:assert/strict';
import {
  stepSummary, stepTone, hasFailedStep, resultStatus, kindsOf, describeStepTotals, stepProgress, runLabel, noteText,
} from '../js/logic/steps.js';

const step = (kind, label, status, error = null) => ({ kind, item: '', label, status, error });

test('a kind of step reads as the results file writes it', () => {
  const steps = [
    step('roles', 'Agent (Sales), Employee (Home)', 'done'),
    step('queue', 'Support', 'done'),
    step('queue', 'Sales', 'done'),
    step('location', 'Remote', 'pending'),
  ];
  assert.equal(stepSummary(steps, 'roles'), 'done: Agent (Sales), Employee (Home)');
  assert.equal(stepSummary(steps, 'queue'), 'done: Support, Sales');
  assert.equal(stepSummary(steps, 'location'), 'not done: Remote');
  assert.equal(stepSummary(steps, 'skills'), '', 'a row without skills has an empty cell');
  assert.equal(stepSummary(undefined, 'skills'), '');
});

test('queues that end differently are listed done first, then failed with the error', () => {
  const steps = [
    step('queue', 'Billing', 'failed', 'missing permission routing:queue:member:manage'),
    step('queue', 'Support', 'done'),
    step('queue', 'Escalations', 'none'),
  ];
  assert.equal(
    stepSummary(steps, 'queue'),
    'done: Support; failed: Billing (missing permission routing:queue:member:manage); not applied: Escalations',
  );
  assert.equal(stepTone(steps, 'queue'), 'error');
  assert.ok(hasFailedStep(steps));
});

test('a cell is ok when every step of its kind is done, muted while one waits', () => {
  const steps = [step('skills', 'English:4', 'done'), step('queue', 'Sales', 'pending')];
  assert.equal(stepTone(steps, 'skills'), 'ok');
  assert.equal(stepTone(steps, 'queue'), 'muted');
  assert.equal(stepTone(steps, 'roles'), '');
  assert.equal(hasFailedStep(steps), false);
});

test('the results show a column only for the kinds the run has, in the export order', () => {
  const kinds = kindsOf([
    [step('queue', 'Support', 'done')],
    [],
    undefined,
    [step('extension', '2101', 'done'), step('roles', 'Agent (Home)', 'done')],
  ]);
  assert.deepEqual(kinds.map((k) => k.label), ['Roles', 'Queues', 'Extension']);
  assert.deepEqual(kindsOf([[], undefined]), [], 'a run without steps gets no step columns');
});

test('a restore\'s division and profile lead the columns, the password ends them, a new kind follows', () => {
  const kinds = kindsOf([
    [step('password', 'from the file', 'failed'), step('roles', 'Agent (Sales)', 'done')],
    [step('division', 'Sales', 'done'), step('profile', 'Riley Morgan, Lead', 'done')],
    [step('certifications', 'CCNA', 'pending')],
  ]);
  assert.deepEqual(
    kinds.map((k) => k.label),
    ['Division', 'Profile', 'Roles', 'Password', 'Certifications'],
  );
});

test('the day-1 steps get their columns after the password, in the export\'s order', () => {
  const kinds = kindsOf([
    [step('phone', 'WebRTC Agents on London', 'done'), step('languages', 'Spanish:4', 'done')],
    [step('group', 'Night Shift', 'done'), step('employer', 'employee id E1', 'done'), step('password', 'from the file', 'done')],
  ]);
  assert.deepEqual(
    kinds.map((k) => k.label),
    ['Password', 'Employer info', 'Groups', 'Languages', 'Phone'],
  );
});

test('the plan counts group batches, auto-answer batches and phones after creation', () => {
  const text = describeStepTotals({
    languages: 2, groupMemberships: 60, groupCalls: 4, autoAnswer: 3, bulkAutoAnswer: 2,
    bulkAutoAnswerCalls: 1, phones: 1, calls: 12, naiveCalls: 70,
  });
  assert.equal(
    text,
    'After creation: languages for 2 users, 60 group memberships in 4 calls (batched per group), auto-answer for 3 users (2 of them in 1 batched call), a WebRTC phone and default station for 1 user; 12 calls instead of 70 one by one.',
  );
});

test('the plan says who gets what after creation and the calls it saves', () => {
  const text = describeStepTotals({
    roles: 3, skills: 2, queues: 4, location: 1, extension: 1,
    queueMemberships: 5, queueCalls: 3, calls: 9, naiveCalls: 14,
  });
  assert.equal(
    text,
    'After creation: roles for 3 users, skills for 2 users, 5 queue memberships in 3 calls (batched per queue), a location for 1 user, an extension for 1 user; 9 calls instead of 14 one by one.',
  );
  assert.equal(
    describeStepTotals({ roles: 1, calls: 1, naiveCalls: 1 }),
    'After creation: roles for 1 user; 1 call.',
    'no saving is claimed when there is none',
  );
  assert.equal(describeStepTotals({ roles: 0, calls: 0, naiveCalls: 0 }), null);
  assert.equal(describeStepTotals(undefined), null);
});

test('the run shows its steps done and failed, or nothing when it has none', () => {
  assert.equal(stepProgress({ stepsTotal: 14, stepsDone: 12, stepsFailed: 0 }), '12 / 14 done, 0 failed');
  assert.equal(stepProgress({ stepsTotal: 0, stepsDone: 0, stepsFailed: 0 }), null);
  assert.equal(stepProgress(undefined), null);
});

test('the run button names what the run will do', () => {
  assert.equal(runLabel({ create: 4, restore: 0, update: 0 }), 'Create 4 users');
  assert.equal(runLabel({ create: 4, restore: 1, update: 2 }), 'Create 4 users, restore 1 and update 2');
  assert.equal(runLabel({ create: 0, restore: 0, update: 1 }), 'Update 1 user');
  assert.equal(runLabel({ create: 0, restore: 2, update: 0 }), 'Restore 2 users');
  assert.equal(runLabel({ create: 0, restore: 0, update: 0 }), 'Nothing to create');
});

test('a plan note names its line once', () => {
  assert.equal(
    noteText(5, ['line 5: The role "Agnet" is not in this org. Did you mean "Agent"?']),
    'Line 5: The role "Agnet" is not in this org. Did you mean "Agent"?',
  );
  assert.equal(
    noteText(7, ['line 7, column email: the e-mail is not valid', 'line 12: something else']),
    'Line 7: Column email: the e-mail is not valid line 12: something else',
  );
  assert.equal(
    noteText(3, ['Already in the org; will add queues: Support.']),
    'Line 3: Already in the org; will add queues: Support.',
  );
});

test('a user who existed and got something added reads as updated', () => {
  assert.equal(resultStatus('existed', [step('queue', 'Sales', 'done')]), 'updated');
  assert.equal(resultStatus('existed', [step('queue', 'Sales', 'failed', 'no')]), 'existed');
  assert.equal(resultStatus('existed', []), 'existed');
  assert.equal(resultStatus('created', [step('queue', 'Sales', 'done')]), 'created');
});
