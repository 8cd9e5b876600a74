// A newer Rollcall: the shell checks for one (at start and then daily, unless turned off in
// About) and offers it here with its notes. Installing downloads it, verifies its signature,
// installs it and restarts; never while a run is going.

import * as api from './api.js';
import { button, h, showError } from './dom.js';
import { messageOf } from './store.js';
import { runGoing } from './steps/run.js';

/** Listen for offers, and show the one the check at start may have found before the window loaded. */
export async function initUpdates() {
  await api.listen('rollcall://update-available', ({ payload }) => offer(payload));
  const found = await api.offeredUpdate();
  if (found) offer(found);
}

/** Check now (from About); says the outcome in `status`. */
export async function checkNow(status) {
  status.textContent = 'Checking…';
  try {
    const found = await api.checkForUpdate();
    status.textContent = found ? '' : 'Rollcall is up to date.';
    if (found) offer(found);
  } catch (error) {
    status.textContent = messageOf(error);
  }
}

function offer(update) {
  document.getElementById('update-dialog')?.remove();
  const error = h('p', { class: 'field-error', id: 'update-error', role: 'alert', hidden: true });
  const status = h('span', { class: 'status-line', id: 'update-status', role: 'status' });
  const dialog = h('dialog', { id: 'update-dialog', class: 'wide', 'aria-labelledby': 'update-title' },
    h('h2', { id: 'update-title' }, `Rollcall ${update.version} is available`),
    h('p', {}, `You have ${update.currentVersion}. Installing it restarts Rollcall; runs in the history stay.`),
    update.notes ? h('pre', { class: 'release-notes', id: 'update-notes' }, update.notes) : null,
    error,
    h('div', { class: 'actions' },
      status,
      button('secondary', { id: 'update-later', onclick: () => dialog.close() }, 'Later'),
      button('primary', { id: 'update-install', onclick: () => install(error, status) }, 'Install and restart')));
  document.body.append(dialog);
  dialog.showModal();
}

async function install(error, status) {
  showError(error, null);
  if (runGoing()) {
    showError(error, 'Rollcall updates once the run has ended: the update restarts the app.');
    return;
  }
  const installButton = document.getElementById('update-install');
  installButton.disabled = true;
  try {
    status.textContent = 'Downloading and checking the signature…';
    await api.downloadUpdate();
    status.textContent = 'Installing…';
    await api.installUpdate();
  } catch (failure) {
    status.textContent = '';
    showError(error, messageOf(failure));
    installButton.disabled = false;
  }
}
