// The steps of a run after each create or restore (a restored user's division and profile,
// roles, skills, queue memberships, location, extension, password, and the day-1 steps:
// employer info, auto-answer, groups, languages, external id, phone) in the words the window
// shows: the plan's summary, the run's progress and the results' columns.
// The results wording is the same as the exported results file's (`step_summary` in
// src/run/export.rs). Pure: no DOM.

import { formatCount, plural } from './format.js';

/** The step kinds, in the order of the results' columns (the export's order too). */
export const STEP_KINDS = [
  { kind: 'division', label: 'Division' },
  { kind: 'profile', label: 'Profile' },
  { kind: 'roles', label: 'Roles' },
  { kind: 'skills', label: 'Skills' },
  { kind: 'queue', label: 'Queues' },
  { kind: 'location', label: 'Location' },
  { kind: 'extension', label: 'Extension' },
  { kind: 'password', label: 'Password' },
  { kind: 'employer', label: 'Employer info' },
  { kind: 'autoAnswer', label: 'Auto-answer' },
  { kind: 'group', label: 'Groups' },
  { kind: 'languages', label: 'Languages' },
  { kind: 'externalId', label: 'External ID' },
  { kind: 'phone', label: 'Phone' },
];

/** Statuses in the order the summary lists them, with their word (as export.rs). */
const WORDS = [
  ['done', 'done'],
  ['failed', 'failed'],
  ['pending', 'not done'],
  ['none', 'not applied'],
];

/**
 * What became of one kind of step of a row: "done: Support, Sales", "failed: Agent (Sales)
 * (the error)", "done: Support; failed: Sales (…)", or "" when the row has none of that kind.
 */
export function stepSummary(steps, kind) {
  const parts = [];
  for (const [status, word] of WORDS) {
    const matching = (steps ?? []).filter((s) => s.kind === kind && s.status === status);
    if (!matching.length) continue;
    let part = `${word}: ${matching.map((s) => s.label).join(', ')}`;
    const error = matching.find((s) => s.error)?.error;
    if (error) part += ` (${error})`;
    parts.push(part);
  }
  return parts.join('; ');
}

/** The tone of a row's cell for one kind: a failure is an error, all done is ok. */
export function stepTone(steps, kind) {
  const matching = (steps ?? []).filter((s) => s.kind === kind);
  if (!matching.length) return '';
  if (matching.some((s) => s.status === 'failed')) return 'error';
  if (matching.every((s) => s.status === 'done')) return 'ok';
  return 'muted';
}

/**
 * How a row ended, counting its steps: a user who already existed and got something added
 * was `updated` (as the results file says); otherwise the row's own status.
 */
export function resultStatus(status, steps) {
  if (status === 'existed' && (steps ?? []).some((s) => s.status === 'done')) return 'updated';
  return status;
}

/** Whether any step of the row failed. */
export const hasFailedStep = (steps) => (steps ?? []).some((s) => s.status === 'failed');

/**
 * The step kinds a run's rows have, in column order (none when the run has no steps). A kind
 * this window does not know yet still gets its column, after the others, named after itself.
 */
export function kindsOf(rowsSteps) {
  const present = new Set();
  for (const steps of rowsSteps) for (const step of steps ?? []) present.add(step.kind);
  const known = STEP_KINDS.filter(({ kind }) => present.has(kind));
  const unknown = [...present]
    .filter((kind) => !STEP_KINDS.some((k) => k.kind === kind))
    .map((kind) => ({ kind, label: kind[0].toUpperCase() + kind.slice(1) }));
  return [...known, ...unknown];
}

/**
 * The plan's "After creation" line from its step totals: who gets what and how many calls
 * that takes, or `null` when the file adds nothing after the create.
 */
export function describeStepTotals(totals) {
  if (!totals) return null;
  const parts = [];
  const users = (n) => plural(n, 'user');
  if (totals.roles) parts.push(`roles for ${users(totals.roles)}`);
  if (totals.skills) parts.push(`skills for ${users(totals.skills)}`);
  if (totals.queueMemberships) {
    parts.push(`${plural(totals.queueMemberships, 'queue membership')} in ${plural(totals.queueCalls, 'call')} (batched per queue)`);
  }
  if (totals.location) parts.push(`a location for ${users(totals.location)}`);
  if (totals.extension) parts.push(`an extension for ${users(totals.extension)}`);
  if (totals.languages) parts.push(`languages for ${users(totals.languages)}`);
  if (totals.groupMemberships) {
    parts.push(`${plural(totals.groupMemberships, 'group membership')} in ${plural(totals.groupCalls, 'call')} (batched per group)`);
  }
  if (totals.employer) parts.push(`employer info for ${users(totals.employer)}`);
  if (totals.autoAnswer) {
    let part = `auto-answer for ${users(totals.autoAnswer)}`;
    if (totals.bulkAutoAnswer) part += ` (${formatCount(totals.bulkAutoAnswer)} of them in ${plural(totals.bulkAutoAnswerCalls, 'batched call')})`;
    parts.push(part);
  }
  if (totals.externalId) parts.push(`an external id for ${users(totals.externalId)}`);
  if (totals.phones) parts.push(`a WebRTC phone and default station for ${users(totals.phones)}`);
  if (!parts.length) return null;
  let text = `After creation: ${parts.join(', ')}`;
  text += totals.naiveCalls > totals.calls
    ? `; ${plural(totals.calls, 'call')} instead of ${formatCount(totals.naiveCalls)} one by one.`
    : `; ${plural(totals.calls, 'call')}.`;
  return text;
}

/** The run's step progress, "12 / 14 done, 0 failed", or `null` when the run has no steps. */
export function stepProgress(progress) {
  if (!progress?.stepsTotal) return null;
  return `${formatCount(progress.stepsDone)} / ${formatCount(progress.stepsTotal)} done, ${formatCount(progress.stepsFailed)} failed`;
}

/** The label of the plan's run button: "Create 4 users and update 1", "Update 2 users". */
export function runLabel(counts) {
  const parts = [];
  if (counts.create) parts.push(`create ${plural(counts.create, 'user')}`);
  if (counts.restore) parts.push(`restore ${counts.create ? formatCount(counts.restore) : plural(counts.restore, 'user')}`);
  if (counts.update) parts.push(`update ${parts.length ? formatCount(counts.update) : plural(counts.update, 'user')}`);
  if (!parts.length) return 'Nothing to create';
  const text = parts.length > 1
    ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
    : parts[0];
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * A plan note's text: "Line 5: The role "Agnet" is not in this org. …". The core's messages
 * often start with their own "line 5: " or "line 5, ", which is dropped, not said twice.
 */
export function noteText(line, messages) {
  const own = new RegExp(`^line ${line}(: |, )`, 'i');
  const text = messages.map((message) => {
    const rest = message.replace(own, '');
    return rest === message ? message : rest[0].toUpperCase() + rest.slice(1);
  }).join(' ');
  return `Line ${line}: ${text}`;
}
