#!/usr/bin/env node
// `npm run build` (and `prepare` with --lenient, on npm install): compiles src/ to dist/ with tsc (rewriting `.ts` import
// specifiers to `.js`), so `npm start` runs JavaScript. Skipped, not failed, where TypeScript or the sources are
// absent (`npm ci --omit=dev`, the Docker deps stage): bin/incidentd.js then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
let tsc;
try {
  // The package's bin (not in its exports map): next to its package.json.
  const pkg = createRequire(join(root, 'package.json')).resolve('typescript/package.json');
  tsc = join(pkg, '..', 'bin', 'tsc');
} catch {
  tsc = null;
}
if (!tsc || !existsSync(join(root, 'src'))) {
  process.stderr.write(
    'incidentd: build skipped (no TypeScript compiler or no src/); running from sources\n',
  );
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  // A half-checked build must not run: without dist/, bin/incidentd.js falls back to the sources.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  // `prepare` (--lenient) never fails an install over it; `npm run build` does.
  if (process.argv.includes('--lenient')) {
    process.stderr.write('incidentd: build failed; running from sources (see the errors above)\n');
    process.exit(0);
  }
}
process.exit(result.status ?? 1);
