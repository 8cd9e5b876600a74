// What the window says about files the system handed over. Pure: no DOM.

/** The name of the file at `path`, as the user knows it (either slash, so Windows paths too). */
export function fileName(path) {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** The notice shown while a file waits for the run going to end. */
export function waitingText(path) {
  return `${fileName(path)} will open when this run ends`;
}

/** The toast naming the files that were handed over but not opened, each with why. */
export function passedOverText(passedOver) {
  const named = passedOver.map(({ name, reason }) => `${name} (${reason})`);
  return `Not opened: ${named.join('; ')}.`;
}
