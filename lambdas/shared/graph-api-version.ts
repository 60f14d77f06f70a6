/**
 * The one place that names the Meta Graph API version the project speaks: every Lambda default,
 * the CDK stack, the onboarding and Instagram Login clients, the Graph simulator and the CLIs read
 * it from here. Upgrading is a change of this file and of the spec beside the simulator
 * (docs/meta-api-version.md).
 *
 * Dates from Meta's Graph API changelog ("Available Graph API versions",
 * https://developers.facebook.com/docs/graph-api/changelog/versions/): v23.0 was introduced on
 * 29 May 2025 and is available until 8 October 2027. After that date Meta answers calls to it as
 * if they named the oldest version still available.
 */
export const GRAPH_API_VERSION = 'v23.0';

/** When Meta introduced {@link GRAPH_API_VERSION} (ISO date). */
export const GRAPH_API_VERSION_INTRODUCED = '2025-05-29';

/** The last day Meta serves {@link GRAPH_API_VERSION} as itself (ISO date); upgrade well before. */
export const GRAPH_API_VERSION_AVAILABLE_UNTIL = '2027-10-08';

/**
 * File name of Meta's OpenAPI spec of the same version (from `facebook/openapi`), vendored beside
 * the Graph simulator (`lib/local-cloud/graph-simulator/openapi/`), which validates WhatsApp send
 * bodies against it. Its `info.version` must equal {@link GRAPH_API_VERSION} (a unit test checks).
 */
export const GRAPH_API_OPENAPI_SPEC_FILE = `business-messaging-api_${GRAPH_API_VERSION}.yaml`;

/** Meta's Graph host for WhatsApp, Messenger and Page-linked Instagram calls. */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';
