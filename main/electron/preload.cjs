// Sandboxed preload: exposes exactly two functions to the page, send and
// onMessage, over the MessagePort the main process hands us. The page never sees
// ipcRenderer, Node or the port object itself. Messages are plain JSON strings;
// the host validates every one of them.
const { contextBridge, ipcRenderer } = require('electron');

let port = null;
const queue = [];
const listeners = [];

ipcRenderer.on('sijill:port', (event) => {
  port = event.ports[0];
  port.onmessage = (e) => {
    if (typeof e.data !== 'string') return;
    for (const cb of listeners) cb(e.data);
  };
  port.start();
  while (queue.length) port.postMessage(queue.shift());
});

contextBridge.exposeInMainWorld('sijillBridge', {
  send(json) {
    if (typeof json !== 'string' || json.length > 256 * 1024) return;
    if (port) port.postMessage(json);
    else queue.push(json);
  },
  onMessage(cb) {
    if (typeof cb === 'function') listeners.push(cb);
  },
});
