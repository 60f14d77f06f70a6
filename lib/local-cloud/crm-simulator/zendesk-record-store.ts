import type { SimClock } from '#lib/local-cloud/crm-simulator/crm-route-types';

/**
 * Zendesk's records as the simulator keeps them: users (unique `external_id`), tickets, and the
 * idempotency keys of ticket creates (two hours, as Zendesk keeps them). A test reads counts and
 * records from here.
 */

export interface ZendeskUser {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  external_id: string | null;
  locale: string;
  role: 'end-user' | 'agent' | 'admin';
  tags: string[];
  user_fields: Record<string, string | number | boolean | null>;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface ZendeskTicket {
  id: number;
  subject: string | null;
  description: string;
  status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  external_id: string | null;
  tags: string[];
  comments: Array<{ body: string; public: boolean; author_id: number }>;
  created_at: string;
  updated_at: string;
}

interface IdempotentCreate {
  fingerprint: string;
  ticketId: number;
  at: number;
}

/** Zendesk keeps an idempotency key for two hours. */
export const ZENDESK_IDEMPOTENCY_WINDOW_MS = 2 * 60 * 60_000;

/** The user field keys docs/integrations.md asks the business to create (text fields). */
export const ZENDESK_SETUP_USER_FIELDS = [
  'omnichannel_tags',
  'omnichannel_first_touch_channel',
  'omnichannel_first_touch_source',
  'omnichannel_ad_id',
  'omnichannel_ad_headline',
  'omnichannel_ctwa_clid',
  'omnichannel_utm_source',
  'omnichannel_utm_medium',
  'omnichannel_utm_campaign',
  'omnichannel_utm_term',
  'omnichannel_utm_content',
];

export class ZendeskRecordStore {
  /** The user the API credentials belong to (tickets without a requester are theirs). */
  readonly apiUser: ZendeskUser;
  readonly userFieldKeys: ReadonlySet<string>;
  private readonly clock: SimClock;
  private readonly users = new Map<number, ZendeskUser>();
  private readonly tickets = new Map<number, ZendeskTicket>();
  private readonly idempotency = new Map<string, IdempotentCreate>();
  private nextUserId = 360_000_000_001;
  private nextTicketId = 1;
  private usersCreated = 0;
  private usersUpdated = 0;
  private ticketsCreated = 0;
  private idempotentHits = 0;

  constructor(options: { clock?: SimClock; userFieldKeys?: readonly string[] } = {}) {
    this.clock = options.clock ?? Date.now;
    this.userFieldKeys = new Set(options.userFieldKeys ?? ZENDESK_SETUP_USER_FIELDS);
    this.apiUser = this.newUser({ name: 'Integration agent', email: 'integration@example.com', role: 'admin' });
  }

  private now(): string {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private newUser(fields: Partial<ZendeskUser> & { name: string }): ZendeskUser {
    const now = this.now();
    const user: ZendeskUser = {
      id: this.nextUserId++,
      email: null,
      phone: null,
      external_id: null,
      locale: 'en-US',
      role: 'end-user',
      tags: [],
      user_fields: {},
      active: true,
      created_at: now,
      updated_at: now,
      ...fields,
    };
    this.users.set(user.id, user);
    return user;
  }

  createUser(fields: Partial<ZendeskUser> & { name: string }, viaApi = true): ZendeskUser {
    if (viaApi) this.usersCreated += 1;
    return this.newUser(fields);
  }

  updateUser(user: ZendeskUser, fields: Partial<ZendeskUser>): ZendeskUser {
    Object.assign(user, fields, { updated_at: this.now() });
    this.usersUpdated += 1;
    return user;
  }

  /** Seed a user as if an agent had created it in Zendesk (for lookup tests). */
  seedUser(fields: Partial<ZendeskUser> & { name: string }): ZendeskUser {
    return this.createUser(fields, false);
  }

  user(id: number): ZendeskUser | undefined {
    return this.users.get(id);
  }

  /** external_id is unique per account and matched without regard to case. */
  userByExternalId(externalId: string): ZendeskUser | undefined {
    const wanted = externalId.toLowerCase();
    return [...this.users.values()].find((u) => u.external_id?.toLowerCase() === wanted);
  }

  userByEmail(email: string): ZendeskUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email?.toLowerCase() === wanted);
  }

  /** End users (the API user is not a customer). */
  endUsers(): ZendeskUser[] {
    return [...this.users.values()].filter((u) => u.id !== this.apiUser.id);
  }

  allUsers(): ZendeskUser[] {
    return [...this.users.values()];
  }

  createTicket(fields: Omit<ZendeskTicket, 'id' | 'created_at' | 'updated_at'>): ZendeskTicket {
    const now = this.now();
    const ticket: ZendeskTicket = { ...fields, id: this.nextTicketId++, created_at: now, updated_at: now };
    this.tickets.set(ticket.id, ticket);
    this.ticketsCreated += 1;
    return ticket;
  }

  ticket(id: number): ZendeskTicket | undefined {
    return this.tickets.get(id);
  }

  allTickets(): ZendeskTicket[] {
    return [...this.tickets.values()];
  }

  /** The create a key already made, while it is within the window; expired keys are forgotten. */
  idempotentCreate(key: string): IdempotentCreate | undefined {
    const entry = this.idempotency.get(key);
    if (entry && this.clock() - entry.at >= ZENDESK_IDEMPOTENCY_WINDOW_MS) {
      this.idempotency.delete(key);
      return undefined;
    }
    return entry;
  }

  rememberCreate(key: string, fingerprint: string, ticketId: number): void {
    this.idempotency.set(key, { fingerprint, ticketId, at: this.clock() });
  }

  countHit(): void {
    this.idempotentHits += 1;
  }

  counts(): { usersCreated: number; usersUpdated: number; ticketsCreated: number; idempotentHits: number } {
    return { usersCreated: this.usersCreated, usersUpdated: this.usersUpdated, ticketsCreated: this.ticketsCreated, idempotentHits: this.idempotentHits };
  }

  reset(): void {
    for (const id of [...this.users.keys()]) if (id !== this.apiUser.id) this.users.delete(id);
    this.tickets.clear();
    this.idempotency.clear();
    this.usersCreated = 0;
    this.usersUpdated = 0;
    this.ticketsCreated = 0;
    this.idempotentHits = 0;
  }
}
