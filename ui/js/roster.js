// *Export users…* in Results & history: the connected profile's org written to a CSV or XLSX
// the user chooses, with progress that moves at every page and a clock that keeps ticking, so
// a large org never looks stuck. Loaded by its own block in index.html.

import { $, showError } from './dom.js';
import { formatCount, formatDuration, plural } from './logic/format.js';
import { messageOf, store } from './store.js';

/** What an export event says, and how far along it is (0 to 1, or null when unknown). */
function describe({ event, data }) {
  switch (event) {
    case 'started':
      return { text: `Reading the org of ${store.profile}…`, share: null };
    case 'users':
      return {
        text: `Reading users: ${formatCount(data.users)} of ${formatCount(data.total)}`,
        share: data.total ? (0.7 * data.users) / data.total : null,
      };
    case 'memberships':
      return {
        text: `Reading who holds each role and who is in each queue: ${data.done} of ${data.total}`,
        share: 0.7 + (0.2 * data.done) / Math.max(1, data.total),
      };
    case 'externalIds':
      return {
        text: `Reading external ids: ${formatCount(data.done)} of ${formatCount(data.total)} users`,
        share: 0.9 * (data.done / Math.max(1, data.total)),
      };
    case 'written':
      return {
        text: `Writing the file: ${formatCount(data.done)} of ${formatCount(data.total)} users`,
        share: 0.9 + (0.1 * data.done) / Math.max(1, data.total),
      };
    default:
      return { text: 'Working…', share: null };
  }
}

async function exportUsers() {
  const button = $('#roster-export');
  const progress = $('#roster-progress');
  const status = $('#roster-status');
  showError($('#roster-error'), null);
  status.classList.remove('ok');
  let started = Date.now();
  let latest = null;
  const show = () => {
    const elapsed = formatDuration((Date.now() - started) / 1000);
    status.textContent = `${latest.text} (${elapsed})`;
    if (latest.share == null) progress.removeAttribute('value');
    else progress.value = latest.share;
  };
  let clock = null;
  const channel = new window.__TAURI__.core.Channel();
  channel.onmessage = (event) => {
    latest = describe(event);
    // The Save dialog comes first: the clock starts once a file is chosen (the first event).
    if (!clock) {
      started = Date.now();
      progress.hidden = false;
      clock = setInterval(show, 1000);
    }
    show();
  };
  button.disabled = true;
  try {
    const summary = await window.__TAURI__.core.invoke('export_users', {
      profile: store.profile,
      externalIds: $('#roster-external-ids').checked,
      onEvent: channel,
    });
    if (!summary) {
      status.textContent = '';
      return;
    }
    status.classList.add('ok');
    const warnings = summary.warnings.length ? ` ${summary.warnings.join(' ')}` : '';
    status.textContent = `Exported ${plural(summary.users, 'user')} to ${summary.path} `
      + `(${plural(summary.calls, 'API call')}). The file holds the org's personal data and only you can read it.${warnings}`;
  } catch (error) {
    status.textContent = '';
    showError($('#roster-error'), messageOf(error));
  } finally {
    clearInterval(clock);
    progress.hidden = true;
    button.disabled = false;
    button.focus();
  }
}

$('#roster-export').addEventListener('click', exportUsers);
