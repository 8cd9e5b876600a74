// The keyboard of the editable preview grid: which key does what, and where the active cell
// goes after it. Cells are addressed as `{ row, column }`: a row's position in the grid as it is
// shown and a column of the file (the grid's own Line and Check columns are not counted). Pure:
// no DOM.

const isCommand = (event) => Boolean(event.ctrlKey || event.metaKey);

/**
 * What a key pressed on the grid (not in the cell editor) asks for: `edit`, `remove`, `undo`,
 * `redo`, `left`, `right`, or `null` for a key the grid handles otherwise (or not at all).
 */
export function gridKeyAction(event) {
  const key = event.key;
  if (isCommand(event) && !event.altKey) {
    if (key === 'z' || key === 'Z') return event.shiftKey ? 'redo' : 'undo';
    if ((key === 'y' || key === 'Y') && !event.shiftKey) return 'redo';
    return null;
  }
  if (event.altKey) return null;
  switch (key) {
    case 'Enter': case 'F2': return 'edit';
    case 'Delete': return 'remove';
    case 'ArrowLeft': return 'left';
    case 'ArrowRight': return 'right';
    default: return null;
  }
}

/**
 * What a key pressed in the cell editor asks for: `{ commit: true, move }` (`move` is `down`,
 * `up`, `right` or `left`), `{ cancel: true }`, or `null` for a key the text field keeps.
 */
export function editorKeyAction(event) {
  switch (event.key) {
    case 'Enter': return { commit: true, move: event.shiftKey ? 'up' : 'down' };
    case 'Tab': return { commit: true, move: event.shiftKey ? 'left' : 'right' };
    case 'Escape': return { cancel: true };
    default: return null;
  }
}

/**
 * The cell after `at` in direction `move`, within `rows` rows of `columns` columns: Enter goes
 * down and Shift+Enter up, staying in the column; Tab goes right and Shift+Tab left, wrapping
 * to the next or previous row. At the edge of the grid the cell stays where it is.
 */
export function nextCell(at, move, { rows, columns }) {
  const { row, column } = at;
  switch (move) {
    case 'down': return { row: Math.min(rows - 1, row + 1), column };
    case 'up': return { row: Math.max(0, row - 1), column };
    case 'right':
      if (column + 1 < columns) return { row, column: column + 1 };
      return row + 1 < rows ? { row: row + 1, column: 0 } : at;
    case 'left':
      if (column > 0) return { row, column: column - 1 };
      return row > 0 ? { row: row - 1, column: columns - 1 } : at;
    default: return at;
  }
}
