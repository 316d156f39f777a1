// Write (or amend) a clinical note.
import { useState, type FormEvent } from 'react';
import { ClinicalNote, type Entry } from '../../main/api';
import { TextArea, TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useI18n } from '../i18n/LanguageContext';
import type { EntryTarget } from './entry-target';
import { EntryFormFooter } from './EntryFormFooter';
import { useEntryForm } from './useEntryForm';

const FIELDS = ['title', 'text'] as const;

export interface NoteFormValues {
  title: string;
  text: string;
}

export const EMPTY_NOTE: NoteFormValues = { title: '', text: '' };

export function noteFormFromBody(body: Readonly<Record<string, unknown>>): NoteFormValues {
  return {
    title: typeof body.title === 'string' ? body.title : '',
    text: typeof body.text === 'string' ? body.text : '',
  };
}

interface NoteFormProps {
  target: EntryTarget;
  initial?: NoteFormValues;
  onSaved: (entry: Entry) => void;
  onCancel?: () => void;
}

export function NoteForm({ target, initial = EMPTY_NOTE, onSaved, onCancel }: NoteFormProps) {
  const { t } = useI18n();
  const [values, setValues] = useState(initial);
  const entryForm = useEntryForm(FIELDS, target, onSaved);
  const errors = entryForm.form.errors.fields;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = values.title.trim() === '' ? { text: values.text } : { title: values.title, text: values.text };
    const issues = validateWith(ClinicalNote, body, t('form.required'));
    const saved = await entryForm.save({ kind: 'note', body }, issues, 'note.saved');
    if (saved && target.type === 'new') setValues(EMPTY_NOTE);
  }

  return (
    <form className="entry-form" onSubmit={onSubmit} noValidate aria-label={t('note.heading')}>
      {target.type === 'new' && <h3>{t('note.heading')}</h3>}
      <TextInput
        label={t('note.title')}
        optional={t('form.optional')}
        testId="note-title"
        dir="auto"
        value={values.title}
        onChange={(title) => setValues((v) => ({ ...v, title }))}
        error={errors.title}
      />
      <TextArea
        label={t('note.text')}
        testId="note-text"
        dir="auto"
        rows={6}
        value={values.text}
        onChange={(text) => setValues((v) => ({ ...v, text }))}
        error={errors.text}
      />
      <EntryFormFooter
        target={target}
        entryForm={entryForm}
        submitTestId="note-submit"
        submitLabel={t('note.submit')}
        onCancel={onCancel}
      />
    </form>
  );
}
