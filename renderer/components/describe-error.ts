// What to tell the user about a failed call: a short title in their language and
// the host's own explanation.
import { ApiError } from '../../main/api';
import { ConnectionError } from '../api/connection';
import type { Translate } from '../i18n/translate';

export interface ErrorDescription {
  title: string;
  detail?: string;
}

export function describeError(error: unknown, t: Translate): ErrorDescription {
  if (error instanceof ApiError) return { title: t(`error.${error.code}`), detail: error.message };
  if (error instanceof ConnectionError)
    return { title: t('error.connection'), detail: t(`error.connection.${error.failure}`) };
  if (typeof error === 'string') return { title: error };
  if (error instanceof Error) return { title: t('error.unexpected'), detail: error.message };
  return { title: t('error.unexpected') };
}
