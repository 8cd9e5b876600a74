import test from 'node:test';
import assert from 'node:assert/strict';
import { describeConnection } from '../js/logic/connection.js';

const read = (what, permission, outcome, message = null) => ({ what, permission, outcome, message });

test('a refused read is named with the permission the client lacks', () => {
  const { lines, missing } = describeConnection({
    endpoint: 'EMEA (Dublin) (eu-west-1)',
    divisions: ['Home', 'Sales'],
    reads: [
      read('roles', 'authorization:role:view', 'missing', 'The OAuth client is missing the permission authorization:role:view.'),
      read('queues', 'routing:queue:view', 'allowed'),
      read('routing skills', 'routing:skill:view', 'allowed'),
      read("a user's roles (updating existing users)", 'authorization:grant:view', 'notChecked', 'The org has no active user to read the roles of.'),
    ],
    writes: [
      { what: 'create users', permission: 'directory:user:add' },
      { what: 'move restored users to their division', permission: null },
    ],
  });
  assert.equal(missing, 1);
  assert.deepEqual(lines, [
    { text: 'Connected to EMEA (Dublin) (eu-west-1): 2 divisions (Home, Sales).', tone: 'ok' },
    { text: 'Can read queues and routing skills.', tone: 'ok' },
    { text: 'Cannot read roles: the OAuth client needs the permission authorization:role:view.', tone: 'error' },
    { text: "Not checked: a user's roles (updating existing users) (The org has no active user to read the roles of.).", tone: 'muted' },
    { text: 'Checked on first use: directory:user:add to create users.', tone: 'muted' },
  ]);
});

test('a client that may read everything gets no warning', () => {
  const { lines, missing } = describeConnection({
    endpoint: 'Sandbox org',
    divisions: ['Home'],
    reads: [read('roles', 'authorization:role:view', 'allowed')],
    writes: [],
  });
  assert.equal(missing, 0);
  assert.deepEqual(lines.map((l) => l.tone), ['ok', 'ok']);
  assert.equal(lines[0].text, 'Connected to Sandbox org: 1 division (Home).');
});
