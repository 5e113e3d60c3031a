"""Loop-owned state is reached only from the loop thread, and debug mode proves it."""

import asyncio
import logging
import threading

import pytest

from pbx.bus import EventBus
from pbx.calls import Leg
from pbx.events import CallAnswered, CallEnded, CallMediaReady, CallOffered
from pbx.loop_guard import LoopGuard, LoopThreadError
from tests.harness import sipp, sipp_result


def in_thread(fn):
    """Run `fn` on a fresh thread; return what it raised (or None)."""
    raised = []

    def body():
        try:
            fn()
        except Exception as exc:
            raised.append(exc)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    return raised[0] if raised else None


@pytest.mark.asyncio
async def test_debug_mode_catches_loop_state_touched_from_another_thread():
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    bus = EventBus(LoopGuard(loop))
    seen = []
    bus.subscribe(CallAnswered, seen.append)

    error = in_thread(lambda: bus.publish(CallAnswered(1)))

    assert isinstance(error, LoopThreadError)
    assert "publish_threadsafe" in str(error) or "call_soon_threadsafe" in str(error)
    assert seen == []


@pytest.mark.asyncio
async def test_threadsafe_publish_delivers_on_the_loop_thread():
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    bus = EventBus(LoopGuard(loop))
    delivered = asyncio.Event()
    threads = []

    def handler(event):
        threads.append(threading.get_ident())
        delivered.set()

    bus.subscribe(CallAnswered, handler)
    assert in_thread(lambda: bus.publish_threadsafe(CallAnswered(1))) is None
    await asyncio.wait_for(delivered.wait(), 5)
    assert threads == [threading.get_ident()]


@pytest.mark.asyncio
async def test_without_debug_mode_the_check_costs_nothing_and_stays_silent():
    bus = EventBus(LoopGuard(asyncio.get_running_loop()))
    assert in_thread(lambda: bus.publish(CallAnswered(1))) is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_engine_callbacks_reach_handlers_only_on_the_loop_thread(
    engine_stack, tmp_path, caplog
):
    """The real pjsua2 thread under a real call, with every guard armed."""
    calls, bus = engine_stack.calls, engine_stack.bus
    handler_threads: dict[type, set[int]] = {}

    def note_thread(event) -> None:
        handler_threads.setdefault(type(event), set()).add(threading.get_ident())

    for kind in (CallOffered, CallAnswered, CallMediaReady, CallEnded):
        bus.subscribe(kind, note_thread)
    ended = asyncio.Event()
    bus.subscribe(CallEnded, lambda e: ended.set())

    async def answer_and_echo(leg: Leg) -> bool:
        await calls.answer(leg.leg_id)
        await calls.wait_media(leg.leg_id)
        await calls.echo(leg.leg_id)
        return True

    calls.add_offer_handler(answer_and_echo)
    caplog.set_level(logging.ERROR)
    peer = sipp(
        "caller_hangs_up",
        f"127.0.0.1:{engine_stack.sip_port}",
        service="100",
        calls=1,
        rate=1,
        limit=1,
        hold_ms=500,
        workdir=tmp_path,
        timeout_s=30,
    )
    await asyncio.wait_for(ended.wait(), 30)
    run = await asyncio.to_thread(sipp_result, peer, tmp_path, 30)

    assert (run.returncode, run.successful) == (0, 1), run.output
    assert set(handler_threads) == {CallOffered, CallAnswered, CallMediaReady, CallEnded}
    assert set().union(*handler_threads.values()) == {threading.get_ident()}
    assert not [r for r in caplog.records if r.exc_info and r.exc_info[0] is LoopThreadError]
