import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/LanguageContext';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies a text (a hash) to the clipboard and says whether it worked. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }

  return (
    <>
      <button
        type="button"
        className="button button--small"
        data-testid={testId}
        aria-label={`${t('anchor.copy')}: ${label}`}
        onClick={() => void copy()}
      >
        {t('anchor.copy')}
      </button>
      <span className="copy-state" role="status">
        {state === 'copied' && t('anchor.copied')}
        {state === 'failed' && t('anchor.copyFailed')}
      </span>
    </>
  );
}

/** A hash shown short (the whole of it in the tooltip), with a copy button. */
export function HashValue({
  hash,
  label,
  short,
  testId,
}: {
  hash: string;
  label: string;
  short: string;
  testId?: string;
}) {
  return (
    <span className="hash">
      <code className="mono" dir="ltr" title={hash} data-testid={testId} data-full={hash}>
        {short}
      </code>
      <CopyButton text={hash} label={label} testId={testId && `${testId}-copy`} />
    </span>
  );
}
