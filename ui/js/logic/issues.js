// Problems of an import, arranged for the grid: by line, and within a line by column. Pure.

/**
 * Index the report's issues by line. Each entry: `{ errors, warnings, cells, row }` where
 * `cells` maps a column index to `{ severity, messages }` and `row` holds messages about the
 * row as a whole (no column).
 */
export function indexIssues(issues, headers) {
  const columnOf = new Map(headers.map((header, i) => [header, i]));
  const byLine = new Map();
  for (const issue of issues) {
    let entry = byLine.get(issue.line);
    if (!entry) {
      entry = { errors: 0, warnings: 0, cells: new Map(), row: [] };
      byLine.set(issue.line, entry);
    }
    const isError = issue.severity === 'error';
    if (isError) entry.errors += 1; else entry.warnings += 1;
    const column = issue.column == null ? undefined : columnOf.get(issue.column);
    if (column === undefined) {
      entry.row.push({ severity: issue.severity, message: issue.message });
      continue;
    }
    const cell = entry.cells.get(column) ?? { severity: 'warning', messages: [] };
    if (isError) cell.severity = 'error';
    cell.messages.push(issue.message);
    entry.cells.set(column, cell);
  }
  return byLine;
}

/** Indices of the rows that have at least one problem (errors only when `errorsOnly`). */
export function rowsWithProblems(rows, byLine, { errorsOnly = false } = {}) {
  const out = [];
  rows.forEach((row, i) => {
    const entry = byLine.get(row.line);
    if (!entry) return;
    if (errorsOnly ? entry.errors > 0 : entry.errors + entry.warnings > 0) out.push(i);
  });
  return out;
}

/** Issues about the whole file or its columns (line 0, or the header's line). */
export function fileIssues(issues, headerLine) {
  return issues.filter((issue) => issue.line === 0 || issue.line === headerLine);
}

/** Every message of one line, errors first, each prefixed with its column. */
export function messagesFor(issues, line) {
  return issues
    .filter((issue) => issue.line === line)
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
    .map((issue) => ({
      severity: issue.severity,
      text: issue.column ? `${issue.column}: ${issue.message}` : issue.message,
    }));
}
