import { z } from 'zod';

/**
 * The onboarding API's routes, request bodies and settings, shared by its Lambda, the CDK construct
 * and `npm run onboard`. Fixed paths with ids in the query: the local HTTP API matches whole paths.
 */
export const ONBOARDING_ROUTES = {
  whatsapp: { method: 'POST', path: '/onboarding/whatsapp' },
  instagram: { method: 'POST', path: '/onboarding/instagram' },
  instagramLogin: { method: 'POST', path: '/onboarding/instagram-login' },
  progress: { method: 'GET', path: '/onboarding/progress' },
} as const;

/** Environment of the onboarding function. */
export const ONBOARDING_ENV = {
  /** Prefix of the per-owner access-token secrets (`<prefix>/account-tokens/<owner id>`): the stack name. */
  secretNamePrefix: 'ACCOUNT_TOKEN_SECRET_PREFIX',
} as const;

/** What Meta's JS SDK hands the business's browser at the end of Embedded Signup, plus who the business is. */
export const whatsappOnboardingRequestSchema = z.object({
  /** The tenant the number will belong to. */
  businessId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ., _ and -'),
  wabaId: z.string().max(100).regex(/^\d+$/),
  phoneNumberId: z.string().max(100).regex(/^\d+$/),
  /** The token code; needed only until the token is stored (Meta accepts a code once). */
  code: z.string().min(1).optional(),
  /** The session-info `event`; `FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING` means a coexistence number. */
  event: z.string().optional(),
  coexistence: z.boolean().optional(),
  /** Two-step verification PIN to register with; a new one is generated (and kept with the token) if absent. */
  pin: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  /** A WhatsApp number (digits, with country code) that receives the `hello_world` test template. */
  testRecipient: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
});
export type WhatsAppOnboardingRequest = z.infer<typeof whatsappOnboardingRequestSchema>;

/** Facebook Login for Business for Instagram messaging: the code, the Page and the account linked to it. */
export const instagramOnboardingRequestSchema = z.object({
  businessId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ., _ and -'),
  pageId: z.string().max(100).regex(/^\d+$/),
  /** Optional: learnt from the Page's `instagram_business_account` when absent. */
  instagramAccountId: z.string().max(100).regex(/^\d+$/).optional(),
  code: z.string().min(1).optional(),
  /** The redirect URI the login dialog used; Meta checks it on the exchange. */
  redirectUri: z.string().url().optional(),
});
export type InstagramOnboardingRequest = z.infer<typeof instagramOnboardingRequestSchema>;

/**
 * Business Login for Instagram (the Instagram API with Instagram Login, no Page): the code Meta
 * sent to the redirect URI and that URI, which Meta checks on the exchange. The account is learnt
 * from the token; to resume an onboarding without a new code, name the account instead.
 */
export const instagramLoginOnboardingRequestSchema = z
  .object({
    businessId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ., _ and -'),
    code: z.string().min(1).max(2048).optional(),
    redirectUri: z.string().url().max(2048).optional(),
    instagramAccountId: z.string().max(100).regex(/^\d+$/).optional(),
  })
  .refine((r) => r.code !== undefined || r.instagramAccountId !== undefined, {
    message: 'give the code from the login, or the instagramAccountId of an onboarding to resume',
    path: ['code'],
  })
  .refine((r) => r.code === undefined || r.redirectUri !== undefined, {
    message: 'the redirectUri the login used is needed with a code',
    path: ['redirectUri'],
  });
export type InstagramLoginOnboardingRequest = z.infer<typeof instagramLoginOnboardingRequestSchema>;

export const progressQuerySchema = z.union([
  z.object({ wabaId: z.string().max(100).regex(/^\d+$/), phoneNumberId: z.string().max(100).regex(/^\d+$/) }),
  z.object({ pageId: z.string().max(100).regex(/^\d+$/) }),
  z.object({ instagramAccountId: z.string().max(100).regex(/^\d+$/) }),
]);

export const COEXISTENCE_FINISH_EVENT = 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING';

export const WHATSAPP_STEPS = ['exchange_token', 'subscribe_webhooks', 'register_number', 'health_check', 'test_message', 'activate_account'] as const;
export const INSTAGRAM_STEPS = ['exchange_token', 'subscribe_webhooks', 'health_check', 'activate_account'] as const;
export type OnboardingStepName = (typeof WHATSAPP_STEPS)[number] | (typeof INSTAGRAM_STEPS)[number];

export type StepStatus = 'done' | 'skipped' | 'failed' | 'pending';

export interface StepRecord {
  status: StepStatus;
  at?: string;
  /** A short, non-secret note: why skipped, what Meta reported. */
  note?: string;
}

/** Meta's refusal, and what the operator should do about it. */
export interface OnboardingFailure {
  step: OnboardingStepName;
  code?: number;
  subcode?: number;
  message: string;
  advice: string;
}

/** What the API answers and the CLI prints. */
export interface OnboardingReport {
  channel: 'whatsapp' | 'instagram';
  /** `instagram_login` for an account onboarded through Business Login for Instagram. */
  api?: 'instagram_login';
  accountId: string;
  ownerId: string;
  status: 'active' | 'onboarding';
  steps: Partial<Record<OnboardingStepName, StepRecord>>;
  failure?: OnboardingFailure;
  health?: Record<string, unknown>;
  /** Whether the business has bot settings of its own (without them, no bot answers its customers). */
  bot?: { configured: boolean; note?: string };
}
