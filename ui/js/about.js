// About Rollcall: its version and the folders it keeps things in, each with a button that shows
// it in the file manager. The window names a folder (`data`, `config`, `logs`); the shell opens
// that folder and nothing else.

import * as api from './api.js';
import { $, button, h, replace, showError } from './dom.js';
import { messageOf } from './store.js';

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
  let about;
  try {
    about = await api.about();
  } catch (failure) {
    about = null;
    showError(error, messageOf(failure));
  }
  replace(dialog,
    h('h2', { id: 'about-title' }, about ? `Rollcall ${about.version}` : 'Rollcall'),
    h('p', { class: 'hint' }, 'Rollcall sends nothing anywhere except to the Genesys Cloud orgs you connect to and, when turned on, the check for a new version.'),
    about
      ? h('dl', { class: 'folders' }, FOLDERS.map(([folder, key, label]) => [
        h('dt', {}, label),
        h('dd', {},
          h('code', { 'data-folder': folder }, about[key]),
          button('secondary', { 'data-open-folder': folder, onclick: () => open(folder, error) }, 'Open')),
      ]))
      : null,
    error,
    h('div', { class: 'actions' },
      button('primary', { id: 'about-close', onclick: () => dialog.close() }, 'Close')));
  dialog.showModal();
}

async function open(folder, error) {
  showError(error, null);
  try {
    await api.openFolder(folder);
  } catch (failure) {
    showError(error, messageOf(failure));
  }
}
