// The profile form's rules, checked before anything is sent. Pure: no DOM.

/** The value of the "Where" select that means a custom API URL. */
export const CUSTOM_CHOICE = '__custom__';

/**
 * The profile to save from the form's values, or the problems by field name.
 * `where` is a region key or CUSTOM_CHOICE. (The sandbox org is the built-in profile only: its
 * address and secret change at every launch, so there is nothing to save.) `ratePerMinute` is
 * the org's rate limit per token when Genesys raised it, empty for the default.
 */
export function profileFromForm({
  name, where, apiUrl, clientId, clientSecret, ratePerMinute,
}) {
  const errors = {};
  const rate = rateFromText(ratePerMinute);
  if (rate === undefined) {
    errors.ratePerMinute = "Enter the requests a minute Genesys allows each token, such as 600, or leave it empty for Genesys's default of 300.";
  }
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
    profile: {
      name: name.trim(), target, clientId: clientId.trim(), clientSecret, ratePerMinute: rate,
    },
  };
}

/**
 * The form's values for a saved profile, its secret left for the user to type: how the form asks
 * again for a secret that was saved for another org address or client id.
 */
export function formFromProfile(profile) {
  const custom = profile.target?.kind === 'custom';
  return {
    name: profile.name,
    where: custom ? CUSTOM_CHOICE : (profile.target?.key ?? ''),
    apiUrl: custom ? profile.target.api_url : '',
    clientId: profile.clientId,
    clientSecret: '',
    ratePerMinute: profile.ratePerMinute ? String(profile.ratePerMinute) : '',
  };
}

/** A rate limit typed by hand: `null` when empty, a whole number from 1, else `undefined`. */
export function rateFromText(text) {
  const trimmed = (text ?? '').toString().trim().replace(/[\s,]/g, '');
  if (!trimmed) return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const rate = Number(trimmed);
  return rate >= 1 && rate <= 4_294_967_295 ? rate : undefined;
}

/** Where an error from the backend belongs in the form. */
export function fieldForError(error) {
  const message = error?.message ?? '';
  if (error?.kind === 'keychain') return 'clientSecret';
  if (/rate limit/i.test(message) && error?.kind === 'profile') return 'ratePerMinute';
  if (/region/i.test(message) && error?.kind === 'profile') return 'where';
  if (/name/i.test(message) && error?.kind === 'profile') return 'name';
  if (/client's id/i.test(message)) return 'clientId';
  if (/secret/i.test(message)) return 'clientSecret';
  if (/https?:\/\//.test(message) && error?.kind !== 'auth') return 'apiUrl';
  return 'form';
}
