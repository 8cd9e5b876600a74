// Step 2, Import: open a file (drop, Browse, sample, command line), show how it was read, the
// column mapping, and every row with its problems in a virtual grid, where they can be fixed
// (see edit.js).

import * as api from '../api.js';
import {
  h, $, ask, replace, showError, toast,
} from '../dom.js';
import {
  store, goTo, onShow, markDone, messageOf,
} from '../store.js';
import { Grid } from '../grid.js';
import {
  describeSource, fieldLabel, formatCount, mappingLabel, plural,
} from '../logic/format.js';
import { indexIssues, rowsWithProblems, messagesFor, fileIssues } from '../logic/issues.js';
import { needsReread, readOptions as optionsFrom } from '../logic/read-options.js';
import { applyDelta, findLine } from '../logic/preview-delta.js';
import {
  initEditing, resetEditing, editCellAt, removeRowAt, readOnlyNote,
} from './edit.js';

let grid;
let view = { rows: [], order: null, byLine: new Map() };
// The options the open file was read with: changing them reads it again.
let readWith = null;

export function initImport() {
  grid = new Grid($('#preview-grid'), {
    label: 'Rows of the file: Enter edits a cell, Delete removes a row',
    onSelect: (position) => showRowDetail(rowAt(position)),
    cellFocus: true,
    onActivate: editCellAt,
    onAction: (action, position) => {
      if (action === 'remove') removeRowAt(position);
    },
  });
  initEditing({
    grid, rowAt, positionOfLine, showDelta, preview: () => store.preview,
  });
  $('#browse').addEventListener('click', browse);
  const sample = () => {
    goTo('import');
    return load((options) => api.openSample(options));
  };
  $('#open-sample').addEventListener('click', sample);
  $('#connect-sample').addEventListener('click', sample);
  $('#download-template').addEventListener('click', downloadTemplate);
  $('#problems-only').addEventListener('change', applyFilter);
  $('#mapping-reset').addEventListener('click', () => load((options) => api.resetMapping(options), $('#mapping-error')));
  $('#import-country').addEventListener('change', reread);
  $('#import-date-order').addEventListener('change', reread);
  $('#to-plan').addEventListener('click', () => goTo('plan'));
  onShow('import', () => readOnlyNote());
}

export const previewGrid = () => grid;

function readOptions() {
  return optionsFrom($('#import-country').value, $('#import-date-order').value);
}

/** Read the open file again when the phone country or the date order changed: a new import,
 *  so the plan must be made again. */
function reread() {
  if (!needsReread(store.preview != null, readWith, readOptions())) return null;
  return load((options) => api.rereadFile(options));
}

/** Open the file at `path`: the one command behind a drop, Browse and the command line. */
export function openPath(path) {
  goTo('import');
  return load((options) => api.openFile(path, options));
}

async function browse() {
  try {
    const path = await api.chooseFile();
    if (path) await openPath(path);
  } catch (error) {
    showError($('#import-error'), messageOf(error));
  }
}

async function downloadTemplate() {
  try {
    const path = await api.saveTemplate();
    if (path) toast(`Template saved: ${path}`);
  } catch (error) {
    showError($('#import-error'), messageOf(error));
  }
}

/**
 * Read a file through `call`, given the step's options, and show it. A new reading starts from
 * the file again, so the changes made to the open one are lost: the user is asked first.
 */
async function load(call, errorSlot = $('#import-error')) {
  showError($('#import-error'), null);
  showError($('#mapping-error'), null);
  if (store.preview?.edited && !await ask($('#discard-edits-dialog'),
    `You changed rows of ${store.preview.source.fileName} here. Reading a file again starts from what is on disk, without those changes (Save corrected file… keeps them).`)) {
    return null;
  }
  const options = readOptions();
  try {
    const preview = await call(options);
    if (preview) {
      readWith = options;
      show(preview);
    }
    return preview;
  } catch (error) {
    showError(errorSlot, messageOf(error));
    return null;
  }
}

function show(preview) {
  store.preview = preview;
  store.plan = null;
  markDone('import');
  markDone('plan', false);
  $('#import-result').hidden = false;
  const { source } = preview;
  showCounts(preview);
  renderMapping(preview);
  replace($('#file-issues'), fileIssues(preview.issues, source.headerLine).map((issue) => h('p', {
    class: `notice ${issue.severity}`,
  }, issue.column ? `Column "${issue.column}": ${issue.message}` : issue.message)));

  view = {
    rows: preview.rows,
    byLine: indexIssues(preview.issues, preview.headers),
    order: null,
  };
  grid.setColumns([
    { label: 'Line', width: 64 },
    { label: 'Check', width: 130 },
    ...preview.headers.map((header, column) => ({
      label: preview.secretColumns.includes(column) ? `${header} (hidden)` : header,
      width: widthFor(header),
    })),
  ]);
  applyFilter();
  replace($('#preview-detail'));
  resetEditing(preview);
}

