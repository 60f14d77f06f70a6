import type { ContactRefusal } from '#lambdas/contacts/contact-ports';
import { ContactRequestError } from '#lambdas/contacts/errors';

/** A store's refusal as the API answers it. */
export function refusalError(refusal: ContactRefusal, message: string, what: 'contact' | 'merge' = 'contact'): ContactRequestError {
  switch (refusal) {
    case 'not_found':
      return new ContactRequestError(404, `${what}_not_found`, `No ${what} with that id in your business`);
    case 'changed_meanwhile':
      return new ContactRequestError(409, 'changed_meanwhile', 'The contact changed meanwhile: read it again and repeat the change');
    case 'identity_taken':
      return new ContactRequestError(409, 'identity_taken', 'That identity belongs to another contact: merge the two contacts instead');
    case 'same_contact':
      return new ContactRequestError(400, 'same_contact', 'A contact cannot be merged with itself');
    case 'already_undone':
      return new ContactRequestError(409, 'already_undone', 'That merge was already undone');
    case 'invalid':
      return new ContactRequestError(400, 'invalid_request', message.slice(0, 300) || 'The change is not valid');
  }
}
