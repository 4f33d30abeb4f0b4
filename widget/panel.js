// shopchat chat panel, loaded by widget.js on first open: UI, translations, accessibility.
// Builds its DOM with createElement/textContent only (no innerHTML, no inline styles).

const T = {
  en: {
    close: "Close chat", sound_on: "Turn sound on", sound_off: "Turn sound off", log: "Conversation",
    placeholder: "Write a message…", send: "Send", attach: "Attach an image or PDF",
    typing_assistant: "The assistant is typing…", typing_agent: "Our team is typing…",
    assistant: "Assistant", agent: "Support team", you: "You", sending: "Sending…",
    queued: "Not sent yet — it goes out as soon as the connection is back",
    failed: "Not delivered", offline: "Connection lost — reconnecting…",
    uploading: "Uploading {name}…", bad_type: "Only images (PNG, JPEG, WebP, GIF) and PDF files can be sent.",
    too_big: "Files can be at most 10 MB.", upload_failed: "The file could not be sent.",
    rate_q: "How would you rate this conversation?", star: "{n} of 5", comment: "Anything we could do better? (optional)",
    rate_send: "Send rating", thanks: "Thank you for your feedback!", resolved: "This conversation has been resolved.",
    waiting: "A member of our team will reply here shortly.", online: "Our team is online",
    away: "Our team is away — the assistant is here around the clock",
    hello_guest: "Hi there! How can we help you today?",
    hello_new: "Hi {name}, welcome to {shop}! Ask me anything about our products, shipping or your first order.",
    hello_regular: "Welcome back, {name}! How can we help today?",
    hello_vip: "Welcome back, {name} — lovely to see you again! As one of our VIP customers you get priority help. What can we do for you?",
    powered: "Powered by shopchat", file: "File",
  },
  de: {
    close: "Chat schließen", sound_on: "Ton einschalten", sound_off: "Ton ausschalten", log: "Unterhaltung",
    placeholder: "Nachricht schreiben…", send: "Senden", attach: "Bild oder PDF anhängen",
    typing_assistant: "Der Assistent schreibt…", typing_agent: "Unser Team schreibt…",
    assistant: "Assistent", agent: "Kundenservice", you: "Du", sending: "Wird gesendet…",
    queued: "Noch nicht gesendet – geht raus, sobald die Verbindung wieder steht",
    failed: "Nicht zugestellt", offline: "Verbindung unterbrochen – neuer Versuch…",
    uploading: "{name} wird hochgeladen…", bad_type: "Nur Bilder (PNG, JPEG, WebP, GIF) und PDF-Dateien können gesendet werden.",
    too_big: "Dateien dürfen höchstens 10 MB groß sein.", upload_failed: "Die Datei konnte nicht gesendet werden.",
    rate_q: "Wie bewertest du diese Unterhaltung?", star: "{n} von 5", comment: "Was können wir besser machen? (optional)",
    rate_send: "Bewertung senden", thanks: "Danke für dein Feedback!", resolved: "Diese Unterhaltung wurde als gelöst markiert.",
    waiting: "Jemand aus unserem Team antwortet dir gleich hier.", online: "Unser Team ist online",
    away: "Unser Team ist gerade nicht da – der Assistent hilft rund um die Uhr",
    hello_guest: "Hallo! Wie können wir dir heute helfen?",
    hello_new: "Hallo {name}, willkommen bei {shop}! Frag mich alles zu unseren Produkten, zum Versand oder zu deiner ersten Bestellung.",
    hello_regular: "Schön, dass du wieder da bist, {name}! Wie können wir helfen?",
    hello_vip: "Willkommen zurück, {name} – schön, dich wiederzusehen! Als VIP bekommst du bei uns bevorzugte Hilfe. Was können wir für dich tun?",
    powered: "Bereitgestellt von shopchat", file: "Datei",
  },
  fr: {
    close: "Fermer le chat", sound_on: "Activer le son", sound_off: "Couper le son", log: "Conversation",
    placeholder: "Écrivez un message…", send: "Envoyer", attach: "Joindre une image ou un PDF",
    typing_assistant: "L’assistant écrit…", typing_agent: "Notre équipe écrit…",
    assistant: "Assistant", agent: "Service client", you: "Vous", sending: "Envoi…",
    queued: "Pas encore envoyé — il partira dès le retour de la connexion",
    failed: "Non distribué", offline: "Connexion perdue — reconnexion…",
    uploading: "Envoi de {name}…", bad_type: "Seules les images (PNG, JPEG, WebP, GIF) et les fichiers PDF peuvent être envoyés.",
    too_big: "Les fichiers ne peuvent pas dépasser 10 Mo.", upload_failed: "Le fichier n’a pas pu être envoyé.",
    rate_q: "Comment évaluez-vous cette conversation ?", star: "{n} sur 5", comment: "Que pourrions-nous améliorer ? (facultatif)",
    rate_send: "Envoyer la note", thanks: "Merci pour votre avis !", resolved: "Cette conversation a été marquée comme résolue.",
    waiting: "Un membre de notre équipe va vous répondre ici très vite.", online: "Notre équipe est en ligne",
    away: "Notre équipe est absente — l’assistant est là jour et nuit",
    hello_guest: "Bonjour ! Comment pouvons-nous vous aider aujourd’hui ?",
    hello_new: "Bonjour {name}, bienvenue chez {shop} ! Posez-moi vos questions sur nos produits, la livraison ou votre première commande.",
    hello_regular: "Ravi de vous revoir, {name} ! Comment pouvons-nous vous aider ?",
    hello_vip: "Bon retour, {name} — quel plaisir de vous revoir ! En tant que client VIP, vous êtes servi en priorité. Que pouvons-nous faire pour vous ?",
    powered: "Propulsé par shopchat", file: "Fichier",
  },
  es: {
    close: "Cerrar chat", sound_on: "Activar sonido", sound_off: "Desactivar sonido", log: "Conversación",
    placeholder: "Escribe un mensaje…", send: "Enviar", attach: "Adjuntar una imagen o PDF",
    typing_assistant: "El asistente está escribiendo…", typing_agent: "Nuestro equipo está escribiendo…",
    assistant: "Asistente", agent: "Atención al cliente", you: "Tú", sending: "Enviando…",
    queued: "Aún no enviado: se enviará en cuanto vuelva la conexión",
    failed: "No entregado", offline: "Conexión perdida: reconectando…",
    uploading: "Subiendo {name}…", bad_type: "Solo se pueden enviar imágenes (PNG, JPEG, WebP, GIF) y archivos PDF.",
    too_big: "Los archivos pueden ocupar como máximo 10 MB.", upload_failed: "No se pudo enviar el archivo.",
    rate_q: "¿Cómo valorarías esta conversación?", star: "{n} de 5", comment: "¿Qué podríamos mejorar? (opcional)",
    rate_send: "Enviar valoración", thanks: "¡Gracias por tu opinión!", resolved: "Esta conversación se ha marcado como resuelta.",
    waiting: "Alguien de nuestro equipo te responderá aquí en breve.", online: "Nuestro equipo está conectado",
    away: "Nuestro equipo no está ahora; el asistente te ayuda a cualquier hora",
    hello_guest: "¡Hola! ¿En qué podemos ayudarte hoy?",
    hello_new: "Hola {name}, ¡bienvenido a {shop}! Pregúntame lo que quieras sobre nuestros productos, el envío o tu primer pedido.",
    hello_regular: "¡Qué bien verte de nuevo, {name}! ¿En qué podemos ayudarte?",
    hello_vip: "¡Bienvenido de nuevo, {name}! Como cliente VIP tienes atención prioritaria. ¿Qué podemos hacer por ti?",
    powered: "Con la tecnología de shopchat", file: "Archivo",
  },
  nl: {
    close: "Chat sluiten", sound_on: "Geluid aan", sound_off: "Geluid uit", log: "Gesprek",
    placeholder: "Schrijf een bericht…", send: "Versturen", attach: "Afbeelding of pdf toevoegen",
    typing_assistant: "De assistent typt…", typing_agent: "Ons team typt…",
    assistant: "Assistent", agent: "Klantenservice", you: "Jij", sending: "Versturen…",
    queued: "Nog niet verstuurd — gaat zodra de verbinding terug is",
    failed: "Niet afgeleverd", offline: "Verbinding verbroken — opnieuw verbinden…",
    uploading: "{name} uploaden…", bad_type: "Alleen afbeeldingen (PNG, JPEG, WebP, GIF) en pdf-bestanden kunnen worden verstuurd.",
    too_big: "Bestanden mogen maximaal 10 MB zijn.", upload_failed: "Het bestand kon niet worden verstuurd.",
    rate_q: "Hoe beoordeel je dit gesprek?", star: "{n} van 5", comment: "Wat kunnen we beter doen? (optioneel)",
    rate_send: "Beoordeling versturen", thanks: "Bedankt voor je feedback!", resolved: "Dit gesprek is als opgelost gemarkeerd.",
    waiting: "Iemand van ons team antwoordt je hier zo.", online: "Ons team is online",
    away: "Ons team is er nu niet — de assistent helpt je dag en nacht",
    hello_guest: "Hallo! Waarmee kunnen we je vandaag helpen?",
    hello_new: "Hoi {name}, welkom bij {shop}! Vraag me alles over onze producten, verzending of je eerste bestelling.",
    hello_regular: "Fijn dat je er weer bent, {name}! Waarmee kunnen we helpen?",
    hello_vip: "Welkom terug, {name} — leuk je weer te zien! Als VIP-klant krijg je voorrang. Wat kunnen we voor je doen?",
    powered: "Mogelijk gemaakt door shopchat", file: "Bestand",
  },
  it: {
    close: "Chiudi la chat", sound_on: "Attiva l’audio", sound_off: "Disattiva l’audio", log: "Conversazione",
    placeholder: "Scrivi un messaggio…", send: "Invia", attach: "Allega un’immagine o un PDF",
    typing_assistant: "L’assistente sta scrivendo…", typing_agent: "Il nostro team sta scrivendo…",
    assistant: "Assistente", agent: "Assistenza clienti", you: "Tu", sending: "Invio in corso…",
    queued: "Non ancora inviato: partirà appena torna la connessione",
    failed: "Non consegnato", offline: "Connessione persa, riconnessione…",
    uploading: "Caricamento di {name}…", bad_type: "Si possono inviare solo immagini (PNG, JPEG, WebP, GIF) e file PDF.",
    too_big: "I file possono pesare al massimo 10 MB.", upload_failed: "Non è stato possibile inviare il file.",
    rate_q: "Come valuti questa conversazione?", star: "{n} su 5", comment: "Cosa potremmo migliorare? (facoltativo)",
    rate_send: "Invia valutazione", thanks: "Grazie per il tuo feedback!", resolved: "Questa conversazione è stata segnata come risolta.",
    waiting: "Una persona del nostro team ti risponderà qui a breve.", online: "Il nostro team è online",
    away: "Il nostro team non è disponibile: l’assistente è qui a ogni ora",
    hello_guest: "Ciao! Come possiamo aiutarti oggi?",
    hello_new: "Ciao {name}, benvenuto da {shop}! Chiedimi tutto sui nostri prodotti, sulla spedizione o sul tuo primo ordine.",
    hello_regular: "Bentornato, {name}! Come possiamo aiutarti?",
    hello_vip: "Bentornato, {name}, che piacere rivederti! Come cliente VIP hai assistenza prioritaria. Cosa possiamo fare per te?",
    powered: "Realizzato con shopchat", file: "File",
  },
  pt: {
    close: "Fechar chat", sound_on: "Ativar som", sound_off: "Desativar som", log: "Conversa",
    placeholder: "Escreva uma mensagem…", send: "Enviar", attach: "Anexar imagem ou PDF",
    typing_assistant: "O assistente está a escrever…", typing_agent: "A nossa equipa está a escrever…",
    assistant: "Assistente", agent: "Apoio ao cliente", you: "Você", sending: "A enviar…",
    queued: "Ainda não enviada — segue assim que a ligação voltar",
    failed: "Não entregue", offline: "Ligação perdida — a religar…",
    uploading: "A carregar {name}…", bad_type: "Só é possível enviar imagens (PNG, JPEG, WebP, GIF) e ficheiros PDF.",
    too_big: "Os ficheiros podem ter no máximo 10 MB.", upload_failed: "Não foi possível enviar o ficheiro.",
    rate_q: "Como avalia esta conversa?", star: "{n} de 5", comment: "O que podemos melhorar? (opcional)",
    rate_send: "Enviar avaliação", thanks: "Obrigado pelo seu feedback!", resolved: "Esta conversa foi marcada como resolvida.",
    waiting: "Alguém da nossa equipa vai responder aqui em breve.", online: "A nossa equipa está online",
    away: "A nossa equipa está ausente — o assistente ajuda a qualquer hora",
    hello_guest: "Olá! Como podemos ajudar hoje?",
    hello_new: "Olá {name}, bem-vindo à {shop}! Pergunte-me o que quiser sobre os nossos produtos, envios ou a sua primeira encomenda.",
    hello_regular: "Bem-vindo de volta, {name}! Como podemos ajudar?",
    hello_vip: "Bem-vindo de volta, {name} — é um prazer revê-lo! Como cliente VIP tem atendimento prioritário. Em que podemos ajudar?",
    powered: "Com tecnologia shopchat", file: "Ficheiro",
  },
  pl: {
    close: "Zamknij czat", sound_on: "Włącz dźwięk", sound_off: "Wyłącz dźwięk", log: "Rozmowa",
    placeholder: "Napisz wiadomość…", send: "Wyślij", attach: "Dołącz obraz lub PDF",
    typing_assistant: "Asystent pisze…", typing_agent: "Nasz zespół pisze…",
    assistant: "Asystent", agent: "Obsługa klienta", you: "Ty", sending: "Wysyłanie…",
    queued: "Jeszcze nie wysłano — wyślemy, gdy połączenie wróci",
    failed: "Nie dostarczono", offline: "Utracono połączenie — łączenie ponownie…",
    uploading: "Przesyłanie {name}…", bad_type: "Można wysyłać tylko obrazy (PNG, JPEG, WebP, GIF) i pliki PDF.",
    too_big: "Pliki mogą mieć najwyżej 10 MB.", upload_failed: "Nie udało się wysłać pliku.",
    rate_q: "Jak oceniasz tę rozmowę?", star: "{n} z 5", comment: "Co możemy poprawić? (opcjonalnie)",
    rate_send: "Wyślij ocenę", thanks: "Dziękujemy za opinię!", resolved: "Ta rozmowa została oznaczona jako rozwiązana.",
    waiting: "Ktoś z naszego zespołu wkrótce odpowie tutaj.", online: "Nasz zespół jest dostępny",
    away: "Nasz zespół jest teraz niedostępny — asystent pomaga całą dobę",
    hello_guest: "Cześć! W czym możemy dziś pomóc?",
    hello_new: "Cześć {name}, witaj w {shop}! Zapytaj mnie o nasze produkty, wysyłkę lub swoje pierwsze zamówienie.",
    hello_regular: "Miło cię znowu widzieć, {name}! W czym możemy pomóc?",
    hello_vip: "Witaj ponownie, {name}! Jako klient VIP masz pierwszeństwo w obsłudze. Co możemy dla ciebie zrobić?",
    powered: "Działa dzięki shopchat", file: "Plik",
  },
  ar: {
    close: "إغلاق المحادثة", sound_on: "تشغيل الصوت", sound_off: "إيقاف الصوت", log: "المحادثة",
    placeholder: "اكتب رسالة…", send: "إرسال", attach: "إرفاق صورة أو ملف PDF",
    typing_assistant: "المساعد يكتب…", typing_agent: "فريقنا يكتب…",
    assistant: "المساعد", agent: "خدمة العملاء", you: "أنت", sending: "جارٍ الإرسال…",
    queued: "لم تُرسل بعد — ستُرسل فور عودة الاتصال",
    failed: "لم تُسلَّم", offline: "انقطع الاتصال — جارٍ إعادة الاتصال…",
    uploading: "جارٍ رفع {name}…", bad_type: "يمكن إرسال الصور (PNG وJPEG وWebP وGIF) وملفات PDF فقط.",
    too_big: "الحد الأقصى لحجم الملف 10 ميغابايت.", upload_failed: "تعذّر إرسال الملف.",
    rate_q: "كيف تقيّم هذه المحادثة؟", star: "{n} من 5", comment: "ما الذي يمكننا تحسينه؟ (اختياري)",
    rate_send: "إرسال التقييم", thanks: "شكرًا لملاحظاتك!", resolved: "تم وضع علامة «تم الحل» على هذه المحادثة.",
    waiting: "سيرد عليك أحد أعضاء فريقنا هنا قريبًا.", online: "فريقنا متصل الآن",
    away: "فريقنا غير متاح الآن — المساعد هنا على مدار الساعة",
    hello_guest: "مرحبًا! كيف يمكننا مساعدتك اليوم؟",
    hello_new: "مرحبًا {name}، أهلًا بك في {shop}! اسألني عن منتجاتنا أو الشحن أو طلبك الأول.",
    hello_regular: "أهلًا بعودتك يا {name}! كيف يمكننا المساعدة؟",
    hello_vip: "أهلًا بعودتك يا {name}، سعداء برؤيتك مجددًا! بصفتك عميلًا مميزًا تحظى بأولوية في المساعدة. كيف نخدمك؟",
    powered: "بدعم من shopchat", file: "ملف",
  },
  he: {
    close: "סגירת הצ׳אט", sound_on: "הפעלת צליל", sound_off: "השתקת צליל", log: "שיחה",
    placeholder: "כתבו הודעה…", send: "שליחה", attach: "צירוף תמונה או PDF",
    typing_assistant: "העוזר מקליד…", typing_agent: "הצוות שלנו מקליד…",
    assistant: "עוזר", agent: "שירות לקוחות", you: "את/ה", sending: "שולח…",
    queued: "עדיין לא נשלח — יישלח כשהחיבור יחזור",
    failed: "לא נמסר", offline: "החיבור נותק — מתחבר מחדש…",
    uploading: "מעלה את {name}…", bad_type: "ניתן לשלוח רק תמונות (PNG, JPEG, WebP, GIF) וקובצי PDF.",
    too_big: "גודל קובץ מרבי: 10 MB.", upload_failed: "לא ניתן היה לשלוח את הקובץ.",
    rate_q: "איך הייתה השיחה?", star: "{n} מתוך 5", comment: "מה נוכל לשפר? (לא חובה)",
    rate_send: "שליחת דירוג", thanks: "תודה על המשוב!", resolved: "השיחה סומנה כפתורה.",
    waiting: "נציג מהצוות שלנו יענה כאן בקרוב.", online: "הצוות שלנו מחובר",
    away: "הצוות שלנו לא זמין כרגע — העוזר כאן מסביב לשעון",
    hello_guest: "שלום! איך אפשר לעזור היום?",
    hello_new: "שלום {name}, ברוכים הבאים ל-{shop}! אפשר לשאול אותי על המוצרים, המשלוחים או ההזמנה הראשונה.",
    hello_regular: "טוב לראות אותך שוב, {name}! איך אפשר לעזור?",
    hello_vip: "ברוך שובך, {name}! כלקוח VIP את/ה מקבל/ת עדיפות בשירות. איך נוכל לעזור?",
    powered: "מופעל על ידי shopchat", file: "קובץ",
  },
};

