import { normalizeWords } from '#lambdas/agent/detect-language';

/** Lower-case words without accents, repeated letters squashed ("graciaaas" → "gracias"), joined by spaces. */
export function plain(text: string): string {
  return normalizeWords(text)
    .map((w) => w.replace(/(.)\1{2,}/g, '$1'))
    .join(' ');
}

const has = (said: string, patterns: readonly RegExp[]) => patterns.some((p) => p.test(said));

/** What a message that is only small talk is. */
export type SmallTalk = 'thanks' | 'ok' | 'bye';

const THANKS =
  /^(muchas |mil |muito |many |thank you |thanks |ok |okay |vale |perfecto |perfeito |genial |super |great |listo |pronto |blz |beleza |show )*(gracias|grac|grax|obrigad[oa]|obg|brigad[oa]|valeu|vlw|thanks|thank you|thx|ty|tks|tnx|merci)( (a lot|so much|very much|muchas|mil|muito|demais|de nuevo|again|por todo|pela ajuda|por la ayuda|for the help|for your help|team|equipo|equipe|amigo|amiga))*$/;
/** Words that, alone or together ("vale, perfecto", "ok gracias"), only acknowledge. */
const OK_WORDS = new Set(
  (
    'ok okay okey oki k kk vale dale listo perfecto perfeito perfect genial great cool nice entendido entendi entiendo got it ' +
    'understood beleza blz show certo de acuerdo ta bom bien esta sure alright all right fine joya buenisimo otimo good bueno ' +
    'si sim yes yeah yep ah oh entonces entao then gracias obrigado obrigada thanks super claro clarinho tranquilo tranqui'
  ).split(' '),
);
const THANKS_WORDS = /^(gracias|grac|grax|obrigad[oa]|obrigadao|obg|brigad[oa]|valeu|vlw|thanks|thank|thx|ty|tks|tnx|merci)$/;
const COURTESY_WORDS = new Set(
  (
    'mil muchas muchisimas muito muita so much very you a lot lot awesome amazing great super muy amable amables ' +
    'gentil gentis querid[oa] love it brigadao por todo tudo pela ajuda la ayuda help for the your team equipo equipe ' +
    'de nuevo again demais mesmo really'
  ).split(' '),
);
/** A short thanks with courtesy around it ("mil gracias, muy amables", "awesome thanks"). */
const isCourteousThanks = (said: string) => {
  const words = said.split(' ');
  return words.length <= 8 && words.some((w) => THANKS_WORDS.test(w)) && words.every((w) => THANKS_WORDS.test(w) || COURTESY_WORDS.has(w) || OK_WORDS.has(w));
};
const isOnlyAcknowledgement = (said: string) => said.split(' ').every((w) => OK_WORDS.has(w));
const BYE =
  /^((ok |bueno |vale |thanks |gracias |obrigad[oa] )?(bye|goodbye|bye bye|see you|see ya|adios|chau|chao|hasta luego|hasta pronto|nos vemos|tchau|ate logo|ate mais|falou|abraco|abrazo|saludos|have a nice day|buen dia|bom dia pra voce|que tengas buen dia))( (gracias|thanks|obrigad[oa]))?$/;

/** Small talk with nothing to answer: thanks, acknowledgements, goodbyes, a lone emoji. */
export function smallTalkOf(text: string): SmallTalk | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  const said = plain(trimmed);
  if (said.length === 0) {
    // Emoji and punctuation only (the emoji presentation selector U+FE0F is an Emoji_Component).
    if (/^[\p{Extended_Pictographic}\p{Emoji_Component}\s!.?♥❤]+$/u.test(trimmed)) return /🙏|❤|♥|😍|🥰|😘/u.test(trimmed) ? 'thanks' : 'ok';
    return undefined;
  }
  if (said.split(' ').length > 8) return undefined;
  if (THANKS.test(said) || isCourteousThanks(said)) return 'thanks';
  if (BYE.test(said)) return 'bye';
  if (isOnlyAcknowledgement(said)) return 'ok';
  return undefined;
}

