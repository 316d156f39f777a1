// Electron main process: thin by design. It owns the window, the app:// protocol
// that serves the built renderer with a strict CSP, and the pipe between the
// renderer and the clinic host. It never opens the database or a serial port: the
// host runs in a utility process and talks to the renderer over a MessagePort.
import { app, BrowserWindow, MessageChannelMain, net, protocol, session, utilityProcess } from 'electron';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

async function createWindow(): Promise<void> {
  const dataDir = argValue('--data-dir') ?? join(app.getPath('userData'), 'clinic');
  const host = utilityProcess.fork(
    join(ROOT, 'main', 'host', 'utility-launch.mjs'),
    ['--data-dir', dataDir, ...(process.argv.includes('--demo') ? ['--demo'] : [])],
    {
      serviceName: 'Sijill clinic host',
    },
  );

  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Sijill',
    webPreferences: {
      preload: join(ROOT, 'main', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // Nothing but our own pages: no navigation away, no new windows, no permissions.
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith('app://sijill/')) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  // One MessagePort pair per window: renderer side goes to the preload, host side to the utility process.
  win.webContents.on('did-finish-load', () => {
    const { port1, port2 } = new MessageChannelMain();
    host.postMessage({ type: 'connect' }, [port1]);
    win.webContents.postMessage('sijill:port', null, [port2]);
  });
  await win.loadURL('app://sijill/index.html');
}

app.whenReady().then(() => {
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const file = resolve(RENDERER_DIR, `.${normalize(decodeURIComponent(url.pathname))}`);
    if (url.host !== 'sijill' || (file !== RENDERER_DIR && !file.startsWith(RENDERER_DIR + sep))) {
      return new Response('Not found', { status: 404 });
    }
    return net.fetch(pathToFileURL(file).href).then((res) => {
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', CSP);
      return new Response(res.body, { status: res.status, headers });
    });
  });
  return createWindow();
});

app.on('window-all-closed', () => app.quit());