const CSS = `.p{position:fixed;bottom:88px;right:20px;width:380px;height:min(620px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;--bg:#fff;--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--them:#f3f4f6;--link:#1d4ed8;--err:#b91c1c}
.left .p{right:auto;left:20px}
.p *{box-sizing:border-box;font:inherit;color:inherit;margin:0}
.h{display:flex;align-items:center;gap:10px;padding:14px 12px 14px 16px;background:var(--sc-brand);color:var(--sc-on-brand)}
.h img{width:36px;height:36px;border-radius:50%;object-fit:cover;background:rgba(255,255,255,.3)}
.h div{flex:1;min-width:0}
.h h2{font-size:16px;font-weight:650;line-height:1.2;color:var(--sc-on-brand)}
.h p{font-size:12.5px;opacity:.92;color:var(--sc-on-brand)}
.i{all:unset;box-sizing:border-box;width:36px;height:36px;border-radius:8px;display:grid;place-items:center;cursor:pointer;color:inherit;font-size:18px}
.h .i{color:var(--sc-on-brand)}
.i:hover{background:rgba(127,127,127,.18)}
.i:focus-visible,.q button:focus-visible,.r button:focus-visible,.s:focus-visible,.m a:focus-visible,.m button:focus-visible,.g:focus-visible{outline:2px solid var(--link);outline-offset:2px}
.h .i:focus-visible{outline-color:var(--sc-on-brand)}
.i svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.c{padding:6px 12px;background:#fef3c7;color:#78350f;font-size:13px;text-align:center}
.g{flex:1;overflow-y:auto;padding:14px 14px 6px;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.lg{display:flex;flex-direction:column;gap:8px}
.m{max-width:82%;padding:9px 12px;border-radius:14px;background:var(--them);white-space:pre-wrap;overflow-wrap:anywhere;align-self:flex-start;border-end-start-radius:4px}
.m.me{align-self:flex-end;background:var(--sc-brand);color:var(--sc-on-brand);border-end-start-radius:14px;border-end-end-radius:4px}
.m.me a{color:inherit}
.m.sys{align-self:center;background:none;color:var(--muted);font-size:13px;text-align:center}
.m a{color:var(--link);text-decoration:underline}
.m .a{display:block;font-size:12px;font-weight:600;color:var(--muted);margin-bottom:2px}
.m .k{display:block;font-size:11.5px;opacity:.8;margin-top:3px}
.m.pend{opacity:.75}.m.bad{outline:2px solid var(--err)}
.m img{display:block;max-width:100%;max-height:220px;border-radius:8px;margin:4px 0;cursor:pointer}
.m .f{all:unset;display:block;cursor:pointer;text-decoration:underline;margin:4px 0}
.m .f:focus-visible{outline:2px solid currentColor}
.v{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ty{align-self:flex-start;padding:10px 14px;border-radius:14px;background:var(--them);display:flex;gap:4px}
.ty i{width:7px;height:7px;border-radius:50%;background:var(--muted);animation:sc-b 1.2s infinite}
.ty i:nth-child(2){animation-delay:.2s}.ty i:nth-child(3){animation-delay:.4s}
@keyframes sc-b{0%,60%,100%{opacity:.3}30%{opacity:1}}
.q{display:flex;flex-wrap:wrap;gap:6px;justify-content:flex-end}
.q button,.r .go{all:unset;box-sizing:border-box;padding:7px 12px;border-radius:999px;border:1.5px solid var(--sc-brand);color:var(--fg);background:var(--bg);cursor:pointer;font-size:13.5px}
.q button:hover{background:var(--them)}
.nt{align-self:center;font-size:13px;color:var(--muted);text-align:center;padding:4px 8px}
.r{border:1px solid var(--line);border-radius:12px;padding:12px;display:flex;flex-direction:column;gap:8px}
.r .st{display:flex;gap:4px}
.r .st button{all:unset;cursor:pointer;font-size:26px;line-height:1;color:#9ca3af;padding:2px;border-radius:6px}
.r .st button[aria-pressed=true]{color:#b45309}
.r textarea{border:1px solid var(--line);border-radius:8px;padding:6px 8px;background:var(--bg);resize:vertical;min-height:54px}
.r .go{align-self:flex-start;background:var(--sc-brand);color:var(--sc-on-brand)}
.e{padding:6px 12px;background:#fee2e2;color:#7f1d1d;font-size:13px}
.s{display:flex;align-items:flex-end;gap:4px;padding:8px;border-top:1px solid var(--line)}
.s textarea{flex:1;resize:none;border:1px solid var(--line);border-radius:10px;padding:8px 10px;max-height:120px;background:var(--bg);color:var(--fg);outline:none;min-height:38px}
.s textarea:focus{border-color:var(--link);box-shadow:0 0 0 1px var(--link)}
.s textarea::placeholder{color:var(--muted);opacity:1}
.s .sd{background:var(--sc-brand);color:var(--sc-on-brand)}
.ft{text-align:center;font-size:11px;color:var(--muted);padding:0 0 6px}
[dir=rtl] .i svg.flip{transform:scaleX(-1)}
[hidden]{display:none!important}
@media (prefers-color-scheme:dark){.p{--bg:#111827;--fg:#f9fafb;--muted:#9ca3af;--line:#374151;--them:#1f2937;--link:#93c5fd;--err:#f87171}.c{background:#78350f;color:#fef3c7}.e{background:#7f1d1d;color:#fee2e2}}
@media (max-width:520px){.p,.left .p{inset:0;width:auto;height:auto;border-radius:0}.open .l,.open .n{display:none}}
@media (prefers-reduced-motion:reduce){.ty i{animation:none}}`;

