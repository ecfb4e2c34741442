#!/usr/bin/env node
// Writes the key-by-key reference of docs/policy.md from the zod schema (src/policy/schema.ts),
// between the page's markers. Run after `npm run build`; test/docs.test.ts fails when the page is
// not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { withPolicyReference } from '../dist/policy/policy-reference.js';

const page = new URL('../docs/policy.md', import.meta.url);
writeFileSync(page, withPolicyReference(readFileSync(page, 'utf8')));
