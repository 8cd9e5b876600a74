// How the import step reads a file (the phone country, the hire dates' order), and whether a
// change of them calls for reading the open file again. Pure: no DOM.

/** The options the shell's import commands take, from the step's two controls. */
export function readOptions(countryText, dateOrderValue) {
  const country = (countryText ?? '').trim();
  return { defaultCountry: country || null, dateOrder: dateOrderValue || null };
}

/**
 * Whether the open file must be read again: there is one, and it was read with other options.
 * A re-read is a new import, so any plan made from the old reading is dropped.
 */
export function needsReread(fileOpen, readWith, now) {
  if (!fileOpen) return false;
  if (!readWith) return true;
  return readWith.defaultCountry !== now.defaultCountry || readWith.dateOrder !== now.dateOrder;
}
