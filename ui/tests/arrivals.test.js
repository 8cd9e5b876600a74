import test from 'node:test';
import assert from 'node:assert/strict';
import { fileName, passedOverText, waitingText } from '../js/logic/arrivals.js';

test('a waiting file is named by its file name, on any system', () => {
  assert.equal(waitingText('/home/ada/Downloads/new-hires.csv'), 'new-hires.csv will open when this run ends');
  assert.equal(fileName('C:\\Users\\Renée\\Nouveaux employés.xlsx'), 'Nouveaux employés.xlsx');
});

test('files passed over are named with the reason for each', () => {
  assert.equal(
    passedOverText([
      { name: 'notes.txt', reason: 'Rollcall opens .csv and .xlsx files only' },
      { name: 'more.csv', reason: 'Rollcall opens one file at a time' },
    ]),
    'Not opened: notes.txt (Rollcall opens .csv and .xlsx files only); more.csv (Rollcall opens one file at a time).',
  );
});
