// Fills a text's {placeholders} with React nodes, each inside <bdi>: a Latin name in
// an Arabic sentence (or the reverse) then keeps its own direction and does not
// scramble the punctuation around it.
import { Fragment, type ReactNode } from 'react';

export function fillIsolated(text: string, vars: Readonly<Record<string, ReactNode>>): ReactNode {
  const parts = text.split(/(\{\w+\})/);
  return parts.map((part, i) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined || !(name in vars)) return <Fragment key={i}>{part}</Fragment>;
    return <bdi key={i}>{vars[name]}</bdi>;
  });
}
