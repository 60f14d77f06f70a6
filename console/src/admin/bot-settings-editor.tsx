import { useContext, useEffect, useState } from 'preact/hooks';
import { ADMIN_ROUTES } from '../../../lambdas/identity/admin-routes.ts';
import { problemsByField, problemsOf, splitList, joinList, type SettingsProblem } from '../lib/admin-forms.ts';
import { ApiError, apiGet, apiPut } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorBody, errorText, notify, useT } from '../shell/ui.tsx';

const LANGS = ['es', 'pt', 'en'] as const;
type Loc = Record<(typeof LANGS)[number], string>;
type Faq = { id: string; question: Loc; answer: Loc; keywords?: string[]; [k: string]: unknown };
type Settings = { greeting?: Loc; faq?: Faq[]; [k: string]: unknown };

/** The fields edited one by one; problems on other paths show above the form with their path. */
function fieldPaths(settings: Settings): Set<string> {
  const paths = new Set<string>(LANGS.map((l) => `greeting.${l}`));
  (settings.faq ?? []).forEach((_, i) => {
    for (const l of LANGS) paths.add(`faq.${i}.question.${l}`).add(`faq.${i}.answer.${l}`);
    paths.add(`faq.${i}.id`).add(`faq.${i}.keywords`);
  });
  return paths;
}

export function BotSettingsEditor() {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const businessId = ctx.session.businessId;
  const [settings, setSettings] = useState<Settings>();
  const [version, setVersion] = useState(0);
  const [problems, setProblems] = useState<SettingsProblem[]>([]);
  const [message, setMessage] = useState<string>();
  const [missing, setMissing] = useState(false);

  const load = async () => {
    try {
      const s = await apiGet<{ settings: Settings; version: number }>(ADMIN_ROUTES.getBotSettings.path, { businessId });
      setSettings(s.settings);
      setVersion(s.version);
      setProblems([]);
      setMessage(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      else setMessage(errorText(err, t));
    }
  };
  useEffect(() => void load(), []);

  const save = async () => {
    if (!settings) return;
    try {
      const saved = await apiPut<{ version: number }>(ADMIN_ROUTES.putBotSettings.path, { businessId, settings, expectedVersion: version });
      setVersion(saved.version);
      setProblems([]);
      setMessage(undefined);
      notify(t('common.saved'));
    } catch (err) {
      const found = problemsOf(errorBody(err));
      setProblems(found);
      if (err instanceof ApiError && err.code === 'version_conflict') setMessage(t('admin.versionConflict', { version: '' }));
      else setMessage(found.length ? t('admin.problems') : errorText(err, t));
    }
  };

  if (missing) return <p class="muted">{t('admin.noSettings')}</p>;
  if (!settings)
    return message ? (
      <p role="alert" class="error">
        {message}
      </p>
    ) : (
      <p class="muted">{t('app.loading')}</p>
    );
  const byField = problemsByField(problems, fieldPaths(settings));
  const set = (next: Settings) => setSettings(next);
  const faqs = settings.faq ?? [];
  const locField = (path: string, label: string, value: string, onChange: (v: string) => void, multiline = true) => {
    const errors = byField.get(path);
    const id = `f-${path.replace(/\./g, '-')}`;
    return (
      <label class="field" key={path} for={id}>
        <span>{label}</span>
        {multiline ? (
          <textarea
            id={id}
            rows={2}
            value={value}
            maxLength={1024}
            aria-invalid={errors ? 'true' : undefined}
            aria-describedby={errors ? `${id}-err` : undefined}
            onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)}
            data-path={path}
          />
        ) : (
          <input
            id={id}
            value={value}
            maxLength={300}
            aria-invalid={errors ? 'true' : undefined}
            aria-describedby={errors ? `${id}-err` : undefined}
            onInput={(e) => onChange((e.target as HTMLInputElement).value)}
            data-path={path}
          />
        )}
        {errors ? (
          <span id={`${id}-err`} class="field-error" role="alert">
            {errors.join('; ')}
          </span>
        ) : null}
      </label>
    );
  };
  const setFaq = (i: number, f: Faq) => set({ ...settings, faq: faqs.map((x, j) => (j === i ? f : x)) });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      class="bot-settings"
    >
      <p class="muted">{t('admin.version', { version })}</p>
      {message ? (
        <p role="alert" class="error">
          {message}
        </p>
      ) : null}
      {byField.get('(other)') ? (
        <ul class="error">
          {byField.get('(other)')!.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
      <fieldset>
        <legend>{t('admin.greeting')}</legend>
        {LANGS.map((l) =>
          locField(`greeting.${l}`, t(`language.${l}`), settings.greeting?.[l] ?? '', (v) =>
            set({ ...settings, greeting: { ...(settings.greeting ?? { es: '', pt: '', en: '' }), [l]: v } }),
          ),
        )}
      </fieldset>
      <h3>{t('admin.faq')}</h3>
      {faqs.map((f, i) => (
        <fieldset key={i} class="faq" data-testid="faq-entry">
          <legend>{f.id || `#${i + 1}`}</legend>
          {locField(`faq.${i}.id`, t('admin.faqId'), f.id, (v) => setFaq(i, { ...f, id: v }), false)}
          {LANGS.map((l) =>
            locField(
              `faq.${i}.question.${l}`,
              `${t('admin.question')} (${l})`,
              f.question?.[l] ?? '',
              (v) => setFaq(i, { ...f, question: { ...f.question, [l]: v } }),
              false,
            ),
          )}
          {LANGS.map((l) =>
            locField(`faq.${i}.answer.${l}`, `${t('admin.answer')} (${l})`, f.answer?.[l] ?? '', (v) => setFaq(i, { ...f, answer: { ...f.answer, [l]: v } })),
          )}
          {locField(
            `faq.${i}.keywords`,
            `${t('admin.keywords')} (${t('common.commaSeparated')})`,
            joinList(f.keywords),
            (v) => setFaq(i, { ...f, keywords: splitList(v, 100) }),
            false,
          )}
          <button type="button" class="danger" onClick={() => set({ ...settings, faq: faqs.filter((_, j) => j !== i) })}>
            {t('admin.removeFaq', { id: f.id })}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() => set({ ...settings, faq: [...faqs, { id: '', question: { es: '', pt: '', en: '' }, answer: { es: '', pt: '', en: '' }, keywords: [] }] })}
      >
        {t('admin.addFaq')}
      </button>
      <div class="row">
        <button type="submit" class="primary" data-testid="save-bot">
          {t('common.save')}
        </button>
        <button type="button" onClick={() => void load()}>
          {t('admin.reload')}
        </button>
      </div>
    </form>
  );
}
