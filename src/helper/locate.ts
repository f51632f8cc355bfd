// Where the helper executable is: the `path` option, else the environment
// variable NSDO_HELPER, else the build inside this package,
// <package root>/helper/build/nsdo-helper. The first one given wins; a
// missing file there is an error that names all three places, rather than
// a silent fall through to the next one.

import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NsdoError } from '../errors.js';

/** This file is <root>/dist/helper/locate.js (or <root>/src/helper/locate.ts). */
export const packageRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const packageHelperPath = resolve(packageRoot, 'helper/build/nsdo-helper');

export type HelperSource = 'option' | 'env' | 'package';

export interface HelperLocation {
  path: string;
  source: HelperSource;
}

/** Picks the helper's path without touching the file system. */
export function locateHelper(option: string | undefined): HelperLocation {
  if (option !== undefined && option !== '') return { path: resolve(option), source: 'option' };
  const env = process.env['NSDO_HELPER'];
  if (env !== undefined && env !== '') return { path: resolve(env), source: 'env' };
  return { path: packageHelperPath, source: 'package' };
}

/** Throws NsdoError ERR_NSDO_HELPER_NOT_FOUND unless the helper is an executable file. */
export function checkHelper(location: HelperLocation): void {
  let problem: string;
  try {
    if (statSync(location.path).isFile()) {
      accessSync(location.path, constants.X_OK);
      return;
    }
    problem = 'is not a file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? 'does not exist'
      : code === 'EACCES' ? 'is not executable' : `cannot be used (${code})`;
  }
  throw new NsdoError(helperNotFoundMessage(location, problem), {
    code: 'ERR_NSDO_HELPER_NOT_FOUND',
  });
}

function helperNotFoundMessage(location: HelperLocation, problem: string): string {
  const from = {
    option: 'the `path` option',
    env: 'the NSDO_HELPER environment variable',
    package: 'the package build',
  }[location.source];
  return `nsdo helper not found: ${location.path} (from ${from}) ${problem}.\n` +
    'The helper is looked for in, first match wins: the `path` option of new Helper(), ' +
    `the NSDO_HELPER environment variable, ${packageHelperPath}.\n` +
    `Build it in ${packageRoot} with \`npm run build\` or \`npx zx scripts/build-helper.mjs\`.`;
}
