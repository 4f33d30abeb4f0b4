from __future__ import annotations

import pytest

from shopchat.assistant.nlu import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi, my parcel has not arrived yet", "en"),
        ("Hallo, mein Paket ist noch nicht angekommen", "de"),
        ("Bonjour, mon colis n'est pas encore arrivé", "fr"),
        ("Hola, mi paquete todavía no ha llegado", "es"),
        ("Hoi, mijn pakket is nog niet aangekomen", "nl"),
        ("Ciao, il mio pacco non è ancora arrivato", "it"),
        ("Olá, a minha encomenda ainda não chegou, obrigado", "pt"),
        ("Dzień dobry, moja paczka jeszcze nie dotarła", "pl"),
        ("مرحبا، لم يصل طردي بعد", "ar"),
        ("שלום, החבילה שלי עוד לא הגיעה", "he"),
    ],
)
def test_detects_the_language_of_a_short_message(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "12345", "#1042", "ok", "Hoodie XL"])
def test_falls_back_to_english_when_there_is_nothing_to_go_on(text: str) -> None:
    assert detect_language(text) == "en"
