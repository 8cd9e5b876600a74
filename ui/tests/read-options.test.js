import test from 'node:test';
import assert from 'node:assert/strict';
import { needsReread, readOptions } from '../js/logic/read-options.js';

test('the controls become the options the shell takes, blanks as null', () => {
  assert.deepEqual(readOptions(' GB ', 'dmy'), { defaultCountry: 'GB', dateOrder: 'dmy' });
  assert.deepEqual(readOptions('', ''), { defaultCountry: null, dateOrder: null });
  assert.deepEqual(readOptions(undefined, undefined), { defaultCountry: null, dateOrder: null });
});

test('a changed date order or country re-reads the open file', () => {
  const before = readOptions('US', '');
  assert.equal(needsReread(true, before, readOptions('US', 'mdy')), true);
  assert.equal(needsReread(true, before, readOptions('GB', '')), true);
  assert.equal(needsReread(true, readOptions('US', 'mdy'), readOptions('US', '')), true);
});

test('the same options, or no file open, read nothing again', () => {
  const before = readOptions('US', 'mdy');
  assert.equal(needsReread(true, before, readOptions(' US', 'mdy')), false);
  assert.equal(needsReread(false, before, readOptions('GB', 'dmy')), false);
  assert.equal(needsReread(false, null, readOptions('GB', 'dmy')), false);
});
