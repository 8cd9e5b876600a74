// Files the system hands the app (a double-click in the file manager, a second launch, a drop on
// the window) reach the window here. The shell has already picked the one file to open; this
// module decides when: at once, after asking when it would replace a planned file, or once the
// run going has ended.

import * as api from './api.js';
import { $, button, h, toast } from './dom.js';
import { store, messageOf } from './store.js';
import { openPath } from './steps/import.js';
import { runGoing } from './steps/run.js';
import { fileName, passedOverText, waitingText } from './logic/arrivals.js';

/** How often a waiting file checks whether the run has ended. */
const RUN_CHECK_MS = 1000;

/** The file waiting for the run to end: its path, the notice saying so, and the check's timer. */
let waiting = null;

/** Take what arrived before the window loaded, then each arrival as the shell announces it. */
export async function initArrivals() {
  await api.listen('rollcall://files-arrived', () => takeArrivals());
  await takeArrivals();
}

async function takeArrivals() {
  try {
    for (const arrival of await api.takeArrivals()) {
      if (arrival.passedOver.length) toast(passedOverText(arrival.passedOver), { kind: 'error', timeout: 10000 });
      if (arrival.open) await arrive(arrival.open);
    }
  } catch (error) {
    toast(messageOf(error), { kind: 'error' });
  }
}

async function arrive(path) {
  if (runGoing()) return wait(path);
  if (store.plan && !(await confirmReplace(path))) return null;
  return openPath(path);
}

/**
 * Hold `path` until the run ends, saying so. The run step owns the run's life, so the waiting
 * file looks at it once a second; a later file takes the place of an earlier one.
 */
function wait(path) {
  stopWaiting();
  const notice = h('div', { class: 'toast', role: 'status', id: 'waiting-file' }, waitingText(path));
  $('#toasts').append(notice);
  const timer = setInterval(() => {
    if (runGoing()) return;
    stopWaiting();
    arrive(path);
  }, RUN_CHECK_MS);
  waiting = { path, notice, timer };
}

function stopWaiting() {
  if (!waiting) return;
  clearInterval(waiting.timer);
  waiting.notice.remove();
  waiting = null;
}

/** Ask before `path` replaces the file on screen and its plan; resolves to the answer. */
function confirmReplace(path) {
  const incoming = fileName(path);
  const current = store.preview?.source.fileName ?? 'the file on screen';
  return new Promise((resolve) => {
    let answered = false;
    const answer = (yes) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(yes);
    };
    const dialog = h('dialog', { id: 'replace-dialog', 'aria-labelledby': 'replace-title' },
      h('h2', { id: 'replace-title' }, `Open ${incoming}?`),
      h('p', {}, `It replaces ${current} and its plan. Runs already made stay in the history.`),
      h('div', { class: 'actions' },
        button('secondary', { id: 'replace-keep', autofocus: true, onclick: () => answer(false) }, `Keep ${current}`),
        button('primary', { id: 'replace-open', onclick: () => answer(true) }, `Open ${incoming}`)));
    dialog.addEventListener('cancel', () => answer(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}
