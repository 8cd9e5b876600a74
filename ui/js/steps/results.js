// Step 5's results: the summary of the run shown (the live one, or one opened from the
// history), its rows filtered by outcome, one row's detail, and the exports.

import * as api from '../api.js';
import { h, $, replace, showError } from '../dom.js';
import { onShow, messageOf } from '../store.js';
import { Grid } from '../grid.js';
import {
  formatCount, formatDuration, formatRate, plural, statusLabel,
} from '../logic/format.js';
import {
  hasFailedStep, kindsOf, resultStatus, stepSummary, stepTone,
} from '../logic/steps.js';

const FAILED = new Set(['failed', 'invalid']);
const TONES = {
  created: 'ok', restored: 'ok', updated: 'ok', existed: 'info', skipped: 'muted', failed: 'error', invalid: 'error', pending: 'muted', sending: 'muted',
};

/** The run whose results the results step shows: the live one, or one opened from the history. */
let shown = null;
let resultsGrid;

export function initResults() {
  resultsGrid = new Grid($('#results-grid'), {
    label: 'Results',
    onSelect: (position) => showResultDetail(position),
  });
  resultsGrid.setColumns(columnsFor([]));
  $('#results-filter').addEventListener('change', applyResultsFilter);
  $('#export-results').addEventListener('click', () => exportRun('results'));
  $('#export-failed').addEventListener('click', () => exportRun('failedRows'));
  onShow('results', () => resultsGrid.refresh());
}

/** Make `run` the one the results step shows. */
export function setShown(run) {
  shown = run;
}

/** Whether the results step shows `run`. */
export const isShown = (run) => run === shown;

/**
 * The grids' columns: `cell(run, index, row)` gives `{ text, tone?, title? }`. When the run has
 * steps, a column for each kind it has (Division, Profile, Roles, Skills, Queues, Location,
 * Extension, Password, Employer info, Auto-answer, Groups, Languages, External ID, Phone) comes
 * right after the e-mail, so what was done to each user is in view;
 * the message follows.
 */
export function columnsFor(kinds) {
  const live = (run, index) => run.errors.get(index);
  const WIDTHS = {
    division: 140, profile: 240, roles: 210, skills: 180, queue: 190, location: 150, extension: 110, password: 200,
    employer: 240, autoAnswer: 110, group: 190, languages: 180, externalId: 160, phone: 200,
  };
  return [
    { label: 'Line', width: 64, cell: (run, index, row) => ({ text: String(row.line), tone: 'muted' }) },
    {
      label: 'Result',
      width: 120,
      cell: (run, index) => {
        const status = resultStatus(statusOf(run, index), stepsOf(run, index));
        return { text: statusLabel(status), tone: TONES[status] };
      },
    },
    { label: 'Name', width: kinds.length ? 160 : 180, cell: (run, index, row) => ({ text: row.name ?? '' }) },
    { label: 'E-mail', width: kinds.length ? 230 : 250, cell: (run, index, row) => ({ text: row.email ?? '' }) },
    ...kinds.map(({ kind, label }) => ({
      label,
      width: WIDTHS[kind] ?? 180,
      cell: (run, index) => {
        const steps = stepsOf(run, index);
        const text = stepSummary(steps, kind);
        return { text, title: text, tone: stepTone(steps, kind) };
      },
    })),
    {
      label: 'Message',
      width: 420,
      cell: (run, index, row) => {
        const message = rowMessage(run, index, row);
        return { text: message, title: message, tone: FAILED.has(statusOf(run, index)) ? 'error' : '' };
      },
    },
    { label: 'User ID', width: 290, cell: (run, index, row) => ({ text: live(run, index)?.userId ?? row.userId ?? '', tone: 'muted' }) },
    {
      label: 'Correlation ID',
      width: 290,
      cell: (run, index, row) => ({ text: live(run, index)?.correlationId ?? row.error?.correlationId ?? '', tone: 'muted' }),
    },
  ];
}

/**
 * The columns of `run`'s grids, laid out again when the step kinds its rows have changed (they
 * are known from the journal).
 */
export function columnsOf(run) {
  const kinds = kindsOf(run.rows.map((row) => row.steps));
  const layout = kinds.map((k) => k.kind).join();
  if (layout !== run.layout) {
    run.layout = layout;
    run.columns = columnsFor(kinds);
  }
  return run.columns;
}

/**
 * Reads `run`'s rows from the journal. Once the run has ended the journal holds every step:
 * what the events said is no longer needed (and could be older than the journal).
 */
export async function fetchRows(run) {
  try {
    run.rows = await api.runRows(run.runId);
  } catch (error) {
    showError($('#run-error'), messageOf(error));
  }
  if (!run.going) run.steps.clear();
}

function statusOf(run, index) {
  return run.status.get(index) ?? run.rows[index]?.status ?? 'pending';
}

function stepsOf(run, index) {
  return run.steps.get(index) ?? run.rows[index]?.steps ?? [];
}

function rowMessage(run, index, row) {
  const live = run.errors.get(index);
  return live?.message ?? live?.note ?? row.error?.message ?? row.note ?? '';
}

/** Failed or invalid, or created with a step that failed (what the failed-rows file holds). */
function needsAttention(run, index) {
  return FAILED.has(statusOf(run, index)) || hasFailedStep(stepsOf(run, index));
}

