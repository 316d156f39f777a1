// One entry of the timeline: who wrote it and when, whether the signature holds,
// and its place in an amendment history (never hidden: an amended entry is struck through).
import type { Entry } from '../../main/api';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';
import { EntryBody } from './EntryBody';
import { EntryReceipt } from './EntryReceipt';
import { entryElementId, showEntry } from './entry-links';
import { isAmendable, isSuperseded } from './entries';

interface TimelineEntryProps {
  entry: Entry;
  entriesById: ReadonlyMap<string, Entry>;
  onAmend: (entry: Entry) => void;
  /** The user may ask for receipts ('anchor.receipt'). */
  canReceipt: boolean;
}

export function TimelineEntry({ entry, entriesById, onAmend, canReceipt }: TimelineEntryProps) {
  const { t, tx, locale } = useI18n();
  const superseded = isSuperseded(entry);
  const amendable = !superseded && isAmendable(entry.kind);
  return (
    <li
      className={superseded ? 'entry entry--superseded' : 'entry'}
      id={entryElementId(entry.id)}
      tabIndex={-1}
      data-testid="entry"
      data-entry-id={entry.id}
      data-kind={entry.kind}
      data-superseded={superseded}
    >
      <div className="entry__meta">
        <span className="entry__kind">{t(`entry.kind.${entry.kind}`)}</span>
        <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt, locale)}</time>
        <span className="entry__author">
          {tx('entry.author', { name: entry.authorName, role: t(`role.${entry.authorRole}`) })}
        </span>
        <SignatureStatus valid={entry.signatureValid} />
      </div>
      {entry.amends !== null && <AmendmentOf entry={entry} original={entriesById.get(entry.amends)} />}
      <div className="entry__body">
        {superseded ? (
          <del>
            <EntryBody entry={entry} />
          </del>
        ) : (
          <EntryBody entry={entry} />
        )}
      </div>
      {superseded && <AmendedBy ids={entry.amendedBy} entriesById={entriesById} />}
      {(amendable || canReceipt) && (
        <div className="entry__actions">
          {amendable && (
            <button
              type="button"
              className="button button--small"
              data-testid="entry-amend"
              onClick={() => onAmend(entry)}
            >
              {t('entry.amend')}
            </button>
          )}
          {canReceipt && <EntryReceipt entry={entry} />}
        </div>
      )}
    </li>
  );
}

function SignatureStatus({ valid }: { valid: boolean }) {
  const { t } = useI18n();
  return (
    <span
      className={valid ? 'signature signature--valid' : 'signature signature--invalid'}
      data-testid="entry-signature"
      data-valid={valid}
    >
      {valid ? t('entry.signed') : t('entry.signatureInvalid')}
    </span>
  );
}

function AmendmentOf({ entry, original }: { entry: Entry; original: Entry | undefined }) {
  const { t, tx } = useI18n();
  return (
    <div className="entry__amendment" data-testid="entry-amends">
      <p>
        {t('entry.amends')} {original ? <EntryLink entry={original} /> : t('entry.amendsMissing')}
      </p>
      {entry.amendReason && (
        <p className="entry__reason" data-testid="entry-amend-reason" dir="auto">
          {tx('entry.reason', { reason: entry.amendReason })}
        </p>
      )}
    </div>
  );
}

function AmendedBy({ ids, entriesById }: { ids: readonly string[]; entriesById: ReadonlyMap<string, Entry> }) {
  const { t } = useI18n();
  return (
    <p className="entry__amended-by" data-testid="entry-amended-by">
      {t('entry.amendedBy')}{' '}
      {ids.map((id, i) => {
        const amendment = entriesById.get(id);
        return (
          <span key={id}>
            {i > 0 && ', '}
            {amendment ? <EntryLink entry={amendment} /> : <span className="mono">{id}</span>}
          </span>
        );
      })}
    </p>
  );
}

function EntryLink({ entry }: { entry: Entry }) {
  const { tx, locale } = useI18n();
  return (
    <button type="button" className="link-button" onClick={() => showEntry(entry.id)} data-target-entry-id={entry.id}>
      {tx('entry.amendmentLink', { name: entry.authorName, time: formatDateTime(entry.createdAt, locale) })}
    </button>
  );
}
