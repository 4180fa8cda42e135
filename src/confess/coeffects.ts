// The find_package log (JSON lines written by cmake/toolchain.cmake) → coeffects.json.
// A package found on the machine is a filesystem requirement on where it was found; a faked one, on its
// fake root (so the requirement stays visible even though nothing real satisfied it).
import type { CoeffectsFile, PackageRequest, PackageResolution } from '../model/coeffects.js';
import type { Coeffect } from '../model/seed.js';
import type { Result } from '../model/result.js';
import { ok, err } from '../model/result.js';

/** One line of the log: a request, plus where a found package's files were. */
type LoggedFind = PackageRequest & { locations?: string[] };

export function parseFindLog(text: string): Result<{ requests: PackageRequest[]; locations: Map<string, string[]> }, string> {
  const requests: PackageRequest[] = [];
  const locations = new Map<string, string[]>();
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line.trim() === '') continue;
    let x: LoggedFind;
    try {
      x = JSON.parse(line) as LoggedFind;
    } catch {
      return err(`find_package log line ${n} is not JSON`);
    }
    if (typeof x.name !== 'string') return err(`find_package log line ${n} has no name`);
    requests.push({
      name: x.name,
      version: x.version ?? null,
      components: (x.components ?? []).filter((c) => c !== ''),
      required: x.required === true,
      resolution: x.resolution,
      fakeRoot: x.fakeRoot ?? null,
      caller: x.caller ?? null,
    });
    locations.set(x.name, (x.locations ?? []).filter((l) => l.startsWith('/')));
  }
  return ok({ requests, locations });
}

export function coeffectsOf(requests: readonly PackageRequest[], locations: ReadonlyMap<string, string[]>): CoeffectsFile {
  const coeffects: Coeffect[] = [];
  const seen = new Set<string>();
  const fs = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    coeffects.push({ kind: 'filesystem', path });
  };
  for (const r of requests) {
    if (r.resolution === 'faked' && r.fakeRoot) fs(r.fakeRoot);
    if (r.resolution === 'found') for (const l of locations.get(r.name) ?? []) fs(l);
  }
  if (coeffects.length === 0) coeffects.push({ kind: 'pure' });
  return { version: 1, packages: [...requests], coeffects };
}
