"""Si3215Driver against Si3215Model, through the emulated SPI bus, GPIO and PCM."""

from dataclasses import dataclass

import pytest
import pytest_asyncio

from board.chips.location import ChipLocation
from board.chips.si3215 import Si3215Driver, Si3215Settings
from board.chips.si3215_registers import DR, IR, Linefeed
from board.chips.si3215_ringing import amplitude_word, frequency_word
from board.emu.clock import ManualClock
from board.emu.gpio import EmulatedPin
from board.emu.pcm import EmulatedPcmBus
from board.emu.si3215 import Si3215Model
from board.emu.spi import EmulatedSpiDevice, SpiFramingError
from board.errors import ChipError, ChipFault, ChipNotFound, ChipTimeout
from board.events import HookChanged, PowerAlarm, RingTripped
from board.hal import LineFeed, PcmFormat, RingSignal


@dataclass
class Fxs:
    clock: ManualClock
    spi: EmulatedSpiDevice
    model: Si3215Model
    driver: Si3215Driver
    interrupt: EmulatedPin

    async def start(self):
        Si3215Driver.enable_daisy_chain(self.spi)
        await self.driver.initialize()
        return self

    def events_after(self, milliseconds):
        """Advance time, then service the interrupt as the monitor would if it fired."""
        self.clock.advance_ms(milliseconds)
        return self.driver.handle_interrupt() if not self.interrupt.read() else []


def make_fxs(chain_index=0, holds_chip_select=False, **settings) -> Fxs:
    clock = ManualClock()
    spi = EmulatedSpiDevice("fxs", holds_chip_select=holds_chip_select)
    model = Si3215Model(clock, "fxs1", chain_index)
    spi.attach(model)
    interrupt = EmulatedPin(5, clock)
    model.connect_interrupt(interrupt)
    location = ChipLocation("fxs1", "Si3215", "fxs", chain_index)
    driver = Si3215Driver(spi, location, clock, Si3215Settings(timeslot=2, **settings))
    return Fxs(clock, spi, model, driver, interrupt)


@pytest_asyncio.fixture
async def fxs():
    return await make_fxs().start()


def test_ring_words_match_the_datasheet_table():
    assert frequency_word(20) == 0x7EFE
    assert frequency_word(25) == 0x7E6D
    assert frequency_word(50 / 3) == 0x7F4C
    assert amplitude_word(70, 20) == 0x178


# Bring-up


@pytest.mark.asyncio
async def test_bring_up_feeds_an_idle_line(fxs):
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE
    assert fxs.model.battery_v == pytest.approx(75.0)
    assert fxs.model.tip_ring_v == pytest.approx(48.0)
    assert fxs.model.read_register(DR.CALIBRATION_1) == 0
    assert not fxs.driver.off_hook
    assert fxs.interrupt.read(), "no interrupt pending after bring-up"


@pytest.mark.asyncio
async def test_bring_up_programs_the_timeslot_and_format():
    fxs = await make_fxs(pcm_format=PcmFormat.ALAW).start()
    assert fxs.model.pcm.enabled
    assert fxs.model.pcm.pcm_format is PcmFormat.ALAW
    assert (fxs.model.pcm.tx_timeslot, fxs.model.pcm.rx_timeslot) == (2, 2)


@pytest.mark.asyncio
async def test_audio_crosses_the_bus_on_the_ports_timeslot(fxs):
    bus = EmulatedPcmBus(PcmFormat.ULAW, frame_slots=8)
    bus.attach(fxs.model.pcm)
    bus.write(2, b"\x01\x02\x03")
    bus.write(3, b"\x09")
    assert bytes(fxs.model.pcm.to_line) == b"\x01\x02\x03"
    fxs.model.pcm.from_line.extend(b"\x10\x20\x30")
    assert bus.read(2, 2) == b"\x10\x20"
    assert bus.read(3, 2) == b""


@pytest.mark.asyncio
async def test_an_open_line_carries_no_audio(fxs):
    bus = EmulatedPcmBus(PcmFormat.ULAW, frame_slots=8)
    bus.attach(fxs.model.pcm)
    fxs.driver.set_feed(LineFeed.OPEN)
    bus.write(2, b"\x01")
    assert fxs.model.pcm.to_line == b""


