"""The LLM path of the assistant, with the built-in engine behind it.

One turn: resolve the site's LLM → answer cache → monthly budget → the tool-calling
loop over the same tools and access rules as the built-in engine (bounded rounds,
one total deadline) → guardrails → reply with the model, tokens, cost and tools in
its meta. Whatever goes wrong (the provider fails or times out, the budget is spent,
the model invents a number), the built-in engine answers instead: the customer never
sees an error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from shopchat.assistant.engine import AssistantResponder, person_needed, understand
from shopchat.assistant.llm import cache as answer_cache
from shopchat.assistant.llm import config, guardrails, prompt, usage
from shopchat.assistant.llm.openai_compatible import OpenAICompatibleProvider
from shopchat.assistant.llm.provider import Completion, LLMError, LLMProvider, ToolCall
from shopchat.assistant.responder import Reply, Responder, ResponderDeps, StreamSink, Turn
from shopchat.assistant.tools import TOOL_SPECS, Tools, call_tool, tools_for_turn

log = logging.getLogger(__name__)

# Tools whose results are the same for every customer of a site: answers that used only
# these may be cached and served to anyone who asks the same question.
SHARED_TOOLS = frozenset({"search_knowledge", "shipping_options", "payment_methods"})


class Fallback(Exception):
    """This turn goes to the built-in engine; the message says why (for logs and meta)."""


@dataclass
class _Run:
    """What one turn spent and used, kept even when the turn falls back."""

    tokens_in: int = 0
    tokens_out: int = 0
    rounds: int = 0
    tools: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # texts the answer may take numbers from

    def add(self, completion: Completion) -> None:
        self.tokens_in += completion.tokens_in
        self.tokens_out += completion.tokens_out
        self.rounds += 1


class LLMResponder:
    """Answers through the site's LLM; the built-in engine answers whenever that fails."""

    def __init__(self, deps: ResponderDeps, fallback: Responder | None = None) -> None:
        self._deps = deps
        self._settings = deps.settings
        self._fallback = fallback if fallback is not None else builtin_responder(deps)
        self._providers: dict[str, LLMProvider] = {}
        self._cache_backend: answer_cache.AnswerCache | None = None  # made on first use

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        site_llm = config.resolve(self._settings, turn.site_settings)
        if site_llm is None or person_needed(turn, understand(turn)):
            # No model, or the customer asked for a person or is angry: the built-in
            # engine answers (and hands off) exactly as it does without an LLM.
            return await self._fallback.respond(turn, stream=stream)
        key = self._cache_key(turn, site_llm)
        if key and (hit := await self._cache().get(key)):
            return _from_cache(hit)
        run = _Run()
        try:
            await self._check_budget(turn, site_llm)
            async with asyncio.timeout(self._settings.llm_deadline_seconds):
                reply = await self._converse(turn, site_llm, run, stream)
        except Fallback as exc:
            return await self._fall_back(turn, stream, site_llm, run, reason=str(exc))
        except (LLMError, TimeoutError) as exc:
            reason = str(exc) or "deadline passed"
            log.warning("LLM failed for site %s (%s); built-in answers", turn.site_id, reason)
            return await self._fall_back(turn, stream, site_llm, run, reason=reason)
        except Exception:
            log.exception("LLM answer failed for site %s; built-in engine answers", turn.site_id)
            return await self._fall_back(turn, stream, site_llm, run, reason="error")
        reply = _with_llm_meta(reply, await self._account(turn, site_llm, run))
        if key and not reply.handoff and set(run.tools) <= SHARED_TOOLS and run.tools:
            await self._cache().put(key, _to_cache(reply), ttl=self._settings.llm_cache_ttl_seconds)
        return reply

    # --- the tool-calling loop ---------------------------------------------------------

    async def _converse(
        self, turn: Turn, site_llm: config.SiteLLM, run: _Run, stream: StreamSink
    ) -> Reply:
        provider = self._provider(site_llm)
        tools = await tools_for_turn(self._deps, turn)
        messages = prompt.conversation(turn)
        run.facts = [turn.text, *(item.text for item in turn.history)]
        for _ in range(self._settings.llm_max_tool_rounds):
            guard = _GuardedStream(stream, guardrails.known_values(run.facts))
            completion = await provider.complete(
                messages=messages, tools=[*TOOL_SPECS, prompt.HANDOFF_SPEC], on_text=guard.feed
            )
            run.add(completion)
            if not completion.tool_calls:
                return await self._final(turn, completion, run, guard)
            if any(call.name == prompt.HANDOFF_TOOL for call in completion.tool_calls):
                run.tools.append(prompt.HANDOFF_TOOL)
                return _handoff(turn)
            messages.append(_assistant_calls(completion))
            for call in completion.tool_calls:
                messages.append(await self._call(tools, call, run))
        raise Fallback("too many tool rounds")

    async def _final(
        self, turn: Turn, completion: Completion, run: _Run, guard: _GuardedStream
    ) -> Reply:
        text = completion.text.strip()
        if not text:
            raise Fallback("empty answer")
        invented = guardrails.ungrounded_numbers(text, known=guardrails.known_values(run.facts))
        if invented or guard.violated:
            raise Fallback("answer states numbers no tool gave")
        await guard.finish(text)
        meta: dict[str, Any] = {"intent": "llm", "confidence": 0.9, "tools": list(run.tools)}
        return Reply(text=text, language=turn.language, meta=meta)

    async def _call(self, tools: Tools, call: ToolCall, run: _Run) -> dict[str, Any]:
        run.tools.append(call.name)
        try:
            arguments = json.loads(call.arguments or "{}")
        except json.JSONDecodeError:
            arguments = None
        if not isinstance(arguments, dict):
            content: dict[str, Any] = {"ok": False, "error": "arguments were not a JSON object"}
        else:
            result = await call_tool(tools, call.name, arguments)
            content = {"ok": result.ok, "data": result.data, "error": result.error}
        text = json.dumps(content, ensure_ascii=False, default=str)
        run.facts.append(text)
        return {"role": "tool", "tool_call_id": call.id, "content": text}

    # --- budget, accounting, fallback ---------------------------------------------------

    async def _check_budget(self, turn: Turn, site_llm: config.SiteLLM) -> None:
        tokens, cost = site_llm.monthly_token_budget, site_llm.monthly_cost_budget
        if tokens is None and cost is None:
            return
        async with self._deps.db.transaction() as session:
            spend = await usage.spent(session, site_id=turn.site_id, month=usage.month_of())
        if tokens is not None and spend.tokens >= tokens:
            raise Fallback("monthly token budget spent")
        if cost is not None and spend.cost >= cost:
            raise Fallback("monthly cost budget spent")

    async def _account(self, turn: Turn, site_llm: config.SiteLLM, run: _Run) -> dict[str, Any]:
        """Add this turn's tokens and cost to the site's month; return them for the meta."""
        cost = usage.cost_of(
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            price_in_per_1k=site_llm.price_in_per_1k,
            price_out_per_1k=site_llm.price_out_per_1k,
        )
        if run.rounds:
            spend = usage.Spend(run.tokens_in, run.tokens_out, cost)
            async with self._deps.db.transaction() as session:
                await usage.record(
                    session, site_id=turn.site_id, month=usage.month_of(), spend=spend
                )
        return {
            "model": site_llm.provider.model,
            "tokens_in": run.tokens_in,
            "tokens_out": run.tokens_out,
            "cost": cost,
            "rounds": run.rounds,
            "tools": list(run.tools),
        }

    async def _fall_back(
        self, turn: Turn, stream: StreamSink, site_llm: config.SiteLLM, run: _Run, *, reason: str
    ) -> Reply | None:
        try:
            spent = await self._account(turn, site_llm, run)
        except Exception:
            log.exception("could not account LLM usage for site %s", turn.site_id)
            spent = {}
        reply = await self._fallback.respond(turn, stream=stream)
        if reply is None:
            return None
        return _with_llm_meta(reply, {**spent, "fallback": reason}, engine="builtin")

    # --- resources ----------------------------------------------------------------------

    def _provider(self, site_llm: config.SiteLLM) -> LLMProvider:
        provider = self._providers.get(site_llm.fingerprint)
        if provider is None:
            provider = OpenAICompatibleProvider(site_llm.provider)
            self._providers[site_llm.fingerprint] = provider
        return provider

    def _cache(self) -> answer_cache.AnswerCache:
        if self._cache_backend is None:
            self._cache_backend = answer_cache.create_answer_cache(self._settings.redis_url)
        return self._cache_backend

    def _cache_key(self, turn: Turn, site_llm: config.SiteLLM) -> str | None:
        # Only a conversation's first question: a follow-up ("and to Austria?") depends
        # on what came before, so the same words need not mean the same question.
        if self._settings.llm_cache_ttl_seconds <= 0:
            return None
        if any(item.role == "customer" for item in turn.history):
            return None
        return answer_cache.cache_key(
            site_id=turn.site_id,
            model=site_llm.provider.model,
            language=turn.language,
            question=turn.text,
        )

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()
        if self._cache_backend is not None:
            await self._cache_backend.aclose()


