// A virtual grid: however many rows there are, only the ones in view (and a few around them)
// exist in the DOM, reused as the view scrolls. Cells are text nodes, never HTML.

import { h } from './dom.js';
import { visibleRange, scrollToReveal, moveSelection } from './logic/virtual.js';
import { gridKeyAction } from './logic/cell-moves.js';

const OVERSCAN = 6;
let grids = 0;

export class Grid {
  /**
   * @param {HTMLElement} host where the grid goes
   * @param {{ label: string, rowHeight?: number, onSelect?: (index: number) => void,
   *   cellFocus?: boolean, onActivate?: (index: number, column: number) => void,
   *   onAction?: (action: string, index: number, column: number) => void }} options
   *   With `cellFocus` the grid also has an active cell (Left and Right move it), `onActivate`
   *   is called on a double-click, Enter or F2, and `onAction` on Delete (`remove`).
   */
  constructor(host, {
    label, rowHeight = 28, onSelect, cellFocus = false, onActivate, onAction,
  } = {}) {
    this.rowHeight = rowHeight;
    this.onSelect = onSelect;
    this.cellFocus = cellFocus;
    this.onActivate = onActivate;
    this.onAction = onAction;
    this.columns = [];
    this.count = 0;
    this.cell = () => ({ text: '' });
    this.selected = null;
    this.column = null;
    this.activeId = `grid-${grids += 1}-active`;
    this.pool = [];
    this.frame = 0;

    this.header = h('div', { class: 'grid-row grid-header', role: 'row', 'aria-rowindex': 1 });
    this.layer = h('div', { class: 'grid-layer', role: 'rowgroup' });
    this.spacer = h('div', { class: 'grid-spacer', 'aria-hidden': 'true' });
    this.empty = h('p', { class: 'grid-empty', hidden: true }, 'No rows to show.');
    this.viewport = h('div', {
      class: 'grid-viewport',
      role: 'grid',
      tabindex: 0,
      'aria-label': label,
      onscroll: () => this.schedule(),
      onkeydown: (event) => this.onKey(event),
    }, this.header, this.spacer, this.layer);
    host.replaceChildren(this.viewport, this.empty);
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** `columns`: `[{ label, width }]` (width in pixels). */
  setColumns(columns) {
    this.columns = columns;
    this.template = columns.map((c) => `${c.width}px`).join(' ');
    this.width = columns.reduce((sum, c) => sum + c.width, 0);
    this.header.style.gridTemplateColumns = this.template;
    this.header.replaceChildren(...columns.map((c, i) => h('div', {
      class: 'grid-cell', role: 'columnheader', 'aria-colindex': i + 1,
    }, c.label)));
    for (const row of this.pool) row.remove();
    this.pool = [];
    this.spacer.style.width = `${this.width}px`;
    this.render();
  }

  /**
   * `count` rows; `cell(row, column)` returns `{ text, tone?, title? }` where tone is
   * `error`, `warning`, `ok`, `muted` or `info`.
   */
  setRows(count, cell) {
    this.count = count;
    this.cell = cell;
    if (this.selected != null && this.selected >= count) this.selected = null;
    this.viewport.setAttribute('aria-rowcount', String(count + 1));
    this.spacer.style.height = `${count * this.rowHeight}px`;
    this.empty.hidden = count > 0;
    this.render();
  }

  /** Draw again (the data behind the visible rows changed). */
  refresh() {
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const headerHeight = this.header.offsetHeight;
    const viewportHeight = this.viewport.clientHeight - headerHeight;
    const range = visibleRange({
      scrollTop: this.viewport.scrollTop,
      viewportHeight,
      rowHeight: this.rowHeight,
      rowCount: this.count,
      overscan: OVERSCAN,
    });
    const needed = range.end - range.first;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    this.layer.style.transform = `translateY(${headerHeight + range.offset}px)`;
    for (let k = 0; k < this.pool.length; k += 1) {
      const row = this.pool[k];
      if (k >= needed) {
        if (!row.hidden) row.hidden = true;
        continue;
      }
      if (row.hidden) row.hidden = false;
      this.fillRow(row, range.first + k);
    }
  }

  makeRow() {
    const cells = this.columns.map((_, i) => {
      const text = document.createTextNode('');
      const cell = h('div', { class: 'grid-cell', role: 'gridcell', 'aria-colindex': i + 1 });
      cell.append(text);
      return { cell, text, tone: '', title: '', active: false };
    });
    const columnOf = (event) => cells.findIndex((c) => c.cell.contains(event.target));
    const row = h('div', {
      class: 'grid-row', role: 'row',
      onclick: (event) => {
        if (this.cellFocus) this.column = Math.max(0, columnOf(event));
        this.select(row.index, { reveal: false });
      },
      ondblclick: (event) => {
        if (this.onActivate && columnOf(event) >= 0) this.onActivate(row.index, columnOf(event));
      },
    }, cells.map((c) => c.cell));
    row.style.gridTemplateColumns = this.template;
    row.cells = cells;
    row.index = -1;
    this.layer.append(row);
    return row;
  }

  fillRow(row, index) {
    row.index = index;
    row.setAttribute('aria-rowindex', String(index + 2));
    const selected = index === this.selected;
    if (row.isSelected !== selected) {
      row.isSelected = selected;
      row.classList.toggle('selected', selected);
      row.setAttribute('aria-selected', String(selected));
    }
    for (let c = 0; c < row.cells.length; c += 1) {
      const slot = row.cells[c];
      const active = this.cellFocus && selected && c === this.column;
      if (slot.active !== active) {
        slot.active = active;
        slot.cell.classList.toggle('active', active);
        if (active) slot.cell.id = this.activeId; else slot.cell.removeAttribute('id');
      }
      const value = this.cell(index, c) ?? { text: '' };
      const text = value.text ?? '';
      if (slot.text.data !== text) slot.text.data = text;
      const tone = value.tone ?? '';
      if (slot.tone !== tone) {
        if (slot.tone) slot.cell.classList.remove(`tone-${slot.tone}`);
        if (tone) slot.cell.classList.add(`tone-${tone}`);
        slot.tone = tone;
      }
      const title = value.title ?? '';
      if (slot.title !== title) {
        if (title) slot.cell.setAttribute('title', title); else slot.cell.removeAttribute('title');
        slot.title = title;
      }
    }
  }

  select(index, { reveal = true } = {}) {
    if (index == null || index < 0 || index >= this.count) return;
    this.selected = index;
    if (reveal) {
      const top = scrollToReveal({
        index,
        scrollTop: this.viewport.scrollTop,
        viewportHeight: this.viewport.clientHeight - this.header.offsetHeight,
        rowHeight: this.rowHeight,
      });
      if (top != null) this.viewport.scrollTop = top;
    }
    this.render();
    if (this.cellFocus && this.column != null) {
      this.viewport.setAttribute('aria-activedescendant', this.activeId);
    }
    this.onSelect?.(index);
  }

  /** Make the cell at row `index`, `column` the active one, bring it into view and focus the grid. */
  focusCell(index, column) {
    if (index == null || index < 0 || index >= this.count) {
      this.viewport.focus();
      return;
    }
    this.column = Math.min(Math.max(0, column), this.columns.length - 1);
    this.revealColumn(this.column);
    this.select(index);
    this.viewport.focus();
  }

  /**
   * Where the cell at row `index`, `column` sits in the scrolled content of the viewport, in
   * pixels: `{ top, left, width, height }` (for an editor placed over it).
   */
  cellBox(index, column) {
    const left = this.columns.slice(0, column).reduce((sum, c) => sum + c.width, 0);
    return {
      top: this.header.offsetHeight + index * this.rowHeight,
      left,
      width: this.columns[column]?.width ?? 0,
      height: this.rowHeight,
    };
  }

  revealColumn(column) {
    const { left, width } = this.cellBox(0, column);
    const view = this.viewport;
    if (left < view.scrollLeft) view.scrollLeft = left;
    else if (left + width > view.scrollLeft + view.clientWidth) view.scrollLeft = left + width - view.clientWidth;
  }

  onKey(event) {
    // Keys typed in an editor over a cell are the editor's.
    if (event.target !== this.viewport) return;
    // Undo and redo are the whole step's, not the grid's: they bubble on.
    const action = this.cellFocus && this.selected != null ? gridKeyAction(event) : null;
    if (action && action !== 'undo' && action !== 'redo') {
      event.preventDefault();
      const column = this.column ?? 0;
      if (action === 'left' || action === 'right') {
        this.focusCell(this.selected, column + (action === 'left' ? -1 : 1));
      } else if (action === 'edit') {
        this.onActivate?.(this.selected, column);
      } else {
        this.onAction?.(action, this.selected, column);
      }
      return;
    }
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / this.rowHeight) - 1);
    const next = moveSelection(event.key, this.selected, this.count, page);
    if (next !== this.selected && next != null) {
      event.preventDefault();
      if (this.cellFocus && this.column == null) this.column = 0;
      this.select(next);
    }
  }

  /**
   * Scroll through the grid for `ms` milliseconds, one step a frame, and report the time
   * between frames: the "frame time while scrolling" measurement. `script` is the grid's own
   * share of each frame (its render); `baseline` is the same scroll, in the same place, of
   * the same rows already in the page with no script at all — what this machine's painting
   * costs before the grid does anything.
   */
  async measureScroll(ms = 3000, step = 97) {
    const scripts = [];
    const grid = await scrollFrames(this.viewport, ms, step, () => {
      const started = performance.now();
      this.render();
      scripts.push(performance.now() - started);
    });
    const script = summarize(scripts);
    const baseline = await this.measureStaticScroll(ms, step);
    return { ...grid, scriptMedianMs: script.medianMs, scriptP95Ms: script.p95Ms, baseline };
  }

  /** The baseline of {@link measureScroll}: a plain, fully built list of the same rows. */
  async measureStaticScroll(ms, step) {
    const rows = [];
    for (let index = 0; index < Math.min(this.count, 3000); index += 1) {
      const row = h('div', { class: 'grid-row' },
        this.columns.map((_, c) => h('div', { class: 'grid-cell' }, this.cell(index, c)?.text ?? '')));
      row.style.gridTemplateColumns = this.template;
      rows.push(row);
    }
    const list = h('div', { class: 'grid-viewport', 'aria-hidden': 'true' }, this.header.cloneNode(true), ...rows);
    const host = this.viewport.parentElement;
    this.viewport.hidden = true;
    host.append(list);
    try {
      return await scrollFrames(list, ms, step, () => {});
    } finally {
      list.remove();
      this.viewport.hidden = false;
    }
  }
}

/** Scroll `element` by `step` pixels a frame for `ms` ms; the time between frames. */
function scrollFrames(element, ms, step, eachFrame) {
  return new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const started = last;
    const tick = (now) => {
      gaps.push(now - last);
      last = now;
      const max = element.scrollHeight - element.clientHeight;
      element.scrollTop = (element.scrollTop + step) % Math.max(1, max);
      eachFrame();
      if (now - started < ms) requestAnimationFrame(tick);
      else resolve(summarize(gaps.slice(1)));
    };
    requestAnimationFrame(tick);
  });
}

function summarize(gaps) {
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    frames: gaps.length,
    medianMs: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted[sorted.length - 1] ?? 0,
    // A frame that took longer than 1.5 refresh intervals (60 Hz) is a dropped frame.
    dropped: gaps.filter((g) => g > 25).length,
  };
}