/** A damaged or wrong item, or an angry complaint: a person should see it first. */
const DAMAGED = [
  /\b(rot[oa]s?|quebrad[oa]s?|rayad[oa]s?|riscad[oa]s?|arranhad[oa]s?|scratch(ed|es)?|dented|manchad[oa]s?|stained|quebrou|broken|broke|damaged|danad[oa]s?|estragad[oa]s?|defeituos[oa]|defeito|defect(ive|o)?|rasgad[oa]|cracked|rajad[oa]|trincad[oa]|amassad[oa]|abollad[oa]|no funciona|nao funciona|doesnt work|does not work|not working|stopped working|dejo de funcionar|parou de funcionar)\b/,
  /\b(wrong (item|product|size|color|colour|order)|producto equivocado|pedido equivocado|veio errado|produto errado|tamanho errado|talla equivocada|me mandaron otro|vino otro|veio outro|missing (item|part|piece)s?|falta(ba)? (una|un|uma|um) (pieza|peca|parte)|faltando)\b/,
];
const ANGRY_WORDS = [
  /\b(pesim[oa]|pessim[oa]|terrible|horrible|horrivel|awful|worst|absurd[oa]?|ridicul[oa]us|ridicul[oa]|vergonha|verguenza|estafa|scam|fraud[e]?|golpe|robo|roubo|ladr[oa]n|ladroes|ladrones|enganad[oa]|unacceptable|inaceptable|inaceitavel|lixo|basura|garbage|harto|harta|cansad[oa] de|tired of|fed up|sick of|denuncia|procon|profeco|demanda|lawyer|abogado|advogado|reclamacao|reclamacion|reclamo|complaint)\b/,
  /\b(nadie (me )?(responde|contesta|contest[oó])|ninguem (me )?responde|nobody (answers|answered|replies|replied)|never (answered|replied|got back)|nunca (me )?(respondieron|contestaron|responderam|retornaram)|sin respuesta|sem resposta|no response)\b/,
];
const ANGRY_EMOJI = /😡|🤬|😠|💢|👎|😤/u;
const SAD_EMOJI = /😢|😭|😞|☹️|🙁|😩/u;

export function isComplaint(text: string): boolean {
  const said = plain(text);
  if (has(said, DAMAGED)) return true;
  if (has(said, ANGRY_WORDS)) return true;
  // An angry face with a problem word ("mi pedido 😡", "ainda nada 😡").
  return (ANGRY_EMOJI.test(text) && said.split(' ').length >= 2) || (SAD_EMOJI.test(text) && ANGRY_EMOJI.test(text));
}

/**
 * Opt-out by intent. A clear phrase (no more messages, unsubscribe, take me off the list) is honoured;
 * an ambiguous short message ("para", "stop it", "basta") is confirmed with one tap; a message about
 * something else that happens to say "no quiero" or "stop" is neither.
 */
export type ConsentIntent = 'opt_out' | 'opt_out_unsure' | 'opt_in';

const MESSAGES =
  '(mensajes?|mensagens?|mensagem|messages?|texts?|sms|promociones|promocion|promocoes|promocao|promos?|promotions?|ofertas?|offers?|publicidad|publicidade|propaganda|spam|newsletters?|marketing|anuncios?|ads|notificaciones|notificacoes|notifications?|whats|whatsapps?|nada|nothing|this|esto|isso|these|esos|essas)';
