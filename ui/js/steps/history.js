// The history of runs on the results step: each run's outcome, Open for its results, Resume
// for an unfinished one, and Send invitations… for its created users nobody invited yet.

import * as api from '../api.js';
import {
  h, $, ask, button, replace, showError, toast,
} from '../dom.js';
import { onShow, messageOf } from '../store.js';
import { RateTracker } from '../logic/rate.js';
import { formatCount, formatWhen } from '../logic/format.js';
import { newRun } from '../logic/run-inbox.js';
import { invitationOutcome, invitationQuestion } from '../logic/invite.js';
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

/**
 * Invite a past run's created users who were not invited, once the user agreed; a run whose
 * journal does not say its org asks that too (`confirm`).
 */
async function sendInvitations(entry, orgConfirmed = false) {
  showError($('#history-error'), null);
  if (!orgConfirmed && !await ask($('#invite-dialog'), invitationQuestion(entry))) return;
  try {
    const outcome = invitationOutcome(await api.inviteRun(entry.id, orgConfirmed));
    toast(`Run ${entry.id}: ${outcome.text}`, { kind: outcome.ok ? 'info' : 'error' });
  } catch (error) {
    if (error?.kind === 'confirm' && !orgConfirmed) {
      if (await ask($('#resume-org-dialog'), error.message)) await sendInvitations(entry, true);
      return;
    }
    showError($('#history-error'), messageOf(error));
  }
  await loadHistory();
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
          : null,
        entry.invitable
          ? button('secondary', {
            'aria-label': `Send invitations to the users run ${entry.id} created`,
            'data-invite': entry.id,
            onclick: () => sendInvitations(entry),
          }, 'Send invitations…')
          : null));
  }));
}
