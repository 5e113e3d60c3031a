"""The bench channel: the bench protocol on the emulated board's pty, from a client in this
process and from a separate one."""

import asyncio
import sys

import pytest
import pytest_asyncio

from board.dsp.fsk import BELL_202
from board.dsp.fsk_caller_id import FskCallerIdReceiver
from board.emu.bench_client import BenchClient
from board.emu.bench_protocol import BenchError, parse_fields
from board.events import ChipLost, HookChanged, PolarityChanged, RingChanged
from tests.farend_box import Box

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def box():
    box = await Box().start()
    yield box
    box.board.close_bench()


@pytest_asyncio.fixture
async def bench(box):
    lines: list[str] = []
    client = await BenchClient.open(box.board.open_bench(), on_line=lines.append)
    client.lines = lines
    yield client
    client.close()


async def test_hello_names_the_protocol_and_the_board(bench):
    assert bench.hello == {
        "protocol": "1",
        "bench": "emulator",
        "fxs": "4",
        "fxo": "4",
        "faults": "yes",
    }


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        ("dance", "unknown-command", "'dance'; commands: hello|status|wait|fault|fxs|fxo"),
        ("fxs 9 offhook", "bad-port", "fxs 9: this board has fxs 1 to 4"),
        ("fxo one ring", "bad-port", "fxo one: this board has fxo 1 to 4"),
        ("fxs 1 juggle", "unknown-command", "fxs 1 'juggle'; commands: offhook|onhook"),
        ("fxs 1 dial", "bad-argument", "usage: fxs N dial DIGITS [pulse|dtmf]"),
        ("fxs 1 dial 12", "wrong-state", "fxs1 is on-hook: lift it before dialling 12"),
        ("fxs 1 onhook", "wrong-state", "fxs1 is already on-hook"),
        ("fxo 1 answer", "wrong-state", "fxo1 has no call ringing out (idle)"),
        ("fxo 1 hangup gently", "bad-argument", "must be one of battery|polarity|busy|silence"),
        ("fxo 1 ring us cid 555 method morse", "bad-argument", "method must be one of bell202"),
        ("fxo 1 ring us cid 55x", "bad-argument", "a caller number is digits"),
        ("fxo 1 ring zz", "bad-argument", "not 'zz'"),
        ("fxo 1 tone 5000", "bad-argument", "a tone frequency (Hz) must be a number from 50"),
        ("fxo 1 set outcome maybe", "bad-argument", "outcome must be one of answer|busy"),
        ("fxo 1 set colour red", "bad-argument", "no setting 'colour'; settings: battery-v"),
        ("fxs 1 country XX", "bad-argument", "no country 'XX'; known: US UK"),
        ("wait soon", "bad-argument", "wait must be a number from 0 to 600000"),
        ('fxo 1 ring us cid 1 "Pat', "bad-argument", "cannot split the line"),
        ("fault fxs 1 melt", "bad-argument", "fault must be one of silent|drop-interrupts"),
        ("x" * 201, "too-long", "lines are at most 200 characters"),
    ],
)
async def test_errors_name_the_problem(bench, command, code, message):
    with pytest.raises(BenchError) as refused:
        await bench.request(command)
    assert refused.value.code == code
    assert message in refused.value.message
    assert await bench.request("status"), "the channel carries on"


async def test_a_phone_driven_over_the_bench_is_seen_by_the_driver(box, bench):
    await bench.request("fxs 1 offhook")
    await bench.request("wait 50")
    assert [(type(e), e.port, e.off_hook) for e in box.events] == [(HookChanged, "fxs1", True)]
    await bench.request("fxs 1 dial 1002")
    await bench.request("wait 1000")
    assert [e.args for e in bench.events_of("dialled", "fxs", 1)] == [("1002",)]
    assert await bench.request("fxs 1 line?") == {
        "hook": "offhook",
        "battery": "on",
        "polarity": "normal",
        "tip-ring-v": "10.0",
        "ringing": "no",
        "ring-hz": "20.0",
        "ring-vpk": "70.1",
    }
    status = await bench.request("status")
    assert (status["fxs1"], status["fxs2"], status["fxo1"]) == ("offhook", "onhook", "idle")


