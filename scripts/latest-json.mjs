#!/usr/bin/env node
// Writes latest.json, the release manifest the app's updater and `rollcall version --check`
// read: the version, the release notes, and for each platform the installer's download address
// and its updater signature (the .sig the Tauri signer wrote beside it).
//
//   node scripts/latest-json.mjs TAG DIST_FOLDER NOTES_FILE > latest.json
//
// The keys are the updater's `{os}-{arch}-{installer}`: an installed app looks for its own
// installer's key first. The .deb is the only Linux installer Rollcall ships.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [tag, dist, notesFile] = process.argv.slice(2);
if (!tag || !dist || !notesFile) {
  console.error('usage: latest-json.mjs TAG DIST_FOLDER NOTES_FILE');
  process.exit(2);
}
const repository = process.env.GITHUB_REPOSITORY ?? 'rollcall-app/rollcall';
const files = readdirSync(dist);

/** The signed installer whose name ends with `suffix`, as the manifest names it. */
function signed(suffix) {
  const name = files.find((file) => file.endsWith(suffix));
  if (!name) throw new Error(`no *${suffix} in ${dist}`);
  if (!files.includes(`${name}.sig`)) throw new Error(`${name} has no .sig: was the build signed?`);
  return {
    url: `https://github.com/${repository}/releases/download/${tag}/${encodeURIComponent(name)}`,
    signature: readFileSync(join(dist, `${name}.sig`), 'utf8').trim(),
  };
}

const deb = signed('_amd64.deb');
const nsis = signed('-setup.exe');
const msi = signed('.msi');
// The universal .app serves both Mac processors.
const app = signed('.app.tar.gz');
const manifest = {
  version: tag.replace(/^v/, ''),
  notes: readFileSync(notesFile, 'utf8').trim(),
  pub_date: new Date().toISOString(),
  platforms: {
    'linux-x86_64-deb': deb,
    'windows-x86_64-nsis': nsis,
    'windows-x86_64-msi': msi,
    'darwin-aarch64-app': app,
    'darwin-x86_64-app': app,
  },
};
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
