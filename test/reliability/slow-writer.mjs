// Runs memtier's real writeOutput on a plan, with every write and rename slowed down, so that a
// test can kill this process in the middle of either phase. Arguments: the output folder and a
// JSON file of generated files.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { planOutput } from '../../dist/output/plan-output.js';
import { writeOutput } from '../../dist/output/write-output.js';

const [directory, filesJson, delay] = process.argv.slice(2);
const pause = () => new Promise((resolve) => setTimeout(resolve, Number(delay)));
const slow = {
  writeFile: async (path, contents) => {
    // Write in two halves with a pause between them: a kill here leaves a half-written temporary file.
    writeFileSync(path, contents.slice(0, contents.length / 2));
    await pause();
    writeFileSync(path, contents);
    await pause();
  },
  rename: async (from, to) => {
    renameSync(from, to);
    await pause();
  },
};
const plan = await planOutput(directory, JSON.parse(readFileSync(filesJson, 'utf8')));
// The test times its kill from here, so that slow start-up does not move the kill points.
process.stdout.write('ready\n');
await writeOutput(plan, { fileSystem: slow });
process.stdout.write('done\n');