/**
 * An edit's answer: the rows, issues and counts it changed, drawn at once. The plan of the
 * rows as they were is no longer the plan of these: it must be made again.
 */
function showDelta(delta) {
  // The selection follows its row, wherever the change moved it in the grid.
  const selected = rowAt(grid.selected ?? -1)?.line;
  applyDelta(store.preview, view.byLine, delta);
  store.preview.edited = delta.edited;
  view.rows = store.preview.rows;
  if (store.plan) document.dispatchEvent(new CustomEvent('rollcall:rows-changed'));
  store.plan = null;
  markDone('plan', false);
  showCounts(store.preview);
  applyFilter();
  const position = positionOfLine(selected);
  if (position != null) {
    grid.select(position, { reveal: false });
  } else {
    grid.selected = null;
    grid.refresh();
  }
}

/** The position in the grid (as filtered) of the row of `line`, or `null` when it is not shown. */
function positionOfLine(line) {
  if (line == null) return null;
  const { found, index } = findLine(view.rows, line);
  if (!found) return null;
  if (!view.order) return index;
  const position = view.order.indexOf(index);
  return position < 0 ? null : position;
}

function showCounts({ counts, source }) {
  replace($('#import-summary'),
    h('span', { class: 'chip' }, h('strong', {}, source.fileName), ` · ${describeSource(source)}`),
    h('span', { class: 'chip ok', 'data-count': 'valid' }, h('strong', {}, formatCount(counts.valid)), ' ready'),
    counts.invalid
      ? h('span', { class: 'chip error', 'data-count': 'invalid' }, h('strong', {}, formatCount(counts.invalid)), ` ${counts.invalid === 1 ? 'row has' : 'rows have'} errors`)
      : null,
    counts.warnings
      ? h('span', { class: 'chip warning', 'data-count': 'warnings' }, plural(counts.warnings, 'warning'))
      : null);
  $('#to-plan').disabled = counts.valid === 0;
}

function widthFor(header) {
  if (/mail/i.test(header)) return 230;
  if (/role|skill|queue/i.test(header)) return 220;
  return 150;
}

function renderMapping(preview) {
  const fields = preview.fields;
  replace($('#mapping-grid'), preview.mapping.columns.map((column, i) => {
    const id = `map-${i}`;
    const { label, how } = mappingLabel(column);
    return h('div', { class: 'field' }, h('gux-form-field-select', {},
      h('label', { slot: 'label', for: id }, label, ' ', h('span', { class: 'how' }, `(${how})`)),
      h('select', {
        slot: 'input',
        id,
        'data-header': column.header,
        onchange: (event) => remap(column.header, event.target.value || null),
      },
      h('option', { value: '', selected: column.field == null }, 'Ignore this column'),
      fields.map((f) => h('option', { value: f.key, selected: f.key === column.field },
        fieldLabel(f.key))))));
  }));
}

function remap(header, field) {
  return load((options) => api.mapColumn(header, field, options), $('#mapping-error'));
}

function applyFilter() {
  const problemsOnly = $('#problems-only').checked;
  view.order = problemsOnly ? rowsWithProblems(view.rows, view.byLine) : null;
  const shown = view.order ? view.order.length : view.rows.length;
  $('#preview-count').textContent = problemsOnly
    ? `${formatCount(shown)} of ${plural(view.rows.length, 'row')} have problems`
    : plural(view.rows.length, 'row');
  grid.setRows(shown, cellAt);
}

function rowAt(position) {
  const index = view.order ? view.order[position] : position;
  return view.rows[index];
}

function cellAt(position, column) {
  const row = rowAt(position);
  if (!row) return { text: '' };
  const issues = view.byLine.get(row.line);
  if (column === 0) return { text: String(row.line), tone: 'muted' };
  if (column === 1) {
    if (!issues) return { text: 'OK', tone: 'ok' };
    if (issues.errors) return { text: plural(issues.errors, 'error'), tone: 'error', title: issues.row.map((r) => r.message).join('\n') };
    return { text: plural(issues.warnings, 'warning'), tone: 'warning' };
  }
  const text = row.cells[column - 2] ?? '';
  const cell = issues?.cells.get(column - 2);
  if (!cell) return { text };
  return { text, tone: cell.severity, title: cell.messages.join('\n') };
}

function showRowDetail(row) {
  if (!row) return;
  const messages = messagesFor(store.preview.issues, row.line);
  replace($('#preview-detail'),
    h('strong', {}, `Line ${row.line}`),
    messages.length
      ? h('ul', {}, messages.map((m) => h('li', { class: m.severity }, m.text)))
      : h('span', {}, ': no problems.'));
}
