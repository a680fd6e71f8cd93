#!/usr/bin/env node
// Runs the CLI in this very process (no child), so signals such as Docker's SIGTERM reach the server and shut it
// down gracefully. The compiled dist/ (npm run build; `prepare` runs it on npm install) when it is newer than every
// source file: no TypeScript to transpile at start. Otherwise, or with INCIDENTD_FROM_SOURCE=1, the TypeScript
// sources through tsx's loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  const built = join(root, 'dist', 'cli.js');
  if (process.env.INCIDENTD_FROM_SOURCE === '1' || !existsSync(built)) return false;
  return !existsSync(join(root, 'src')) || statSync(built).mtimeMs >= newestSource(join(root, 'src'));
}

if (distIsFresh()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
