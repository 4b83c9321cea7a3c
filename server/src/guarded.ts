import { ResponseError, type Connection } from 'vscode-languageserver/node';

export type Guard = <A extends unknown[], R>(name: string, fallback: R, handler: (...args: A) => R | Promise<R>, passResponseErrors?: boolean) => (...args: A) => Promise<R>;

/**
 * Wraps handlers so that an exception is logged and answered with a fallback, never sent to the
 * client as a failure; a ResponseError meant for the user (why a rename is refused) passes when asked.
 */
export function guardWith(connection: Connection): Guard {
  return (name, fallback, handler, passResponseErrors = false) =>
    async (...args) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (passResponseErrors && error instanceof ResponseError) throw error;
        connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
      }
    };
}
