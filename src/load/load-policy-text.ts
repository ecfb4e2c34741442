/**
 * Stage 1 for a policy file, whichever kind it is: the loader is chosen by the file's extension here,
 * and only here. The TypeScript compiler is large, so it is loaded only for a `tiers.config.ts`.
 */
import { loadYaml, type LoadedSource } from './load-yaml.js';

/** Whether a policy file is the typed `tiers.config.ts` kind (by its extension). */
function isTypedPolicyFile(path: string): boolean {
  return path.endsWith('.ts');
}

/** Loads policy text: TypeScript for a `.ts` file, YAML for anything else. `file` is how messages name it. */
export async function loadPolicyText(text: string, file: string, path: string = file): Promise<LoadedSource> {
  if (!isTypedPolicyFile(path)) return loadYaml(text, file);
  const { loadTypeScript } = await import('./load-typescript.js');
  return loadTypeScript(text, file);
}
