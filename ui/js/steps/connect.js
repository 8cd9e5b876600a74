// Step 1, Connect: the profiles, the form that adds one, Test connection, Reset sandbox.

import * as api from '../api.js';
import { h, $, button, replace, showError, toast } from '../dom.js';
import { store, messageOf } from '../store.js';
import { formatCount } from '../logic/format.js';
import {
  profileFromForm, formFromProfile, fieldForError, CUSTOM_CHOICE,
} from '../logic/profile-form.js';
import { describeConnection } from '../logic/connection.js';

const FIELDS = ['name', 'where', 'apiUrl', 'clientId', 'clientSecret', 'ratePerMinute', 'form'];

export async function initConnect() {
  const regions = await api.regions();
  const where = $('#pf-where');
  replace(
    where,
    h('option', { value: '' }, 'Choose a region…'),
    h('optgroup', { label: 'Genesys Cloud regions' },
      regions.map((r) => h('option', { value: r.key }, r.name))),
    h('optgroup', { label: 'Other' },
      h('option', { value: CUSTOM_CHOICE }, 'Custom API URL (a proxy)')),
  );
  where.addEventListener('change', () => {
    $('#pf-url-field').hidden = where.value !== CUSTOM_CHOICE;
  });
  $('#profile-form').addEventListener('submit', (event) => {
    event.preventDefault();
    saveFromForm();
  });
  $('#pf-test').addEventListener('click', testFromForm);
  $('#reset-sandbox').addEventListener('click', resetSandbox);
  await loadProfiles();
}

export async function loadProfiles() {
  try {
    store.profiles = await api.listProfiles();
    showError($('#profiles-error'), null);
  } catch (error) {
    store.profiles = [{ name: 'Sandbox org', builtIn: true, place: 'Sandbox org', clientId: 'rollcall-sandbox', target: { kind: 'sandbox' } }];
    showError($('#profiles-error'), messageOf(error));
  }
  if (!store.profiles.some((p) => p.name === store.profile)) store.profile = store.profiles[0].name;
  renderProfiles();
}

function renderProfiles() {
  const list = $('#profile-list');
  replace(list, store.profiles.map((profile, i) => {
    const id = `profile-${i}`;
    const result = h('p', { class: 'profile-result', role: 'status', hidden: true });
    const item = h('li', { class: `profile${profile.name === store.profile ? ' active' : ''}`, 'data-profile': profile.name },
      h('input', {
        type: 'radio', name: 'profile', id, checked: profile.name === store.profile,
        onchange: () => useProfile(profile.name),
      }),
      h('label', { for: id, class: 'profile-name' }, profile.name,
        profile.builtIn ? h('span', { class: 'badge sandbox' }, 'Demo') : null),
      h('div', { class: 'profile-actions' },
        button('secondary', {
          'aria-label': `Test connection of ${profile.name}`,
          onclick: () => testSaved(profile, result),
        }, 'Test connection'),
        profile.builtIn ? null : button('danger', {
          'aria-label': `Delete ${profile.name}`,
          onclick: () => removeProfile(profile, result),
        }, 'Delete')),
      h('span', { class: 'profile-meta' }, `${profile.place} · client ${profile.clientId}${profile.ratePerMinute ? ` · ${formatCount(profile.ratePerMinute)} requests a minute per token` : ''}`),
      result);
    return item;
  }));
  renderTopbar();
}

function renderTopbar(connected = store.connectedTo === store.profile) {
  replace($('#current-profile'),
    h('span', { class: `dot${connected ? ' ok' : ''}`, 'aria-hidden': 'true' }),
    `Org: ${store.profile}`);
}

function useProfile(name) {
  if (store.profile !== name) {
    store.profile = name;
    store.divisions = null;
    store.plan = null;
  }
  renderProfiles();
}

function say(slot, text, kind) {
  slot.hidden = false;
  slot.className = `profile-result ${kind}`;
  slot.textContent = text;
}

/** A connection report in `slot`: one line each, a missing permission in the error tone. */
function showReport(slot, report, className) {
  const { lines } = describeConnection(report);
  slot.hidden = false;
  slot.className = className;
  replace(slot, lines.map(({ text, tone }, i) => [
    i ? h('br') : null,
    h('span', { class: `connection-${tone}` }, text),
  ]));
}

