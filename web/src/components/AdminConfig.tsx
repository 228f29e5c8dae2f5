// A System Console configuration page: the page's settings from GET /api/v4/config as
// toggles, number and text fields or menus; a save sends only the changed keys to
// PUT /api/v4/config/patch. Keys an environment variable sets are shown but cannot be
// changed here; the server's refusal (which names the key) is shown beside the form.

import {useId, useState, type FormEvent} from 'react';
import {client, errorMessage} from '../api';
import {buildPatch, fromEnvironment, getPath, keyInMessage, kindOf, labelFor, pageFields, restartSettings, toDraft,
    type Config, type Draft, type FieldDef, type PageDef} from '../lib/config';

const MASK = '********************************';

interface Props {
    page: PageDef;
    pages: PageDef[];
    config: Config;
    env: Config | null;
    onSaved: (config: Config) => void;
}

export function ConfigPage({page, pages, config, env, onSaved}: Props) {
    const fields = pageFields(page, config, pages);
    const [drafts, setDrafts] = useState<Record<string, Draft>>({});
    const [busy, setBusy] = useState(false);
    const [saved, setSaved] = useState('');
    const [error, setError] = useState<{text: string; key?: string} | null>(null);
    const {patch, changed, errors} = buildPatch(config, drafts);
    const invalid = Object.keys(errors).length > 0;
    const editable = fields.some((f) => !f.readOnly && !fromEnvironment(env, f.path));

    const save = async (e: FormEvent) => {
        e.preventDefault();
        if (invalid || changed.length === 0) {
            return;
        }
        setBusy(true);
        setSaved('');
        setError(null);
        try {
            const next = await client.patchConfig(patch as never) as unknown as Config;
            onSaved(next);
            setDrafts({});
            let text = 'Saved';
            try {
                // Hearth logs which saved settings wait for a restart; say so when it did.
                const restart = restartSettings(await client.getPlainLogs(0, 50));
                if (restart && restart.length > 0) {
                    text = `Saved. ${restart.map((k) => labelOf(k, fields)).join(', ')} ${restart.length === 1 ? 'takes' : 'take'} effect when the server restarts.`;
                }
            } catch {
                // The log is only a courtesy here.
            }
            setSaved(text);
        } catch (err) {
            const text = errorMessage(err);
            setError({text, key: keyInMessage(text, fields.map((f) => f.path))});
        } finally {
            setBusy(false);
        }
    };

    return (
        <section aria-labelledby='config-title'>
            <h1 id='config-title'>{page.title}</h1>
            {page.note && <p className='note' role='note'>{page.note}</p>}
            <form onSubmit={save} className='config-form' noValidate>
                {fields.map((f) => (
                    <ConfigField key={f.path} field={f} value={getPath(config, f.path)} draft={drafts[f.path]} env={fromEnvironment(env, f.path)}
                        error={errors[f.path] ?? (error?.key === f.path ? error.text : undefined)}
                        onChange={(v) => {
                            setSaved('');
                            setDrafts((d) => ({...d, [f.path]: v}));
                        }}/>
                ))}
                {editable && (
                    <div className='config-save'>
                        <div className='config-messages'>
                            {error && <p className='error' role='alert'>{error.text}</p>}
                            <p className='saved' role='status'>{saved}</p>
                        </div>
                        <button type='button' className='btn' disabled={busy || Object.keys(drafts).length === 0} onClick={() => {
                            setDrafts({});
                            setError(null);
                        }}>Discard changes</button>
                        <button className='btn btn-primary' disabled={busy || invalid || changed.length === 0}>Save</button>
                    </div>
                )}
            </form>
        </section>
    );
}

function labelOf(path: string, fields: FieldDef[]): string {
    return fields.find((f) => f.path === path)?.label ?? labelFor(path.split('.').pop() ?? path);
}

interface FieldProps {
    field: FieldDef;
    value: unknown;
    draft: Draft | undefined;
    env: boolean;
    error?: string;
    onChange: (value: Draft) => void;
}

function ConfigField({field, value, draft, env, error, onChange}: FieldProps) {
    const id = useId();
    const kind = kindOf(value);
    const disabled = Boolean(field.readOnly) || env || kind === 'other';
    const current = draft ?? toDraft(value);
    const label = field.label ?? labelFor(field.path.split('.').pop()!);
    const describedBy = [`${id}-key`, field.hint || env ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    const common = {id, disabled, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined} as const;
    let control;
    if (kind === 'boolean') {
        control = (
            <span className='toggle'>
                <input type='checkbox' role='switch' {...common} checked={Boolean(current)} onChange={(e) => onChange(e.target.checked)}/>
                <span className='toggle-text' aria-hidden>{current ? 'On' : 'Off'}</span>
            </span>
        );
    } else if (field.options && kind === 'string') {
        const options = field.options.some(([v]) => v === current) ? field.options : [...field.options, [String(current), String(current)] as [string, string]];
        control = (
            <select {...common} value={String(current)} onChange={(e) => onChange(e.target.value)}>
                {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
        );
    } else if (disabled && current === MASK) {
        control = <input {...common} type='text' value='(hidden)' readOnly/>;
    } else {
        control = (
            <input {...common} type={kind === 'number' ? 'number' : field.secret ? 'password' : 'text'} step={kind === 'number' ? 'any' : undefined}
                value={String(current)} onChange={(e) => onChange(e.target.value)} autoComplete='off' spellCheck={false}/>
        );
    }
    return (
        <div className={`config-field${error ? ' has-error' : ''}${draft !== undefined ? ' changed' : ''}`} data-key={field.path}>
            <div className='config-label'>
                <label htmlFor={id}>{label}</label>
                <code id={`${id}-key`} className='config-key'>{field.path}</code>
            </div>
            <div className='config-control'>
                {control}
                {(field.hint || env) && (
                    <small id={`${id}-hint`} className='hint'>
                        {env && <strong className='env-note'>Set by an environment variable. </strong>}
                        {field.hint}
                    </small>
                )}
                {error && <small id={`${id}-error`} className='error field-error'>{error}</small>}
            </div>
        </div>
    );
}
