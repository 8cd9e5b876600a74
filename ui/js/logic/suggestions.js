// The plan's "did you mean", gathered for one-click fixes: every row that names the same unknown
// name in the same field is fixed by one replacement in that column, so the window offers one
// button per (field, name). Pure: no DOM.

import { fieldLabel, formatCount, plural } from './format.js';

const keyOf = (field, name) => `${field}\u0000${name.trim().toLowerCase()}`;

/**
 * The plan's notes' suggestions grouped by field and name (trimmed, ignoring case, as the
 * replacement matches them): `[{ field, name, use, lines }]`, `use` being the closest name, the
 * most rows first. Names without a suggestion are left out: there is nothing to apply.
 */
export function groupSuggestions(notes) {
  const groups = new Map();
  for (const note of notes) {
    for (const suggestion of note.suggestions ?? []) {
      if (!suggestion.suggestions?.length) continue;
      const key = keyOf(suggestion.field, suggestion.name);
      let group = groups.get(key);
      if (!group) {
        group = {
          field: suggestion.field, name: suggestion.name, use: suggestion.suggestions[0], lines: [],
        };
        groups.set(key, group);
      }
      if (!group.lines.includes(note.line)) group.lines.push(note.line);
    }
  }
  return [...groups.values()]
    .map((group) => ({ ...group, lines: group.lines.sort((a, b) => a - b) }))
    .sort((a, b) => b.lines.length - a.lines.length || a.lines[0] - b.lines[0]);
}

/** The button of a group: "Use Support for all 30 rows", or "for 1 row". */
export function suggestionButton({ use, lines }) {
  return lines.length === 1 ? `Use ${use} for 1 row` : `Use ${use} for all ${plural(lines.length, 'row')}`;
}

/** What the button fixes: `Division "Suport" is not in this org (lines 4, 9 and 12).` */
export function suggestionText({ field, name, lines }) {
  const shown = lines.slice(0, 5).join(', ');
  const more = lines.length > 5 ? ` and ${formatCount(lines.length - 5)} more` : '';
  const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${shown}${more}`;
  return `${fieldLabel(field)} "${name}" is not in this org (${where}).`;
}
