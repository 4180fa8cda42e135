// Every command the CLI knows. Each module exports one yargs CommandModule.
import type { CommandModule } from 'yargs';
import { confessCommand } from './confess.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [confessCommand];
