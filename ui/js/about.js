// About Rollcall: its version, the folders it keeps things in (each with a button that shows it
// in the file manager: the window names a folder, `data`, `config` or `logs`, and the shell opens
// that folder and nothing else), and updates: the automatic check's setting and Check now.

import * as api from './api.js';
import { $, button, h, replace, showError } from './dom.js';
import { messageOf } from './store.js';
import { checkNow } from './updates.js';

const FOLDERS = [
  ['data', 'dataDir', 'Data (run history, sandbox org)'],
  ['config', 'configDir', 'Settings (profiles, column choices)'],
  ['logs', 'logDir', 'Logs'],
];

export function initAbout() {
  const dialog = h('dialog', { id: 'about-dialog', class: 'wide', 'aria-labelledby': 'about-title' });
  document.body.append(dialog);
  $('#about-open').addEventListener('click', () => show(dialog));
}

async function show(dialog) {
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  let about = null;
  let settings = null;
  try {
    [about, settings] = await Promise.all([api.about(), api.updateSettings()]);
  } catch (failure) {
    showError(error, messageOf(failure));
  }
  const updateStatus = h('span', { class: 'status-line', id: 'update-check-status', role: 'status' });
  replace(dialog,
    h('h2', { id: 'about-title' }, about ? `Rollcall ${about.version}` : 'Rollcall'),
    h('p', { class: 'hint' }, 'Rollcall sends nothing anywhere except to the Genesys Cloud orgs you connect to and, unless turned off below, the check for a new version.'),
    about
      ? h('dl', { class: 'folders' }, FOLDERS.map(([folder, key, label]) => [
        h('dt', {}, label),
        h('dd', {},
          h('code', { 'data-folder': folder }, about[key]),
          button('secondary', { 'data-open-folder': folder, onclick: () => open(folder, error) }, 'Open')),
      ]))
      : null,
    settings
      ? h('div', { class: 'actions' },
        h('gux-form-field-checkbox', { class: 'check' },
          h('input', {
            slot: 'input',
            type: 'checkbox',
            id: 'update-auto',
            checked: settings.checkAutomatically,
            onchange: (event) => saveSetting(event.target, error),
          }),
          h('label', { slot: 'label', for: 'update-auto' }, 'Check for a new version at start and every day')),
        button('secondary', { id: 'update-check', onclick: () => checkNow(updateStatus) }, 'Check now'),
        updateStatus)
      : null,
    error,
    h('div', { class: 'actions' },
      button('primary', { id: 'about-close', onclick: () => dialog.close() }, 'Close')));
  dialog.showModal();
}

async function saveSetting(checkbox, error) {
  showError(error, null);
  try {
    await api.saveUpdateSettings({ checkAutomatically: checkbox.checked });
  } catch (failure) {
    checkbox.checked = !checkbox.checked;
    showError(error, messageOf(failure));
  }
}

async function open(folder, error) {
  showError(error, null);
  try {
    await api.openFolder(folder);
  } catch (failure) {
    showError(error, messageOf(failure));
  }
}