const ICONS = {
  close: "M6 6l12 12M18 6L6 18",
  bell: "M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.9 1.9 0 0 0 3.4 0",
  mute: "M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.9 1.9 0 0 0 3.4 0M3 3l18 18",
  clip: "M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.3 3.3 0 0 1 4.7 4.7L10.2 17.2a1.7 1.7 0 0 1-2.4-2.4L15.5 7",
  send: "M4 12l16-8-6 16-3-7-7-1z",
};
const TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"];
const MAX_BYTES = 10 * 1024 * 1024;

export function mount(core) {
  const lang = T[core.lang] ? core.lang : "en";
  const t = (k, v) => (T[lang][k] || T.en[k]).replace(/\{(\w+)\}/g, (_, n) => (v && v[n] != null ? v[n] : ""));
  const el = core.el;
  const cfg = core.cfg;
  const local = (k, v) => { try { if (v === undefined) return localStorage.getItem("shopchat:" + core.siteKey + ":" + k); localStorage.setItem("shopchat:" + core.siteKey + ":" + k, v); } catch (e) { return null; } };
  core.sheet(CSS);

  const icon = (name, cls) => {
    const s = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    if (cls) s.setAttribute("class", cls);
    const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
    p.setAttribute("d", ICONS[name]);
    s.appendChild(p);
    return s;
  };
  const button = (cls, label, child) => {
    const b = el("button", cls);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    if (child) b.append(child);
    return b;
  };

  // --- skeleton ----------------------------------------------------------------------
  const panel = el("section", "p");
  panel.id = "sc-panel";
  panel.hidden = true;
  panel.lang = lang;
  panel.dir = lang === "ar" || lang === "he" ? "rtl" : "ltr";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "sc-title");

  const head = el("header", "h");
  const brand = cfg.branding || {};
  if (brand.avatar_url && /^https:\/\//.test(brand.avatar_url)) {
    const img = el("img");
    img.src = brand.avatar_url;
    img.alt = "";
    head.append(img);
  }
  const titles = el("div");
  const title = el("h2", "", brand.title || cfg.site_name);
  title.id = "sc-title";
  const sub = el("p", "", teamOnline(cfg.business_hours) ? t("online") : t("away"));
  titles.append(title, sub);
  const soundBtn = button("i");
  const closeBtn = button("i", t("close"), icon("close"));
  head.append(titles, soundBtn, closeBtn);

  const conn = el("div", "c", t("offline"));
  conn.setAttribute("role", "status");
  conn.hidden = true;

  const scroll = el("div", "g");
  scroll.tabIndex = 0;
  scroll.setAttribute("aria-label", t("log"));
  const log = el("div", "lg");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  const greeting = el("div", "m hello");
  greeting.append(label(t("assistant")), document.createTextNode(core.nudge || greetingText()));
  log.append(greeting);
  const typing = el("div", "ty");
  typing.hidden = true;
  typing.append(el("i"), el("i"), el("i"));
  const typingText = el("span", "v");
  typingText.setAttribute("role", "status");
  const quick = el("div", "q");
  const note = el("p", "nt");
  note.setAttribute("role", "status");
  const rating = el("form", "r");
  rating.hidden = true;
  scroll.append(log, typing, typingText, quick, note, rating);

  const err = el("div", "e");
  err.setAttribute("role", "alert");
  err.hidden = true;

  const form = el("form", "s");
  const attach = button("i", t("attach"), icon("clip"));
  const file = el("input");
  file.type = "file";
  file.accept = TYPES.join(",");
  file.hidden = true;
  file.tabIndex = -1;
  const input = el("textarea");
  input.rows = 1;
  input.placeholder = t("placeholder");
  input.maxLength = core.maxChars;
  input.setAttribute("aria-label", t("placeholder"));
  const send = button("i sd", t("send"), icon("send", "flip"));
  send.type = "submit";
  form.append(attach, file, input, send);
  const foot = el("p", "ft", t("powered"));
  panel.append(head, conn, scroll, err, form, foot);
  core.wrap.insertBefore(panel, core.wrap.firstChild);
  core.launcher.setAttribute("aria-controls", "sc-panel");

  function label(text) { return el("span", "a", text); }

  function greetingText() {
    const c = cfg.customer || {};
    const custom = cfg.greeting && (typeof cfg.greeting === "string" ? cfg.greeting : cfg.greeting[lang] || cfg.greeting.en);
    const segment = c.verified && c.first_name ? c.segment : "guest";
    const vars = { name: c.first_name || "", shop: cfg.site_name };
    if (custom) return custom.replace(/\{(\w+)\}/g, (_, n) => vars[n] || "");
    return t("hello_" + (T.en["hello_" + segment] ? segment : "guest"), vars);
  }

  function teamOnline(h) {
    if (!h || !h.timezone) return true;
    try {
      const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: h.timezone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date()).map((p) => [p.type, p.value]));
      const day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
      const now = parts.hour + ":" + parts.minute;
      return (h.days || [0, 1, 2, 3, 4]).includes(day) && now >= (h.open || "00:00") && now < (h.close || "24:00");
    } catch (e) { return true; }
  }

  // --- sound -------------------------------------------------------------------------
  function paintSound() {
    const on = core.sound();
    soundBtn.textContent = "";
    soundBtn.append(icon(on ? "bell" : "mute"));
    soundBtn.setAttribute("aria-label", on ? t("sound_off") : t("sound_on"));
    soundBtn.setAttribute("aria-pressed", String(on));
  }
  soundBtn.onclick = () => { core.sound(!core.sound()); paintSound(); };
  closeBtn.onclick = () => core.close();
  paintSound();

  // --- messages ------------------------------------------------------------------------
  const nodes = new Map();
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });

  function linkify(parent, text) {
    const parts = String(text || "").split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]])/);
    parts.forEach((part, i) => {
      if (i % 2) {
        const a = el("a", "", part);
        a.href = part;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        parent.append(a);
      } else if (part) parent.append(document.createTextNode(part));
    });
  }

  function who(m) {
    if (m.role === "customer") return t("you");
    if (m.role === "agent") return (m.author && m.author.name) || t("agent");
    return m.role === "assistant" ? t("assistant") : "";
  }

  function fill(node, m, state) {
    const mine = m.role === "customer";
    node.className = "m" + (mine ? " me" : m.role === "system" ? " sys" : "") + (state ? " " + state : "");
    node.textContent = "";
    const name = label(who(m));
    if (mine) name.className = "v";
    node.append(name);
    if (m.text) { const body = el("div"); body.dir = "auto"; linkify(body, m.text); node.append(body); }
    (m.attachments || []).forEach((a) => node.append(attachment(a)));
    const meta = el("span", "k");
    if (state === "pend") meta.textContent = core.conn === "online" ? t("sending") : t("queued");
    else if (state === "bad") meta.textContent = t("failed");
    else if (m.created_at) { meta.textContent = time.format(new Date(m.created_at)); }
    if (meta.textContent) node.append(meta);
  }

  function attachment(a) {
    if (!a.id) return el("span", "k", a.name || t("file"));
    if (/^image\//.test(a.content_type)) {
      const img = el("img");
      img.alt = a.name || "";
      img.tabIndex = 0;
      core.file(a.id).then((blob) => { img.src = URL.createObjectURL(blob); }, () => img.replaceWith(el("span", "k", a.name)));
      img.onerror = () => img.replaceWith(el("span", "k", a.name));
      const open = () => img.src && window.open(img.src, "_blank", "noopener");
      img.onclick = open;
      img.onkeydown = (e) => { if (e.key === "Enter") open(); };
      return img;
    }
    const b = button("f", "", document.createTextNode((a.name || t("file")) + " (" + Math.max(1, Math.round(a.size / 1024)) + " KB)"));
    b.onclick = () => core.file(a.id).then((blob) => {
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = a.name || "file.pdf";
      link.click();
    });
    return b;
  }

  function place(node, seq) {
    const after = [...log.children].find((c) => c.dataset.pending || (c.dataset.seq && +c.dataset.seq > seq));
    if (node.parentNode === log && (node.nextSibling === after || (!after && node === log.lastChild))) return;
    log.insertBefore(node, after || null);
  }

  function sync() {
    for (const m of core.msgs) {
      const key = "s" + m.seq;
      if (nodes.has(key)) continue;
      let node = (m.client_id && nodes.get("c" + m.client_id)) || nodes.get("d" + m.id);
      if (node) { nodes.delete("c" + m.client_id); nodes.delete("d" + m.id); } else node = el("div");
      delete node.dataset.pending;
      node.dataset.seq = m.seq;
      fill(node, m);
      nodes.set(key, node);
      place(node, m.seq);
    }
    const waiting = new Set();
    for (const p of core.outbox()) {
      const key = "c" + p.client_id;
      waiting.add(key);
      let node = nodes.get(key);
      if (!node) { node = el("div"); node.dataset.pending = "1"; nodes.set(key, node); log.append(node); }
      fill(node, { role: "customer", text: p.text, attachments: p.attachments }, "pend");
    }
    for (const [key, node] of nodes) {
      if (key[0] === "c" && !waiting.has(key) && !node.classList.contains("bad")) { node.remove(); nodes.delete(key); }
    }
    const last = core.msgs[core.msgs.length - 1];
    quick.textContent = "";
    if (last && last.role !== "customer" && last.quick_replies && !waiting.size) {
      last.quick_replies.forEach((text) => {
        const b = button("", "", document.createTextNode(text));
        b.onclick = () => { core.send(text); input.focus(); };
        quick.append(b);
      });
    }
    if (last && last.role !== "customer") showTyping(false);
    showStatus();
    if (!panel.hidden) { scroll.scrollTop = scroll.scrollHeight; core.markRead(); }
  }

  function showStatus() {
    note.textContent = core.status === "waiting" ? t("waiting") : core.status === "resolved" ? t("resolved") : "";
    note.hidden = !note.textContent;
    const rated = local("rated:" + core.conversationId);
    rating.hidden = core.status !== "resolved" || !!rated;
    if (!rating.hidden && !rating.firstChild) buildRating();
  }

  function buildRating() {
    let score = 0;
    const q = el("p", "", t("rate_q"));
    q.id = "sc-rq";
    const stars = el("div", "st");
    stars.setAttribute("role", "group");
    stars.setAttribute("aria-labelledby", "sc-rq");
    for (let n = 1; n <= 5; n++) {
      const b = button("", t("star", { n }), document.createTextNode("★"));
      b.setAttribute("aria-pressed", "false");
      b.onclick = () => {
        score = n;
        [...stars.children].forEach((s, i) => s.setAttribute("aria-pressed", String(i < n)));
      };
      stars.append(b);
    }
    const comment = el("textarea");
    comment.maxLength = 1000;
    comment.setAttribute("aria-label", t("comment"));
    comment.placeholder = t("comment");
    const go = el("button", "go", t("rate_send"));
    go.type = "submit";
    rating.append(q, stars, comment, go);
    rating.onsubmit = (e) => {
      e.preventDefault();
      if (!score) { stars.firstChild.focus(); return; }
      if (!core.rate(score, comment.value.trim())) core.retry();
    };
  }

  function showTyping(on) {
    typing.hidden = !on;
    typingText.textContent = on ? t(on === "agent" ? "typing_agent" : "typing_assistant") : "";
    clearTimeout(showTyping.timer);
    if (on) showTyping.timer = setTimeout(() => showTyping(false), 30000);
  }

  function onDelta(f) {
    if (core.msgs.some((m) => m.id === f.id)) return;
    let node = nodes.get("d" + f.id);
    if (!node) { node = el("div"); node.dataset.pending = "1"; nodes.set("d" + f.id, node); log.append(node); }
    fill(node, { role: "assistant", text: f.text });
    showTyping(false);
    scroll.scrollTop = scroll.scrollHeight;
  }

  function flash(text) {
    err.textContent = text;
    err.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => { err.hidden = true; }, 8000);
  }

  let offlineTimer = 0;
  core.on((type, data) => {
    if (type === "message" || type === "outbox" || type === "status") sync();
    else if (type === "typing") { if (data.role !== "customer") showTyping(data.on && data.role); }
    else if (type === "delta") onDelta(data);
    else if (type === "failed") {
      const node = nodes.get("c" + data);
      if (node) { node.className = "m me bad"; node.lastChild.textContent = t("failed"); }
    } else if (type === "rating_saved") {
      local("rated:" + core.conversationId, String(data.score));
      rating.textContent = "";
      rating.append(el("p", "", t("thanks")));
      rating.setAttribute("role", "status");
    } else if (type === "conn") {
      clearTimeout(offlineTimer);
      if (data === "online") conn.hidden = true;
      else offlineTimer = setTimeout(() => { conn.hidden = core.conn === "online"; }, 1500);
      sync();
    } else if (type === "error" && data.code === "not_resolved") rating.hidden = true;
  });

  // --- composer ------------------------------------------------------------------------
  let typingOn = false;
  let typingTimer = 0;
  const stopTyping = () => { clearTimeout(typingTimer); if (typingOn) { typingOn = false; core.typing(false); } };
  input.oninput = () => {
    input.style.height = "auto";
    input.style.height = Math.min(120, input.scrollHeight + 2) + "px";
    if (!input.value.trim()) return stopTyping();
    if (!typingOn) { typingOn = true; core.typing(true); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  };
  input.onkeydown = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    if (!input.value.trim()) return;
    core.send(input.value);
    input.value = "";
    input.style.height = "";
    stopTyping();
  };
  attach.onclick = () => file.click();
  file.onchange = async () => {
    const f = file.files[0];
    file.value = "";
    if (!f) return;
    if (f.type && !TYPES.includes(f.type)) return flash(t("bad_type"));
    if (f.size > MAX_BYTES) return flash(t("too_big"));
    const status = el("p", "nt", t("uploading", { name: f.name }));
    scroll.append(status);
    try {
      const a = await core.upload(f);
      core.send(input.value, [a]);
      input.value = "";
    } catch (e2) {
      flash(e2.code === "unsupported_type" ? t("bad_type") : e2.code === "file_too_large" ? t("too_big") : t("upload_failed"));
    } finally { status.remove(); }
  };
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); core.close(); } });

  sync();
  if (core.conn !== "online" && core.conn !== "connecting") conn.hidden = false;
  return {
    show(focus) {
      panel.hidden = false;
      core.wrap.classList.add("open");
      sync();
      scroll.scrollTop = scroll.scrollHeight;
      if (focus) input.focus();
    },
    hide() {
      stopTyping();
      panel.hidden = true;
      core.wrap.classList.remove("open");
    },
  };
}
