import test from 'node:test';
import assert from 'node:assert/strict';
import { profileFromForm, fieldForError, CUSTOM_CHOICE } from '../js/logic/profile-form.js';

test('a complete form becomes a region profile', () => {
  const { profile, errors } = profileFromForm({
    name: ' EMEA prod ', where: 'eu-west-1', clientId: ' abc ', clientSecret: 's3cret',
  });
  assert.equal(errors, undefined);
  assert.deepEqual(profile, {
    name: 'EMEA prod', target: { kind: 'region', key: 'eu-west-1' }, clientId: 'abc', clientSecret: 's3cret',
  });
});

test('every missing field is reported next to itself', () => {
  const { errors } = profileFromForm({ name: '', where: CUSTOM_CHOICE, clientId: '', clientSecret: '' });
  assert.deepEqual(Object.keys(errors).sort(), ['apiUrl', 'clientId', 'clientSecret', 'name']);
});

test('a keychain failure is shown by the secret field', () => {
  assert.equal(fieldForError({ kind: 'keychain', message: 'No keychain is available' }), 'clientSecret');
  assert.equal(fieldForError({ kind: 'profile', message: '"mars" is not a Genesys Cloud region key.' }), 'where');
  assert.equal(fieldForError({ kind: 'auth', message: 'wrong client id/secret' }), 'clientSecret');
  assert.equal(fieldForError({ kind: 'connection', message: 'Could not connect' }), 'form');
});
