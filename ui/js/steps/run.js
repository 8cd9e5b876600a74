// Steps 4 and 5: the run (progress, speed chart, activity log, rows as they finish; Pause,
// Resume, Cancel), its results (summary, filter, exports) and the history of runs.

import * as api from '../api.js';
import { h, $, button, replace, showError, toast } from '../dom.js';
import { store, goTo, onShow, markDone, messageOf } from '../store.js';
import { Grid } from '../grid.js';
import { SpeedChart } from '../chart.js';
import { RateTracker } from '../logic/rate.js';
import {
  formatCount, formatDuration, formatRate, formatWhen, plural, statusLabel,
} from '../logic/format.js';
import {
  hasFailedStep, kindsOf, resultStatus, stepProgress, stepSummary, stepTone,
} from '../logic/post-creation.js';
import { bindRunEvents, newRun } from '../logic/run-inbox.js';

const LOG_LIMIT = 300;
const FAILED = new Set(['failed', 'invalid']);
const TONES = {
  created: 'ok', restored: 'ok', updated: 'ok', existed: 'info', skipped: 'muted', failed: 'error', invalid: 'error', pending: 'muted', sending: 'muted',
};

/** The run this window drives, which the run step shows (see `newRun`). */
let live = null;
/** The run whose results the results step shows: the live one, or one opened from the history. */
let shown = null;
let runGrid;
let resultsGrid;
let chart;

export function initRun() {
  runGrid = new Grid($('#run-grid'), { label: 'Rows of the run' });
  resultsGrid = new Grid($('#results-grid'), {
    label: 'Results',
    onSelect: (position) => showResultDetail(position),
  });
  for (const grid of [runGrid, resultsGrid]) grid.setColumns(columnsFor([]));
  chart = new SpeedChart($('#run-chart'));
  $('#run-pause').addEventListener('click', () => control(api.pauseRun));
  $('#run-resume').addEventListener('click', () => control(api.continueRun));
  $('#run-cancel').addEventListener('click', () => control(api.cancelRun));
  $('#results-filter').addEventListener('change', applyResultsFilter);
  $('#export-results').addEventListener('click', () => exportRun('results'));
  $('#export-failed').addEventListener('click', () => exportRun('failedRows'));
  onShow('results', () => {
    loadHistory();
    resultsGrid.refresh();
  });
  onShow('run', () => runGrid.refresh());
}

/**
 * The grids' columns: `cell(run, index, row)` gives `{ text, tone?, title? }`. When the run has
 * steps, a column for each kind it has (Division, Profile, Roles, Skills, Queues, Location,
 * Extension, Password) comes right after the e-mail, so what was done to each user is in view;
 * the message follows.
 */