async def test_events_during_a_wait_come_before_its_reply(bench):
    await bench.request('fxo 1 ring us cid 5551234 "Pat Caller"')
    bench.lines.clear()
    await bench.request("wait 6500")
    assert bench.lines == [
        "event fxo 1 ring-off",
        'event fxo 1 cid-sent 5551234 "Pat Caller"',
        "event fxo 1 ringing",
        "ok",
    ]
    assert bench.events_of("cid-sent")[0].args == ("5551234", "Pat Caller")


async def test_caller_id_answer_and_hang_up_through_the_bench(box, bench):
    await bench.request('fxo 2 ring us cid 5551234 "Pat Caller" date 03141592')
    receiver, callers = FskCallerIdReceiver(BELL_202), []
    for _ in range(6000 // 20):
        await bench.request("wait 20")
        callers += receiver.feed(box.receive("fxo2"))
    assert [(c.number, c.name, c.date_time) for c in callers] == [
        ("5551234", "Pat Caller", "03141592")
    ]
    assert box.events_of(RingChanged, "fxo2")
    box.ports.fxo["fxo2"].set_off_hook(True)
    await bench.request("wait 100")
    assert bench.events_of("answered", "fxo", 2)
    assert (await bench.request("fxo 2 line?"))["state"] == "connected"
    box.events.clear()
    await bench.request("fxo 2 hangup polarity")
    await bench.request("wait 150")
    assert [(type(e), e.reversed) for e in box.events] == [(PolarityChanged, True)]


async def test_settings_and_countries_over_the_bench(box, bench):
    await bench.request("fxo 3 set outcome busy")
    await bench.request("fxo 3 set reverse-on-answer yes")
    await bench.request("fxo 3 set answer-after-ms 500")
    settings = box.board.line("fxo3").settings
    assert (settings.outcome, settings.reverse_on_answer, settings.answer_after_ms) == (
        "busy",
        True,
        500.0,
    )
    await bench.request("fxs 2 country uk")
    assert box.board.phone("fxs2").country.code == "UK"
    assert box.board.phone("fxs2").display.methods == ("v23",)


async def test_chip_faults_over_the_bench(box, bench):
    await bench.request("fault fxo 2 silent")
    await bench.request("wait 200")
    assert [(type(e), e.port) for e in box.events] == [(ChipLost, "fxo2")]


async def test_a_new_session_starts_clean(box):
    path = box.board.open_bench()
    first = await BenchClient.open(path)
    await first.request("fxo 1 ring us")
    first.close()
    box.clock.advance_ms(7000)  # events for nobody pile up in the pty
    second = await BenchClient.open(path)
    try:
        assert second.events == []
        await second.request("fxo 1 stop")
        assert [(e.side, e.number, e.kind) for e in second.events] == [("fxo", 1, "abandoned")]
    finally:
        second.close()


async def run_client(path: str, *commands: str) -> tuple[int, list[str]]:
    """The bench_client command in its own process, driving this process's board."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "board.emu.bench_client",
        path,
        *commands,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert stderr == b"", stderr.decode()
    return process.returncode, stdout.decode().splitlines()


async def test_a_separate_process_drives_the_far_ends(box):
    path = box.board.open_bench()
    status, lines = await run_client(
        path, "fxs 2 offhook", "wait 100", "fxs 2 dial 42", "wait 500", "fxs 2 hear"
    )
    assert status == 0
    assert lines[0].startswith("ok protocol=1 ")
    assert "event fxs 2 dialled 42" in lines
    assert lines[-1] == "ok tone=none freqs=none level=none digits=none"
    assert [(type(e), e.port, e.off_hook) for e in box.events] == [(HookChanged, "fxs2", True)]
    assert box.board.phone("fxs2").off_hook


async def test_a_separate_process_is_told_what_it_did_wrong(box):
    path = box.board.open_bench()
    status, lines = await run_client(path, "fxo 1 ring us", "fxo 7 stop", "wait 10")
    assert status == 1
    assert lines[1:] == [
        "event fxo 1 ringing",
        "ok",
        "error bad-port fxo 7: this board has fxo 1 to 4",
        "ok",
    ]
    assert parse_fields(lines[0].removeprefix("ok "))["fxo"] == "4"
