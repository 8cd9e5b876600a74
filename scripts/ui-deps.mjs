#!/usr/bin/env node
// Puts Genesys Spark's browser build into ui/vendor/spark, which the desktop app serves from
// its own assets (and embeds at build time). The version is pinned by package-lock.json and
// installed with `npm ci`; nothing under ui/vendor is committed. Quick when already in place.
//
//   node scripts/ui-deps.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const version = lock.packages['node_modules/genesys-spark-components'].version;
const target = join(root, 'ui', 'vendor', 'spark');
const stamp = join(target, 'VERSION');

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === version) process.exit(0);

const installed = join(root, 'node_modules', 'genesys-spark-components');
const installedVersion = existsSync(join(installed, 'package.json'))
  ? JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version
  : null;
if (installedVersion !== version) {
  console.log(`ui-deps: installing genesys-spark-components ${version} (npm ci)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
}

rmSync(target, { recursive: true, force: true });
cpSync(join(installed, 'dist', 'genesys-webcomponents'), target, {
  recursive: true,
  // The legacy stylesheet is for Spark 3 pages; this window uses the current one.
  filter: (path) => !path.endsWith('genesys-webcomponents-legacy.css'),
});
writeFileSync(stamp, `${version}\n`);
console.log(`ui-deps: Spark ${version} in ui/vendor/spark`);
