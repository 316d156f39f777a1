// Entry point: connect to the host (Electron bridge or WebSocket), then render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { HostClient } from './api/client';
import { connectToHost } from './api/connect';
import { sessionTokenStore } from './api/token-store';
import { App } from './app/App';
import { ClientProvider } from './app/ClientContext';
import { LanguageProvider } from './i18n/LanguageContext';
import { applyLanguage, loadLanguage } from './i18n/translate';
import './styles.css';

// Zod's fast path compiles validators with new Function, which the CSP forbids
// (script-src 'self'); even its probe would be reported as a violation.
z.config({ jitless: true });

applyLanguage(document.documentElement, loadLanguage(window.localStorage));

const client = new HostClient(connectToHost(window), { tokenStore: sessionTokenStore(window.sessionStorage) });

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <LanguageProvider>
      <ClientProvider client={client}>
        <App />
      </ClientProvider>
    </LanguageProvider>
  </StrictMode>,
);
