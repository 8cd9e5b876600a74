#!/usr/bin/env node
// Puts Genesys Spark's browser build into ui/vendor/spark, which the desktop app serves from
// its own assets (and embeds at build time). The version is pinned by package-lock.json and
// installed with `npm ci`; nothing under ui/vendor is committed. Quick when already in place.
//
//   node scripts/ui-deps.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const version = lock.packages['node_modules/genesys-spark-components'].version;
const target = join(root, 'ui', 'vendor', 'spark');
const stamp = join(target, 'VERSION');
// The package's version, and which files of it are kept (raise when `keep` below changes).
const wanted = `${version} keep-2`;

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) process.exit(0);

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

// What the app embeds is what it serves: the components' code and stylesheet, the English
// strings (the window's language), and the icons the components' code names — not the 2,000
// icons of every set (8.4 MB), nor the Spark 3 stylesheet.
const dist = join(installed, 'dist', 'genesys-webcomponents');
const code = readdirSync(dist)
  .filter((name) => name.endsWith('.js'))
  .map((name) => readFileSync(join(dist, name), 'utf8'))
  .join('\n');
const icons = new Set(
  [...code.matchAll(/["'`]((?:fa|custom|legacy|brand|restricted|deprecated)\/[a-z0-9-]+)["'`]/g)]
    .map((match) => `icons/${match[1]}.svg`),
);
const keep = (path) => {
  const inside = relative(dist, path).split('\\').join('/');
  if (inside === 'genesys-webcomponents-legacy.css') return false;
  if (inside.startsWith('i18n/') && inside.endsWith('.json')) return inside.endsWith('.i18n.en.json');
  if (inside.startsWith('icons/') && inside.endsWith('.svg')) return icons.has(inside);
  return true;
};
rmSync(target, { recursive: true, force: true });
cpSync(dist, target, { recursive: true, filter: keep });
writeFileSync(stamp, `${wanted}\n`);
console.log(`ui-deps: Spark ${version} in ui/vendor/spark`);
