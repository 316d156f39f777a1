// The life of a form submission: check locally, send, and put whatever comes back
// (the host's issues or a failure) where the user will see it.
import { useCallback, useState } from 'react';
import { ApiError } from '../../main/api';
import type { Issue } from '../api/issues';
import { mapIssuesToFields, NO_ERRORS, type FormErrors } from '../forms/field-errors';

export interface Submission {
  /** Problems found by the renderer's own copy of the schema; nothing is sent when there are any. */
  localIssues: readonly Issue[];
  send: () => Promise<void>;
  /** Path prefix of the form's fields in the host's issues ('vitals' in entries.recordVitals). */
  hostPrefix?: string;
  /** Turns a host issue path into the form's own path, when a prefix is not enough. */
  hostPath?: (path: string) => string;
}

export interface FormSubmit<F extends string> {
  busy: boolean;
  errors: FormErrors<F>;
  failure: unknown;
  submit: (submission: Submission) => Promise<boolean>;
  clear: () => void;
}

export function useFormSubmit<F extends string>(fields: readonly F[]): FormSubmit<F> {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors<F>>(NO_ERRORS);
  const [failure, setFailure] = useState<unknown>(null);

  const submit = useCallback(
    async ({ localIssues, send, hostPrefix, hostPath }: Submission) => {
      setFailure(null);
      if (localIssues.length > 0) {
        setErrors(mapIssuesToFields(localIssues, fields));
        return false;
      }
      setErrors(NO_ERRORS);
      setBusy(true);
      try {
        await send();
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.issues && error.issues.length > 0) {
          const issues = hostPath ? error.issues.map((i) => ({ ...i, path: hostPath(i.path) })) : error.issues;
          setErrors(mapIssuesToFields(issues, fields, hostPrefix));
        }
        setFailure(error);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [fields],
  );

  const clear = useCallback(() => {
    setErrors(NO_ERRORS);
    setFailure(null);
  }, []);

  return { busy, errors, failure, submit, clear };
}
