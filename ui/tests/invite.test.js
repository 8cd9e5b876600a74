import test from 'node:test';
import assert from 'node:assert/strict';
import { invitationOutcome, invitationQuestion } from '../js/logic/invite.js';

test('the question names how many users and says nobody is invited twice', () => {
  const question = invitationQuestion({ id: '20261130-101500-abcdef', invitable: 3 });
  assert.match(question, /to 3 users that run 20261130-101500-abcdef created/);
  assert.match(question, /nobody is invited twice/);
  assert.match(invitationQuestion({ id: 'r', invitable: 1 }), /to 1 user that/);
});

test('the outcome counts what was sent, refused and possibly sent', () => {
  assert.deepEqual(invitationOutcome({ sent: 2, failed: [], inDoubt: 0 }), {
    text: '2 invitations sent.', ok: true,
  });
  const mixed = invitationOutcome({ sent: 1, failed: [[4, 'a@example.com', 'Invitation not sent: 400']], inDoubt: 1 });
  assert.equal(mixed.text, '1 invitation sent, 1 not sent, 1 possibly sent, not sent again (check in Genesys Cloud).');
  assert.equal(mixed.ok, false);
  assert.equal(invitationOutcome({ sent: 0 }).text, 'Nobody to invite: every user this run created has been invited.');
  const stopped = invitationOutcome({ sent: 0, failed: [[2, 'b@example.com', 'no']], stopped: 'Permission denied.' });
  assert.match(stopped.text, /Stopped: Permission denied\.$/);
  assert.equal(stopped.ok, false);
});
