"""Attachments and the rating, through the widget."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (15, 118, 110)).save(out, "PNG")
    return out.getvalue()


def test_an_image_is_sent_and_a_disguised_executable_is_refused(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    chooser = widget.part("input[type=file]")
    widget.input.fill("My receipt")
    chooser.set_input_files(
        files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": _png()}]
    )
    sent = widget.mine("My receipt")
    expect(sent).to_have_count(1)
    image = sent.locator("img")
    expect(image).to_have_attribute("alt", "receipt.png")
    # The image may be swapped (upload preview → stored file); wait for the final one.
    expect(image).to_have_js_property("naturalWidth", 120)
    expect(widget.replies()).to_have_count(1)  # the assistant answered the message

    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
    chooser.set_input_files(files=[{"name": "holiday.png", "mimeType": "image/png", "buffer": elf}])
    alert = widget.part(".e")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Only images (PNG, JPEG, WebP, GIF) and PDF files")
    expect(widget.part(".lg .m.me")).to_have_count(1)
    shot(page, "08-attachment")


def test_a_pdf_is_offered_as_a_download(demo_server, page, widget_of):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    widget.part("input[type=file]").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    link = widget.mine("invoice.pdf").locator("button.f")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "invoice.pdf"


def test_a_resolved_conversation_asks_for_a_rating(demo_server: DemoServer, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    widget.send("Is the Summit 30 Daypack waterproof?")
    expect(widget.replies().last).to_be_visible()
    conversation = demo_server.conversation_with("Is the Summit 30 Daypack waterproof?")
    demo_server.resolve(conversation["id"])
    page.reload()
    widget = widget_of(page)
    form = widget.part("form.r")
    expect(form).to_be_visible()
    expect(form).to_contain_text("How would you rate this conversation?")
    form.get_by_role("button", name="4 of 5").click()
    expect(form.get_by_role("button", name="4 of 5")).to_have_attribute("aria-pressed", "true")
    expect(form.get_by_role("button", name="5 of 5")).to_have_attribute("aria-pressed", "false")
    form.locator("textarea").fill("Quick and friendly")
    shot(page, "09-rating")
    form.get_by_role("button", name="Send rating").click()
    expect(form).to_contain_text("Thank you for your feedback!")
    rated = demo_server.conversation_with("Is the Summit 30 Daypack waterproof?")
    assert (rated["csat_score"], rated["csat_comment"]) == (4, "Quick and friendly")
    page.reload()
    expect(widget_of(page).input).to_be_visible()
    expect(widget_of(page).part("form.r")).to_be_hidden()  # asked once
