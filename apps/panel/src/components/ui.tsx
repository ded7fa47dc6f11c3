import { createContext, useCallback, useContext, useEffect, useId, useRef, useState, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import { Link } from 'react-router';
import { ApiError, type FieldProblem } from '../api/client';
import { DECIMAL, percentToFraction, typedDecimal, type NumberShape } from '../api/money';
import type { Phase } from '../api/lists';
import { useFormat, useT, type MessageId } from '../i18n/i18n';

let firstPage = true;

/** A page: its title is the h1 and the document's title; focus moves to it on navigation for screen readers. */
export function Page({ title, actions, children, intro }: { title: string; actions?: ReactNode; intro?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Ruche`;
  }, [title]);
  useEffect(() => {
    // After a navigation inside the panel, focus goes to the new page's title, as a page load
    // would bring a screen reader to the top; the first page keeps the browser's own focus.
    if (firstPage) firstPage = false;
    else heading.current?.focus({ preventScroll: false });
  }, []);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {intro ? <div className="page-intro">{intro}</div> : null}
      {children}
    </section>
  );
}

const SectionHeading = createContext<string | undefined>(undefined);

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const generated = useId();
  const headingId = id ?? generated;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <SectionHeading.Provider value={headingId}>{children}</SectionHeading.Provider>
    </section>
  );
}

/** A table that may scroll sideways on a phone: reachable with the keyboard, named by its section. */
export function TableWrap({ children }: { children: ReactNode }) {
  const labelledBy = useContext(SectionHeading);
  return (
    <div className="table-wrap" role="region" tabIndex={0} aria-labelledby={labelledBy}>
      {children}
    </div>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; hint?: ReactNode; error?: string | undefined };

/** A labelled input with its hint and its error, tied together for assistive technology. */
export function Field({ label, name, hint, error, className, ...input }: FieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; options: Array<{ value: string; label: string }>; error?: string | undefined; hint?: ReactNode };

export function SelectField({ label, name, options, error, hint, ...select }: SelectProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Checkbox({ label, name, defaultChecked, hint }: { label: string; name: string; defaultChecked?: boolean; hint?: string }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input type="checkbox" id={id} name={name} defaultChecked={defaultChecked} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** What went wrong with a form, as the API said it (already in the user's language). */
export function FormError({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {errorMessage(error, t)}
    </div>
  );
}

export function errorMessage(error: unknown, t: ReturnType<typeof useT>): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    if (error.code === 'validation_failed') return t('error.validation');
    return error.message || t('error.unexpected');
  }
  return t('error.unexpected');
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** A failed read: "not found" (or not yours: the API answers the same) gets its own page. */
export function QueryState({ error, isPending }: { error: unknown; isPending: boolean }) {
  if (error instanceof ApiError && error.status === 404) return <NotFoundState />;
  if (error) return <FormError error={error} />;
  if (isPending) return <Loading />;
  return null;
}

export function NotFoundState() {
  const t = useT();
  return (
    <div className="card not-found" role="alert">
      <h2>{t('notFound.title')}</h2>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** What each usage meter counts, in words (a plan's quotas, a metered item). */
export const METER_LABELS: Record<string, MessageId> = {
  domains: 'meter.domains',
  sites: 'meter.sites',
  mailboxes: 'meter.mailboxes',
  mail_storage_mb: 'meter.mail_storage_mb',
  databases: 'meter.databases',
  database_storage_mb: 'meter.database_storage_mb',
  web_storage_mb: 'meter.web_storage_mb',
};

const PHASE_LABELS: Record<Phase, MessageId> = {
  pending: 'phase.pending',
  applying: 'phase.applying',
  ready: 'phase.ready',
  failed: 'phase.failed',
  deleting: 'phase.deleting',
};

/**
 * Where a resource stands on its server, in words and shape (not colour alone). A failure says
 * why in the user's language: retried on its own (the server could not take it), or refused by
 * the service's checker (the checker's own words are kept as a technical detail).
 */
export function PhaseBadge({ resource }: { resource: { phase: Phase; lastError?: string | null; nextAttemptAt?: string | null } }) {
  const t = useT();
  const format = useFormat();
  const { phase } = resource;
  return (
    <div className="phase">
      <span className={`badge badge-${phase}`} data-phase={phase}>
        <span className="badge-icon" aria-hidden="true" />
        {t(PHASE_LABELS[phase])}
      </span>
      {phase === 'failed' || (phase === 'deleting' && resource.lastError) ? (
        <div className="phase-reason">
          <p>
            {resource.nextAttemptAt
              ? t('phase.reason.retrying', { time: format.time(resource.nextAttemptAt) })
              : t('phase.reason.refused')}
          </p>
          {resource.lastError && !resource.nextAttemptAt ? (
            <details>
              <summary>{t('phase.reason.details')}</summary>
              <code lang="en">{resource.lastError}</code>
            </details>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Use against a limit, as a meter with its numbers in words. */
export function UsageMeter({ label, used, limit, format }: { label: string; used: number; limit: number; format: (value: number) => string }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const ratio = limit > 0 ? Math.min(used / limit, 1) : used > 0 ? 1 : 0;
  return (
    <div className={`usage ${ratio >= 0.9 ? 'usage-high' : ''}`}>
      <div className="usage-label">
        <span id={id}>{label}</span>
        <span>{t('usage.of', { used: format(used), limit: format(limit), percent: fmt.percent(ratio) })}</span>
      </div>
      <meter aria-labelledby={id} min={0} max={Math.max(limit, 1)} value={Math.min(used, Math.max(limit, 1))} high={Math.max(limit, 1) * 0.9} optimum={0} />
    </div>
  );
}

/** A secret shown once (a generated password, an API token): copy it now, it will not be shown again. */
export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone?: () => void }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div className="secret-once alert alert-warning" role="status">
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input id={id} readOnly value={value} className="mono" onFocus={(event) => event.currentTarget.select()} />
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? t('secret.copied') : t('secret.copy')}
        </button>
      </div>
      <p>{t('secret.once')}</p>
      {onDone ? (
        <button type="button" className="link-button" onClick={onDone}>
          {t('secret.done')}
        </button>
      ) : null}
    </div>
  );
}

/** A destructive action asks once more, in place (no pop-up to trap focus in). */
export function ConfirmButton({ label, confirmLabel, onConfirm, disabled }: { label: ReactNode; confirmLabel: string; onConfirm: () => void; disabled?: boolean }) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="danger-outline" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={confirmLabel}>
      <button
        type="button"
        className="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}

export function MoreButton({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  const t = useT();
  if (!hasMore) return null;
  return (
    <button type="button" className="more" onClick={onClick} disabled={loading}>
      {t('common.more')}
    </button>
  );
}

/** Form values as strings, trimmed. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    if (typeof value === 'string') values[key] = value.trim();
  });
  return values;
}

export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

export interface NumberReader {
  /** The API's decimal text for what was typed in `field` ("12,50" → "12.50"); what cannot be read is noted against the field. */
  decimal(field: string, typed: string, shape?: NumberShape & { positive?: boolean }): string;
  /** A percentage typed in `field` ("9,975") as the fraction the API stores. */
  percent(field: string, typed: string): string;
  /** Throws what could not be read as a 422 of the panel's own, so the form shows each problem under its field as it shows the API's. */
  check(): void;
}

/**
 * Reads the numbers a form holds. The panel takes a comma or a point where the API takes only a
 * point, so the panel checks them and says in its own words what it accepts, rather than pass
 * on the API's "with a point" to someone who typed a comma.
 */
export function useNumberReader(): () => NumberReader {
  const t = useT();
  return useCallback(() => {
    const problems: FieldProblem[] = [];
    const refuse = (field: string, message: string) => problems.push({ field, code: 'number_invalid', message });
    return {
      decimal(field, typed, shape = DECIMAL) {
        const value = typedDecimal(typed, shape);
        if (value === undefined || (shape.positive && !/[1-9]/.test(value))) refuse(field, t(shape.positive ? 'number.invalidPositive' : 'number.invalid', { places: shape.places }));
        return value ?? typed;
      },
      percent(field, typed) {
        const value = percentToFraction(typed);
        if (value === undefined) refuse(field, t('number.invalidPercent'));
        return value ?? typed;
      },
      check() {
        if (problems.length > 0) throw new ApiError(422, 'validation_failed', '', problems);
      },
    };
  }, [t]);
}
