import { config } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod's English issue messages ("Too small: expected string to have >=1 characters"). Classic zod
 * sets them when it loads; zod/mini, which the per-message schemas use for its smaller bundle and
 * cold start (issue 14), carries none and says "Invalid input". Every module that builds schemas
 * with zod/mini imports this, so a message reads the same whichever build a bundle holds.
 */
config(en());