@pytest.mark.asyncio
async def test_two_chips_on_one_chip_select_answer_each_to_its_own_frames():
    clock = ManualClock()
    spi = EmulatedSpiDevice("fxs")
    models = [Si3215Model(clock, f"fxs{i + 1}", i) for i in range(2)]
    for model in models:
        spi.attach(model)
    drivers = [
        Si3215Driver(
            spi,
            ChipLocation(f"fxs{i + 1}", "Si3215", "fxs", i),
            clock,
            Si3215Settings(timeslot=i),
        )
        for i in range(2)
    ]
    Si3215Driver.enable_daisy_chain(spi)
    for driver in drivers:
        await driver.initialize()
    drivers[1].set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    assert models[0].linefeed == Linefeed.FORWARD_ACTIVE
    assert models[1].linefeed == Linefeed.FORWARD_OHT
    assert [m.pcm.tx_timeslot for m in models] == [0, 1]


@pytest.mark.asyncio
async def test_indirect_registers_round_trip(fxs):
    fxs.driver.write_indirect(IR.RING_PHASE, 0x1234)
    assert fxs.model.indirect[IR.RING_PHASE] == 0x1234
    assert fxs.driver.read_indirect(IR.RING_PHASE) == 0x1234


# Chips that fail, and say so


@pytest.mark.asyncio
@pytest.mark.parametrize("miso", [0xFF, 0x00])
async def test_a_chip_that_never_answers_is_named(miso):
    fxs = make_fxs()
    fxs.model.go_silent(miso)
    with pytest.raises(ChipNotFound, match=rf"fxs1: Si3215 on chip select 'fxs'.*0x{miso:02X}"):
        await fxs.start()


@pytest.mark.asyncio
async def test_an_si3210_is_not_taken_for_an_si3215():
    fxs = make_fxs()
    fxs.model.stick_bits(DR.PCM_MODE, 0x80, 0x00)
    with pytest.raises(ChipNotFound, match="no Si3215"):
        await fxs.start()


@pytest.mark.asyncio
async def test_an_old_revision_is_refused():
    fxs = make_fxs()
    fxs.model.revision = 1
    fxs.model.brown_out()
    with pytest.raises(ChipFault, match="revision 1"):
        await fxs.start()


@pytest.mark.asyncio
async def test_a_slow_converter_fails_power_up_within_its_bound():
    fxs = make_fxs()
    fxs.model.battery_ramp_v_per_s = 50.0
    with pytest.raises(ChipFault, match=r"battery reached only .* in 500 ms"):
        await fxs.start()
    assert fxs.clock.monotonic() < 1.0


@pytest.mark.asyncio
async def test_a_leaking_battery_fails_the_leakage_test():
    fxs = make_fxs()
    fxs.model.battery_decay_v_per_s = 1000.0
    with pytest.raises(ChipFault, match="leakage"):
        await fxs.start()


@pytest.mark.asyncio
async def test_calibration_that_never_ends_times_out_in_two_seconds():
    fxs = make_fxs()
    fxs.model.stick_bits(DR.CALIBRATION_1, 0x40, 0x40)
    with pytest.raises(ChipTimeout, match=r"fxs1: .*calibration did not finish within 2 s"):
        await fxs.start()
    assert 2.0 <= fxs.clock.monotonic() < 4.0


@pytest.mark.asyncio
async def test_an_indirect_access_that_stays_busy_times_out(fxs):
    fxs.model.stick_bits(DR.INDIRECT_STATUS, 0x01, 0x01)
    with pytest.raises(ChipTimeout, match="still busy after 100 reads of DR31"):
        fxs.driver.read_indirect(IR.RING_FREQUENCY)


@pytest.mark.asyncio
async def test_a_stuck_data_bit_fails_the_indirect_register_check():
    fxs = make_fxs()
    fxs.model.stick_bits(DR.INDIRECT_DATA_LO, 0x01, 0x01)
    with pytest.raises(ChipFault, match=r"IR0 reads 0x7B31 after writing 0x7B30"):
        await fxs.start()


