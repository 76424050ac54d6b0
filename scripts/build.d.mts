// Types of what the TypeScript scripts and tests import from build.mjs.
import type { BuildOptions } from "esbuild";

export function taskBundleOptions(entry: string, outfile: string): BuildOptions;