function columnsFor(kinds) {
  const live = (run, index) => run.errors.get(index);
  const WIDTHS = {
    division: 140, profile: 240, roles: 210, skills: 180, queue: 190, location: 150, extension: 110, password: 200,
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

/** Start the planned run. */
export async function startRun() {
  showError($('#run-error'), null);
  $('#run-go').disabled = true;
  const run = newRun({ going: true });
  const inbox = bindRunEvents(run, onEvents);
  try {
    beginRun(run, await api.startRun(inbox.receive), 'Creating users');
    inbox.open();
  } catch (error) {
    showError($('#plan-error'), messageOf(error));
  } finally {
    $('#run-go').disabled = false;
  }
}

/**
 * Resume an unfinished run from the history. The shell resumes only in the run's own org; when
 * the journal does not say which that is, it asks (`confirm`), and the user's yes is sent back.
 */
async function resumeRun(runId, orgConfirmed = false) {
  showError($('#history-error'), null);
  const run = newRun({ going: true });
  const inbox = bindRunEvents(run, onEvents);
  try {
    beginRun(run, await api.resumeRun(runId, inbox.receive, orgConfirmed), 'Resuming');
    inbox.open();
  } catch (error) {
    if (error?.kind === 'confirm' && !orgConfirmed) {
      if (await agrees(error.message)) await resumeRun(runId, true);
      return;
    }
    showError($('#history-error'), messageOf(error));
  }
}

/** Ask `question` in the resume dialog; true when the user chose to go on. */
function agrees(question) {
  const dialog = $('#resume-org-dialog');
  $('#resume-org-question').textContent = question;
  return new Promise((resolve) => {
    const listening = new AbortController();
    const { signal } = listening;
    const answer = (yes) => {
      listening.abort();
      if (dialog.open) dialog.close();
      resolve(yes);
    };
    $('#resume-org-go').addEventListener('click', () => answer(true), { signal });
    $('#resume-org-cancel').addEventListener('click', () => answer(false), { signal });
    // Escape closes the dialog: that is a no.
    dialog.addEventListener('close', () => answer(false), { signal });
    dialog.showModal();
  });
}

function beginRun(run, started, verb) {
  run.runId = started.runId;
  run.total = started.total;
  run.tracker = new RateTracker();
  live = run;
  shown = run;
  replace($('#run-log'));
  $('#run-lede').textContent = `${verb} in ${store.profile}: run ${started.runId}.`;
  $('#run-status').textContent = 'Starting…';
  setButtons({ going: true, paused: false });
  renderProgress({ done: 0, total: started.total });
  goTo('run');
  chart.draw(run.tracker);
  log(`${verb}: ${plural(started.total, 'row')} on ${plural(started.poolSize, 'token')}, each paced just under ${formatCount(started.allowancePerMinute)} requests a minute.`);
  loadRows(run);
}

async function loadRows(run) {
  try {
    run.rows = await api.runRows(run.runId);
  } catch (error) {
    showError($('#run-error'), messageOf(error));
  }
  // Once the run has ended the journal holds every step: what the events said is no longer
  // needed (and could be older than the journal).
  if (!run.going) run.steps.clear();
  refreshGrids(run);
}

/** A batch of `run`'s events: its state changes whatever is on screen, the run step only shows
 * the live run's. */
function onEvents(run, events) {
  const onScreen = run === live;
  let rowsChanged = false;
  for (const { event, data } of events) {
    switch (event) {
      case 'started':
        run.total = data.total;
        break;
      case 'rowFinished':
        run.status.set(data.index, data.status);
        if (data.error || data.note) run.errors.set(data.index, { ...data.error, note: data.note, userId: data.userId });
        else if (data.userId) run.errors.set(data.index, { userId: data.userId });
        if (data.steps?.length) run.steps.set(data.index, data.steps);
        rowsChanged = true;
        break;
      case 'rowSteps':
        // Queue memberships settle after every row is through, batched per queue.
        run.steps.set(data.index, data.steps);
        rowsChanged = true;
        break;
      case 'retrying':
        run.tracker.mark(run.tracker.now, 'retry');
        if (onScreen) log(`Retrying ${data.operation}${data.line ? ` (line ${data.line})` : ''} in ${(data.waitMs / 1000).toFixed(1)} s: ${data.reason}`, 'warning');
        break;
      case 'rateLimited':
        run.tracker.mark(run.tracker.now, 'rateLimited');
        if (onScreen && data.waitMs >= 1000) log(`Genesys answered 429: token ${data.token + 1} waits ${(data.waitMs / 1000).toFixed(1)} s and slows down.`, 'warning');
        break;
      case 'progress':
        run.progress = data;
        run.tracker.addProgress(data);
        if (!onScreen) break;
        renderProgress(data);
        chart.draw(run.tracker);
        break;
      case 'paused':
        if (!onScreen) break;
        setButtons({ going: true, paused: data.paused });
        $('#run-status').textContent = data.paused ? 'Paused: requests in flight finish, nothing new starts.' : 'Running.';
        log(data.paused ? 'Paused.' : 'Resumed.');
        break;
      case 'finished':
        finish(run, data);
        break;
      default:
        break;
    }
  }
  if (rowsChanged) refreshGrids(run);
}

function renderProgress(p) {
  const bar = $('#run-progress');
  bar.max = Math.max(1, p.total);
  bar.value = p.done;
  $('#run-done').textContent = `${formatCount(p.done)} / ${formatCount(p.total)}`;
  if (p.perMinute == null) return replace($('#run-stats'));
  const stat = (label, value, key) => h('span', { 'data-stat': key }, `${label} `, h('strong', {}, value));
  replace($('#run-stats'),
    stat('Created', formatCount(p.created), 'created'),
    p.updated ? stat('Updated', formatCount(p.updated), 'updated') : null,
    stat('Already existed', formatCount(p.existed), 'existed'),
    stat('Failed', formatCount(p.failed), 'failed'),
    stat('Skipped', formatCount(p.skipped), 'skipped'),
    stat('Rate', formatRate(p.perMinute), 'rate'),
    p.ratePerMinute ? stat('Pacing at', `${formatCount(Math.round(p.ratePerMinute))} requests/min`, 'pace') : null,
    stat('ETA', p.etaSeconds == null ? '—' : formatDuration(p.etaSeconds), 'eta'),
    stat('Retries', formatCount(p.retries), 'retries'),
    stepProgress(p) ? stat('Steps', stepProgress(p), 'steps') : null);
  if ($('#run-status').textContent === 'Starting…') $('#run-status').textContent = 'Running.';
}

function setButtons({ going, paused }) {
  $('#run-pause').disabled = !going || paused;
  $('#run-resume').disabled = !going || !paused;
  $('#run-cancel').disabled = !going;
}

async function control(call) {
  if (!live?.going) return;
  try {
    await call(live.runId);
    if (call === api.cancelRun) $('#run-status').textContent = 'Cancelling: requests in flight finish…';
  } catch (error) {
    showError($('#run-error'), messageOf(error));
  }
}

function log(text, kind = '') {
  const list = $('#run-log');
  const time = new Date().toLocaleTimeString('en-GB');
  list.append(h('li', { class: kind }, h('time', {}, time), h('span', {}, text)));
  while (list.childElementCount > LOG_LIMIT) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

async function finish(run, summary) {
  run.going = false;
  run.summary = summary;
  const p = summary.progress;
  const words = {
    finished: 'Finished', cancelled: 'Cancelled', interrupted: 'Interrupted', running: 'Stopped',
  };
  const steps = stepProgress(p);
  const text = `${words[summary.status] ?? summary.status}: ${formatCount(p.created)} created, ${p.updated ? `${formatCount(p.updated)} updated, ` : ''}${formatCount(p.existed)} already existed, ${formatCount(p.skipped)} skipped, ${formatCount(p.failed)} failed.${steps ? ` Steps ${steps}.` : ''}`;
  if (run === live) showEnd(summary, text);
  await loadRows(run);
  // A past run opened from the history meanwhile stays on screen.
  if (run === shown) showResults(run);
  else loadHistory();
  toast(run === live ? text : `Run ${run.runId}: ${text}`, { kind: summary.status === 'finished' ? 'info' : 'error' });
}

/** The run step's account of how the live run ended. */
function showEnd(summary, text) {
  setButtons({ going: false });
  if (summary.progress.total) renderProgress(summary.progress);
  $('#run-status').textContent = text;
  log(text, summary.status === 'finished' ? '' : 'warning');
  if (summary.message) {
    showError($('#run-error'), summary.message);
    log(summary.message, 'error');
  }
  markDone('run', summary.status === 'finished');
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

/** Show `run`'s rows in the grids that show it: the run step's when it is the live run, the
 * results' when it is the one shown there. */
function refreshGrids(run) {
  // The steps' columns follow the kinds this run has (known from the journal at the start).
  const kinds = kindsOf(run.rows.map((row) => row.steps));
  const layout = kinds.map((k) => k.kind).join();
  if (layout !== run.layout) {
    run.layout = layout;
    run.columns = columnsFor(kinds);
  }
  if (run === live) {
    if (runGrid.columns !== run.columns) runGrid.setColumns(run.columns);
    runGrid.setRows(run.rows.length, (i, c) => cellOf(run, i, c));
  }
  if (run === shown) applyResultsFilter();
}

function cellOf(run, index, column) {
  const row = run.rows[index];
  const definition = run.columns?.[column];
  if (!row || !definition) return { text: '' };
  return definition.cell(run, index, row);
}

function showResults(run) {
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
  if (run.columns && resultsGrid.columns !== run.columns) resultsGrid.setColumns(run.columns);
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

/** Open a past run's results. */
async function openRun(entry) {
  const run = newRun({
    runId: entry.id, total: entry.total, source: entry.sourceName, tracker: new RateTracker(),
  });
  shown = run;
  await loadRows(run);
  if (run === shown) showResults(run);
}

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

/** Whether a run is going in this window. */
export const runGoing = () => Boolean(live?.going);
