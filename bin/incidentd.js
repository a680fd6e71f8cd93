#!/usr/bin/env node
// Runs the TypeScript CLI in this very process (tsx's loader registered in-process, no child), so signals such
// as Docker's SIGTERM reach the server and shut it down gracefully.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
