import test from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta, findLine } from '../js/logic/preview-delta.js';
import { indexIssues } from '../js/logic/issues.js';

const headers = ['name', 'email'];
const row = (line, name, email, valid = true) => ({ line, cells: [name, email], valid });
const issue = (line, column, message, severity = 'error') => ({ line, column, message, severity, kind: { type: 'x' } });

function preview() {
  const issues = [
    issue(1, 'email', 'a file-wide note', 'warning'),
    issue(3, 'email', 'not an address'),
    issue(4, 'name', 'no name'),
  ];
  return {
    headers,
    rows: [row(2, 'Ada', 'ada@example.com'), row(3, 'Bob', 'bob@example', false), row(4, '', 'x@example.com', false)],
    issues,
    counts: { rows: 3, valid: 1, invalid: 2, errors: 2, warnings: 1 },
  };
}

const counts = (valid, invalid) => ({ rows: valid + invalid, valid, invalid, errors: invalid, warnings: 1 });

test('a line is found by halving, and a missing one says where it would go', () => {
  const rows = [row(2), row(5), row(9)];
  assert.deepEqual(findLine(rows, 5), { found: true, index: 1 });
  assert.deepEqual(findLine(rows, 6), { found: false, index: 2 });
  assert.deepEqual(findLine(rows, 1), { found: false, index: 0 });
  assert.deepEqual(findLine([], 4), { found: false, index: 0 });
});

test('a fixed cell takes its new value, and its line loses the issue it had', () => {
  const shown = preview();
  const byLine = indexIssues(shown.issues, headers);
  applyDelta(shown, byLine, {
    rows: [row(3, 'Bob', 'bob@example.com')], issues: [], removed: [], restored: [], counts: counts(2, 1),
  });
  assert.deepEqual(shown.rows[1], row(3, 'Bob', 'bob@example.com'));
  assert.deepEqual(shown.issues.map((i) => i.line), [1, 4], 'the header line and line 4 keep theirs');
  assert.equal(byLine.has(3), false);
  assert.equal(byLine.get(4).errors, 1);
  assert.deepEqual(shown.counts, counts(2, 1));
});

test('an edit that makes a repeat puts the new issues on every line it names, in line order', () => {
  const shown = preview();
  const byLine = indexIssues(shown.issues, headers);
  applyDelta(shown, byLine, {
    rows: [row(2, 'Ada', 'ada@example.com', false), row(3, 'Bob', 'ada@example.com', false)],
    issues: [issue(2, 'email', 'also on line 3'), issue(3, 'email', 'also on line 2')],
    removed: [], restored: [], counts: counts(0, 3),
  });
  assert.deepEqual(shown.issues.map((i) => [i.line, i.message]), [
    [1, 'a file-wide note'], [2, 'also on line 3'], [3, 'also on line 2'], [4, 'no name'],
  ]);
  assert.deepEqual(byLine.get(2).cells.get(1).messages, ['also on line 3']);
});

test('a removed row leaves with its issues, and comes back in its place on undo', () => {
  const shown = preview();
  const byLine = indexIssues(shown.issues, headers);
  applyDelta(shown, byLine, { rows: [], issues: [], removed: [3], restored: [], counts: counts(1, 1) });
  assert.deepEqual(shown.rows.map((r) => r.line), [2, 4]);
  assert.equal(byLine.has(3), false);
  assert.equal(shown.issues.some((i) => i.line === 3), false);

  applyDelta(shown, byLine, {
    rows: [row(3, 'Bob', 'bob@example', false)], issues: [issue(3, 'email', 'not an address')],
    removed: [], restored: [3], counts: counts(1, 2),
  });
  assert.deepEqual(shown.rows.map((r) => r.line), [2, 3, 4]);
  assert.equal(byLine.get(3).errors, 1);
});
