// coeffects.json: the confession's log of what the build asked of its environment (find_package calls).
import type { Coeffect } from './seed.js';

export type PackageResolution = 'found' | 'faked' | 'not-found';

export interface PackageRequest {
  name: string;
  version: string | null;
  components: string[];
  required: boolean;
  resolution: PackageResolution;
  /** where a faked package's fake files live (marked fake in the graph) */
  fakeRoot: string | null;
  /** the CMakeLists.txt that asked, when known */
  caller: string | null;
}

export interface CoeffectsFile {
  version: 1;
  packages: PackageRequest[];
  coeffects: Coeffect[];
}
