// What the window knows across steps, and moving between steps.

export const store = {
  /** The profile runs use. */
  profile: 'Sandbox org',
  profiles: [],
  /** The open file's preview (from `open_file`). */
  preview: null,
  /** The plan of the open file (from `make_plan`). */
  plan: null,
  /** Divisions of the profile's org, for the plan's options. */
  divisions: null,
};

const listeners = new Map();

/** Show a step: `connect`, `import`, `plan`, `run` or `results`. */
export function goTo(step) {
  for (const section of document.querySelectorAll('.step')) {
    section.hidden = section.id !== `step-${step}`;
  }
  for (const button of document.querySelectorAll('.steps button')) {
    if (button.dataset.step === step) button.setAttribute('aria-current', 'step');
    else button.removeAttribute('aria-current');
  }
  document.getElementById('main').scrollTop = 0;
  for (const listener of listeners.get(step) ?? []) listener();
}

/** Run `listener` each time `step` is shown. */
export function onShow(step, listener) {
  if (!listeners.has(step)) listeners.set(step, []);
  listeners.get(step).push(listener);
}

/** Mark a step as done in the navigation. */
export function markDone(step, done = true) {
  document.querySelector(`.steps button[data-step="${step}"]`)?.classList.toggle('done', done);
}

/** The error message of a failed command. */
export function messageOf(error) {
  if (typeof error === 'string') return error;
  return error?.message ?? String(error);
}
