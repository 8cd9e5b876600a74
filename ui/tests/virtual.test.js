import test from 'node:test';
import assert from 'node:assert/strict';
import { visibleRange, scrollToReveal, moveSelection } from '../js/logic/virtual.js';

test('only the rows in view and a few around them are drawn, even with 100,000 rows', () => {
  const range = visibleRange({
    scrollTop: 50_000 * 28, viewportHeight: 560, rowHeight: 28, rowCount: 100_000, overscan: 5,
  });
  assert.deepEqual(range, { first: 49_995, end: 50_025, offset: 49_995 * 28 });
  assert.ok(range.end - range.first <= 30, 'about a screenful of rows');
});

test('scrolling past the end draws the last rows, and nothing is drawn for no rows', () => {
  const range = visibleRange({
    scrollTop: 10_000_000, viewportHeight: 280, rowHeight: 28, rowCount: 100, overscan: 2,
  });
  assert.equal(range.end, 100);
  assert.equal(range.first, 88);
  assert.deepEqual(
    visibleRange({ scrollTop: 0, viewportHeight: 280, rowHeight: 28, rowCount: 0 }),
    { first: 0, end: 0, offset: 0 },
  );
});

test('revealing a row scrolls only when it is out of view', () => {
  assert.equal(scrollToReveal({ index: 3, scrollTop: 0, viewportHeight: 280, rowHeight: 28 }), null);
  assert.equal(scrollToReveal({ index: 20, scrollTop: 0, viewportHeight: 280, rowHeight: 28 }), 308);
  assert.equal(scrollToReveal({ index: 1, scrollTop: 280, viewportHeight: 280, rowHeight: 28 }), 28);
});

test('arrow and page keys move the selection within the rows', () => {
  assert.equal(moveSelection('ArrowDown', null, 10, 5), 0);
  assert.equal(moveSelection('ArrowDown', 9, 10, 5), 9);
  assert.equal(moveSelection('PageUp', 3, 10, 5), 0);
  assert.equal(moveSelection('End', 0, 10, 5), 9);
  assert.equal(moveSelection('x', 4, 10, 5), 4);
});
