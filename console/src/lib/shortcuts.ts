/**
 * Every action of the console has a key. Plain letters act only when no text field has the focus;
 * Alt+letter works everywhere (matched on the physical key, since Alt changes the character on
 * some keyboards). The help overlay (`?`) lists this table.
 */
export type ShortcutId =
  | 'help'
  | 'viewAgent'
  | 'viewSupervisor'
  | 'viewAdmin'
  | 'nextConversation'
  | 'previousConversation'
  | 'acceptOffer'
  | 'declineOffer'
  | 'focusComposer'
  | 'send'
  | 'macros'
  | 'templates'
  | 'note'
  | 'tags'
  | 'transfer'
  | 'handBack'
  | 'close'
  | 'presence'
  | 'language'
  | 'backToList'
  | 'dismiss';

export interface Shortcut {
  id: ShortcutId;
  /** What the help shows ("Alt+A"). */
  keys: string;
  /** i18n key of what it does. */
  labelKey: string;
  /** Where it works. */
  scope: 'global' | 'agent' | 'conversation';
  /** Plain key (event.key) when not typing. */
  key?: string;
  /** Alt + this physical key (event.code), anywhere. */
  altCode?: string;
  /** Ctrl/⌘ + this key, anywhere. */
  ctrlKey?: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'help', keys: '?', labelKey: 'shortcuts.help', scope: 'global', key: '?' },
  { id: 'viewAgent', keys: 'Alt+1', labelKey: 'shortcuts.viewAgent', scope: 'global', altCode: 'Digit1' },
  { id: 'viewSupervisor', keys: 'Alt+2', labelKey: 'shortcuts.viewSupervisor', scope: 'global', altCode: 'Digit2' },
  { id: 'viewAdmin', keys: 'Alt+3', labelKey: 'shortcuts.viewAdmin', scope: 'global', altCode: 'Digit3' },
  { id: 'presence', keys: 'Alt+P', labelKey: 'shortcuts.presence', scope: 'global', altCode: 'KeyP' },
  { id: 'language', keys: 'Alt+L', labelKey: 'shortcuts.language', scope: 'global', altCode: 'KeyL' },
  { id: 'nextConversation', keys: 'J', labelKey: 'shortcuts.next', scope: 'agent', key: 'j' },
  { id: 'previousConversation', keys: 'K', labelKey: 'shortcuts.previous', scope: 'agent', key: 'k' },
  { id: 'acceptOffer', keys: 'Alt+A', labelKey: 'shortcuts.accept', scope: 'agent', altCode: 'KeyA' },
  { id: 'declineOffer', keys: 'Alt+D', labelKey: 'shortcuts.decline', scope: 'agent', altCode: 'KeyD' },
  { id: 'focusComposer', keys: 'R', labelKey: 'shortcuts.reply', scope: 'conversation', key: 'r' },
  { id: 'send', keys: 'Ctrl+Enter', labelKey: 'shortcuts.send', scope: 'conversation', ctrlKey: 'Enter' },
  { id: 'macros', keys: 'Alt+M', labelKey: 'shortcuts.macros', scope: 'conversation', altCode: 'KeyM' },
  { id: 'templates', keys: 'Alt+T', labelKey: 'shortcuts.templates', scope: 'conversation', altCode: 'KeyT' },
  { id: 'note', keys: 'Alt+N', labelKey: 'shortcuts.note', scope: 'conversation', altCode: 'KeyN' },
  { id: 'tags', keys: 'Alt+G', labelKey: 'shortcuts.tags', scope: 'conversation', altCode: 'KeyG' },
  { id: 'transfer', keys: 'Alt+X', labelKey: 'shortcuts.transfer', scope: 'conversation', altCode: 'KeyX' },
  { id: 'handBack', keys: 'Alt+B', labelKey: 'shortcuts.handBack', scope: 'conversation', altCode: 'KeyB' },
  { id: 'close', keys: 'Alt+C', labelKey: 'shortcuts.close', scope: 'conversation', altCode: 'KeyC' },
  { id: 'backToList', keys: 'Alt+←', labelKey: 'shortcuts.back', scope: 'conversation', altCode: 'ArrowLeft' },
  { id: 'dismiss', keys: 'Esc', labelKey: 'shortcuts.dismiss', scope: 'global', key: 'Escape' },
];

export interface KeyPress {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** The focus is in a text field, where plain letters type. */
  typing: boolean;
}

/** The shortcut a key press means, if any. */
export function matchShortcut(press: KeyPress): ShortcutId | undefined {
  for (const s of SHORTCUTS) {
    if (s.altCode && press.altKey && !press.ctrlKey && !press.metaKey && press.code === s.altCode) return s.id;
    if (s.ctrlKey && (press.ctrlKey || press.metaKey) && press.key === s.ctrlKey) return s.id;
    if (s.key && !press.altKey && !press.ctrlKey && !press.metaKey) {
      if (s.key === 'Escape' && press.key === 'Escape') return s.id;
      if (!press.typing && press.key.toLowerCase() === s.key) return s.id;
    }
  }
  return undefined;
}
