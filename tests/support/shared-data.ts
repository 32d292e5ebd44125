import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The project root (tests run from anywhere). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A real recording from ../shared/data (see its SOURCES.md), relative to the project root as CI provides it. */
export const sharedData = (name: string): string => resolve(repoRoot, '../shared/data', name);