const OPT_OUT_CLEAR = [
  /\b(unsubscribe|unsub|opt out|optout|opt me out|remove me from|take me off|delete me from|borrenme|borrame|sacame|saquenme|eliminarme|eliminenme|quitenme|tirem me|me tire|me tira|me tirem|me remova|me removam|remover meu numero|descadastr\w*|desinscrib\w*|desuscrib\w*|darme de baja|dar de baja|denme de baja|me doy de baja|cancelar (la |mi )?suscripcion|cancelar (a |minha )?inscricao|cancel(ar)? (my )?subscription|sair da lista|quero sair)\b/,
  new RegExp(
    `\\b(stop|quit|no more|dont|do not|don t|never) (sending|send|texting|text|messaging|message|writing|write|spamming|spam|contacting|contact) (me|us)?\\s?${MESSAGES}?( again| anymore| any more| ever)?$`,
  ),
  new RegExp(`\\b(stop|no more|dont want|do not want|don t want|dont send|do not send)( me)?( any| these| your| the| more)* ${MESSAGES}\\b`),
  new RegExp(
    `\\bno (quiero|deseo|quisiera|me interesa) (recibir|que me (manden|envien|escriban|mand[ae]n)) ?(mas )?(sus |tus |los |las |estos |estas |ningun |ninguna )?${MESSAGES}?`,
  ),
  new RegExp(`\\bnao (quero|desejo|gostaria de) (mais )?(receber|que me (mandem|enviem)) ?(mais )?(suas |seus |essas |esses |as |os |nenhuma )?${MESSAGES}?`),
  /\b(dejen|deja|dejan|paren|para|pare|parem|parad|stop) de (enviarme|mandarme|escribirme|enviar me|mandar me|me mandar|me enviar|me escrever|me mandarem|mandar|enviar|escribir|escrever)\b/,
  new RegExp(`\\bno me (manden|envien|escriban|mandes|envies|escribas|mande|envie) (mas|nada|${MESSAGES})`),
  /\bnao (me )?(mandem|enviem|manda|mande|envie) mais\b/,
  /^(baja|stop|parar|pare|sair|cancelar suscripcion|stop all)$/,
];
const OPT_OUT_UNSURE = [
  /^(para|paren|stop it|stop that|basta|ya basta|ya|chega|para com isso|enough|no mas|nao quero mais|no quiero mas|dejame en paz|me deixa em paz|leave me alone|cancela|cancelar|cancel|cancel it|end|quit|pare com isso|pará)$/,
];
const OPT_IN = [
  new RegExp(
    `\\b(quiero|quisiera|deseo|me gustaria|quero|gostaria de|want to|would like to|i d like to|id like to|wanna) (volver a |voltar a |again )?(recibir|receber|get|receive) (de nuevo |novamente |again )?(sus |tus |las |los |as |os |your |the )?${MESSAGES}`,
  ),
  /\b(subscribe( me)?( again)?|resubscribe|opt in|optin|opt me in|volver a suscribirme|suscribirme|inscrever me|me inscrever|me cadastrar de novo|reativar|reactivar)\b/,
  /^(start|unstop|alta|darme de alta|voltar|iniciar)$/,
];

/** "no quiero recibir", "não quero receber", "don't want to receive": never an opt-in. */
const NEGATED = /\b(no|nao|not|dont|don t|never|nunca|jamas|nunca mais)\b/;

export function consentIntentOf(text: string): ConsentIntent | undefined {
  const said = plain(text);
  if (said.length === 0) return undefined;
  if (has(said, OPT_OUT_CLEAR)) return 'opt_out';
  if (has(said, OPT_IN) && !NEGATED.test(said)) return 'opt_in';
  if (has(said, OPT_OUT_UNSURE)) return 'opt_out_unsure';
  return undefined;
}

/**
 * An order number the customer gave: after "#", "order", "pedido", "orden", "compra", "nº" (3 to 12
 * digits), a message that is only the number, or a number of 5 to 8 digits inside a sentence. Phone
 * numbers (longer), prices and quantities (followed by a currency or unit), dates and small numbers
 * ("talla 38", "(12)") are not order numbers.
 */
export function orderIdOf(text: string): string | undefined {
  const cleaned = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\b\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?\b/g, ' ');
  const named = cleaned.match(
    /(?:#|\b(?:order|orden|pedido|compra|encomenda|n[ºo°]|num(?:ero)?|number|no\.?)\s*(?:#|n[ºo°]|number|numero|número|nro\.?|:)?\s*)([A-Za-z]{0,3}-?\d{3,12})\b/i,
  );
  if (named) return named[1];
  const trimmed = cleaned.trim();
  if (/^#?\d{3,12}$/.test(trimmed)) return trimmed.replace('#', '');
  const lone = cleaned.match(/(?<![\d$€£.,+:])\b(\d{5,8})\b(?![\d.,:%]|\s?(?:reais|pesos|usd|dolares|dollars|r\$|km|kg|cm|un|unidades))/i);
  return lone?.[1];
}
