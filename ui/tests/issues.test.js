import test from 'node:test';
import assert from 'node:assert/strict';
import { indexIssues, rowsWithProblems, messagesFor, fileIssues } from '../js/logic/issues.js';

const headers = ['name', 'email', 'state'];
const issues = [
  { line: 1, column: 'Boss', severity: 'warning', message: 'ignored column' },
  { line: 3, column: 'email', severity: 'error', message: 'not an e-mail' },
  { line: 3, column: 'state', severity: 'warning', message: 'odd state' },
  { line: 5, column: null, severity: 'error', message: 'too many cells' },
];
const rows = [{ line: 2 }, { line: 3 }, { line: 4 }, { line: 5 }];

test('a problem is highlighted in the cell of its column', () => {
  const byLine = indexIssues(issues, headers);
  const line3 = byLine.get(3);
  assert.equal(line3.errors, 1);
  assert.equal(line3.warnings, 1);
  assert.deepEqual(line3.cells.get(1), { severity: 'error', messages: ['not an e-mail'] });
  assert.equal(line3.cells.get(2).severity, 'warning');
  assert.deepEqual(byLine.get(5).row, [{ severity: 'error', message: 'too many cells' }]);
});

test('the problem filter keeps the rows that have one', () => {
  const byLine = indexIssues(issues, headers);
  assert.deepEqual(rowsWithProblems(rows, byLine), [1, 3]);
  assert.deepEqual(rowsWithProblems(rows, byLine, { errorsOnly: true }), [1, 3]);
});

test('a row\'s messages list errors first and name their column', () => {
  assert.deepEqual(messagesFor(issues, 3), [
    { severity: 'error', text: 'email: not an e-mail' },
    { severity: 'warning', text: 'state: odd state' },
  ]);
  assert.equal(fileIssues(issues, 1).length, 1);
});