@pytest.mark.asyncio
async def test_a_chip_select_held_across_bytes_is_caught_in_strict_mode():
    fxs = make_fxs(holds_chip_select=True)
    with pytest.raises(SpiFramingError, match="one byte per pulse"):
        await fxs.start()


@pytest.mark.asyncio
async def test_brown_out_is_detected_and_a_reset_brings_the_port_back(fxs):
    reset = EmulatedPin(17, fxs.clock)
    fxs.model.connect_reset(reset)
    fxs.model.brown_out()
    # Misframed, the chip either answers nothing or shows DR0 without the daisy-chain bit.
    with pytest.raises(ChipError, match=r"stopped answering|was reset"):
        fxs.driver.poll()
    reset.write(False)
    reset.write(True)
    await fxs.start()
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE


@pytest.mark.asyncio
async def test_a_chip_that_goes_silent_is_named(fxs):
    fxs.model.go_silent()
    with pytest.raises(ChipNotFound, match=r"fxs1: .*stopped answering: DR0 reads 0xFF"):
        fxs.driver.poll()


# Line feed


@pytest.mark.asyncio
async def test_feed_and_polarity(fxs):
    fxs.driver.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    assert fxs.model.linefeed == Linefeed.FORWARD_OHT
    fxs.driver.set_polarity(True)
    assert fxs.model.linefeed == Linefeed.REVERSE_OHT
    assert fxs.model.tip_ring_v == pytest.approx(-48.0)
    fxs.driver.set_feed(LineFeed.ACTIVE)
    assert fxs.model.linefeed == Linefeed.REVERSE_ACTIVE
    fxs.driver.set_feed(LineFeed.OPEN)
    assert fxs.model.linefeed == Linefeed.OPEN
    assert fxs.model.tip_ring_v == 0


@pytest.mark.asyncio
async def test_a_linefeed_the_chip_did_not_take_is_sent_again(fxs):
    fxs.model.stall_linefeed()
    fxs.driver.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    fxs.model.stall_linefeed(False)
    fxs.clock.advance_ms(50)
    fxs.driver.poll()
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE, "too early to send again"
    fxs.clock.advance_ms(60)
    fxs.driver.poll()
    assert fxs.model.linefeed == Linefeed.FORWARD_OHT


# Ringing


def _ringing_at(fxs, times_ms):
    seen, now_ms = [], 0
    for at_ms in times_ms:
        fxs.clock.advance_ms(at_ms - now_ms)
        now_ms = at_ms
        seen.append(fxs.model.ringing)
    return seen


@pytest.mark.asyncio
async def test_ringing_on_the_chips_cadence_timers(fxs):
    fxs.driver.start_ringing(RingSignal(20.0, 70.0, (2000, 4000)))
    assert fxs.model.ringing
    assert fxs.model.ring_frequency_hz == pytest.approx(20.0, abs=0.1)
    assert fxs.model.ring_amplitude_vpk == pytest.approx(70.0, abs=1.0)
    assert fxs.model.read_register(DR.RING_OSC_CONTROL) != 0, "the chip times the cadence"
    assert _ringing_at(fxs, [1990, 2010, 5990, 6010, 7990, 8010]) == [
        True,
        False,
        False,
        True,
        True,
        False,
    ]


@pytest.mark.asyncio
async def test_ringing_on_a_cadence_the_chip_cannot_time(fxs):
    fxs.driver.start_ringing(RingSignal(25.0, 60.0, (400, 200, 400, 2000)))
    assert fxs.model.ring_frequency_hz == pytest.approx(25.0, abs=0.1)
    assert _ringing_at(fxs, [390, 410, 590, 610, 990, 1010, 2990, 3010]) == [
        True,
        False,
        False,
        True,
        True,
        False,
        False,
        True,
    ]
    assert fxs.model.linefeed == Linefeed.RINGING
    fxs.clock.advance_ms(450)
    assert fxs.model.linefeed == Linefeed.FORWARD_OHT, "silences are on-hook transmission"


