"""The call service with the real engine in this process and real phones outside it."""

import asyncio
import random

import pytest

from pbx.calls import Leg
from pbx.diagnostics import write_test_tone
from pbx.events import PlaybackFinished
from pbx.queues.prompts import write_tone
from tests.harness import free_port, sipp, sipp_result
from tests.phone_client import Phone
from tests.tones import has_tone

ALICE_PORT, BOB_PORT = free_port(), free_port()


async def blocking(fn, *args, **kwargs):
    """Run a phone's blocking call without stalling the loop the engine reports to."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def connected(phone: Phone) -> None:
    await blocking(phone.wait_for, "state", state="CONFIRMED", timeout=10)
    await blocking(phone.wait_for, "media", timeout=5)


async def hears(listener: Phone, talker: Phone, hz: int, path) -> bool:
    await blocking(talker.play_tone, hz, 3.0)
    await blocking(listener.record, path, seconds=1.5)
    await blocking(listener.wait_for, "recorded", timeout=10)
    await blocking(talker.stop_tone)
    return has_tone(path, hz)


@pytest.mark.asyncio
@pytest.mark.timeout(90)
async def test_place_and_bridge_connect_two_phones_both_ways(engine_stack, tmp_path):
    calls = engine_stack.calls
    bridged: asyncio.Future = asyncio.get_running_loop().create_future()
    bob_uri = f"sip:bob@127.0.0.1:{BOB_PORT}"

    async def connect_to_bob(leg: Leg) -> bool:
        await calls.answer(leg.leg_id)
        outbound = await calls.place(bob_uri, dialled="bob")
        await calls.wait_media(outbound.leg_id)
        await calls.wait_media(leg.leg_id)
        await calls.bridge(leg.leg_id, outbound.leg_id)
        bridged.set_result((leg, outbound))
        return True

    calls.add_offer_handler(connect_to_bob)
    with (
        Phone.start(port=ALICE_PORT, name="alice") as alice,
        Phone.start(port=BOB_PORT, name="bob") as bob,
    ):
        await blocking(alice.call, engine_stack.uri("200"))
        await blocking(bob.wait_for, "incoming", timeout=10)
        await blocking(bob.answer)
        await asyncio.gather(connected(alice), connected(bob))
        inbound, outbound = await asyncio.wait_for(bridged, 10)

        assert await hears(bob, alice, 697, tmp_path / "bob.wav")
        assert await hears(alice, bob, 1209, tmp_path / "alice.wav")

        await calls.hangup(outbound.leg_id)
        await blocking(bob.wait_for, "state", state="DISCONNECTED", timeout=10)
        await blocking(alice.hangup)
        await asyncio.wait_for(inbound.ended.wait(), 10)

    assert (inbound.caller_number, inbound.caller_name, inbound.dialled) == (
        "alice",
        "alice",
        "200",
    )
    assert outbound.direction == "outbound"
    await asyncio.wait_for(outbound.ended.wait(), 10)
    await calls.shutdown(5)
    records = {r.direction: r for r in await engine_stack.cdrs.recent()}
    assert {d: r.disposition for d, r in records.items()} == {
        "inbound": "answered",
        "outbound": "answered",
    }
    assert records["inbound"].rtp_rx_packets > 50
    assert records["outbound"].rtp_rx_packets > 50


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_play_sends_a_file_and_reports_its_end(engine_stack, tmp_path):
    calls = engine_stack.calls
    tone = tmp_path / "tone.wav"
    write_test_tone(tone)  # one second long
    finished: asyncio.Future = asyncio.get_running_loop().create_future()
    engine_stack.bus.subscribe(PlaybackFinished, finished.set_result)
    played: asyncio.Future = asyncio.get_running_loop().create_future()

    async def play_once(leg: Leg) -> bool:
        await calls.answer(leg.leg_id)
        await calls.wait_media(leg.leg_id)
        played.set_result((leg.leg_id, await calls.play(leg.leg_id, str(tone))))
        return True

    calls.add_offer_handler(play_once)
    with Phone.start(port=ALICE_PORT, name="alice") as alice:
        await blocking(alice.call, engine_stack.uri("300"))
        await connected(alice)
        await blocking(alice.record, tmp_path / "heard.wav", seconds=0.8)
        await blocking(alice.wait_for, "recorded", timeout=10)
        event = await asyncio.wait_for(finished, 10)
        await blocking(alice.hangup)

    leg_id, player_id = await played
    assert (event.leg_id, event.player_id) == (leg_id, player_id)
    assert has_tone(tmp_path / "heard.wav", 1004, skip_s=0.1)


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_the_bridge_has_room_for_players_beyond_the_calls(engine_stack, tmp_path):
    # Each waiting caller may hold a prompt player and a recorder besides its own port:
    # a bridge sized for the calls alone (max_calls + 2) refuses the players of the
    # callers beyond a third of max_calls.
    tone = tmp_path / "tone.wav"
    write_test_tone(tone)
    players = [await engine_stack.engine.playlist([str(tone)]) for _ in range(3 * 32)]
    for player_id in players:
        await engine_stack.engine.stop_player(player_id)


@pytest.mark.asyncio
@pytest.mark.timeout(90)
async def test_players_stopped_as_their_files_end_never_crash_the_engine(engine_stack, tmp_path):
    # pjmedia reports a file's end on its event thread, a moment after the bridge read
    # the last frame: a player freed in between was called once gone, and the daemon
    # died (callers of a queue hanging up in the middle of announcements).
    calls, engine = engine_stack.calls, engine_stack.engine
    blip = tmp_path / "blip.wav"
    write_tone(blip, 1000, 0.04)
    answered: asyncio.Future = asyncio.get_running_loop().create_future()

    async def answer(leg: Leg) -> bool:
        await calls.answer(leg.leg_id)
        await calls.wait_media(leg.leg_id)
        answered.set_result(leg.leg_id)
        return True

    async def blips(leg_id: int, rng: random.Random) -> None:
        for _ in range(40):
            player_id = await engine.play(leg_id, str(blip))
            await asyncio.sleep(rng.uniform(0.0, 0.08))  # before, at or after its end
            await engine.stop_player(player_id)

    calls.add_offer_handler(answer)
    with Phone.start(port=ALICE_PORT, name="alice") as alice:
        await blocking(alice.call, engine_stack.uri("300"))
        await connected(alice)
        leg_id = await asyncio.wait_for(answered, 10)
        await asyncio.gather(*(blips(leg_id, random.Random(seed)) for seed in range(20)))
        await blocking(alice.hangup)
    assert engine.running


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_outbound_calls_offer_plain_audio_that_strict_gateways_accept(engine_stack, tmp_path):
    calls = engine_stack.calls
    port = free_port()
    gateway = sipp(
        "provider_answers",
        "",
        service="",
        calls=1,
        rate=1,
        limit=1,
        local_port=port,
        workdir=tmp_path,
        timeout_s=30,
        role="uas",
    )
    leg = await calls.place(f"sip:0123456789@127.0.0.1:{port}", dialled="0123456789")
    await calls.wait_media(leg.leg_id)
    assert leg.state == "answered"
    await calls.hangup(leg.leg_id)
    run = await asyncio.to_thread(sipp_result, gateway, tmp_path, 30)
    assert (run.returncode, run.successful, run.failed) == (0, 1, 0), run.output


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_failing_feature_refuses_the_caller_and_keeps_the_box_up(engine_stack, caplog):
    async def broken(leg: Leg) -> bool:
        raise RuntimeError("feature bug")

    engine_stack.calls.add_offer_handler(broken)
    with Phone.start(port=ALICE_PORT, name="alice") as alice:
        await blocking(alice.call, engine_stack.uri("400"))
        ended = await blocking(alice.wait_for, "state", state="DISCONNECTED", timeout=10)
        assert ended["code"] == 500
        assert "feature bug" in caplog.text
        # The box is still up: the next caller gets the same clear answer.
        await blocking(alice.call, engine_stack.uri("400"))
        ended = await blocking(alice.wait_for, "state", state="DISCONNECTED", timeout=10)
        assert ended["code"] == 500
    assert engine_stack.calls.stats().total_legs == 2
