// One function per command of the shell, one-for-one. Errors arrive as `{ kind, message }`.

const core = () => window.__TAURI__.core;

const invoke = (command, args) => core().invoke(command, args);

export const appReady = () => invoke('app_ready');
export const closeConfirmed = () => invoke('close_confirmed');
export const takeArrivals = () => invoke('take_arrivals');
export const about = () => invoke('about');
export const openFolder = (folder) => invoke('open_folder', { folder });
export const problemDetails = () => invoke('problem_details');
export const checkForUpdate = () => invoke('check_for_update');
export const offeredUpdate = () => invoke('offered_update');
export const downloadUpdate = () => invoke('download_update');
export const installUpdate = () => invoke('install_update');
export const updateSettings = () => invoke('update_settings');
export const saveUpdateSettings = (settings) => invoke('save_update_settings', { settings });

export const regions = () => invoke('regions');
export const listProfiles = () => invoke('list_profiles');
export const saveProfile = (input) => invoke('save_profile', { input });
export const deleteProfile = (name) => invoke('delete_profile', { name });
export const testConnection = (input) => invoke('test_connection', { input });

export const openFile = (path, options) => invoke('open_file', { path, options });
export const chooseFile = () => invoke('choose_file');
export const openSample = (options) => invoke('open_sample', { options });
export const rereadFile = (options) => invoke('reread_file', { options });
export const mapColumn = (header, field, options) => invoke('map_column', { header, field, options });
export const resetMapping = (options) => invoke('reset_mapping', { options });
export const saveTemplate = () => invoke('save_template');

// Editing the open file's rows: each answers with a delta (see logic/preview-delta.js).
export const editCell = (line, column, value) => invoke('edit_cell', { line, column, value });
/** `replace`: `{ column, find, with, onlyProblemRows }`. */
export const countReplacements = (replace) => invoke('count_replacements', replace);
export const replaceInColumn = (replace) => invoke('replace_in_column', replace);
export const removeRow = (line) => invoke('remove_row', { line });
/** `null` when there is nothing to undo (or redo). */
export const undoEdit = () => invoke('undo_edit');
export const redoEdit = () => invoke('redo_edit');
export const applySuggestion = (field, name, use) => invoke('apply_suggestion', { field, name, with: use });
export const saveCorrectedFile = () => invoke('save_corrected_file');

export const makePlan = (profile, options) => invoke('make_plan', { profile, options });

/** Start the planned run; `onEvents` receives arrays of run events as they happen. */
export function startRun(onEvents) {
  const channel = new (core().Channel)();
  channel.onmessage = onEvents;
  return invoke('start_run', { onEvent: channel });
}

/**
 * Resume a run in its own org. A run whose journal does not say which org that is fails with
 * `{ kind: 'confirm', message: question }`; `orgConfirmed` is the user's yes to that question.
 */
export function resumeRun(runId, onEvents, orgConfirmed = false) {
  const channel = new (core().Channel)();
  channel.onmessage = onEvents;
  return invoke('resume_run', { runId, onEvent: channel, orgConfirmed });
}

/**
 * Invite a past run's created users who were not invited, in its own org (a journal that does
 * not say which fails with `{ kind: 'confirm', message }`, as `resumeRun` does).
 */
export const inviteRun = (runId, orgConfirmed = false) => invoke('invite_run', { runId, orgConfirmed });
export const pauseRun = (runId) => invoke('pause_run', { runId });
export const continueRun = (runId) => invoke('continue_run', { runId });
export const cancelRun = (runId) => invoke('cancel_run', { runId });
export const listRuns = () => invoke('list_runs');
export const runRows = (runId) => invoke('run_rows', { runId });
export const exportRun = (runId, kind) => invoke('export_run', { runId, kind });
export const resetSandbox = () => invoke('reset_sandbox');

/** Listen to an event the shell sends the window. */
export const listen = (event, handler) => window.__TAURI__.event.listen(event, handler);
