/**
 * The language server's entry: one connection, the state its handlers share, and the handlers of
 * each area. What each does lives in its module.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createServerContext } from './serverContext';
import { registerCharts } from './handlers/charts';
import { registerCommands } from './handlers/commands';
import { registerDocuments } from './handlers/documents';
import { registerLanguage } from './handlers/language';
import { registerLifecycle } from './handlers/lifecycle';
import { registerNavigation } from './handlers/navigation';
import { registerPullDiagnostics } from './handlers/pullDiagnostics';
import { registerObjectsHandler } from './handlers/objects';

const connection = createConnection(ProposedFeatures.all);
const context = createServerContext(connection);

registerLifecycle(context);
registerDocuments(context);
registerLanguage(context);
registerPullDiagnostics(context);
registerNavigation(context);
registerCharts(context);
registerCommands(context);
registerObjectsHandler(connection, context.store);

process.on('uncaughtException', (error) => connection.console.error(`Unexpected error: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unexpected rejection: ${String(reason)}`));

connection.listen();