@pytest.mark.asyncio
async def test_continuous_ringing_and_stop(fxs):
    fxs.driver.start_ringing(RingSignal(cadence_ms=()))
    fxs.clock.advance_ms(30_000)
    assert fxs.model.ringing
    fxs.driver.stop_ringing()
    assert not fxs.model.ringing
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE


@pytest.mark.asyncio
async def test_stop_ringing_cancels_the_software_cadence(fxs):
    fxs.driver.start_ringing(RingSignal(cadence_ms=(400, 200, 400, 2000)))
    fxs.driver.stop_ringing()
    fxs.clock.advance_ms(5000)
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE


@pytest.mark.asyncio
async def test_answering_while_ringing_trips_the_ring(fxs):
    fxs.driver.start_ringing(RingSignal())
    fxs.clock.advance_ms(500)
    fxs.model.set_loop_closed(True)
    events = fxs.events_after(50)
    assert [type(e) for e in events] == [RingTripped, HookChanged]
    assert events[1].off_hook
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE
    assert not fxs.model.ringing
    fxs.clock.advance_ms(10_000)
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE, "cadence stopped"


@pytest.mark.asyncio
async def test_answering_in_a_software_cadence_silence_trips_the_ring(fxs):
    fxs.driver.start_ringing(RingSignal(cadence_ms=(400, 200, 400, 2000)))
    fxs.clock.advance_ms(1500)
    fxs.model.set_loop_closed(True)
    events = fxs.events_after(50)
    assert [type(e) for e in events] == [HookChanged]
    fxs.driver.stop_ringing()  # the line decides, as the hook went off between rings
    fxs.clock.advance_ms(5000)
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE


# Hook


@pytest.mark.asyncio
async def test_off_hook_is_reported_within_50_ms(fxs):
    fxs.model.set_loop_closed(True)
    events = fxs.events_after(50)
    assert [(type(e), e.off_hook) for e in events] == [(HookChanged, True)]
    assert events[0].at_s <= 0.05 + fxs.clock.monotonic()
    fxs.model.set_loop_closed(False)
    assert [e.off_hook for e in fxs.events_after(50)] == [False]
    assert not fxs.driver.off_hook


@pytest.mark.asyncio
async def test_closures_shorter_than_the_debounce_are_not_reported(fxs):
    for _ in range(5):
        fxs.model.set_loop_closed(True)
        fxs.clock.advance_ms(8)
        fxs.model.set_loop_closed(False)
        fxs.clock.advance_ms(20)
    assert fxs.interrupt.read(), "no interrupt for 8 ms closures"
    assert fxs.driver.poll() == []


@pytest.mark.asyncio
async def test_lost_interrupts_are_caught_by_the_poll(fxs):
    fxs.model.drop_interrupts()
    fxs.model.set_loop_closed(True)
    fxs.clock.advance_ms(50)
    assert fxs.interrupt.read(), "the interrupt was lost"
    assert [e.off_hook for e in fxs.driver.poll()] == [True]


@pytest.mark.asyncio
async def test_power_alarm_is_reported_and_the_feed_restored(fxs):
    fxs.model.trigger_power_alarm(3)
    assert not fxs.interrupt.read()
    assert fxs.model.linefeed == Linefeed.OPEN
    (event,) = fxs.driver.handle_interrupt()
    assert event == PowerAlarm("fxs1", fxs.clock.monotonic(), ("Q3",), restored=True)
    assert fxs.model.linefeed == Linefeed.FORWARD_ACTIVE
    assert fxs.interrupt.read()


@pytest.mark.asyncio
async def test_repeated_power_alarms_leave_the_line_open(fxs):
    restored = []
    for _ in range(12):
        fxs.model.trigger_power_alarm(1)
        restored.append(fxs.driver.handle_interrupt()[0].restored)
    assert restored == [True] * 10 + [False] * 2
    assert fxs.model.linefeed == Linefeed.OPEN
    fxs.clock.advance(10.0)
    fxs.model.trigger_power_alarm(1)
    assert fxs.driver.handle_interrupt()[0].restored, "a credit returns after 10 s"
