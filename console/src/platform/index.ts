/** The console's platform: settings, sign-in, the API and live updates. */
export { type ConsoleAuthConfig, type ConsoleConfig, ConsoleConfigError, loadConsoleConfig } from './config.ts';
export { AuthError, type ConsoleRole, type ConsoleSession, currentSession, handleRedirect, signIn, signOut } from './auth.ts';
export { ApiError, apiGet, apiPost, apiPut, onUnauthorized, type QueryValue } from './api.ts';
export { connectLive, type LiveChange, type LiveConnection, type LiveOptions, type LiveState } from './live.ts';
