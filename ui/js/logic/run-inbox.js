// A run's events, kept for the run they belong to. Pure: no DOM.

/** What the window knows of one run: its rows (from the journal) and what events changed since. */
export function newRun(fields = {}) {
  return {
    runId: null,
    total: 0,
    rows: [],
    status: new Map(),
    errors: new Map(),
    steps: new Map(),
    going: false,
    progress: null,
    summary: null,
    tracker: null,
    order: null,
    ...fields,
  };
}

/**
 * The channel handler of one run, bound to the run object made before the command was sent, so
 * its events go to that run whatever the window shows meanwhile (a past run opened from the
 * history, another run resumed). Events that arrive before the command has answered (the run's
 * id and size are known only then) wait, in order, until `open()`.
 * `deliver(run, events)` receives each batch.
 */
export function bindRunEvents(run, deliver) {
  let waiting = [];
  let opened = false;
  return {
    /** The channel's `onmessage`: a batch of this run's events. */
    receive(events) {
      if (opened) deliver(run, events);
      else waiting.push(...events);
    },
    /** The command has answered: hand over what waited, then every batch as it comes. */
    open() {
      opened = true;
      const queued = waiting;
      waiting = [];
      if (queued.length) deliver(run, queued);
    },
  };
}
