import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The repository root. npm scripts and Playwright run there; the runner is bundled into bench/.build/, so its own
 * location cannot tell.
 */
export const REPO_ROOT = process.cwd();
if (!existsSync(resolve(REPO_ROOT, 'bench', 'run.ts'))) throw new Error(`Run the bench from the repository root (npm run bench), not ${REPO_ROOT}.`);

export const fromRoot = (...parts: string[]): string => resolve(REPO_ROOT, ...parts);
