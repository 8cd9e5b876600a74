// Find and replace in one column: what to find, what to put instead, optionally only in rows
// with problems. Whole values only, as the shell matches them (a whole cell, or a whole item of
// a list, a role or a division of a role). The dialog says how many cells will change before
// anything does.

import * as api from './api.js';
import { $, h, replace, showError } from './dom.js';
import { fieldLabel, plural } from './logic/format.js';
import { messageOf } from './store.js';

let dialog;
/** The column choices and the apply of the dialog open now. */
let current = null;
/** Counting answers arrive in any order: only the latest question's answer is shown. */
let asked = 0;

export function initReplaceDialog() {
  dialog = $('#find-replace-dialog');
  $('#find-replace-find').addEventListener('input', count);
  $('#find-replace-with').addEventListener('input', count);
  $('#find-replace-column').addEventListener('change', count);
  $('#find-replace-problems').addEventListener('change', count);
  $('#find-replace-form').addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  $('#find-replace-cancel').addEventListener('click', () => dialog.close());
}

/**
 * Open the dialog on the file's columns. `columns`: `[{ index, header, field }]` (password
 * columns left out); `column`: the one to start with; `apply(replace)` makes the replacement
 * and resolves when it is done.
 */
export function openReplace({ columns, column, apply: onApply }) {
  current = { apply: onApply };
  replace($('#find-replace-column'), columns.map((c) => h('option', {
    value: String(c.index), selected: c.index === column,
  }, c.field && fieldLabel(c.field) !== c.header ? `${c.header} (${fieldLabel(c.field)})` : c.header)));
  $('#find-replace-find').value = '';
  $('#find-replace-with').value = '';
  $('#find-replace-problems').checked = false;
  showError($('#find-replace-error'), null);
  dialog.showModal();
  $('#find-replace-find').focus();
  count();
}

function asReplace() {
  return {
    column: Number($('#find-replace-column').value),
    find: $('#find-replace-find').value,
    with: $('#find-replace-with').value,
    onlyProblemRows: $('#find-replace-problems').checked,
  };
}

async function count() {
  const question = asReplace();
  const mine = (asked += 1);
  const go = $('#find-replace-apply');
  // Replace stays as it was while the count is asked: a click on it must not be lost to a
  // recount in flight.
  if (!question.find.trim()) {
    go.disabled = true;
    $('#find-replace-count').textContent = 'Type the value to find.';
    return;
  }
  try {
    const cells = await api.countReplacements(question);
    if (mine !== asked) return;
    $('#find-replace-count').textContent = cells ? `${plural(cells, 'cell')} will change.` : 'No cell holds that value.';
    go.disabled = cells === 0;
  } catch (error) {
    if (mine === asked) showError($('#find-replace-error'), messageOf(error));
  }
}

async function apply() {
  if ($('#find-replace-apply').disabled || !current) return;
  $('#find-replace-apply').disabled = true;
  try {
    await current.apply(asReplace());
    dialog.close();
  } catch (error) {
    showError($('#find-replace-error'), messageOf(error));
    $('#find-replace-apply').disabled = false;
  }
}
