import { describe, expect, it } from 'vitest';
import { CONSCIOUSNESS, DEVICE_STATES, DeviceProfileSummary, ERROR_CODES, LabInboxItem, ROLES } from '../../main/api';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { applyLanguage, loadLanguage, placeholdersOf, translate, type MessageKey } from '../../renderer/i18n/translate';

const ARABIC_LETTER = /[\u0600-\u06FF]/;
/** Keys whose Arabic text is deliberately not Arabic: the switch names the other language. */
const NOT_ARABIC_BY_DESIGN: readonly MessageKey[] = ['lang.toggle'];

describe('dictionaries', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty texts', () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(ar)]) {
      expect(text.trim(), key).not.toBe('');
    }
  });

  it('are really translated: every Arabic text with words is written in Arabic script', () => {
    const words = (text: string) => text.replace(/\{\w+\}/g, '');
    const untranslated = Object.entries(ar).filter(
      ([key, text]) =>
        !NOT_ARABIC_BY_DESIGN.includes(key as MessageKey) &&
        /\p{L}/u.test(words(text)) &&
        !ARABIC_LETTER.test(words(text)),
    );
    expect(untranslated).toEqual([]);
    expect(ar['lang.toggle']).toBe('English');
    expect(ARABIC_LETTER.test(en['lang.toggle'])).toBe(true);
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(placeholdersOf(ar[key]), key).toEqual(placeholdersOf(en[key]));
    }
  });

  it('name every error code, role and consciousness level of the contract', () => {
    const keys = new Set(Object.keys(ar));
    for (const code of ERROR_CODES) expect(keys.has(`error.${code}`), code).toBe(true);
    for (const role of ROLES) expect(keys.has(`role.${role}`), role).toBe(true);
    for (const level of CONSCIOUSNESS) expect(keys.has(`vitals.acvpu.${level}`), level).toBe(true);
  });

  it('name every device state and kind, inbox tab and known lab flag', () => {
    const keys = new Set(Object.keys(ar));
    for (const state of DEVICE_STATES) expect(keys.has(`devices.state.${state}`), state).toBe(true);
    for (const kind of DeviceProfileSummary.shape.kind.options)
      expect(keys.has(`devices.kind.${kind}`), kind).toBe(true);
    for (const status of LabInboxItem.shape.status.options) {
      expect(keys.has(`inbox.tab.${status}`), status).toBe(true);
      expect(keys.has(`inbox.none.${status}`), status).toBe(true);
    }
    for (const flag of ['N', 'L', 'H', 'LL', 'HH', 'below', 'above', 'A', 'AA']) {
      expect(keys.has(`lab.flag.${flag}`), flag).toBe(true);
    }
    expect([en['nav.devices'], ar['nav.devices'], en['nav.labInbox'], ar['nav.labInbox']]).toEqual([
      'Devices',
      'الأجهزة',
      'Lab inbox',
      'وارد المختبر',
    ]);
  });

  it('keep the exact texts the end-to-end tests look for', () => {
    expect(en['entry.signed']).toBe('Signed ✓');
    expect(en['entry.signatureInvalid']).toBe('Signature invalid ✗');
    expect(en['login.sessionExpired']).toBe('Your session expired, log in again');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate(en, 'audit.ok', { n: 12 })).toBe('Audit chain intact: 12 records verified.');
    expect(translate(ar, 'user.created', { name: 'زينب' })).toBe('تم إنشاء المستخدم زينب.');
    expect(translate(en, 'audit.broken', { seq: 4 })).toBe('Audit chain broken at record 4: {reason}');
  });
});

describe('language choice', () => {
  it('reads a stored choice and falls back to English', () => {
    expect(loadLanguage({ getItem: () => 'ar' })).toBe('ar');
    expect(loadLanguage({ getItem: () => 'fr' })).toBe('en');
    expect(
      loadLanguage({
        getItem: () => {
          throw new Error('denied');
        },
      }),
    ).toBe('en');
  });

  it('sets lang and dir on the root element', () => {
    const root = { lang: 'en', dir: 'ltr' } as HTMLElement;
    applyLanguage(root, 'ar');
    expect([root.lang, root.dir]).toEqual(['ar', 'rtl']);
    applyLanguage(root, 'en');
    expect([root.lang, root.dir]).toEqual(['en', 'ltr']);
  });
});

describe('fillIsolated', () => {
  it('puts each filled-in value in its own <bdi>, keeping the text around it', async () => {
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { createElement, Fragment } = await import('react');
    const { fillIsolated } = await import('../../renderer/i18n/isolate');
    const node = fillIsolated(ar['entry.amendmentLink'], { name: 'Dr Amina Hassan', time: '21/11/2026' });
    expect(renderToStaticMarkup(createElement(Fragment, null, node))).toBe(
      '<bdi>Dr Amina Hassan</bdi>، <bdi>21/11/2026</bdi>',
    );
  });
});
