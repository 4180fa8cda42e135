import type { CommandModule } from 'yargs';
export const confessCommand: CommandModule = {
  command: 'confess',
  describe: 'Confess a build graph (cmake, autotools)',
  handler: () => {},
};