/** The cell of `run`'s row `index` in `column` of its grids. */
export function cellOf(run, index, column) {
  const row = run.rows[index];
  const definition = run.columns?.[column];
  if (!row || !definition) return { text: '' };
  return definition.cell(run, index, row);
}

/** Show `run`'s rows again in the results grid when it is the run shown there. */
export function refreshResults(run) {
  if (run === shown) applyResultsFilter();
}

/** The results step for `run`: its counts, what it took, and its rows. */
export function showResults(run) {
  $('#results-body').hidden = false;
  const p = run.summary?.progress;
  const count = (wanted) => run.rows.filter((_, i) => wanted.includes(statusOf(run, i))).length;
  const created = count(['created']);
  const updated = run.rows.filter((_, i) => resultStatus(statusOf(run, i), stepsOf(run, i)) === 'updated').length;
  const existed = count(['existed']) - updated;
  const restored = count(['restored']);
  const skipped = count(['skipped']);
  const failed = count(['failed', 'invalid']);
  const allSteps = run.rows.flatMap((_, i) => stepsOf(run, i));
  const stepsFailed = allSteps.filter((step) => step.status === 'failed').length;
  const stepsDone = allSteps.filter((step) => step.status === 'done').length;
  const attention = run.rows.filter((_, i) => needsAttention(run, i)).length;
  const tile = (value, label, tone, key) => h('div', { class: `tile ${tone}`, 'data-count': key },
    h('span', { class: 'value' }, formatCount(value)), h('span', { class: 'label' }, label));
  replace($('#results-tiles'),
    tile(created, 'created', 'ok', 'created'),
    tile(existed, 'already existed', 'info', 'existed'),
    updated ? tile(updated, 'updated', 'ok', 'updated') : null,
    restored ? tile(restored, 'restored', 'ok', 'restored') : null,
    tile(skipped, 'skipped', 'warning', 'skipped'),
    tile(failed, 'failed or invalid', 'error', 'failed'),
    stepsFailed ? tile(stepsFailed, stepsFailed === 1 ? 'step failed' : 'steps failed', 'error', 'steps-failed') : null);
  $('#results-lede').textContent = `Run ${run.runId}${run.source ? ` of ${run.source}` : ''}.`;
  $('#results-facts').textContent = p && p.elapsedSeconds
    ? `Took ${formatDuration(p.elapsedSeconds)}, ${formatRate((p.done / Math.max(1, p.elapsedSeconds)) * 60)} on average, ${plural(p.requests, 'request')} and ${plural(p.retries, 'retry', 'retries')}.`
    : `${plural(run.rows.length, 'row')}.`;
  if (allSteps.length) {
    $('#results-facts').textContent += ` Steps after the creates: ${formatCount(stepsDone)} of ${plural(allSteps.length, 'step')} done, ${formatCount(stepsFailed)} failed.`;
  }
  $('#export-failed').disabled = attention === 0;
  applyResultsFilter();
}

function applyResultsFilter() {
  const run = shown;
  if (!run) return;
  const columns = columnsOf(run);
  if (resultsGrid.columns !== columns) resultsGrid.setColumns(columns);
  const wanted = $('#results-filter').value;
  const matches = (status, index) => {
    if (!wanted) return true;
    if (wanted === 'failed') return FAILED.has(status) || hasFailedStep(stepsOf(run, index));
    if (wanted === 'pending') return status === 'pending' || status === 'sending';
    return status === wanted;
  };
  run.order = wanted ? run.rows.map((_, i) => i).filter((i) => matches(statusOf(run, i), i)) : null;
  const visible = run.order ? run.order.length : run.rows.length;
  $('#results-count').textContent = `${formatCount(visible)} of ${plural(run.rows.length, 'row')}`;
  resultsGrid.setRows(visible, (position, column) => cellOf(run, run.order ? run.order[position] : position, column));
}

function showResultDetail(position) {
  const run = shown;
  const index = run.order ? run.order[position] : position;
  const row = run.rows[index];
  if (!row) return;
  const status = statusOf(run, index);
  const live = run.errors.get(index);
  const message = rowMessage(run, index, row);
  const code = live?.code ?? row.error?.code;
  const steps = stepsOf(run, index);
  const stepItems = kindsOf([steps])
    .map(({ kind, label }) => ({ label, text: stepSummary(steps, kind), tone: stepTone(steps, kind) }))
    .filter((item) => item.text)
    .map((item) => h('li', { class: item.tone === 'error' ? 'error' : '' }, `${item.label}: ${item.text}`));
  replace($('#results-detail'),
    h('strong', {}, `Line ${row.line} · ${row.email ?? ''}: ${statusLabel(resultStatus(status, steps))}`),
    message || stepItems.length
      ? h('ul', {},
        message ? h('li', { class: FAILED.has(status) ? 'error' : '' }, code ? `${message} (${code})` : message) : null,
        stepItems)
      : null);
}

async function exportRun(kind) {
  if (!shown) return;
  showError($('#export-error'), null);
  $('#export-status').textContent = '';
  try {
    const written = await api.exportRun(shown.runId, kind);
    if (!written) return;
    $('#export-status').textContent = `Saved ${plural(written.rows, 'row')} to ${written.path}.${written.advice ? ` ${written.advice}` : ''}`;
  } catch (error) {
    showError($('#export-error'), messageOf(error));
  }
}
