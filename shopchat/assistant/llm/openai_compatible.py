"""Any OpenAI-compatible chat completions endpoint: OpenAI, Azure, Ollama, vLLM, LiteLLM…

The one place that talks to the provider: timeouts and retries are the SDK's
(``httpx.Timeout``, ``max_retries`` with its backoff on 408/409/429/5xx), and every
failure, including a malformed response, becomes ``LLMError``. The API key is never
part of a message or a log line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import openai

from shopchat.assistant.llm.provider import Completion, LLMError, TextSink, ToolCall


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    base_url: str
    model: str
    api_key: str = field(repr=False)
    timeout_seconds: float = 15.0
    connect_timeout_seconds: float = 3.0
    max_retries: int = 1
    stream: bool = True


class OpenAICompatibleProvider:
    """Chat completions with tools over the ``openai`` SDK and a configurable base URL."""

    def __init__(self, config: ProviderConfig) -> None:
        self.model = config.model
        self._stream = config.stream
        self._client = openai.AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key or "unused",  # Ollama and vLLM need none; the SDK wants one
            timeout=openai.Timeout(config.timeout_seconds, connect=config.connect_timeout_seconds),
            max_retries=config.max_retries,
        )

    async def complete(
        self,
        *,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        on_text: TextSink | None = None,
    ) -> Completion:
        try:
            if self._stream:
                return await self._streamed(messages, tools, on_text)
            return await self._whole(messages, tools)
        except LLMError:
            raise
        except openai.APIStatusError as exc:
            raise LLMError(f"provider answered HTTP {exc.status_code}") from None
        except openai.APITimeoutError:
            raise LLMError("provider timed out") from None
        except openai.APIConnectionError:
            raise LLMError("provider unreachable") from None
        except (openai.OpenAIError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LLMError(f"unusable provider response ({type(exc).__name__})") from None

    async def _whole(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> Completion:
        create: Any = self._client.chat.completions.create  # messages and tools are plain dicts
        response = await create(model=self.model, messages=messages, **_tool_options(tools))
        if isinstance(response, str) or not response.choices:
            raise LLMError("unusable provider response (no choices)")
        message = response.choices[0].message
        calls = tuple(
            ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments or "{}")
            for c in message.tool_calls or ()
            if c.type == "function"
        )
        usage = response.usage
        return Completion(
            text=message.content or "",
            tool_calls=calls,
            tokens_in=usage.prompt_tokens if usage else _estimate(messages),
            tokens_out=usage.completion_tokens if usage else _estimate(message.content or ""),
            model=response.model or self.model,
        )

    async def _streamed(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], on_text: TextSink | None
    ) -> Completion:
        create: Any = self._client.chat.completions.create
        stream = await create(
            model=self.model,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            **_tool_options(tools),
        )
        text, calls, usage, model = "", _CallParts(), None, self.model
        async with stream:
            async for chunk in stream:
                model = chunk.model or model
                usage = chunk.usage or usage
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                for part in delta.tool_calls or ():
                    calls.add(part)
                if delta.content:
                    text += delta.content
                    if on_text is not None:
                        await on_text(text)
        return Completion(
            text=text,
            tool_calls=calls.finished(),
            tokens_in=usage.prompt_tokens if usage else _estimate(messages),
            tokens_out=usage.completion_tokens if usage else _estimate(text + calls.raw()),
            model=model,
        )

    async def aclose(self) -> None:
        await self._client.close()


class _CallParts:
    """Tool calls arrive in fragments keyed by index: the id and name once, arguments in pieces."""

    def __init__(self) -> None:
        self._parts: dict[int, dict[str, str]] = {}

    def add(self, part: Any) -> None:
        slot = self._parts.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
        slot["id"] = part.id or slot["id"]
        if part.function is not None:
            slot["name"] = part.function.name or slot["name"]
            slot["arguments"] += part.function.arguments or ""

    def finished(self) -> tuple[ToolCall, ...]:
        ordered = (self._parts[i] for i in sorted(self._parts))
        return tuple(
            ToolCall(id=p["id"] or f"call_{n}", name=p["name"], arguments=p["arguments"] or "{}")
            for n, p in enumerate(ordered)
        )

    def raw(self) -> str:
        return "".join(p["name"] + p["arguments"] for p in self._parts.values())


def _tool_options(tools: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tools": tools, "tool_choice": "auto"} if tools else {}


def _estimate(content: object) -> int:
    """About four characters a token, for providers that report no usage."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return max(1, len(text) // 4)
