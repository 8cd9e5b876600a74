import test from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration, formatCount, plural, describeSource, delimiterName, fieldLabel, mappingLabel, rateSourceText,
} from '../js/logic/format.js';

test('durations read as seconds, minutes or hours', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(185), '3 min 5 s');
  assert.equal(formatDuration(120), '2 min');
  assert.equal(formatDuration(7800), '2 h 10 min');
  assert.equal(formatDuration(undefined), '—');
});

test('counts get thousands separators and plurals agree', () => {
  assert.equal(formatCount(100000), '100,000');
  assert.equal(plural(1, 'row'), '1 row');
  assert.equal(plural(2, 'row'), '2 rows');
});

test('a source is described as an admin would say it', () => {
  const text = describeSource({
    format: 'csv', encoding: 'UTF-8', delimiter: ';', sheet: null, dataRows: 14,
  });
  assert.equal(text, 'CSV · UTF-8 · semicolon-separated · 14 rows');
  assert.equal(delimiterName('\t'), 'tab');
  assert.equal(
    describeSource({ format: 'xlsx', encoding: null, delimiter: null, sheet: 'Hires', dataRows: 1 }),
    'Excel workbook · sheet "Hires" · 1 row',
  );
});

test('field keys get readable labels', () => {
  assert.equal(fieldLabel('phone_work'), 'Work phone');
  assert.equal(fieldLabel('something_new'), 'something_new');
});

test("the plan says where its rate limit came from", () => {
  assert.equal(rateSourceText('setting'), "the profile's rate limit");
  assert.equal(rateSourceText('org'), "the org's own limits");
  assert.match(rateSourceText('default'), /Genesys's default/);
});

test("the mapping names a column by the admin UI's words and says in full which header matched", () => {
  assert.deepEqual(
    mappingLabel({ header: 'phone_work', field: 'phone_work', matchedBy: 'name' }),
    { label: 'Work phone', how: 'column “phone_work”, matched by name' },
  );
  assert.deepEqual(
    mappingLabel({ header: 'Manager', field: 'email_manager', matchedBy: 'synonym' }),
    { label: 'Manager e-mail', how: 'column “Manager”, matched' },
  );
  assert.equal(mappingLabel({ header: 'roles_divisions', field: 'roles_divisions', matchedBy: 'name' }).label, 'Roles and divisions');
  assert.deepEqual(
    mappingLabel({ header: 'Notes', field: null, matchedBy: 'unmatched' }),
    { label: 'Notes', how: 'not imported' },
  );
  for (const key of ['employee_id', 'hire_date', 'acd_auto_answer', 'external_id', 'like']) {
    assert.notEqual(fieldLabel(key), key, `${key} has words`);
  }
});
