"""The interface every LLM provider implements: one chat completion with tools, streamed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

TextSink = Callable[[str], Awaitable[None]]  # receives the text so far


class LLMError(Exception):
    """The provider failed, timed out, refused or answered something unusable."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it (it may be malformed)


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class LLMProvider(Protocol):
    model: str

    async def complete(
        self,
        *,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        on_text: TextSink | None = None,
    ) -> Completion:
        """One model turn: text (streamed to ``on_text`` when given) and/or tool calls."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
