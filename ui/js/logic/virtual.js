// The arithmetic of the virtual grid: which rows to draw for a scroll position. Pure: no DOM.

/**
 * The rows to draw: those in the viewport plus `overscan` above and below.
 * Returns `{ first, end, offset }`: draw rows `first` (inclusive) to `end` (exclusive), the first
 * one `offset` pixels from the top of the scrolled content.
 */
export function visibleRange({ scrollTop, viewportHeight, rowHeight, rowCount, overscan = 6 }) {
  if (rowCount <= 0 || rowHeight <= 0 || viewportHeight <= 0) {
    return { first: 0, end: 0, offset: 0 };
  }
  const maxScroll = Math.max(0, rowCount * rowHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(rowCount, Math.ceil((top + viewportHeight) / rowHeight) + overscan);
  return { first, end, offset: first * rowHeight };
}

/** The scroll position that brings row `index` into view, or `null` when it already is. */
export function scrollToReveal({ index, scrollTop, viewportHeight, rowHeight }) {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}

/** The row a key moves to, for keyboard navigation of the grid. */
export function moveSelection(key, current, rowCount, pageRows) {
  if (rowCount === 0) return null;
  const at = current ?? -1;
  const clamp = (i) => Math.min(rowCount - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown': return clamp(at + 1);
    case 'ArrowUp': return clamp(at - 1);
    case 'PageDown': return clamp(at + pageRows);
    case 'PageUp': return clamp(at - pageRows);
    case 'Home': return 0;
    case 'End': return rowCount - 1;
    default: return current;
  }
}
