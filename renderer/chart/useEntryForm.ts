// What every clinical entry form shares: the amendment reason, submission through
// the right API call, field errors and a "saved" message.
import { useMemo, useState } from 'react';
import type { Entry } from '../../main/api';
import type { Issue } from '../api/issues';
import { useClient } from '../app/ClientContext';
import { validateFieldWith } from '../forms/validate';
import { useFormSubmit, type FormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';
import type { MessageKey } from '../i18n/translate';
import {
  AMEND_REASON,
  AMEND_REASON_FIELD,
  entryFormPath,
  saveEntry,
  type EntryBody,
  type EntryTarget,
} from './entry-target';

export interface EntryForm<F extends string> {
  form: FormSubmit<F | typeof AMEND_REASON_FIELD>;
  reason: string;
  setReason: (reason: string) => void;
  savedMessage: MessageKey | null;
  /** Resolves true once the host stored the entry. */
  save: (entry: EntryBody, localIssues: readonly Issue[], savedMessage: MessageKey) => Promise<boolean>;
}

export function useEntryForm<F extends string>(
  fields: readonly F[],
  target: EntryTarget,
  onSaved: (entry: Entry) => void,
): EntryForm<F> {
  const client = useClient();
  const { t } = useI18n();
  const allFields = useMemo(
    (): readonly (F | typeof AMEND_REASON_FIELD)[] => [...fields, AMEND_REASON_FIELD],
    [fields],
  );
  const form = useFormSubmit<F | typeof AMEND_REASON_FIELD>(allFields);
  const [reason, setReason] = useState('');
  const [savedMessage, setSavedMessage] = useState<MessageKey | null>(null);

  async function save(entry: EntryBody, localIssues: readonly Issue[], message: MessageKey): Promise<boolean> {
    setSavedMessage(null);
    const reasonIssues =
      target.type === 'amend' ? validateFieldWith(AMEND_REASON, reason, AMEND_REASON_FIELD, t('form.required')) : [];
    let saved: Entry | undefined;
    await form.submit({
      localIssues: [...localIssues, ...reasonIssues],
      hostPath: entryFormPath(target, entry.kind),
      send: async () => {
        saved = await saveEntry(client, target, entry, reason);
      },
    });
    if (!saved) return false;
    setReason('');
    setSavedMessage(message);
    onSaved(saved);
    return true;
  }

  return { form, reason, setReason, savedMessage, save };
}
