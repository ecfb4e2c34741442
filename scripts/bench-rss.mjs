// Preloaded by scripts/bench.mjs (node --import): records the process's peak resident set size, in
// KiB, to the file named by MEMTIER_BENCH_RSS_FILE when the process exits.
import { writeFileSync } from 'node:fs';

const file = process.env.MEMTIER_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
