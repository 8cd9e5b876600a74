// What a screen reader hears of a run: its milestones (start, each quarter done, pause, end),
// never every retry or rate-limit wait the activity log lists. Pure: no DOM.

import { formatCount } from './format.js';

const QUARTERS = [25, 50, 75];

/**
 * The milestone a progress event crosses, or `null`: the first time `done` of `total` reaches a
 * quarter past `before` (the rows done at the previous event). A jump over several quarters
 * speaks only of the highest.
 */
export function progressMilestone(before, done, total) {
  if (!(total > 0) || done >= total) return null;
  const crossed = QUARTERS.filter((q) => before * 100 < q * total && done * 100 >= q * total);
  if (!crossed.length) return null;
  return `${crossed[crossed.length - 1]}% done: ${formatCount(done)} of ${formatCount(total)} rows.`;
}
