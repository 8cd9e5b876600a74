// The history of runs on the results step: each run's outcome, Open for its results and
// Resume for an unfinished one.

import * as api from '../api.js';
import { h, $, button, replace, showError } from '../dom.js';
import { onShow, messageOf } from '../store.js';
import { RateTracker } from '../logic/rate.js';
import { formatCount, formatWhen } from '../logic/format.js';
import { newRun } from '../logic/run-inbox.js';
import { fetchRows, isShown, setShown, showResults } from './results.js';
import { resumeRun } from './run.js';

export function initHistory() {
  onShow('results', loadHistory);
}

/** Open a past run's results. */
async function openRun(entry) {
  const run = newRun({
    runId: entry.id, total: entry.total, source: entry.sourceName, tracker: new RateTracker(),
  });
  setShown(run);
  await fetchRows(run);
  if (isShown(run)) showResults(run);
}

/** List the journal's runs, newest first. */
export async function loadHistory() {
  let runs = [];
  try {
    runs = await api.listRuns();
    showError($('#history-error'), null);
  } catch (error) {
    showError($('#history-error'), messageOf(error));
  }
  const body = $('#history tbody');
  if (!runs.length) {
    replace(body, h('tr', {}, h('td', { colspan: 6, class: 'hint' }, 'No runs yet.')));
    return;
  }
  replace(body, runs.map((entry) => {
    const counts = entry.counts ?? {};
    const created = counts.created ?? 0;
    const failed = (counts.failed ?? 0) + (counts.invalid ?? 0);
    return h('tr', { 'data-run': entry.id },
      h('td', {}, formatWhen(entry.createdAt)),
      h('td', {}, entry.sourceName),
      h('td', {}, entry.profile ?? entry.endpoint),
      h('td', {}, h('span', { class: `status-pill ${entry.effectiveStatus}` }, entry.effectiveStatus)),
      h('td', {}, `${formatCount(created)} created · ${formatCount(failed)} failed · ${formatCount(entry.total)} rows`),
      h('td', { class: 'actions-cell' },
        button('secondary', { 'aria-label': `Open the results of run ${entry.id}`, onclick: () => openRun(entry) }, 'Open'),
        entry.resumable
          ? button('primary', { 'aria-label': `Resume run ${entry.id}`, onclick: () => resumeRun(entry.id) }, 'Resume')
          : null));
  }));
}
