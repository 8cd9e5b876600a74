// The profile form's rules, checked before anything is sent. Pure: no DOM.

/** The value of the "Where" select that means a custom API URL. */
export const CUSTOM_CHOICE = '__custom__';

/**
 * The profile to save from the form's values, or the problems by field name.
 * `where` is a region key or CUSTOM_CHOICE. (The sandbox org is the built-in profile only: its
 * address and secret change at every launch, so there is nothing to save.)
 */
export function profileFromForm({ name, where, apiUrl, clientId, clientSecret }) {
  const errors = {};
  if (!name?.trim()) errors.name = 'Give the profile a name, such as "Production EMEA".';
  if (!clientId?.trim()) errors.clientId = 'Enter the OAuth client id (Admin > Integrations > OAuth).';
  if (!clientSecret) errors.clientSecret = 'Enter the OAuth client secret.';
  let target;
  if (where === CUSTOM_CHOICE) {
    if (!apiUrl?.trim()) errors.apiUrl = 'Enter the API base URL, such as https://api.example.com.';
    // The core's wire name for the URL is snake_case (`api_url`).
    target = { kind: 'custom', api_url: apiUrl?.trim() ?? '' };
  } else if (where) {
    target = { kind: 'region', key: where };
  } else {
    errors.where = 'Choose the region of your Genesys Cloud org.';
  }
  if (Object.keys(errors).length) return { errors };
  return {
    profile: { name: name.trim(), target, clientId: clientId.trim(), clientSecret },
  };
}

/** Where an error from the backend belongs in the form. */
export function fieldForError(error) {
  const message = error?.message ?? '';
  if (error?.kind === 'keychain') return 'clientSecret';
  if (/region/i.test(message) && error?.kind === 'profile') return 'where';
  if (/name/i.test(message) && error?.kind === 'profile') return 'name';
  if (/client's id/i.test(message)) return 'clientId';
  if (/secret/i.test(message)) return 'clientSecret';
  if (/https?:\/\//.test(message) && error?.kind !== 'auth') return 'apiUrl';
  return 'form';
}
