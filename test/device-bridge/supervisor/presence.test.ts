// The default presence check: a stable path (symlink) and the port list.
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stablePathPresence } from '../../../device-bridge/index';
import { onCleanup, runCleanups } from '../session/harness';

afterEach(runCleanups);

describe('stablePathPresence', () => {
  it('follows the link to the tty and asks the injected port lister', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sijill-presence-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const tty = path.join(dir, 'ttyUSB0');
    const link = path.join(dir, 'usb-FTDI_FT232R_A1B2C3-if00-port0');
    await writeFile(tty, '');
    await symlink(tty, link);
    let listed: string[] = [];
    const present = stablePathPresence(link, async () => listed);

    expect(await present()).toBe(true); // never listed (a pty, an unlisted UART): the link decides
    listed = [tty];
    expect(await present()).toBe(true);
    listed = []; // the driver kept the node but the system no longer reports the adapter
    expect(await present()).toBe(false);
    listed = [tty];
    await unlink(tty); // the link dangles: unplugged
    expect(await present()).toBe(false);
    await unlink(link);
    expect(await present()).toBe(false);
  });
});
