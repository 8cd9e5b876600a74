import test from 'node:test';
import assert from 'node:assert/strict';
import { groupSuggestions, suggestionButton, suggestionText } from '../js/logic/suggestions.js';

const note = (line, ...suggestions) => ({ index: line - 2, line, messages: [], suggestions });
const unknown = (field, name, ...closest) => ({ field, name, suggestions: closest });

test('rows naming the same unknown name in the same field make one group, the biggest first', () => {
  const groups = groupSuggestions([
    note(3, unknown('division', 'Suport', 'Support', 'Sales')),
    note(4, unknown('roles_divisions', 'Agnet', 'Agent')),
    note(7, unknown('division', 'suport ', 'Support'), unknown('queues', 'Sals', 'Sales')),
    note(9, unknown('division', 'Suport', 'Support')),
  ]);
  assert.deepEqual(groups, [
    { field: 'division', name: 'Suport', use: 'Support', lines: [3, 7, 9] },
    { field: 'roles_divisions', name: 'Agnet', use: 'Agent', lines: [4] },
    { field: 'queues', name: 'Sals', use: 'Sales', lines: [7] },
  ]);
});

test('the same name in another field is another group, and a name with no suggestion none', () => {
  const groups = groupSuggestions([
    note(2, unknown('division', 'Sales EU', 'Sales'), unknown('queues', 'Sales EU', 'Sales')),
    note(5, unknown('location_work', 'Mars Base')),
    { index: 4, line: 6, messages: ['no suggestions field at all'] },
  ]);
  assert.deepEqual(groups.map((g) => g.field), ['division', 'queues']);
});

test('a row naming the name twice counts once', () => {
  const groups = groupSuggestions([
    note(2, unknown('queues', 'Sals', 'Sales'), unknown('queues', 'Sals', 'Sales')),
  ]);
  assert.deepEqual(groups[0].lines, [2]);
});

test('the button says what it uses and for how many rows', () => {
  assert.equal(suggestionButton({ use: 'Support', lines: Array.from({ length: 30 }, (_, i) => i + 2) }), 'Use Support for all 30 rows');
  assert.equal(suggestionButton({ use: 'Agent', lines: [9] }), 'Use Agent for 1 row');
});

test('the text names the field in the admin UI words and the lines, at most five', () => {
  assert.equal(
    suggestionText({ field: 'roles_divisions', name: 'Agnet', lines: [9] }),
    'Roles and divisions "Agnet" is not in this org (line 9).',
  );
  assert.equal(
    suggestionText({ field: 'division', name: 'Suport', lines: [2, 3, 4, 5, 6, 7, 8] }),
    'Division "Suport" is not in this org (lines 2, 3, 4, 5, 6 and 2 more).',
  );
});
