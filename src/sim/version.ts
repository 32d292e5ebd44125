import pkg from '../../package.json' with { type: 'json' };

/** The package's version: what `mmsim --version` prints and soak manifests and sweep jobs record. */
export const MMSIM_VERSION: string = pkg.version;
