// "Test connection" in the window's words: where it connected, which of the lists a run reads
// the OAuth client may read (a refusal named with the permission it lacks), and the writes'
// permissions, which are checked on first use. Pure: no DOM.

import { plural } from './format.js';

/** "a, b and c". */
function list(items) {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items.join('');
}

/**
 * The lines to show for a connection report (`test_connection`'s answer), each
 * `{ text, tone }` with tone `ok`, `error` (a missing permission) or `muted`; `missing` counts
 * the refused reads.
 */
export function describeConnection(report) {
  const divisions = report.divisions ?? [];
  const reads = report.reads ?? [];
  const lines = [{
    text: `Connected to ${report.endpoint}: ${plural(divisions.length, 'division')} (${divisions.join(', ')}).`,
    tone: 'ok',
  }];
  const allowed = reads.filter((r) => r.outcome === 'allowed').map((r) => r.what);
  if (allowed.length) lines.push({ text: `Can read ${list(allowed)}.`, tone: 'ok' });
  const missing = reads.filter((r) => r.outcome === 'missing');
  for (const read of missing) {
    lines.push({ text: `Cannot read ${read.what}: the OAuth client needs the permission ${read.permission}.`, tone: 'error' });
  }
  for (const read of reads.filter((r) => r.outcome === 'failed' || r.outcome === 'notChecked')) {
    lines.push({ text: `Not checked: ${read.what} (${read.message ?? 'no answer'}).`, tone: 'muted' });
  }
  const writes = (report.writes ?? [])
    .filter((w) => w.permission)
    .map((w) => `${w.permission} to ${w.what}`);
  if (writes.length) lines.push({ text: `Checked on first use: ${writes.join('; ')}.`, tone: 'muted' });
  return { lines, missing: missing.length };
}
