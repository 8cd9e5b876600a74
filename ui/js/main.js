// The window's entry point: the steps, the startup handshake, the drop overlay and the close button.

import * as api from './api.js';
import { initAbout } from './about.js';
import { initArrivals } from './arrivals.js';
import { $, toast } from './dom.js';
import { goTo, messageOf } from './store.js';
import { initConnect } from './steps/connect.js';
import { initImport, openPath, previewGrid } from './steps/import.js';
import { initPlan } from './steps/plan.js';
import { initRun } from './steps/run.js';
import { initResults } from './steps/results.js';
import { initHistory, loadHistory } from './steps/history.js';
import { initProblem } from './problem.js';
import { initUpdates } from './updates.js';

async function start() {
  for (const button of document.querySelectorAll('.steps button')) {
    button.addEventListener('click', () => goTo(button.dataset.step));
  }
  initImport();
  initPlan();
  initRun({ onHistoryChanged: loadHistory });
  initResults();
  initHistory();
  initAbout();
  listenToShell();
  // Listening before the shell learns the window is up, so no problem or update goes unseen.
  await Promise.all([initProblem(), initUpdates()]);
  await sparkReady();
  const startup = await api.appReady();
  for (const notice of startup.notices ?? []) toast(notice, { kind: 'error', timeout: 20000 });
  await initConnect().catch((error) => toast(messageOf(error), { kind: 'error' }));
  loadHistory();
  await initArrivals();
  // For the end-to-end tests and the measurements: the same command a drop uses, and the
  // frame-time measurement of the preview grid.
  window.rollcall = {
    openPath,
    measureScroll: (ms) => previewGrid().measureScroll(ms),
    ready: true,
  };
}

/**
 * Waits until the page's Spark components are defined (their code is loaded lazily, chunk by
 * chunk), so the window is shown working rather than half-drawn; gives up after `timeout` ms.
 */
async function sparkReady(timeout = 5000) {
  const tags = new Set([...document.querySelectorAll('*')]
    .map((element) => element.localName)
    .filter((name) => name.startsWith('gux-')));
  const defined = Promise.all([...tags].map((tag) => customElements.whenDefined(tag)));
  await Promise.race([defined, new Promise((resolve) => setTimeout(resolve, timeout))]);
}

function listenToShell() {
  const overlay = $('#drop-overlay');
  api.listen('rollcall://drag', ({ payload }) => {
    if (payload.kind === 'enter') overlay.hidden = false;
    if (payload.kind === 'leave') overlay.hidden = true;
    // The dropped files themselves arrive like any file the system hands over (arrivals.js).
    if (payload.kind === 'drop') overlay.hidden = true;
  });

  const dialog = $('#close-dialog');
  api.listen('rollcall://close-requested', () => {
    if (!dialog.open) dialog.showModal();
  });
  $('#close-stay').addEventListener('click', () => dialog.close());
  $('#close-anyway').addEventListener('click', () => {
    $('#close-anyway').disabled = true;
    api.closeConfirmed();
  });
}

window.addEventListener('load', () => {
  start().catch((error) => toast(messageOf(error), { kind: 'error', timeout: 15000 }));
});
