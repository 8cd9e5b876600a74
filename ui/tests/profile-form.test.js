import test from 'node:test';
import assert from 'node:assert/strict';
import {
  profileFromForm, formFromProfile, fieldForError, rateFromText, CUSTOM_CHOICE,
} from '../js/logic/profile-form.js';

test('a complete form becomes a region profile', () => {
  const { profile, errors } = profileFromForm({
    name: ' EMEA prod ', where: 'eu-west-1', clientId: ' abc ', clientSecret: 's3cret',
  });
  assert.equal(errors, undefined);
  assert.deepEqual(profile, {
    name: 'EMEA prod',
    target: { kind: 'region', key: 'eu-west-1' },
    clientId: 'abc',
    clientSecret: 's3cret',
    ratePerMinute: null,
  });
});

test("an org's raised rate limit is kept with the profile, and nonsense is refused by the field", () => {
  const form = {
    name: 'EMEA prod', where: 'eu-west-1', clientId: 'abc', clientSecret: 's3cret',
  };
  assert.equal(profileFromForm({ ...form, ratePerMinute: ' 1,200 ' }).profile.ratePerMinute, 1200);
  for (const bad of ['0', '-5', '12.5', 'fast']) {
    const { errors } = profileFromForm({ ...form, ratePerMinute: bad });
    assert.match(errors.ratePerMinute, /requests a minute/, bad);
  }
  assert.equal(rateFromText(''), null);
  assert.equal(rateFromText(undefined), null);
  assert.equal(fieldForError({ kind: 'profile', message: 'A rate limit is at least 1 request a minute; leave it empty for Genesys\'s default.' }), 'ratePerMinute');
});

test('every missing field is reported next to itself', () => {
  const { errors } = profileFromForm({ name: '', where: CUSTOM_CHOICE, clientId: '', clientSecret: '' });
  assert.deepEqual(Object.keys(errors).sort(), ['apiUrl', 'clientId', 'clientSecret', 'name']);
});

test('a secret saved for another org is asked for again in a form filled with the profile as it is now', () => {
  const proxy = formFromProfile({
    name: 'EMEA prod',
    target: { kind: 'custom', api_url: 'https://genesys-proxy.example.com' },
    clientId: 'abc',
    ratePerMinute: 600,
  });
  assert.deepEqual(proxy, {
    name: 'EMEA prod',
    where: CUSTOM_CHOICE,
    apiUrl: 'https://genesys-proxy.example.com',
    clientId: 'abc',
    clientSecret: '',
    ratePerMinute: '600',
  });
  const region = formFromProfile({
    name: 'EMEA prod', target: { kind: 'region', key: 'eu-west-1' }, clientId: 'abc', ratePerMinute: null,
  });
  assert.equal(region.where, 'eu-west-1');
  assert.equal(region.ratePerMinute, '');
  const { errors, profile } = profileFromForm({ ...proxy, clientSecret: 'typed again' });
  assert.equal(errors, undefined, 'once the secret is typed the form saves as it stands');
  assert.deepEqual(profile.target, { kind: 'custom', api_url: 'https://genesys-proxy.example.com' });
  assert.equal(profile.ratePerMinute, 600);
});

test('a keychain failure is shown by the secret field', () => {
  assert.equal(fieldForError({ kind: 'keychain', message: 'No keychain is available' }), 'clientSecret');
  assert.equal(fieldForError({ kind: 'profile', message: '"mars" is not a Genesys Cloud region key.' }), 'where');
  assert.equal(fieldForError({ kind: 'auth', message: 'wrong client id/secret' }), 'clientSecret');
  assert.equal(fieldForError({ kind: 'connection', message: 'Could not connect' }), 'form');
});
