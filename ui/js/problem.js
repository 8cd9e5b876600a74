// When the shell hits a problem it cannot recover from (a panic), the window says so, names the
// log file, and offers the details a bug report needs, shown in full before they are copied:
// the version, the OS and the log's last lines, with secrets and e-mail addresses taken out.

import * as api from './api.js';
import { button, h } from './dom.js';
import { messageOf } from './store.js';

/** Listen for problems; resolves once the window is listening. */
export function initProblem() {
  return api.listen('rollcall://problem', ({ payload }) => show(payload.logFile));
}

async function show(logFile) {
  document.getElementById('problem-dialog')?.remove();
  const details = h('textarea', { id: 'problem-details', class: 'details', readonly: true, rows: 12, 'aria-label': 'Details for a bug report' });
  const status = h('span', { class: 'status-line', id: 'problem-status', role: 'status' });
  const dialog = h('dialog', { id: 'problem-dialog', class: 'wide', 'aria-labelledby': 'problem-title' },
    h('h2', { id: 'problem-title' }, 'Rollcall hit a problem'),
    h('p', {}, 'Something went wrong inside Rollcall. What happened is written in the log file ',
      h('code', { id: 'problem-log' }, logFile),
      '. If it happens again, restart Rollcall; to report it, copy the details below into your report.'),
    details,
    h('div', { class: 'actions' },
      status,
      button('secondary', { id: 'problem-copy', onclick: () => copy(details, status) }, 'Copy details'),
      button('primary', { id: 'problem-close', onclick: () => dialog.close() }, 'Close')));
  document.body.append(dialog);
  dialog.showModal();
  try {
    details.value = await api.problemDetails();
  } catch (error) {
    details.value = messageOf(error);
  }
}

async function copy(details, status) {
  try {
    await navigator.clipboard.writeText(details.value);
  } catch {
    // Older WebKit builds have no asynchronous clipboard: copy the selected text instead.
    details.select();
    if (!document.execCommand('copy')) {
      status.textContent = 'Select the details and copy them with the keyboard.';
      return;
    }
  }
  status.textContent = 'Copied.';
}
