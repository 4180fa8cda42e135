// Entry point run by a token executable in a confess-mode build (see materialize.ts):
// `materialize-main.js <token path> [args...]`.
import { materializeAndRun } from './materialize.js';

const [tokenPath, ...args] = process.argv.slice(2);
if (tokenPath === undefined) {
  process.stderr.write('continuity: materialize: no token path given\n');
  process.exitCode = 2;
} else {
  materializeAndRun(tokenPath, args, process.env).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`continuity: materialize ${tokenPath}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 126;
    },
  );
}
