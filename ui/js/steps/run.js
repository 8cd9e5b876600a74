// Step 4: the run (progress, speed chart, activity log, rows as they finish; Pause, Resume,
// Cancel), started from the plan or resumed from the history.

import * as api from '../api.js';
import {
  h, $, ask, replace, showError, toast,
} from '../dom.js';
import { store, goTo, onShow, markDone, messageOf } from '../store.js';
import { Grid } from '../grid.js';
import { SpeedChart } from '../chart.js';
import { RateTracker, chartNote, rateMeansSomething } from '../logic/rate.js';
import { progressMilestone } from '../logic/milestones.js';
import {
  formatCount, formatDuration, formatRate, plural,
} from '../logic/format.js';
import { stepProgress } from '../logic/steps.js';
import { bindRunEvents, newRun } from '../logic/run-inbox.js';
import {
  cellOf, columnsFor, columnsOf, fetchRows, isShown, refreshResults, setShown, showResults,
} from './results.js';

const LOG_LIMIT = 300;

/** The run this window drives, which the run step shows (see `newRun`). */
let live = null;
let runGrid;
let chart;
/** Told when a run ends that the results step does not show, so the history lists its end. */
let historyChanged = () => {};

/** Wire the run step; `onHistoryChanged` is called when a run ends that the results step does not show. */
export function initRun({ onHistoryChanged }) {
  historyChanged = onHistoryChanged;
  runGrid = new Grid($('#run-grid'), { label: 'Rows of the run' });
  runGrid.setColumns(columnsFor([]));
  chart = new SpeedChart($('#run-chart'));
  $('#run-pause').addEventListener('click', () => control(api.pauseRun));
  $('#run-resume').addEventListener('click', () => control(api.continueRun));
  $('#run-cancel').addEventListener('click', () => control(api.cancelRun));
  onShow('run', () => runGrid.refresh());
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
export async function resumeRun(runId, orgConfirmed = false) {
  showError($('#history-error'), null);
  const run = newRun({ going: true });
  const inbox = bindRunEvents(run, onEvents);
  try {
    beginRun(run, await api.resumeRun(runId, inbox.receive, orgConfirmed), 'Resuming');
    inbox.open();
  } catch (error) {
    if (error?.kind === 'confirm' && !orgConfirmed) {
      if (await ask($('#resume-org-dialog'), error.message)) await resumeRun(runId, true);
      return;
    }
    showError($('#history-error'), messageOf(error));
  }
}

function beginRun(run, started, verb) {
  run.runId = started.runId;
  run.total = started.total;
  run.tracker = new RateTracker();
  live = run;
  setShown(run);
  replace($('#run-log'));
  $('#run-lede').textContent = `${verb} in ${store.profile}: run ${started.runId}.`;
  $('#run-status').textContent = 'Starting…';
  setButtons({ going: true, paused: false });
  renderProgress({ done: 0, total: started.total });
  goTo('run');
  drawChart(run);
  log(`${verb}: ${plural(started.total, 'row')} on ${plural(started.poolSize, 'token')}, each paced just under ${formatCount(started.allowancePerMinute)} requests a minute.`);
  announce(`${verb}: ${plural(started.total, 'row')}.`);
  loadRows(run);
}

async function loadRows(run) {
  await fetchRows(run);
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
      case 'progress': {
        const before = run.progress?.done ?? 0;
        run.progress = data;
        run.tracker.addProgress(data);
        if (!onScreen) break;
        renderProgress(data);
        drawChart(run);
        const milestone = progressMilestone(before, data.done, data.total);
        if (milestone) announce(milestone);
        break;
      }
      case 'paused':
        if (!onScreen) break;
        setButtons({ going: true, paused: data.paused });
        $('#run-status').textContent = data.paused ? 'Paused: requests in flight finish, nothing new starts.' : 'Running.';
        log(data.paused ? 'Paused.' : 'Resumed.');
        announce(data.paused ? 'Paused.' : 'Resumed.');
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
    // A rate over a few rows in an instant says nothing ("8,701 / min"): a dash until it does.
    stat('Rate', rateMeansSomething(p) ? formatRate(p.perMinute) : '—', 'rate'),
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
  // Spark paints a danger slot red even when its button is disabled: Cancel is red only while
  // there is a run to cancel.
  $('#run-cancel').parentElement.setAttribute('accent', going ? 'danger' : 'secondary');
}

/** Draw the live run's speed, or say why there is nothing to chart yet. */
function drawChart(run) {
  const note = chartNote(run.tracker, { going: run.going });
  $('#run-chart-note').hidden = note == null;
  $('#run-chart-note').textContent = note ?? '';
  chart.draw(run.tracker);
}

/** Tell a screen reader of a milestone of the run (the activity log itself is not announced). */
function announce(text) {
  $('#run-announce').textContent = text;
}

async function control(call) {
  if (!live?.going) return;
  try {
    await call(live.runId);
    if (call === api.cancelRun) {
      $('#run-status').textContent = 'Cancelling: requests in flight finish…';
      announce('Cancelling.');
    }
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
  if (isShown(run)) showResults(run);
  else historyChanged();
  toast(run === live ? text : `Run ${run.runId}: ${text}`, { kind: summary.status === 'finished' ? 'info' : 'error' });
}

/** The run step's account of how the live run ended. */
function showEnd(summary, text) {
  setButtons({ going: false });
  if (summary.progress.total) renderProgress(summary.progress);
  $('#run-status').textContent = text;
  announce(text);
  drawChart(live);
  log(text, summary.status === 'finished' ? '' : 'warning');
  if (summary.message) {
    showError($('#run-error'), summary.message);
    log(summary.message, 'error');
  }
  markDone('run', summary.status === 'finished');
}

/** Show `run`'s rows in the grids that show it: the run step's when it is the live run, the
 * results' when it is the one shown there. */
function refreshGrids(run) {
  const columns = columnsOf(run);
  if (run === live) {
    if (runGrid.columns !== columns) runGrid.setColumns(columns);
    runGrid.setRows(run.rows.length, (i, c) => cellOf(run, i, c));
  }
  refreshResults(run);
}

/** Whether a run is going in this window (a file that arrives, or an update, waits for it). */
export const runGoing = () => Boolean(live?.going);
