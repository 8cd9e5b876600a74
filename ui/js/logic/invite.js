// *Send invitations…* in words: the question asked before sending, and what came of it. Pure:
// no DOM.

import { formatCount, plural } from './format.js';

/** The question asked before inviting a past run's created users who were not invited. */
export function invitationQuestion({ id, invitable }) {
  return `Genesys Cloud sends its invitation e-mail to ${plural(invitable, 'user')} that run ${id} created and nobody has invited yet. Each invitation is recorded in the run's journal, so nobody is invited twice.`;
}

/** What *Send invitations…* did, and whether it calls for the admin's attention. */
export function invitationOutcome({
  sent, failed = [], inDoubt = 0, stopped = null,
}) {
  const parts = [`${plural(sent, 'invitation')} sent`];
  if (failed.length) parts.push(`${formatCount(failed.length)} not sent`);
  if (inDoubt) parts.push(`${formatCount(inDoubt)} possibly sent, not sent again (check in Genesys Cloud)`);
  let text = sent || failed.length || inDoubt
    ? `${parts.join(', ')}.`
    : 'Nobody to invite: every user this run created has been invited.';
  if (stopped) text += ` Stopped: ${stopped}`;
  return { text, ok: !failed.length && !stopped };
}
