// Editing the rows in the import step: a cell changed in place, undo and redo, a row removed,
// find and replace in a column, and the corrected file saved. The rows live in the shell's
// session, never in the user's file; every command answers with what changed (a delta), which
// the import step draws.

import * as api from '../api.js';
import { $, showError, toast } from '../dom.js';
import { messageOf } from '../store.js';
import { CellEditor } from '../cell-editor.js';
import { openReplace, initReplaceDialog } from '../replace-dialog.js';
import { gridKeyAction, nextCell } from '../logic/cell-moves.js';
import { plural } from '../logic/format.js';
import { runGoing } from './run.js';

/** The grid's first two columns are the line and the check; the file's columns follow. */
export const FIRST_CELL = 2;

/**
 * What the import step lends the editing: `grid`, `rowAt(position)`, `positionOfLine(line)`,
 * `preview()` (the open file's preview) and `showDelta(delta)`.
 */
let view;
let editor;
/** Edits reach the shell one at a time, in the order they were made. */
let queue = Promise.resolve();

export function initEditing(hooks) {
  view = hooks;
  editor = new CellEditor(hooks.grid);
  initReplaceDialog();
  $('#edit-undo').addEventListener('click', () => undo());
  $('#edit-redo').addEventListener('click', () => redo());
  $('#edit-remove').addEventListener('click', () => removeRowAt(view.grid.selected));
  $('#edit-replace').addEventListener('click', findAndReplace);
  $('#save-corrected').addEventListener('click', saveCorrected);
  // Ctrl/Cmd+Z anywhere in the step but a text field (which keeps its own undo).
  $('#step-import').addEventListener('keydown', (event) => {
    if (event.target.closest('input, select, textarea')) return;
    const action = gridKeyAction(event);
    if (action !== 'undo' && action !== 'redo') return;
    event.preventDefault();
    if (action === 'undo') undo(); else redo();
  });
}

/** A file was opened or read again: nothing to undo, nothing being edited. */
export function resetEditing(preview) {
  editor.close();
  setUndoable(preview);
  say('');
  showError($('#edit-error'), null);
  readOnlyNote();
}

/** Say, next to the grid, that it is read-only while a run is going (or nothing when not). */
export function readOnlyNote() {
  const going = runGoing();
  $('#edit-readonly').hidden = !going;
  for (const id of ['#edit-remove', '#edit-replace']) $(id).disabled = going;
  return going;
}

/** Edit the cell at `position`, grid column `gridColumn` (double-click, Enter or F2). */
export function editCellAt(position, gridColumn) {
  const row = view.rowAt(position);
  if (!row || readOnlyNote()) return;
  const column = Math.max(0, gridColumn - FIRST_CELL);
  const { headers, secretColumns } = view.preview();
  if (secretColumns.includes(column)) {
    say(`"${headers[column]}" holds passwords: they are not shown or changed here.`);
    return;
  }
  const before = row.cells[column] ?? '';
  editor.edit(position, column + FIRST_CELL, before, {
    label: `${headers[column]}, line ${row.line}`,
    onCommit: (value, move) => commitCell(row.line, { row: position, column }, value, move, before),
    onCancel: () => view.grid.focusCell(position, column + FIRST_CELL),
  });
}

/**
 * Send a cell's new value, then go where the key said. The place to go is taken by line before
 * the edit: a row fixed in the "only rows with problems" view leaves it, and the others move up.
 */
function commitCell(line, at, value, move, before) {
  const size = { rows: view.grid.count, columns: view.preview().headers.length };
  const target = move ? nextCell(at, move, size) : at;
  const targetLine = view.rowAt(target.row)?.line;
  const land = () => {
    if (!move) return;
    const position = view.positionOfLine(targetLine) ?? Math.min(target.row, view.grid.count - 1);
    view.grid.focusCell(position, target.column + FIRST_CELL);
  };
  if (value === before) {
    land();
    return;
  }
  const header = view.preview().headers[at.column];
  send(() => api.editCell(line, at.column, value), () => {
    say(`Line ${line}: ${header} changed.`);
    land();
  });
}

/** Remove the row at `position` (the Remove row button, or Delete in the grid). */
export function removeRowAt(position) {
  const row = view.rowAt(position);
  if (!row || readOnlyNote()) return;
  send(() => api.removeRow(row.line), () => {
    say(`Line ${row.line} removed. Undo brings it back.`);
    if (view.grid.count) view.grid.focusCell(Math.min(position, view.grid.count - 1), view.grid.column ?? FIRST_CELL);
  });
}

function undo() {
  send(() => api.undoEdit(), (delta) => say(delta ? `Undone: ${describe(delta)}.` : 'Nothing to undo.'));
}

function redo() {
  send(() => api.redoEdit(), (delta) => say(delta ? `Redone: ${describe(delta)}.` : 'Nothing to redo.'));
}

function describe(delta) {
  if (delta.removed.length) return `${plural(delta.removed.length, 'row')} removed`;
  if (delta.restored.length) return `${plural(delta.restored.length, 'row')} back`;
  return `${plural(delta.cells, 'cell')} changed`;
}

function findAndReplace() {
  if (readOnlyNote()) return;
  const { headers, mapping, secretColumns } = view.preview();
  const fieldOf = new Map(mapping.columns.map((c) => [c.header, c.field]));
  const columns = headers
    .map((header, index) => ({ index, header, field: fieldOf.get(header) }))
    .filter((c) => !secretColumns.includes(c.index));
  const active = (view.grid.column ?? FIRST_CELL) - FIRST_CELL;
  openReplace({
    columns,
    column: active,
    apply: (replace) => new Promise((resolve, reject) => {
      send(() => api.replaceInColumn(replace), (delta) => {
        say(`${plural(delta.cells, 'cell')} changed in "${headers[replace.column]}".`);
        resolve();
      }, reject);
    }),
  });
}

async function saveCorrected() {
  showError($('#edit-error'), null);
  try {
    const saved = await api.saveCorrectedFile();
    if (!saved) return;
    const text = [`Saved the corrected file: ${saved.path}.`, ...saved.warnings].join(' ');
    say(text);
    toast(text, { timeout: 12000 });
  } catch (error) {
    showError($('#edit-error'), messageOf(error));
  }
}

/**
 * Queue `call` (a command answering with a delta, or `null`), show its delta, then `after(delta)`.
 * An error shows next to the grid, or goes to `failed` when given.
 */
export function send(call, after, failed) {
  queue = queue.then(async () => {
    showError($('#edit-error'), null);
    let delta;
    try {
      delta = await call();
    } catch (error) {
      if (failed) failed(error);
      else showError($('#edit-error'), messageOf(error));
      return;
    }
    if (delta) {
      view.showDelta(delta);
      setUndoable(delta);
    }
    after?.(delta);
  });
  return queue;
}

function setUndoable({ canUndo, canRedo }) {
  $('#edit-undo').disabled = !canUndo;
  $('#edit-redo').disabled = !canRedo;
}

function say(text) {
  $('#edit-status').textContent = text;
}
