import type { Command } from 'commander';
import { UserError } from '../util/errors.js';

export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('run the language server (Dockerfiles, entrypoint scripts, compose files, manifests) for an editor, over stdin/stdout')
    .option('--stdio', 'speak LSP over stdin/stdout (the only transport)')
    .addHelpText('after', '\nEditors start it as `pid1 lsp --stdio`; see docs/editors.md.')
    .action(async (o: { stdio?: boolean }) => {
      if (!o.stdio) throw new UserError('pid1 lsp: only --stdio is supported (the editor talks to it over stdin/stdout)');
      // loaded only here: vscode-languageserver is for this command alone
      const { startLanguageServer } = await import('./lsp-server.js');
      const connection = startLanguageServer();
      // the server ends on the client's `exit` notification (vscode-languageserver exits the process)
      await new Promise<void>((resolve) => connection.onExit(() => resolve()));
    });
}
