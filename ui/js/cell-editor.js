// The text field that edits one cell of a grid, laid over the cell inside the grid's scrolled
// content (so it scrolls with it). Enter commits and moves down, Tab and Shift+Tab commit and
// move across, Escape cancels; leaving the field any other way commits where it is.

import { h } from './dom.js';
import { editorKeyAction } from './logic/cell-moves.js';

export class CellEditor {
  /** @param {import('./grid.js').Grid} grid the grid whose cells it edits */
  constructor(grid) {
    this.grid = grid;
    this.input = null;
  }

  /** Whether a cell is being edited. */
  get open() {
    return this.input != null;
  }

  /**
   * Edit the cell at row `index`, grid column `column`, starting from `value`. `onCommit(value,
   * move)` gets the text and where to go next (`down`, `up`, `right`, `left`, or `null` when the
   * field lost focus); `onCancel()` is called on Escape.
   */
  edit(index, column, value, { label, onCommit, onCancel }) {
    this.close();
    const box = this.grid.cellBox(index, column);
    const input = h('input', {
      class: 'cell-editor',
      type: 'text',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': label,
      value,
    });
    Object.assign(input.style, {
      top: `${box.top}px`, left: `${box.left}px`, width: `${box.width}px`, height: `${box.height}px`,
    });
    const finish = (then) => {
      if (this.input !== input) return;
      this.close();
      then();
    };
    input.addEventListener('keydown', (event) => {
      const action = editorKeyAction(event);
      if (!action) return;
      event.preventDefault();
      event.stopPropagation();
      if (action.cancel) finish(onCancel);
      else finish(() => onCommit(input.value, action.move));
    });
    input.addEventListener('blur', () => finish(() => onCommit(input.value, null)));
    this.input = input;
    this.grid.viewport.append(input);
    input.focus();
    input.select();
  }

  close() {
    const input = this.input;
    this.input = null;
    input?.remove();
  }
}
