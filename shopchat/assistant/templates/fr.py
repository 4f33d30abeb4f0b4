"""Réponses en français (vouvoiement)."""

MESSAGES = {
    "greeting": "Bonjour{name} ! Je suis l'assistant de {shop}. Je peux vérifier une "
    "commande, trouver des produits ou répondre à vos questions sur la livraison, le "
    "paiement et les retours. Que puis-je faire pour vous ?",
    "greeting_vip": "Ravi de vous revoir, {first} ! Comment puis-je vous aider aujourd'hui ?",
    "thanks": "Avec plaisir{name} ! Si vous avez une autre question, écrivez-moi ici.",
    "out_of_scope": "Je ne peux malheureusement pas vous aider sur ce point — je m'y "
    "connais en commandes, produits, livraison, paiement et retours chez {shop}.",
    "clarify": "Désolé, je n'ai pas bien compris. Pourriez-vous reformuler ? Voici ce "
    "que je peux faire, par exemple :",
    "handoff_request": "Bien sûr — je vous mets en relation avec un membre de notre "
    "équipe. La réponse arrivera ici même.",
    "handoff_angry": "Je suis vraiment désolé. Je fais appel à un membre de notre équipe "
    "pour régler cela avec vous personnellement — la réponse arrivera ici même.",
    "handoff_unsure": "Je ne veux pas vous donner une mauvaise réponse, je vous mets donc "
    "en relation avec un membre de notre équipe. La réponse arrivera ici même.",
    "handoff_store": "Je n'arrive pas à joindre le système de la boutique pour le moment, "
    "je vous mets donc en relation avec un membre de notre équipe. La réponse arrivera "
    "ici même.",
    "ask_order": "Je vérifie volontiers ! Quel est votre numéro de commande, et l'adresse "
    "e-mail utilisée lors de la commande ?",
    "ask_email": "Merci ! Pour protéger vos données : quelle adresse e-mail avez-vous "
    "utilisée pour la commande {number} ?",
    "ask_number": "Merci ! Et quel est le numéro de commande ? Il figure dans l'e-mail de "
    "confirmation.",
    "which_order": "De quelle commande s'agit-il, {first} ? Voici vos dernières commandes :",
    "no_orders": "Je ne vois encore aucune commande sur votre compte. Si vous avez commandé "
    "sans compte, donnez-moi le numéro de commande et l'adresse e-mail utilisée.",
    "not_found_guest": "Je ne trouve pas de commande {number} avec cette adresse e-mail. "
    "Pourriez-vous vérifier les deux dans votre e-mail de confirmation ?",
    "not_found_verified": "Je ne trouve pas la commande {number} sur votre compte. Si vous "
    "avez commandé sans compte, donnez-moi l'adresse e-mail utilisée.",
    "rate_limited": "Je ne peux plus rechercher de commandes dans cette conversation pour "
    "le moment. Réessayez plus tard, ou demandez à parler à un membre de notre équipe.",
    "order_head": "Votre commande {number} du {date} est {status}.",
    "order_items": "Articles : {items}. Total : {total}.",
    "order_tracking": "Suivi : {tracking}.",
    "order_refunds": "Remboursé : {refunds}.",
    "my_orders": "Voici vos dernières commandes :",
    "cancel_open": "La commande {number} n'est pas encore expédiée, elle peut donc encore "
    "être annulée ou modifiée. Un membre de notre équipe s'en occupe pour vous — "
    "voulez-vous que je fasse appel à quelqu'un ?",
    "cancel_shipped": "La commande {number} est déjà expédiée et ne peut plus être "
    "annulée — vous pouvez en revanche nous la retourner.",
    "order_closed": "La commande {number} est déjà {status}.",
    "refund_none": "Aucun remboursement n'a été effectué pour la commande {number} jusqu'ici.",
    "invoice": "Vous trouverez la facture de la commande {number} dans votre compte, "
    "rubrique Commandes : {link}",
    "invoice_general": "Vous trouverez vos factures dans votre compte, rubrique Commandes : {link}",
    "policy": "Voici ce qu'indique notre boutique : {policy}",
    "policy_none": "Je n'ai pas les règles exactes sous la main. Un membre de notre équipe "
    "pourra vous répondre avec certitude — demandez simplement à parler à un conseiller.",
    "shipping_head": "Voici nos options de livraison :",
    "free": "gratuit",
    "free_from": "gratuit dès {amount}",
    "everywhere_else": "Reste du monde",
    "payment": "Vous pouvez payer par : {methods}.",
    "payment_issue": "Désolé pour ce souci de paiement ! Voici les moyens de paiement "
    "proposés : {methods}. Si cela ne fonctionne toujours pas, un membre de notre équipe "
    "regardera.",
    "products_head": "Voici ce que j'ai trouvé :",
    "products_none": "Je n'ai rien trouvé pour « {query} » dans la boutique. Pourriez-vous "
    "le décrire autrement ?",
    "products_ask": "Que cherchez-vous ? Donnez-moi un produit ou un type de produit, par "
    "exemple une veste ou des chaussures.",
    "recommend_for": "Si vous aimez {name}, jetez un œil à ceux-ci :",
    "recommend_head": "Quelques coups de cœur actuellement en stock :",
    "recommend_none": "Je n'ai rien à vous suggérer pour l'instant — dites-moi ce que vous "
    "cherchez et je fouille la boutique.",
    "in_stock": "en stock",
    "few_left": "plus que {count} en stock",
    "backorder": "disponible sur commande",
    "out_of_stock": "en rupture de stock",
    "on_sale": "en promotion, au lieu de {amount}",
    "account_create": "Vous pouvez créer un compte ici : {link}",
    "account_edit": "Vous pouvez modifier votre nom, e-mail et mot de passe ici : {link}",
    "account_password": "Pas de souci — vous pouvez choisir un nouveau mot de passe ici : {link}",
    "account_delete": "Un membre de notre équipe peut supprimer votre compte — demandez "
    "simplement à parler à un conseiller. Vos informations de compte sont ici : {link}",
    "account_switch": "Déconnectez-vous puis connectez-vous avec l'autre compte ici : {link}",
    "account_problem": "Désolé que cela ne fonctionne pas ! Vous pouvez créer un compte ou "
    "réinitialiser votre mot de passe ici : {link}. Si le problème persiste, notre équipe "
    "vous aidera.",
    "account_address": "Vous pouvez ajouter ou modifier vos adresses ici : {link}",
    "account_orders": "Toutes vos commandes sont ici : {link}",
    "place_order": "Vous pouvez commander directement dans la boutique : ajoutez les "
    "produits au panier puis validez. Voulez-vous que je vous trouve un produit ?",
    "review": "Merci de vouloir partager votre avis ! Vous pouvez laisser un avis sur la "
    "page du produit dans la boutique.",
    "complaint": "Je suis désolé de l'apprendre. Racontez-moi ce qui s'est passé — ou "
    "demandez un conseiller et un membre de notre équipe prendra le relais.",
    "contact": "Vous discutez avec l'assistant de {shop}. Si vous préférez parler à un "
    "conseiller, dites-le-moi et je fais appel à quelqu'un.",
    "store_none": "Je ne peux malheureusement pas vérifier cela pour cette boutique. Un "
    "membre de notre équipe peut vous aider — demandez simplement un conseiller.",
}
STATUSES = {
    "pending": "en attente de paiement",
    "processing": "payée et en cours de préparation",
    "on-hold": "en attente de la réception de votre paiement",
    "completed": "terminée et expédiée",
    "cancelled": "annulée",
    "refunded": "remboursée",
    "failed": "non payée (le paiement a échoué)",
    "checkout-draft": "pas encore passée",
}
QUICK = {
    "track": "Suivre ma commande",
    "shipping": "Options de livraison",
    "payment": "Moyens de paiement",
    "returns": "Politique de retour",
    "person": "Parler à un conseiller",
    "products": "Trouver un produit",
    "order": "Commande {number}",
    "cancel": "Annuler une commande",
}
MONTHS = ()
