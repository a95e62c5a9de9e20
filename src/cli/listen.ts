import { UserError } from '../contracts/index.js';

interface ListenAt {
  host: string;
  port: number;
  /** The flag that changes the port, e.g. `--port`. */
  portFlag?: string;
  hostFlag?: string;
}

/**
 * Runs the start of a server command (serve, demo, gateway, hub serve) and turns the errors of
 * listening on an address a user picked (port busy, port not allowed, address not here) into one
 * line naming the port and the flag that changes it, instead of a stack trace.
 */
export async function listenOrExplain<T>(at: ListenAt, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    if (e?.syscall !== 'listen' && e?.syscall !== 'bind') throw err;
    const portFlag = at.portFlag ?? '--port';
    const hostFlag = at.hostFlag ?? '--host';
    const port = e.port ?? at.port;
    const where = `port ${port} on ${e.address ?? at.host}`;
    if (e.code === 'EADDRINUSE')
      throw new UserError(
        'INVALID_ARGUMENT',
        `${where} is already in use (another program, or another distillguard); choose another with ${portFlag} N (${portFlag} 0 picks a free one)`,
      );
    if (e.code === 'EACCES')
      throw new UserError(
        'INVALID_ARGUMENT',
        `not allowed to listen on ${where} (ports below 1024 need privileges); choose another with ${portFlag} N`,
      );
    if (e.code === 'EADDRNOTAVAIL')
      throw new UserError(
        'INVALID_ARGUMENT',
        `cannot listen on ${where}: ${at.host} is not an address of this machine; choose another with ${hostFlag}`,
      );
    throw err;
  }
}
