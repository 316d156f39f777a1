// Is the device still there? The close event catches most unplugs, but not all: some USB-serial drivers keep
// the tty open and silent after the adapter is pulled. Polling the port list catches those.
import { realpath } from 'node:fs/promises';

/** Lists the paths of serial ports present now (the default lists with SerialPort.list()). */
export type PortLister = () => Promise<string[]>;

/**
 * A presence check for a port opened by a stable path (a /dev/serial/by-id/… link): present when the link still
 * resolves and the tty it names is in the port list. A path the lister never reports (a pty, an unlisted UART) is
 * judged by the link alone.
 */
export function stablePathPresence(stablePath: string, lister: PortLister): () => Promise<boolean> {
  let everListed = false;
  return async () => {
    let target: string;
    try {
      target = await realpath(stablePath);
    } catch {
      return false;
    }
    const paths = await lister();
    const resolved = await Promise.all(paths.map((p) => realpath(p).catch(() => p)));
    const listed = resolved.includes(target) || paths.includes(stablePath);
    if (listed) everListed = true;
    return listed || !everListed;
  };
}
