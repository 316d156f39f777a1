// Amending an entry: the entry's own form, prefilled with what it said, plus a reason.
import { useEffect, useRef } from 'react';
import type { Entry } from '../../main/api';
import { formatDateTime } from '../format/dates';
import { vitalsFormFromBody } from '../forms/vitals-form';
import { useI18n } from '../i18n/LanguageContext';
import { EncounterForm, encounterFormFromBody } from './EncounterForm';
import { NoteForm, noteFormFromBody } from './NoteForm';
import { VitalsForm } from './VitalsForm';

interface AmendPanelProps {
  entry: Entry;
  onSaved: (amendment: Entry) => void;
  onCancel: () => void;
}

export function AmendPanel({ entry, onSaved, onCancel }: AmendPanelProps) {
  const { t, tx, locale } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    heading.current?.focus({ preventScroll: true });
  }, [entry.id]);

  const target = { type: 'amend', entry } as const;
  return (
    <section className="card amend-panel" aria-labelledby="amend-title" data-testid="amend-panel">
      <h2 id="amend-title" ref={heading} tabIndex={-1}>
        {tx('amend.title', { kind: t(`entry.kind.${entry.kind}`), time: formatDateTime(entry.createdAt, locale) })}
      </h2>
      <p className="field__hint">{t('amend.help')}</p>
      {entry.kind === 'vitals' && (
        <VitalsForm target={target} initial={vitalsFormFromBody(entry.body)} onSaved={onSaved} onCancel={onCancel} />
      )}
      {entry.kind === 'note' && (
        <NoteForm target={target} initial={noteFormFromBody(entry.body)} onSaved={onSaved} onCancel={onCancel} />
      )}
      {entry.kind === 'encounter' && (
        <EncounterForm
          target={target}
          initial={encounterFormFromBody(entry.body)}
          onSaved={onSaved}
          onCancel={onCancel}
        />
      )}
    </section>
  );
}
