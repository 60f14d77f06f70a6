import { LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID } from '#lib/local-cloud/graph-simulator/accounts';

/** A template as `GET /{waba-id}/message_templates` returns it. */
export interface SimTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Array<Record<string, unknown>>;
  quality_score?: { score: string; date?: number };
  rejected_reason?: string;
  previous_category?: string;
}

/** What the control route accepts to add or change a template; absent fields keep their value. */
export type SimTemplateInput = Partial<Omit<SimTemplate, 'name' | 'language'>> & { name: string; language: string };

/**
 * The local WABA's templates: approved ones in both parameter formats, a marketing one, a utility
 * one with a URL button taking a variable, one with an image header, and a rejected one.
 */
export function seededTemplates(): SimTemplate[] {
  return [
    {
      id: '900000000000001',
      name: 'delivery_update',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
        { type: 'BODY', text: 'Your order {{1}} will arrive on {{2}}.', example: { body_text: [['A-1001', 'Friday']] } },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track', url: 'https://example.com/track/{{1}}' },
            { type: 'QUICK_REPLY', text: 'Talk to us' },
          ],
        },
      ],
      quality_score: { score: 'GREEN' },
    },
    {
      id: '900000000000002',
      name: 'delivery_update',
      language: 'es',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}' },
        { type: 'BODY', text: 'Tu pedido {{1}} llega el {{2}}.' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Seguir', url: 'https://example.com/track/{{1}}' },
            { type: 'QUICK_REPLY', text: 'Hablar' },
          ],
        },
      ],
      quality_score: { score: 'GREEN' },
    },
    {
      id: '900000000000003',
      name: 'appointment_reminder',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{first_name}}, see you on {{date}} at {{time}}.',
          example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550000001' }] },
      ],
      quality_score: { score: 'GREEN' },
    },
    {
      id: '900000000000004',
      name: 'summer_offer',
      language: 'en_US',
      status: 'APPROVED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Hi {{1}}, use code {{2}} for 20% off this week.' },
        { type: 'FOOTER', text: 'Not interested? Tap Stop promotions' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'COPY_CODE', text: 'Copy offer code' },
            { type: 'QUICK_REPLY', text: 'Stop promotions' },
          ],
        },
      ],
      quality_score: { score: 'UNKNOWN' },
    },
    {
      id: '900000000000005',
      name: 'welcome_back',
      language: 'en_US',
      status: 'REJECTED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'We miss you! Come back for a surprise.' }],
      rejected_reason: 'PROMOTIONAL',
    },
  ];
}

/**
 * The simulator's templates per WABA, in creation order (the order the listing pages through).
 * `reset()` returns to the seeded set.
 */
export class TemplateStore {
  private byWaba = new Map<string, SimTemplate[]>();
  private nextId = 910_000_000_000_000;

  constructor(private readonly seed: () => Record<string, SimTemplate[]> = () => ({ [LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID]: seededTemplates() })) {
    this.reset();
  }

  reset(): void {
    this.byWaba = new Map(Object.entries(this.seed()).map(([waba, list]) => [waba, list.map((t) => structuredClone(t))]));
  }

  list(wabaId: string): SimTemplate[] {
    return this.byWaba.get(wabaId) ?? [];
  }

  hasCatalogue(wabaId: string): boolean {
    return this.byWaba.has(wabaId);
  }

  find(wabaId: string, name: string, language: string): SimTemplate | undefined {
    return this.list(wabaId).find((t) => t.name === name && t.language === language);
  }

  hasName(wabaId: string, name: string): boolean {
    return this.list(wabaId).some((t) => t.name === name);
  }

  /** Adds or changes a template; says what its status was before (undefined: new). */
  upsert(wabaId: string, input: SimTemplateInput): { template: SimTemplate; previousStatus?: string } {
    const list = this.byWaba.get(wabaId) ?? [];
    this.byWaba.set(wabaId, list);
    const existing = list.find((t) => t.name === input.name && t.language === input.language);
    if (existing) {
      const previousStatus = existing.status;
      Object.assign(existing, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
      return { template: existing, previousStatus };
    }
    const template: SimTemplate = {
      id: input.id ?? String(this.nextId++),
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [],
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
      name: input.name,
      language: input.language,
    } as SimTemplate;
    list.push(template);
    return { template };
  }

  /** Deletes every language of a name (as Meta's DELETE by name does). */
  remove(wabaId: string, name: string): number {
    const list = this.list(wabaId);
    const kept = list.filter((t) => t.name !== name);
    this.byWaba.set(wabaId, kept);
    return list.length - kept.length;
  }
}