class _GuardedStream:
    """Streams complete words only, and stops for good at the first invented number."""

    def __init__(self, sink: StreamSink, known: Any) -> None:
        self._sink = sink
        self._known = known
        self._published = ""
        self.violated = False

    async def feed(self, text_so_far: str) -> None:
        prefix = guardrails.safe_prefix(text_so_far).rstrip()
        if self.violated or len(prefix) <= len(self._published):
            return
        if guardrails.ungrounded_numbers(prefix, known=self._known):
            self.violated = True
            return
        self._published = prefix
        await self._sink(prefix)

    async def finish(self, text: str) -> None:
        if self._published and text != self._published:
            await self._sink(text)


def builtin_responder(deps: ResponderDeps) -> Responder:
    """The built-in engine: the fallback of the LLM path, and the default without one."""
    return AssistantResponder(deps)


def _assistant_calls(completion: Completion) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": completion.text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in completion.tool_calls
        ],
    }


def _handoff(turn: Turn) -> Reply:
    text = prompt.HANDOFF_TEXT.get(turn.language or "en", prompt.HANDOFF_TEXT["en"])
    return Reply(
        text=text,
        handoff=True,
        language=turn.language,
        meta={"intent": "contact_human_agent", "confidence": 0.9, "tools": [prompt.HANDOFF_TOOL]},
    )


def _with_llm_meta(reply: Reply, llm: dict[str, Any], *, engine: str = "llm") -> Reply:
    return dataclasses.replace(reply, meta={**reply.meta, "engine": engine, "llm": llm})


def _to_cache(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "quick_replies": list(reply.quick_replies),
        "language": reply.language,
        "meta": reply.meta,
    }


def _from_cache(hit: dict[str, Any]) -> Reply:
    meta = dict(hit.get("meta") or {})
    llm = {**meta.get("llm", {}), "tokens_in": 0, "tokens_out": 0, "cost": 0.0, "cache": "hit"}
    return Reply(
        text=hit["text"],
        quick_replies=tuple(hit.get("quick_replies") or ()),
        language=hit.get("language"),
        meta={**meta, "llm": llm},
    )
