// One-line text field, text area and select: each with its label and error.
import type { HTMLInputAutoCompleteAttribute } from 'react';
import { Field } from './Field';

interface CommonProps {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  /** Shown after the label, e.g. "(optional)". */
  optional?: string;
  dir?: 'ltr' | 'rtl' | 'auto';
}

interface TextInputProps extends CommonProps {
  type?: 'text' | 'password' | 'date' | 'tel' | 'search';
  autoComplete?: HTMLInputAutoCompleteAttribute;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'tel';
  placeholder?: string;
  max?: string;
}

export function TextInput({ label, testId, value, onChange, error, hint, optional, dir, ...input }: TextInputProps) {
  return (
    <Field label={label} error={error} hint={hint} optional={optional}>
      {(control) => (
        <input
          {...control}
          {...input}
          type={input.type ?? 'text'}
          value={value}
          onChange={(ev) => onChange(ev.target.value)}
          data-testid={testId}
          dir={dir}
        />
      )}
    </Field>
  );
}

export function TextArea({
  label,
  testId,
  value,
  onChange,
  error,
  hint,
  optional,
  dir,
  rows = 4,
}: CommonProps & { rows?: number }) {
  return (
    <Field label={label} error={error} hint={hint} optional={optional}>
      {(control) => (
        <textarea
          {...control}
          rows={rows}
          value={value}
          onChange={(ev) => onChange(ev.target.value)}
          data-testid={testId}
          dir={dir}
        />
      )}
    </Field>
  );
}

interface SelectProps<V extends string> extends Omit<CommonProps, 'value' | 'onChange'> {
  value: V;
  onChange: (value: V) => void;
  options: readonly { value: V; label: string }[];
}

export function Select<V extends string>({ label, testId, value, onChange, error, hint, options }: SelectProps<V>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => (
        <select
          {...control}
          value={value}
          onChange={(ev) => {
            const chosen = options.find((o) => o.value === ev.target.value);
            if (chosen) onChange(chosen.value);
          }}
          data-testid={testId}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
