// Formatting numbers, durations and file facts the way an admin reads them. Pure: no DOM.

const counts = new Intl.NumberFormat('en-US');

/** 12345 → "12,345". */
export function formatCount(n) {
  return counts.format(Math.round(n ?? 0));
}

/** "1 user" / "3 users". */
export function plural(n, one, many = `${one}s`) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Seconds → "45 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${s / 60} min`;
  }
  const minutes = Math.floor((s % 3600) / 60);
  return minutes ? `${Math.floor(s / 3600)} h ${minutes} min` : `${s / 3600} h`;
}

/** Rows per minute → "1,234 / min". */
export function formatRate(perMinute) {
  if (!Number.isFinite(perMinute) || perMinute <= 0) return '0 / min';
  return `${formatCount(perMinute)} / min`;
}

/** Where the plan's rate limit came from (`rateSource`), in words. */
export function rateSourceText(source) {
  switch (source) {
    case 'setting': return "the profile's rate limit";
    case 'org': return "the org's own limits";
    default: return "Genesys's default; the org's limits could not be read";
  }
}

/** The delimiter a CSV was read with, in words. */
export function delimiterName(delimiter) {
  switch (delimiter) {
    case ',': return 'comma';
    case ';': return 'semicolon';
    case '\t': return 'tab';
    case '|': return 'pipe';
    case null: case undefined: return null;
    default: return `"${delimiter}"`;
  }
}

/** How a file was read: "CSV · UTF-8 · comma · 14 rows". */
export function describeSource(source) {
  const parts = [source.format === 'xlsx' ? 'Excel workbook' : 'CSV'];
  if (source.encoding) parts.push(source.encoding);
  const delimiter = delimiterName(source.delimiter);
  if (delimiter) parts.push(`${delimiter}-separated`);
  if (source.sheet) parts.push(`sheet "${source.sheet}"`);
  parts.push(plural(source.dataRows, 'row'));
  return parts.join(' · ');
}

/** A Unix time (seconds) → "27 Nov 2026, 14:05". */
export function formatWhen(unixSeconds) {
  const date = new Date(unixSeconds * 1000);
  return date.toLocaleString('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** A field's key → the admin UI's words for it ("phone_work" → "Work phone"). */
export function fieldLabel(key) {
  const labels = {
    name: 'Name', first_name: 'First name', last_name: 'Last name', email: 'E-mail',
    division: 'Division', title: 'Title', department: 'Department', phone_work: 'Work phone',
    extension: 'Extension', email_manager: 'Manager e-mail', location_work: 'Work location',
    roles_divisions: 'Roles and divisions', queues: 'Queues', skills: 'Skills', state: 'State',
    password: 'Password', languages: 'Languages', groups: 'Groups', employee_id: 'Employee ID',
    employee_type: 'Employee type', hire_date: 'Date of hire', official_name: 'Official name',
    acd_auto_answer: 'ACD auto-answer', phone: 'Phone', site: 'Site', external_id: 'External ID',
    like: 'Set up like',
  };
  return labels[key] ?? key;
}

/**
 * A column of the mapping in words: its label is the field's admin UI name (or the file's
 * header while it maps to none), and `how` says which header matched and how, in full.
 */
export function mappingLabel({ header, field, matchedBy }) {
  if (field == null) return { label: header, how: 'not imported' };
  const label = fieldLabel(field);
  const ways = { name: 'matched by name', synonym: 'matched', user: 'your choice' };
  const way = ways[matchedBy] ?? 'matched';
  return { label, how: `column “${header}”, ${way}` };
}

/** A row status from the run → the word the results show. */
export function statusLabel(status) {
  const labels = {
    pending: 'Waiting', sending: 'Sending', created: 'Created', existed: 'Already existed',
    restored: 'Restored', skipped: 'Skipped', failed: 'Failed', invalid: 'Invalid',
    updated: 'Updated',
  };
  return labels[status] ?? status;
}
