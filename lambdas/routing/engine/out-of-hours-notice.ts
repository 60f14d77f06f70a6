/**
 * What the customer is told when a handoff lands in a closed queue: when a person will answer,
 * in their language, at the queue's local time.
 */
const NOTICE = {
  es: (when: string) => `Nuestro equipo está fuera de horario ahora. Una persona te responderá a partir del ${when}.`,
  pt: (when: string) => `Nossa equipe está fora do horário agora. Uma pessoa vai te responder a partir de ${when}.`,
  en: (when: string) => `Our team is away right now. A person will answer you from ${when}.`,
} as const;
const LOCALE = { es: 'es-MX', pt: 'pt-BR', en: 'en-US' } as const;

export type NoticeLanguage = keyof typeof NOTICE;

export function noticeLanguage(language: string | undefined, fallback: NoticeLanguage = 'es'): NoticeLanguage {
  return language === 'es' || language === 'pt' || language === 'en' ? language : fallback;
}

export function outOfHoursNoticeText(language: NoticeLanguage, opensAt: Date, timeZone: string): string {
  const when = new Intl.DateTimeFormat(LOCALE[language], {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(opensAt);
  return NOTICE[language](when);
}
