"""Deutsche Antworten (Du-Form, wie in den meisten Online-Shops)."""

MESSAGES = {
    "greeting": "Hallo{name}! Ich bin der Assistent von {shop}. Ich kann Bestellungen "
    "prüfen, Produkte finden und Fragen zu Versand, Zahlung und Rückgabe beantworten. "
    "Was kann ich für dich tun?",
    "greeting_vip": "Schön, dass du wieder da bist, {first}! Wie kann ich dir heute helfen?",
    "thanks": "Gern geschehen{name}! Wenn noch etwas ist, schreib einfach hier.",
    "out_of_scope": "Da kann ich leider nicht weiterhelfen — ich kenne mich mit "
    "Bestellungen, Produkten, Versand, Zahlung und Rückgaben bei {shop} aus.",
    "clarify": "Entschuldige, das habe ich nicht ganz verstanden. Kannst du es anders "
    "formulieren? Dabei kann ich zum Beispiel helfen:",
    "handoff_request": "Klar — ich gebe dich an jemanden aus unserem Team weiter. "
    "Die Antwort kommt hier im Chat.",
    "handoff_angry": "Das tut mir wirklich leid. Ich hole jemanden aus unserem Team dazu, "
    "der das persönlich mit dir klärt — die Antwort kommt hier im Chat.",
    "handoff_unsure": "Ich möchte dir nichts Falsches sagen, deshalb gebe ich dich an "
    "jemanden aus unserem Team weiter. Die Antwort kommt hier im Chat.",
    "handoff_store": "Ich erreiche das Shop-System gerade nicht, deshalb gebe ich dich an "
    "jemanden aus unserem Team weiter. Die Antwort kommt hier im Chat.",
    "ask_order": "Das schaue ich gern nach! Wie lautet deine Bestellnummer, und mit "
    "welcher E-Mail-Adresse hast du bestellt?",
    "ask_email": "Danke! Damit deine Bestellung privat bleibt: Mit welcher "
    "E-Mail-Adresse hast du Bestellung {number} aufgegeben?",
    "ask_number": "Danke! Und wie lautet die Bestellnummer? Du findest sie in deiner "
    "Bestellbestätigung.",
    "which_order": "Welche Bestellung meinst du, {first}? Hier sind deine letzten:",
    "no_orders": "In deinem Konto sehe ich noch keine Bestellungen. Wenn du als Gast "
    "bestellt hast, nenn mir die Bestellnummer und deine E-Mail-Adresse.",
    "not_found_guest": "Ich finde keine Bestellung {number} mit dieser E-Mail-Adresse. "
    "Kannst du beides mit deiner Bestellbestätigung vergleichen?",
    "not_found_verified": "Ich finde Bestellung {number} nicht in deinem Konto. Wenn du "
    "als Gast bestellt hast, nenn mir die E-Mail-Adresse, die du verwendet hast.",
    "rate_limited": "Ich kann in diesem Chat gerade keine weiteren Bestellungen "
    "nachschlagen. Versuch es bitte später noch einmal oder frag nach jemandem aus "
    "unserem Team.",
    "order_head": "Deine Bestellung {number} vom {date} ist {status}.",
    "order_items": "Artikel: {items}. Gesamt: {total}.",
    "order_tracking": "Sendungsverfolgung: {tracking}.",
    "order_refunds": "Erstattet: {refunds}.",
    "my_orders": "Hier sind deine letzten Bestellungen:",
    "cancel_open": "Bestellung {number} ist noch nicht versandt und kann deshalb noch "
    "storniert oder geändert werden. Das erledigt jemand aus unserem Team für dich — "
    "soll ich jemanden dazuholen?",
    "cancel_shipped": "Bestellung {number} ist schon verschickt und kann nicht mehr "
    "storniert werden — du kannst sie aber zurückschicken.",
    "order_closed": "Bestellung {number} ist bereits {status}.",
    "refund_none": "Für Bestellung {number} wurde bisher nichts erstattet.",
    "invoice": "Die Rechnung zu Bestellung {number} findest du in deinem Konto unter "
    "Bestellungen: {link}",
    "invoice_general": "Deine Rechnungen findest du in deinem Konto unter Bestellungen: {link}",
    "policy": "Das sagt unser Shop dazu: {policy}",
    "policy_none": "Die genauen Regeln dazu habe ich gerade nicht zur Hand. Jemand aus "
    "unserem Team weiß es sicher — frag einfach nach einem Menschen.",
    "shipping_head": "So versenden wir:",
    "free": "kostenlos",
    "free_from": "kostenlos ab {amount}",
    "everywhere_else": "Alle anderen Länder",
    "payment": "Du kannst so bezahlen: {methods}.",
    "payment_issue": "Schade, dass es mit der Zahlung hakt! Diese Zahlungsarten gibt es: "
    "{methods}. Wenn es weiter nicht klappt, schaut sich jemand aus unserem Team das an.",
    "products_head": "Das habe ich gefunden:",
    "products_none": "Zu „{query}“ habe ich im Shop nichts gefunden. Kannst du es anders "
    "beschreiben?",
    "products_ask": "Was suchst du? Nenn mir ein Produkt oder eine Produktart, zum "
    "Beispiel eine Jacke oder Schuhe.",
    "recommend_for": "Wenn dir {name} gefällt, schau dir auch diese an:",
    "recommend_head": "Ein paar Lieblingsstücke, die gerade auf Lager sind:",
    "recommend_none": "Mir fällt gerade nichts Passendes ein — sag mir, woran du denkst, "
    "und ich suche im Shop.",
    "in_stock": "auf Lager",
    "few_left": "nur noch {count} Stück",
    "backorder": "lieferbar auf Nachbestellung",
    "out_of_stock": "ausverkauft",
    "on_sale": "im Angebot, vorher {amount}",
    "account_create": "Ein Konto kannst du hier anlegen: {link}",
    "account_edit": "Name, E-Mail und Passwort änderst du hier: {link}",
    "account_password": "Kein Problem — ein neues Passwort kannst du hier festlegen: {link}",
    "account_delete": "Dein Konto löscht jemand aus unserem Team für dich — frag einfach "
    "nach einem Menschen. Deine Kontodaten findest du hier: {link}",
    "account_switch": "Melde dich einfach ab und mit dem anderen Konto hier an: {link}",
    "account_problem": "Schade, dass es nicht klappt! Registrieren oder das Passwort "
    "zurücksetzen kannst du hier: {link}. Wenn es weiter hakt, hilft dir unser Team.",
    "account_address": "Adressen hinzufügen oder ändern kannst du hier: {link}",
    "account_orders": "Alle deine Bestellungen siehst du hier: {link}",
    "place_order": "Du kannst direkt im Shop bestellen: Produkte in den Warenkorb legen "
    "und zur Kasse gehen. Soll ich dir ein Produkt heraussuchen?",
    "review": "Danke, dass du deine Meinung teilen möchtest! Eine Bewertung kannst du "
    "auf der Produktseite im Shop schreiben.",
    "complaint": "Das tut mir leid. Erzähl mir, was passiert ist — oder frag nach einem "
    "Menschen, dann übernimmt jemand aus unserem Team.",
    "contact": "Du schreibst mit dem Assistenten von {shop}. Wenn du lieber mit einem "
    "Menschen sprechen möchtest, sag einfach Bescheid.",
    "store_none": "Das kann ich in diesem Shop leider nicht nachschlagen. Jemand aus "
    "unserem Team hilft dir gern — frag einfach nach einem Menschen.",
}
STATUSES = {
    "pending": "noch nicht bezahlt",
    "processing": "bezahlt und wird für den Versand vorbereitet",
    "on-hold": "in Wartestellung, bis deine Zahlung eingeht",
    "completed": "abgeschlossen und verschickt",
    "cancelled": "storniert",
    "refunded": "erstattet",
    "failed": "nicht bezahlt (die Zahlung ist fehlgeschlagen)",
    "checkout-draft": "noch nicht abgeschickt",
}
QUICK = {
    "track": "Bestellung verfolgen",
    "shipping": "Versandoptionen",
    "payment": "Zahlungsarten",
    "returns": "Rückgaberecht",
    "person": "Mit einem Menschen sprechen",
    "products": "Produkt suchen",
    "order": "Bestellung {number}",
    "cancel": "Bestellung stornieren",
}
MONTHS = ()
