"""An OpenAI-compatible chat completions server for tests: real HTTP, scripted per test.

``POST /v1/chat/completions`` answers in the shapes of the OpenAI API reference: a
``chat.completion`` object, or with ``stream: true`` server-sent ``chat.completion.chunk``
events (text in pieces, tool calls with their arguments split across chunks, a usage
chunk when ``stream_options.include_usage`` asks for it, then ``data: [DONE]``). Each
request takes the next scripted ``Step``; tests can script errors (500, 429), slow
answers and malformed JSON, and read every request the SDK sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.server import ServerThread


@dataclass(frozen=True)
class Step:
    """One scripted answer: text and/or tool calls, or a failure."""

    text: str = ""
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    status: int = 200
    delay: float = 0.0
    malformed: bool = False
    usage: tuple[int, int] = (40, 10)  # prompt, completion tokens
    chunk_chars: int = 4

    @classmethod
    def say(cls, text: str, **options: Any) -> Step:
        return cls(text=text, **options)

    @classmethod
    def call(cls, name: str, **arguments: Any) -> Step:
        return cls(tool_calls=((name, arguments),))


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class OpenAITestServer:
    """Start with ``with OpenAITestServer() as llm:``; point the SDK at ``llm.base_url``."""

    def __init__(self) -> None:
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        app = Starlette(routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])])
        self._server = ServerThread(app)

    @property
    def base_url(self) -> str:
        return f"{self._server.url}/v1"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def __enter__(self) -> OpenAITestServer:
        self._server.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.stop()

    async def _complete(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(Recorded(body, dict(request.headers)))
            step = self._steps.popleft() if self._steps else None
        if step is None:
            return _error(500, "no scripted answer left")
        if step.delay:
            await asyncio.sleep(step.delay)
        if step.status != 200:
            return _error(step.status, "scripted failure")
        model = str(body.get("model", "test-model"))
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(
                _events(step, model, usage=usage), media_type="text/event-stream"
            )
        if step.malformed:
            return Response('{"id": "chatcmpl-1", "choices": [', media_type="application/json")
        return JSONResponse(_completion(step, model))


def _error(status: int, message: str) -> JSONResponse:
    kind = "rate_limit_exceeded" if status == 429 else "server_error"
    headers = {"retry-after-ms": "10"} if status == 429 else {}
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def _calls(step: Step) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{n}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        for n, (name, arguments) in enumerate(step.tool_calls)
    ]


def _usage(step: Step) -> dict[str, int]:
    prompt, completion = step.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(step: Step, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": step.text or None}
    if step.tool_calls:
        message["tool_calls"] = _calls(step)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if step.tool_calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(step),
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


async def _events(step: Step, model: str, *, usage: bool) -> AsyncIterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    if step.malformed:
        yield 'data: {"id": "chatcmpl-test", "choices": [{"delta": \n\n'
        return
    for start in range(0, len(step.text), step.chunk_chars):
        yield _chunk(model, {"content": step.text[start : start + step.chunk_chars]})
        await asyncio.sleep(0.005)
    for index, call in enumerate(_calls(step)):
        arguments = call["function"]["arguments"]
        half = len(arguments) // 2
        head = {"index": index, "id": call["id"], "type": "function"}
        yield _chunk(
            model,
            {
                "tool_calls": [
                    {
                        **head,
                        "function": {
                            "name": call["function"]["name"],
                            "arguments": arguments[:half],
                        },
                    }
                ]
            },
        )
        yield _chunk(
            model, {"tool_calls": [{"index": index, "function": {"arguments": arguments[half:]}}]}
        )
    yield _chunk(model, {}, "tool_calls" if step.tool_calls else "stop")
    if usage:
        done = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [],
            "usage": _usage(step),
        }
        yield f"data: {json.dumps(done)}\n\n"
    yield "data: [DONE]\n\n"
