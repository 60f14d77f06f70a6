// Placeholder: the handler is being written; it will export `handler`.
export const handler = async (_event: unknown): Promise<unknown> => {
  throw new Error('not implemented yet');
};