async function testSaved(profile, slot) {
  say(slot, 'Connecting…', 'info');
  try {
    const report = await api.testConnection({
      name: profile.name, target: profile.target, clientId: profile.clientId,
    });
    store.connectedTo = profile.name;
    if (profile.name === store.profile) store.divisions = report.divisions;
    showReport(slot, report, 'profile-result');
    renderTopbar();
  } catch (error) {
    if (error?.kind === 'secretElsewhere') return askSecretAgain(profile.name, error);
    say(slot, messageOf(error), 'error');
  }
}

/**
 * The profile's saved secret belongs to another org address or client id than the profiles
 * file now names, and was not sent: the form shows the profile as the file has it now (the list
 * on screen may be older) and asks for the secret, which Save then binds there.
 */
async function askSecretAgain(name, error) {
  await loadProfiles();
  const profile = store.profiles.find((p) => p.name === name);
  if (profile) fillForm(formFromProfile(profile));
  const slot = $(`[data-profile="${CSS.escape(name)}"] .profile-result`);
  if (slot) say(slot, `${messageOf(error)} The form is ready for it.`, 'error');
  $('#pf-status').textContent = '';
  showFormErrors({ clientSecret: messageOf(error) });
}

async function removeProfile(profile, slot) {
  try {
    await api.deleteProfile(profile.name);
    toast(`Deleted the profile "${profile.name}" and its secret in the keychain.`);
    await loadProfiles();
  } catch (error) {
    say(slot, messageOf(error), 'error');
  }
}

function formValues() {
  return {
    name: $('#pf-name').value,
    where: $('#pf-where').value,
    apiUrl: $('#pf-url').value,
    clientId: $('#pf-client-id').value,
    clientSecret: $('#pf-secret').value,
    ratePerMinute: $('#pf-rate').value,
  };
}

function fillForm(values) {
  $('#pf-name').value = values.name;
  $('#pf-where').value = values.where;
  $('#pf-url').value = values.apiUrl;
  $('#pf-client-id').value = values.clientId;
  $('#pf-secret').value = values.clientSecret;
  $('#pf-rate').value = values.ratePerMinute;
  $('#pf-url-field').hidden = values.where !== CUSTOM_CHOICE;
}

function showFormErrors(errors) {
  for (const field of FIELDS) {
    const message = errors[field] ?? null;
    showError($(`#pf-${field}-error`), message);
    const input = $(`#profile-form [name="${field}"]`);
    if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }
  const first = FIELDS.find((f) => errors[f]);
  $(`#profile-form [name="${first}"]`)?.focus();
}

function backendError(error) {
  showFormErrors({ [fieldForError(error)]: messageOf(error) });
}

async function saveFromForm() {
  const status = $('#pf-status');
  status.textContent = '';
  const { profile, errors } = profileFromForm(formValues());
  if (errors) return showFormErrors(errors);
  showFormErrors({});
  $('#pf-save').disabled = true;
  try {
    const saved = await api.saveProfile(profile);
    // The secret is in the keychain now; the window forgets it.
    $('#pf-secret').value = '';
    $('#profile-form').reset();
    $('#pf-url-field').hidden = true;
    status.className = 'status-line ok';
    status.textContent = `Saved "${saved.name}"; its secret is in the system keychain.`;
    store.profile = saved.name;
    store.divisions = null;
    await loadProfiles();
  } catch (error) {
    backendError(error);
  } finally {
    $('#pf-save').disabled = false;
  }
}

async function testFromForm() {
  const status = $('#pf-status');
  const { profile, errors } = profileFromForm(formValues());
  if (errors) return showFormErrors(errors);
  showFormErrors({});
  status.className = 'status-line';
  status.textContent = 'Connecting…';
  try {
    const report = await api.testConnection(profile);
    showReport(status, report, 'status-line');
  } catch (error) {
    status.textContent = '';
    backendError(error);
  }
}

async function resetSandbox() {
  try {
    await api.resetSandbox();
    toast('The sandbox org is back to its four demo users.');
  } catch (error) {
    showError($('#profiles-error'), messageOf(error));
  }
}
