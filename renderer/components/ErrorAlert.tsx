import type { ReactNode } from 'react';
import { useI18n } from '../i18n/LanguageContext';
import { describeError } from './describe-error';

/** A failed call or a form-level problem. Renders nothing when there is none. */
export function ErrorAlert({ error, testId }: { error: unknown; testId?: string }) {
  const { t } = useI18n();
  if (error === null || error === undefined) return null;
  const { title, detail } = describeError(error, t);
  return (
    <div className="alert alert--error" role="alert" data-testid={testId}>
      <strong className="alert__title">{title}</strong>
      {detail && detail !== title && <p className="alert__detail">{detail}</p>}
    </div>
  );
}

/** Messages about a form as a whole (e.g. "Record at least one vital sign"). */
export function GeneralErrors({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="alert alert--error alert--list" role="alert">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/** Something went well: said politely to screen readers. */
export function SuccessNotice({ message }: { message: ReactNode }) {
  if (message === null || message === undefined || message === '') return null;
  return (
    <p className="alert alert--success" role="status">
      {message}
    </p>
  );
}
