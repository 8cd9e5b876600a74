// Step 3, Plan: options, the dry run against the org, what each row will do, and the "did you
// mean" fixes of names the org does not have.

import * as api from '../api.js';
import {
  h, $, button, replace, showError,
} from '../dom.js';
import { store, onShow, markDone, messageOf } from '../store.js';
import {
  formatCount, formatDuration, plural, rateSourceText,
} from '../logic/format.js';
import { describeStepTotals, noteText, runLabel } from '../logic/steps.js';
import { groupSuggestions, suggestionButton, suggestionText } from '../logic/suggestions.js';
import { startRun } from './run.js';
import { send } from './edit.js';

export function initPlan() {
  $('#plan-form').addEventListener('submit', (event) => {
    event.preventDefault();
    makePlan();
  });
  $('#run-go').addEventListener('click', () => startRun());
  onShow('plan', loadDivisions);
  // An edit in the import step: the plan shown is of the rows as they were.
  document.addEventListener('rollcall:rows-changed', () => {
    $('#plan-result').hidden = true;
    $('#plan-outdated').hidden = false;
  });
}

async function loadDivisions() {
  $('#plan-status').textContent = store.preview
    ? `${store.preview.source.fileName} against ${store.profile}.`
    : 'Open a file first (step 2).';
  $('#plan-go').disabled = !store.preview;
  if (store.divisions || !store.preview) return fillDivisions();
  try {
    const report = await api.testConnection({ name: store.profile, target: { kind: 'sandbox' }, clientId: '' });
    store.divisions = report.divisions;
  } catch (error) {
    showError($('#plan-error'), messageOf(error));
  }
  fillDivisions();
}

function fillDivisions() {
  const select = $('#plan-division');
  const chosen = select.value;
  replace(select,
    h('option', { value: '' }, "The org's home division"),
    (store.divisions ?? []).map((name) => h('option', { value: name, selected: name === chosen }, name)));
}

function options() {
  const pool = $('#plan-pool').value;
  return {
    defaultDivision: $('#plan-division').value || null,
    deletedPolicy: $('#plan-deleted').value,
    poolSize: pool ? Number(pool) : null,
    invite: $('#plan-invite').checked,
    updateExisting: $('#plan-update').checked,
  };
}

async function makePlan() {
  showError($('#plan-error'), null);
  showError($('#plan-division-error'), null);
  $('#plan-status').textContent = `Reading the org of ${store.profile}…`;
  $('#plan-go').disabled = true;
  try {
    const plan = await api.makePlan(store.profile, options());
    store.plan = plan;
    showPlan(plan);
    $('#plan-outdated').hidden = true;
    $('#plan-status').textContent = '';
    markDone('plan');
  } catch (error) {
    $('#plan-status').textContent = '';
    const slot = error?.kind === 'plan' ? $('#plan-division-error') : $('#plan-error');
    showError(slot, messageOf(error));
  } finally {
    $('#plan-go').disabled = false;
  }
}

function tile(value, label, tone, key) {
  return h('div', { class: `tile ${tone}`, 'data-count': key },
    h('span', { class: 'value' }, formatCount(value)), h('span', { class: 'label' }, label));
}

function showPlan(plan) {
  const c = plan.counts;
  const deleted = c.restore + c.skipDeleted + c.failDeleted;
  $('#plan-result').hidden = false;
  replace($('#plan-tiles'),
    tile(c.create, 'will be created', 'info', 'create'),
    c.update ? tile(c.update, 'will be updated', 'info', 'update') : null,
    tile(c.exists, c.update ? 'already exist, nothing to add' : 'already exist', 'ok', 'exists'),
    tile(deleted, deleted ? `soft-deleted (${c.restore} restore, ${c.skipDeleted} skip, ${c.failDeleted} fail)` : 'soft-deleted', 'warning', 'deleted'),
    tile(c.invalid, 'invalid', 'error', 'invalid'));
  const calls = plan.callsPlanned;
  $('#plan-facts').textContent = `${plural(calls, 'API call')} on ${plural(plan.poolSize, 'token')} at ${formatCount(plan.allowancePerMinute)} requests a minute each (${rateSourceText(plan.rateSource)}): about ${formatDuration(plan.estimatedSeconds)}. Rows without a division go to ${plan.defaultDivision}.`;
  const steps = describeStepTotals(plan.steps);
  $('#plan-steps').textContent = steps ?? '';
  $('#plan-steps').hidden = !steps;
  // Invalid rows first: they are what the admin has to fix before running.
  const notes = [...plan.notes].sort((a, b) => Number(isInvalid(plan, b)) - Number(isInvalid(plan, a)));
  const shown = notes.slice(0, 200);
  showSuggestions(plan);
  showPasswordLines(plan.passwordLines);
  replace($('#plan-notes'), shown.map((note) => h('li', {
    class: isInvalid(plan, note) ? 'error' : '',
    'data-line': note.line,
  }, noteText(note.line, note.messages))),
  notes.length > shown.length ? h('li', {}, `…and ${formatCount(notes.length - shown.length)} more; all of them are in the results file.`) : null);
  const work = c.create + c.restore + c.update;
  $('#run-go').disabled = work === 0;
  $('#run-go').textContent = runLabel(c);
  $('#run-go-hint').textContent = `in ${store.profile}`;
}

const isInvalid = (plan, note) => plan.actions[note.index] === 'invalid';

/** One button per unknown name the plan has a close match for. */
function showSuggestions(plan) {
  const groups = groupSuggestions(plan.notes);
  showError($('#plan-suggestion-error'), null);
  $('#plan-suggestions').hidden = groups.length === 0;
  replace($('#plan-suggestion-list'), groups.map((group) => h('li', {
    'data-field': group.field, 'data-name': group.name,
  },
  h('span', {}, suggestionText(group)),
  button('secondary', { 'data-use': group.use, onclick: (event) => useSuggestion(group, event.target) },
    suggestionButton(group)))));
}

/** Replace the unknown name in every row of its column, then plan again. */
function useSuggestion({ field, name, use }, pressed) {
  pressed.disabled = true;
  showError($('#plan-suggestion-error'), null);
  return send(() => api.applySuggestion(field, name, use), makePlan, (error) => {
    pressed.disabled = false;
    showError($('#plan-suggestion-error'), messageOf(error));
  });
}

/**
 * In a session whose rows were changed, the rows that run are not the file on disk: after a
 * restart a resume takes the passwords from that file only while it is unchanged, so the plan
 * says which rows would need theirs again. (The shell sends these lines only for an edited
 * session.)
 */
function showPasswordLines(lines = []) {
  const note = $('#plan-passwords');
  note.hidden = lines.length === 0;
  const shown = lines.slice(0, 10).join(', ');
  const more = lines.length > 10 ? ` and ${formatCount(lines.length - 10)} more` : '';
  note.textContent = lines.length
    ? `${plural(lines.length, 'row')} will be sent a password (line${lines.length === 1 ? '' : 's'} ${shown}${more}). Passwords are never kept in the journal: if the run stops and has to be resumed after a restart, Rollcall reads them again only from ${store.preview?.source.fileName ?? 'the file'}, unchanged, and only for rows that had no error there. Rows it cannot find a password for fail, saying so, and need their passwords again.`
    : '';
}
