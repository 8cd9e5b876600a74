// An edit's answer applied to the preview the window holds. The shell never sends the whole
// preview again after an edit: only the rows that changed (their cells, validity and issues),
// the lines removed or back again, and the new counts. Pure: no DOM.

import { indexIssues } from './issues.js';

/**
 * Where the row of `line` is in `rows` (sorted by line): `{ found, index }`, `index` being
 * where it would go when it is not there.
 */
export function findLine(rows, line) {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (rows[middle].line < line) low = middle + 1;
    else high = middle;
  }
  return { found: rows[low]?.line === line, index: low };
}

/**
 * Apply `delta` (the answer of an edit, undo or redo) to `preview` (the answer of opening the
 * file) and to `byLine` (its issues indexed by `indexIssues`), in place: removed rows leave,
 * restored ones come back in line order, changed ones take their new cells and validity, and
 * each of those lines' issues are replaced by the delta's.
 */
export function applyDelta(preview, byLine, delta) {
  const { rows } = preview;
  const touched = new Set(delta.removed);
  for (const line of delta.removed) {
    const at = findLine(rows, line);
    if (at.found) rows.splice(at.index, 1);
  }
  for (const row of delta.rows) {
    touched.add(row.line);
    const at = findLine(rows, row.line);
    if (at.found) rows[at.index] = row;
    else rows.splice(at.index, 0, row);
  }
  preview.issues = preview.issues
    .filter((issue) => !touched.has(issue.line))
    .concat(delta.issues)
    .sort((a, b) => a.line - b.line);
  for (const line of touched) byLine.delete(line);
  for (const [line, entry] of indexIssues(delta.issues, preview.headers)) byLine.set(line, entry);
  preview.counts = delta.counts;
  return preview;
}
