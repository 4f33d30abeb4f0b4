"""Nederlandse antwoorden (je-vorm, zoals in de meeste webshops)."""

MESSAGES = {
    "greeting": "Hoi{name}! Ik ben de assistent van {shop}. Ik kan een bestelling "
    "nakijken, producten zoeken of vragen over verzending, betalen en retourneren "
    "beantwoorden. Waarmee kan ik je helpen?",
    "greeting_vip": "Fijn je weer te zien, {first}! Waarmee kan ik je vandaag helpen?",
    "thanks": "Graag gedaan{name}! Heb je nog iets, stel je vraag gewoon hier.",
    "out_of_scope": "Daar kan ik je helaas niet mee helpen — ik weet alles over "
    "bestellingen, producten, verzending, betalen en retourneren bij {shop}.",
    "clarify": "Sorry, dat begreep ik niet helemaal. Kun je het anders zeggen? Hiermee "
    "kan ik je bijvoorbeeld helpen:",
    "handoff_request": "Natuurlijk — ik verbind je met iemand van ons team. "
    "Je krijgt hier antwoord.",
    "handoff_angry": "Wat vervelend, het spijt me echt. Ik schakel iemand van ons team in "
    "om het persoonlijk met je op te lossen — je krijgt hier antwoord.",
    "handoff_unsure": "Ik wil je geen verkeerd antwoord geven, dus ik verbind je met "
    "iemand van ons team. Je krijgt hier antwoord.",
    "handoff_store": "Ik kan het systeem van de winkel nu niet bereiken, dus ik verbind je "
    "met iemand van ons team. Je krijgt hier antwoord.",
    "ask_order": "Ik kijk het graag voor je na! Wat is je bestelnummer, en met welk "
    "e-mailadres heb je besteld?",
    "ask_email": "Dank je! Om je bestelling privé te houden: met welk e-mailadres heb je "
    "bestelling {number} geplaatst?",
    "ask_number": "Dank je! En wat is het bestelnummer? Je vindt het in je bevestigingsmail.",
    "which_order": "Welke bestelling bedoel je, {first}? Dit zijn je laatste:",
    "no_orders": "Ik zie nog geen bestellingen in je account. Heb je als gast besteld? "
    "Geef me dan het bestelnummer en het e-mailadres dat je gebruikte.",
    "not_found_guest": "Ik kan bestelling {number} met dit e-mailadres niet vinden. Wil "
    "je beide controleren in je bevestigingsmail?",
    "not_found_verified": "Ik kan bestelling {number} niet in je account vinden. Heb je "
    "als gast besteld? Geef me dan het e-mailadres dat je gebruikte.",
    "rate_limited": "Ik kan in deze chat nu geen bestellingen meer opzoeken. Probeer het "
    "later nog eens, of vraag naar iemand van ons team.",
    "order_head": "Je bestelling {number} van {date} is {status}.",
    "order_items": "Artikelen: {items}. Totaal: {total}.",
    "order_tracking": "Track & trace: {tracking}.",
    "order_refunds": "Terugbetaald: {refunds}.",
    "my_orders": "Dit zijn je laatste bestellingen:",
    "cancel_open": "Bestelling {number} is nog niet verzonden, dus die kan nog worden "
    "geannuleerd of aangepast. Iemand van ons team regelt dat voor je — zal ik iemand "
    "inschakelen?",
    "cancel_shipped": "Bestelling {number} is al verzonden en kan niet meer worden "
    "geannuleerd — je kunt hem wel retourneren.",
    "order_closed": "Bestelling {number} is al {status}.",
    "refund_none": "Voor bestelling {number} is tot nu toe niets terugbetaald.",
    "invoice": "De factuur van bestelling {number} vind je in je account onder "
    "Bestellingen: {link}",
    "invoice_general": "Je facturen vind je in je account onder Bestellingen: {link}",
    "policy": "Dit zegt onze winkel erover: {policy}",
    "policy_none": "De precieze regels heb ik nu niet bij de hand. Iemand van ons team weet "
    "het zeker — vraag gewoon naar een medewerker.",
    "shipping_head": "Zo verzenden we:",
    "free": "gratis",
    "free_from": "gratis vanaf {amount}",
    "everywhere_else": "Rest van de wereld",
    "payment": "Je kunt betalen met: {methods}.",
    "payment_issue": "Vervelend dat het betalen niet lukt! Dit zijn de betaalmethoden: "
    "{methods}. Lukt het nog steeds niet, dan kijkt iemand van ons team mee.",
    "products_head": "Dit heb ik gevonden:",
    "products_none": "Ik kon „{query}” niet vinden in de winkel. Kun je het anders omschrijven?",
    "products_ask": "Wat zoek je? Noem een product of een soort product, bijvoorbeeld een "
    "jas of schoenen.",
    "recommend_for": "Vind je {name} mooi? Kijk dan ook eens naar deze:",
    "recommend_head": "Een paar favorieten die nu op voorraad zijn:",
    "recommend_none": "Ik heb nu niets om voor te stellen — vertel me waar je aan denkt, "
    "dan zoek ik in de winkel.",
    "in_stock": "op voorraad",
    "few_left": "nog maar {count} over",
    "backorder": "leverbaar via nabestelling",
    "out_of_stock": "uitverkocht",
    "on_sale": "in de aanbieding, was {amount}",
    "account_create": "Je kunt hier een account aanmaken: {link}",
    "account_edit": "Je naam, e-mailadres en wachtwoord wijzig je hier: {link}",
    "account_password": "Geen probleem — hier kun je een nieuw wachtwoord instellen: {link}",
    "account_delete": "Iemand van ons team kan je account voor je verwijderen — vraag "
    "gewoon naar een medewerker. Je accountgegevens vind je hier: {link}",
    "account_switch": "Log uit en log hier in met het andere account: {link}",
    "account_problem": "Vervelend dat het niet lukt! Registreren of je wachtwoord opnieuw "
    "instellen kan hier: {link}. Lukt het dan nog niet, dan helpt ons team je.",
    "account_address": "Je adressen toevoegen of wijzigen doe je hier: {link}",
    "account_orders": "Al je bestellingen zie je hier: {link}",
    "place_order": "Je kunt direct in de winkel bestellen: leg producten in je winkelwagen "
    "en reken af. Zal ik een product voor je zoeken?",
    "review": "Leuk dat je je mening wilt delen! Je kunt een review achterlaten op de "
    "productpagina in de winkel.",
    "complaint": "Wat vervelend om te horen. Vertel me wat er is gebeurd — of vraag naar "
    "een medewerker, dan neemt iemand van ons team het over.",
    "contact": "Je chat met de assistent van {shop}. Wil je liever een medewerker "
    "spreken? Zeg het gewoon, dan schakel ik iemand in.",
    "store_none": "Dat kan ik voor deze winkel helaas niet opzoeken. Iemand van ons team "
    "helpt je graag — vraag gewoon naar een medewerker.",
}
STATUSES = {
    "pending": "nog niet betaald",
    "processing": "betaald en wordt klaargemaakt voor verzending",
    "on-hold": "in de wacht tot je betaling binnen is",
    "completed": "afgerond en verzonden",
    "cancelled": "geannuleerd",
    "refunded": "terugbetaald",
    "failed": "niet betaald (de betaling is mislukt)",
    "checkout-draft": "nog niet geplaatst",
}
QUICK = {
    "track": "Mijn bestelling volgen",
    "shipping": "Verzendopties",
    "payment": "Betaalmethoden",
    "returns": "Retourbeleid",
    "person": "Met een medewerker praten",
    "products": "Product zoeken",
    "order": "Bestelling {number}",
    "cancel": "Bestelling annuleren",
}
MONTHS = ()
