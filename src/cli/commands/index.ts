// Every command the CLI knows. Each module exports one yargs CommandModule.
import type { CommandModule } from 'yargs';
import { confessCommand } from './confess.js';
import { lowerCommand } from './lower.js';
import { buildCommand } from './build.js';
import { viewCommand } from './view.js';
import { keygenCommand } from './keygen.js';
import { verifyCommand } from './verify.js';
import { wrapCommand } from './wrap.js';
import { checkCommand } from './check.js';
import { migrateCommand } from './migrate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [confessCommand, lowerCommand, buildCommand, viewCommand, keygenCommand, verifyCommand, migrateCommand, wrapCommand, checkCommand];
