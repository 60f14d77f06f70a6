import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import { optionsOf, type MessageOption } from '#lib/local-cloud/graph-simulator/business-message-options';

/**
 * How the terminal chat shows a business message: its text, then its options numbered from 1
 * (the number the customer types to tap one). Works from the send body the business posted.
 */
export interface RenderedMessage {
  lines: string[];
  options: MessageOption[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function textOf(value: unknown): string | undefined {
  return isObject(value) ? str(value.text) : undefined;
}

export function renderBusinessMessage(channel: SimChannel, body: unknown): RenderedMessage {
  const options = optionsOf(channel, body);
  const lines = channel === 'whatsapp' ? whatsAppLines(body, options) : messagingLines(body, options);
  return { lines, options };
}

function numbered(options: MessageOption[], option: MessageOption): string {
  const description = option.description ? ` — ${option.description}` : '';
  return `  [${options.indexOf(option) + 1}] ${option.title}${description}`;
}

function mediaLine(kind: string, media: unknown): string {
  if (!isObject(media)) return `[${kind}]`;
  const source = str(media.link) ?? (str(media.id) ? `media ${String(media.id)}` : undefined);
  const caption = str(media.caption) ?? str(media.filename);
  return [`[${kind}]`, caption, source ? `(${source})` : undefined].filter(Boolean).join(' ');
}

function whatsAppLines(body: unknown, options: MessageOption[]): string[] {
  if (!isObject(body)) return ['[unreadable message]'];
  const type = String(body.type ?? 'text');
  const content = body[type];
  switch (type) {
    case 'text':
      return [(isObject(content) ? str(content.body) : undefined) ?? ''];
    case 'interactive':
      return interactiveLines(content, options);
    case 'template':
      return templateLines(content, options);
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return [mediaLine(type, content)];
    case 'location': {
      const place = isObject(content) ? content : {};
      const where = [str(place.name), str(place.address)].filter(Boolean).join(', ');
      return [`[location] ${where ? `${where} ` : ''}(${String(place.latitude)}, ${String(place.longitude)})`];
    }
    case 'contacts': {
      const names = objects(content).map((c) => (isObject(c.name) ? str(c.name.formatted_name) : undefined) ?? 'contact');
      return [`[contacts] ${names.join(', ')}`];
    }
    case 'reaction':
      return [`[reacted ${isObject(content) ? String(content.emoji ?? '') : ''} to a message]`];
    default:
      return [`[${type} message]`];
  }
}

function interactiveLines(interactive: unknown, options: MessageOption[]): string[] {
  if (!isObject(interactive)) return ['[interactive message]'];
  const lines: string[] = [];
  const header = interactive.header;
  if (isObject(header)) {
    const headerText = str(header.text);
    lines.push(headerText ? `*${headerText}*` : mediaLine(String(header.type ?? 'header'), header[String(header.type)]));
  }
  const body = textOf(interactive.body);
  if (body) lines.push(body);
  const footer = textOf(interactive.footer);
  if (footer) lines.push(`_${footer}_`);

  const action = isObject(interactive.action) ? interactive.action : {};
  if (interactive.type === 'list') {
    lines.push(`  ${str(action.button) ?? 'Options'}:`);
    let section: string | undefined;
    for (const option of options) {
      if (option.section !== undefined && option.section !== section) {
        section = option.section;
        lines.push(`  — ${section} —`);
      }
      lines.push(numbered(options, option));
    }
  } else if (interactive.type === 'button') {
    lines.push(...options.map((o) => numbered(options, o)));
  } else if (interactive.type === 'cta_url' && isObject(action.parameters)) {
    lines.push(`  🔗 ${String(action.parameters.display_text ?? 'Open')}: ${String(action.parameters.url ?? '')}`);
  } else {
    lines.push(`  [${String(interactive.type)} message]`);
  }
  return lines;
}

function templateLines(template: unknown, options: MessageOption[]): string[] {
  if (!isObject(template)) return ['[template]'];
  const language = isObject(template.language) ? str(template.language.code) : undefined;
  const lines = [`[template ${String(template.name)}${language ? ` (${language})` : ''}]`];
  const parameters = objects(template.components)
    .filter((c) => c.type === 'header' || c.type === 'body')
    .flatMap((c) => objects(c.parameters))
    .map((p) => str(p.text) ?? (isObject(p.currency) ? str(p.currency.fallback_value) : undefined) ?? `<${String(p.type)}>`);
  if (parameters.length > 0) lines.push(`  with: ${parameters.join(' | ')}`);
  lines.push(...options.map((o) => numbered(options, o)));
  return lines;
}

function messagingLines(body: unknown, options: MessageOption[]): string[] {
  const message = isObject(body) && isObject(body.message) ? body.message : undefined;
  if (!message) return ['[unreadable message]'];
  const lines: string[] = [];
  const text = str(message.text);
  if (text) lines.push(text);

  const attachment = isObject(message.attachment) ? message.attachment : undefined;
  const payload = attachment && isObject(attachment.payload) ? attachment.payload : {};
  if (attachment?.type === 'template') {
    const templateText = str(payload.text);
    if (templateText) lines.push(templateText);
    for (const element of objects(payload.elements)) {
      lines.push([str(element.title), str(element.subtitle)].filter(Boolean).join(' — '));
    }
    const buttons = [...objects(payload.buttons), ...objects(payload.elements).flatMap((e) => objects(e.buttons))];
    for (const button of buttons.filter((b) => b.type === 'web_url')) {
      lines.push(`  🔗 ${String(button.title)}: ${String(button.url)}`);
    }
  } else if (attachment) {
    lines.push(`[${String(attachment.type)}] ${String(payload.url ?? '')}`.trim());
  }
  lines.push(...options.map((o) => numbered(options, o)));
  return lines;
}
