/** The bot's own short sentences, used when a business's settings do not say them differently. */
export const DEFAULT_REPLIES = {
  notSure: {
    en: "I'm not sure I understood, and I'd rather not guess. Would you like a person from our team to help? You can also pick an option.",
    es: 'No estoy seguro de haber entendido y prefiero no adivinar. ¿Quieres que te ayude una persona de nuestro equipo? También puedes elegir una opción.',
    pt: 'Não tenho certeza se entendi e prefiro não chutar. Quer que uma pessoa da nossa equipe ajude? Você também pode escolher uma opção.',
  },
  followUpWhenOpen: {
    en: 'I have left your message for our team: a person will answer here as soon as we open.',
    es: 'Dejé tu mensaje a nuestro equipo: una persona te responderá aquí en cuanto abramos.',
    pt: 'Deixei sua mensagem para a nossa equipe: uma pessoa vai responder aqui assim que abrirmos.',
  },
  talkToPerson: { en: 'Talk to a person', es: 'Hablar con persona', pt: 'Falar com atendente' },
  thanks: { en: "You're welcome! 😊", es: '¡De nada! 😊', pt: 'Por nada! 😊' },
  goodbye: { en: 'Have a great day! 👋', es: '¡Que tengas un buen día! 👋', pt: 'Tenha um ótimo dia! 👋' },
  complaint: {
    en: "I'm sorry about this. I've passed your message to our team with priority; a person will continue here shortly.",
    es: 'Lamento mucho lo ocurrido. Pasé tu mensaje a nuestro equipo con prioridad; una persona continuará aquí en breve.',
    pt: 'Sinto muito pelo ocorrido. Passei sua mensagem para a nossa equipe com prioridade; uma pessoa continuará aqui em breve.',
  },
  complaintOutOfHours: {
    en: "I'm sorry about this. I've passed your message to our team with priority; a person will continue here as soon as we open.",
    es: 'Lamento mucho lo ocurrido. Pasé tu mensaje a nuestro equipo con prioridad; una persona continuará aquí en cuanto abramos.',
    pt: 'Sinto muito pelo ocorrido. Passei sua mensagem para a nossa equipe com prioridade; uma pessoa continuará aqui assim que abrirmos.',
  },
  attachment: {
    en: 'Thanks, we got your file. I cannot look at photos, audio or files here; would you like a person to check it?',
    es: 'Gracias, recibimos tu archivo. No puedo ver fotos, audios ni archivos aquí; ¿quieres que lo revise una persona?',
    pt: 'Obrigado, recebemos seu arquivo. Não consigo ver fotos, áudios ou arquivos aqui; quer que uma pessoa verifique?',
  },
  repeated: {
    en: 'It looks like my previous answer did not help. Would you like to talk to a person?',
    es: 'Parece que mi respuesta anterior no te ayudó. ¿Quieres hablar con una persona?',
    pt: 'Parece que minha resposta anterior não ajudou. Quer falar com uma pessoa?',
  },
  orderNoted: {
    en: 'Thanks, I have noted order {order}. A person from our team will check it and answer here shortly.',
    es: 'Gracias, anoté el pedido {order}. Una persona de nuestro equipo lo revisará y te responderá aquí en breve.',
    pt: 'Obrigado, anotei o pedido {order}. Uma pessoa da nossa equipe vai verificar e responder aqui em breve.',
  },
  orderNotedOutOfHours: {
    en: 'Thanks, I have noted order {order}. Our team is out of the office now; a person will check it and answer here as soon as we open.',
    es: 'Gracias, anoté el pedido {order}. Nuestro equipo está fuera de horario; una persona lo revisará y te responderá aquí en cuanto abramos.',
    pt: 'Obrigado, anotei o pedido {order}. Nossa equipe está fora do horário; uma pessoa vai verificar e responder aqui assim que abrirmos.',
  },
  optOutQuestion: {
    en: 'Do you want to stop receiving promotional messages from us?',
    es: '¿Quieres dejar de recibir nuestros mensajes promocionales?',
    pt: 'Você quer parar de receber nossas mensagens promocionais?',
  },
  languageQuestion: {
    en: 'Would you rather continue in English?',
    es: '¿Prefieres que sigamos en español?',
    pt: 'Prefere que a gente continue em português?',
  },
  languageSet: {
    en: 'Sure, let’s continue in English. How can we help?',
    es: 'Perfecto, seguimos en español. ¿En qué podemos ayudarte?',
    pt: 'Combinado, seguimos em português. Como podemos ajudar?',
  },
  optOutYes: { en: 'Yes, unsubscribe', es: 'Sí, darme de baja', pt: 'Sim, sair da lista' },
  optOutNo: { en: 'No, keep them', es: 'No, seguir', pt: 'Não, continuar' },
  optOutKept: {
    en: 'Got it, nothing changes. How can we help?',
    es: 'Entendido, no cambia nada. ¿En qué podemos ayudarte?',
    pt: 'Entendido, nada muda. Como podemos ajudar?',
  },
  optInConfirmation: {
    en: 'Done: you will receive our promotions again. Write STOP whenever you want to stop them.',
    es: 'Listo: volverás a recibir nuestras promociones. Escribe BAJA cuando quieras dejar de recibirlas.',
    pt: 'Pronto: você voltará a receber nossas promoções. Escreva SAIR quando quiser parar de recebê-las.',
  },
  csatListLabel: { en: 'Rate us', es: 'Calificar', pt: 'Avaliar' },
} as const;
