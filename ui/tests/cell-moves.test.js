import test from 'node:test';
import assert from 'node:assert/strict';
import { gridKeyAction, editorKeyAction, nextCell } from '../js/logic/cell-moves.js';

const key = (k, modifiers = {}) => ({ key: k, ...modifiers });

test('Enter or F2 edits the cell, Delete removes the row, arrows move across', () => {
  assert.equal(gridKeyAction(key('Enter')), 'edit');
  assert.equal(gridKeyAction(key('F2')), 'edit');
  assert.equal(gridKeyAction(key('Delete')), 'remove');
  assert.equal(gridKeyAction(key('ArrowLeft')), 'left');
  assert.equal(gridKeyAction(key('ArrowRight')), 'right');
  assert.equal(gridKeyAction(key('ArrowDown')), null, 'the grid moves rows itself');
  assert.equal(gridKeyAction(key('a')), null);
});

test('Ctrl+Z and Cmd+Z undo; with Shift, or Ctrl+Y, they redo', () => {
  assert.equal(gridKeyAction(key('z', { ctrlKey: true })), 'undo');
  assert.equal(gridKeyAction(key('z', { metaKey: true })), 'undo');
  assert.equal(gridKeyAction(key('Z', { ctrlKey: true, shiftKey: true })), 'redo');
  assert.equal(gridKeyAction(key('Z', { metaKey: true, shiftKey: true })), 'redo');
  assert.equal(gridKeyAction(key('y', { ctrlKey: true })), 'redo');
  assert.equal(gridKeyAction(key('Enter', { ctrlKey: true })), null);
  assert.equal(gridKeyAction(key('Delete', { altKey: true })), null);
});

test('in the editor Enter and Tab commit and say where to go, Escape cancels', () => {
  assert.deepEqual(editorKeyAction(key('Enter')), { commit: true, move: 'down' });
  assert.deepEqual(editorKeyAction(key('Enter', { shiftKey: true })), { commit: true, move: 'up' });
  assert.deepEqual(editorKeyAction(key('Tab')), { commit: true, move: 'right' });
  assert.deepEqual(editorKeyAction(key('Tab', { shiftKey: true })), { commit: true, move: 'left' });
  assert.deepEqual(editorKeyAction(key('Escape')), { cancel: true });
  assert.equal(editorKeyAction(key('ArrowLeft')), null, 'the text field moves its caret');
});

test('Enter moves down and Tab across, wrapping at the end of a row', () => {
  const size = { rows: 3, columns: 4 };
  assert.deepEqual(nextCell({ row: 0, column: 2 }, 'down', size), { row: 1, column: 2 });
  assert.deepEqual(nextCell({ row: 1, column: 2 }, 'up', size), { row: 0, column: 2 });
  assert.deepEqual(nextCell({ row: 0, column: 2 }, 'right', size), { row: 0, column: 3 });
  assert.deepEqual(nextCell({ row: 0, column: 3 }, 'right', size), { row: 1, column: 0 });
  assert.deepEqual(nextCell({ row: 1, column: 0 }, 'left', size), { row: 0, column: 3 });
});

test('at the edge of the grid the cell stays put', () => {
  const size = { rows: 2, columns: 2 };
  assert.deepEqual(nextCell({ row: 1, column: 0 }, 'down', size), { row: 1, column: 0 });
  assert.deepEqual(nextCell({ row: 0, column: 1 }, 'up', size), { row: 0, column: 1 });
  assert.deepEqual(nextCell({ row: 1, column: 1 }, 'right', size), { row: 1, column: 1 });
  assert.deepEqual(nextCell({ row: 0, column: 0 }, 'left', size), { row: 0, column: 0 });
});
