"""The proactive message a customer gets when an order's status changes, in five languages."""

from __future__ import annotations

from shopchat.commerce.types import Order

_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "processing": "Thank you! Your order #{number} is confirmed and being prepared.",
        "completed": "Good news: your order #{number} has shipped.",
        "cancelled": "Your order #{number} has been cancelled.",
        "refunded": "Your order #{number} has been refunded.",
        "on-hold": "Your order #{number} is on hold until your payment is confirmed.",
        "pending": "Your order #{number} is waiting for payment.",
        "failed": "The payment for your order #{number} did not go through.",
        "other": "Your order #{number} is now: {status}.",
        "tracking": "Tracking: {tracking}",
    },
    "de": {
        "processing": "Danke! Ihre Bestellung #{number} ist bestätigt und wird vorbereitet.",
        "completed": "Gute Nachricht: Ihre Bestellung #{number} wurde versandt.",
        "cancelled": "Ihre Bestellung #{number} wurde storniert.",
        "refunded": "Ihre Bestellung #{number} wurde erstattet.",
        "on-hold": "Ihre Bestellung #{number} wartet auf die Bestätigung Ihrer Zahlung.",
        "pending": "Ihre Bestellung #{number} wartet auf Zahlung.",
        "failed": "Die Zahlung für Ihre Bestellung #{number} ist fehlgeschlagen.",
        "other": "Ihre Bestellung #{number} hat jetzt den Status: {status}.",
        "tracking": "Sendungsverfolgung: {tracking}",
    },
    "fr": {
        "processing": "Merci ! Votre commande n°{number} est confirmée et en préparation.",
        "completed": "Bonne nouvelle : votre commande n°{number} a été expédiée.",
        "cancelled": "Votre commande n°{number} a été annulée.",
        "refunded": "Votre commande n°{number} a été remboursée.",
        "on-hold": "Votre commande n°{number} est en attente de la confirmation du paiement.",
        "pending": "Votre commande n°{number} attend votre paiement.",
        "failed": "Le paiement de votre commande n°{number} n'a pas abouti.",
        "other": "Votre commande n°{number} a maintenant le statut : {status}.",
        "tracking": "Suivi : {tracking}",
    },
    "es": {
        "processing": "¡Gracias! Tu pedido #{number} está confirmado y en preparación.",
        "completed": "Buenas noticias: tu pedido #{number} ha sido enviado.",
        "cancelled": "Tu pedido #{number} ha sido cancelado.",
        "refunded": "Tu pedido #{number} ha sido reembolsado.",
        "on-hold": "Tu pedido #{number} está en espera hasta que se confirme el pago.",
        "pending": "Tu pedido #{number} está pendiente de pago.",
        "failed": "El pago de tu pedido #{number} no se ha completado.",
        "other": "Tu pedido #{number} tiene ahora el estado: {status}.",
        "tracking": "Seguimiento: {tracking}",
    },
    "nl": {
        "processing": "Bedankt! Je bestelling #{number} is bevestigd en wordt klaargemaakt.",
        "completed": "Goed nieuws: je bestelling #{number} is verzonden.",
        "cancelled": "Je bestelling #{number} is geannuleerd.",
        "refunded": "Je bestelling #{number} is terugbetaald.",
        "on-hold": "Je bestelling #{number} staat in de wacht tot je betaling is bevestigd.",
        "pending": "Je bestelling #{number} wacht op betaling.",
        "failed": "De betaling van je bestelling #{number} is niet gelukt.",
        "other": "Je bestelling #{number} heeft nu de status: {status}.",
        "tracking": "Track & trace: {tracking}",
    },
}
LANGUAGES = tuple(_TEMPLATES)


def order_status_notice(order: Order, *, language: str | None) -> str:
    """The message text for ``order``'s current status; English for other languages."""
    templates = _TEMPLATES.get((language or "en")[:2].lower(), _TEMPLATES["en"])
    template = templates.get(order.status, templates["other"])
    text = template.format(number=order.number or order.id, status=order.status)
    if order.tracking and order.status == "completed":
        parcels = ", ".join(
            " ".join(part for part in (t.provider, t.number, t.url) if part) for t in order.tracking
        )
        text += " " + templates["tracking"].format(tracking=parcels)
    return text
