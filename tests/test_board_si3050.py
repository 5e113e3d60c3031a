"""Si3050Driver against Si3050Model (DAA plus line side), through the emulated HAL."""

from dataclasses import dataclass

import pytest
import pytest_asyncio

from board import BoardError
from board.chips.daa_country import daa_countries, daa_country
from board.chips.location import ChipLocation
from board.chips.si3050 import Si3050Driver, Si3050Settings
from board.chips.si3050_registers import Reg, channel_id
from board.emu.clock import ManualClock
from board.emu.gpio import EmulatedPin
from board.emu.pcm import EmulatedPcmBus
from board.emu.si3050 import Si3050Model
from board.emu.spi import EmulatedSpiDevice
from board.errors import ChipFault, ChipNotFound, ChipTimeout
from board.events import BatteryChanged, LineAlarm, PolarityChanged, RingChanged
from board.hal import PcmFormat

POLL_MS = 10


@dataclass
class Fxo:
    clock: ManualClock
    spi: EmulatedSpiDevice
    model: Si3050Model
    driver: Si3050Driver
    interrupt: EmulatedPin

    async def start(self):
        await self.driver.initialize()
        return self

    def run(self, milliseconds):
        """Poll every 10 ms for `milliseconds`, as the board monitor does; return events."""
        events = []
        for _ in range(round(milliseconds / POLL_MS)):
            self.clock.advance_ms(POLL_MS)
            events += self.driver.poll()
        return events


def make_fxo(chain_index=0, **settings) -> Fxo:
    clock = ManualClock()
    spi = EmulatedSpiDevice("fxo")
    model = Si3050Model(clock, "fxo1", chain_index)
    spi.attach(model)
    interrupt = EmulatedPin(6, clock)
    model.connect_interrupt(interrupt)
    location = ChipLocation("fxo1", "Si3050", "fxo", chain_index)
    driver = Si3050Driver(spi, location, clock, Si3050Settings(timeslot=4, **settings))
    return Fxo(clock, spi, model, driver, interrupt)


@pytest_asyncio.fixture
async def fxo():
    return await make_fxo().start()


def test_channel_ids_are_bit_reversed():
    assert [channel_id(i) for i in range(4)] == [0x0, 0x8, 0x4, 0xC]


def test_every_country_in_the_table_loads():
    countries = daa_countries()
    assert {"USA", "UK", "TBR21", "SAUDIARABIA", "EGYPT", "UAE"} <= set(countries)
    assert countries["UK"].dc_termination == 0xC2
    assert countries["AUSTRALIA"].international_control_1 == 0x40
    assert countries["SOUTHAFRICA"].international_control_1 == 0x42
    assert countries["EGYPT"].dc_termination == 0x30


def test_an_unknown_country_lists_the_known_ones():
    with pytest.raises(BoardError, match=r"no DAA settings for 'IRAN'; known: AUSTRALIA"):
        daa_country("IRAN")


# Bring-up


@pytest.mark.asyncio
async def test_bring_up_powers_the_line_side_and_goes_on_hook(fxo):
    assert fxo.model.line_side_powered
    assert not fxo.model.off_hook
    assert fxo.model.on_hook_monitor
    assert fxo.driver.battery_present
    assert not fxo.driver.polarity_reversed
    assert fxo.driver.line_voltage_v() == 48
    assert fxo.model.pcm.enabled
    assert fxo.model.pcm.tx_timeslot == 4


@pytest.mark.asyncio
async def test_country_settings_reach_the_registers():
    fxo = await make_fxo(country=daa_country("UK"), off_hook_counter_ms=8).start()
    registers = fxo.model.registers
    assert registers[Reg.DC_TERMINATION] == 0xC2
    assert registers[Reg.AC_TERMINATION] == 0x05
    assert registers[Reg.DAA_CONTROL_3] == 0x60 | 0x08 | 0x01  # FOH 8 ms, OHS2, LVFD


@pytest.mark.asyncio
async def test_a_new_country_reprograms_an_idle_daa_that_keeps_working(fxo):
    assert fxo.model.registers[Reg.AC_TERMINATION] == 0x00  # USA: 600 ohm
    fxo.driver.set_country(daa_country("GERMANY"))
    registers = fxo.model.registers
    assert (registers[Reg.DC_TERMINATION], registers[Reg.AC_TERMINATION]) == (0xC2, 0x03)
    assert registers[Reg.DAA_CONTROL_3] & 0x08  # OHS2
    fxo.driver.set_off_hook(True)
    assert fxo.run(200) == []
    assert fxo.driver.loop_current_ma() > 10  # the line still answers to the DAA


@pytest.mark.asyncio
async def test_ring_validation_is_written_only_where_a_country_sets_it():
    uae = await make_fxo(country=daa_country("UAE")).start()
    usa = await make_fxo().start()
    assert uae.model.registers[Reg.RING_VALIDATION_2] == 0x2B
    assert usa.model.registers[Reg.RING_VALIDATION_2] == 0


@pytest.mark.asyncio
async def test_four_daas_on_one_chip_select_answer_to_their_own_ids():
    clock = ManualClock()
    spi = EmulatedSpiDevice("fxo")
    models = [Si3050Model(clock, f"fxo{i + 1}", i) for i in range(4)]
    for model in models:
        spi.attach(model)
    drivers = [
        Si3050Driver(
            spi, ChipLocation(f"fxo{i + 1}", "Si3050", "fxo", i), clock, Si3050Settings(timeslot=i)
        )
        for i in range(4)
    ]
    for driver in drivers:
        await driver.initialize()
    drivers[2].set_off_hook(True)
    assert [model.off_hook for model in models] == [False, False, True, False]
    assert [model.pcm.tx_timeslot for model in models] == [0, 1, 2, 3]


@pytest.mark.asyncio
@pytest.mark.parametrize("miso", [0xFF, 0x00])
async def test_a_daa_that_never_answers_is_named(miso):
    fxo = make_fxo()
    fxo.model.go_silent(miso)
    with pytest.raises(ChipNotFound, match=r"fxo1: Si3050 on chip select 'fxo'.*does not answer"):
        await fxo.start()


@pytest.mark.asyncio
async def test_a_daa_with_wrong_reset_values_is_refused():
    fxo = make_fxo()
    fxo.model.stick_bits(Reg.CONTROL_2, 0x10, 0x10)
    with pytest.raises(ChipFault, match="register 2 reads 0x13"):
        await fxo.start()


@pytest.mark.asyncio
async def test_a_line_side_that_never_links_times_out_in_two_seconds():
    fxo = make_fxo()
    fxo.model.line_side_id = 0
    with pytest.raises(ChipTimeout, match=r"line-side device \(Si3019\) not up within 2 s"):
        await fxo.start()
    assert fxo.clock.monotonic() < 3.0


# Hook and monitors


@pytest.mark.asyncio
async def test_off_hook_draws_loop_current_and_drops_the_line_voltage(fxo):
    assert fxo.driver.loop_current_ma() == 0
    fxo.driver.set_off_hook(True)
    assert fxo.model.off_hook
    assert fxo.driver.off_hook
    assert fxo.driver.loop_current_ma() == pytest.approx(25.0, abs=1.1)
    assert fxo.driver.line_voltage_v() == 8
    assert fxo.run(500) == [], "seizing the line is no battery loss"
    fxo.driver.set_off_hook(False)
    assert fxo.driver.line_voltage_v() == 48


@pytest.mark.asyncio
async def test_audio_passes_off_hook_or_with_the_on_hook_monitor(fxo):
    bus = EmulatedPcmBus(PcmFormat.ULAW, frame_slots=8)
    bus.attach(fxo.model.pcm)
    fxo.model.pcm.from_line.extend(b"\x11\x22")
    assert bus.read(4, 160) == b"\x11\x22", "caller ID is heard on-hook"
    fxo.driver.set_on_hook_monitor(False)
    fxo.model.pcm.from_line.extend(b"\x33")
    assert bus.read(4, 160) == b""
    fxo.driver.set_off_hook(True)
    assert bus.read(4, 160) == b"\x33"


# Ring detection


def _first(events, kind):
    return next(event for event in events if isinstance(event, kind))


@pytest.mark.asyncio
@pytest.mark.parametrize("frequency_hz", [20.0, 25.0, 50 / 3])
async def test_ring_is_detected_within_200_ms_and_ends_within_150_ms(fxo, frequency_hz):
    fxo.run(100)
    fxo.model.start_ring(vrms=70, frequency_hz=frequency_hz)
    started_s = fxo.clock.monotonic()
    start = _first(fxo.run(300), RingChanged)
    assert start.ringing
    assert start.at_s - started_s <= 0.2
    assert fxo.driver.ringing
    fxo.run(1500)
    fxo.model.stop_ring()
    stopped_s = fxo.clock.monotonic()
    end = _first(fxo.run(300), RingChanged)
    assert not end.ringing
    assert end.at_s - stopped_s <= 0.15


@pytest.mark.asyncio
async def test_a_ring_on_a_dead_line_is_no_ring(fxo):
    fxo.model.set_battery(0)
    fxo.run(200)
    fxo.model.start_ring()
    assert not any(isinstance(e, RingChanged) for e in fxo.run(1000))


@pytest.mark.asyncio
async def test_the_ring_threshold_follows_the_country():
    usa = await make_fxo().start()
    fcc = await make_fxo(country=daa_country("FCC")).start()
    for fxo in (usa, fcc):
        fxo.model.start_ring(vrms=18.0)
    assert any(isinstance(e, RingChanged) for e in usa.run(300))
    assert not any(isinstance(e, RingChanged) for e in fcc.run(300))


@pytest.mark.asyncio
async def test_ring_latches_the_interrupt(fxo):
    fxo.model.start_ring()
    assert not fxo.interrupt.read()
    fxo.driver.handle_interrupt()
    assert fxo.interrupt.read()


# Polarity and battery


@pytest.mark.asyncio
async def test_polarity_reversal_is_reported_after_64_ms(fxo):
    fxo.model.set_polarity(True)
    assert not fxo.interrupt.read(), "POLI on the sign change"
    assert fxo.driver.handle_interrupt() == []
    assert fxo.run(50) == [], "not settled yet"
    (event,) = fxo.run(30)
    assert event == PolarityChanged("fxo1", event.at_s, reversed=True)
    fxo.model.set_polarity(False)
    assert [e.reversed for e in fxo.run(100)] == [False]


@pytest.mark.asyncio
async def test_a_polarity_blip_is_no_reversal(fxo):
    fxo.model.set_polarity(True)
    fxo.run(30)
    fxo.model.set_polarity(False)
    assert fxo.run(500) == []


@pytest.mark.asyncio
async def test_polarity_reversal_while_off_hook_is_answer_supervision(fxo):
    fxo.driver.set_off_hook(True)
    fxo.model.set_polarity(True)
    assert [type(e) for e in fxo.run(100)] == [PolarityChanged]


@pytest.mark.asyncio
async def test_battery_loss_then_red_alarm_then_return(fxo):
    fxo.model.set_battery(0)
    lost_s = fxo.clock.monotonic()
    (lost,) = fxo.run(100)
    assert lost == BatteryChanged("fxo1", lost.at_s, present=False)
    assert 64 <= round((lost.at_s - lost_s) * 1000) <= 80
    (alarm,) = fxo.run(1000)
    assert isinstance(alarm, LineAlarm)
    assert alarm.active
    assert alarm.at_s - lost.at_s >= 1.0
    fxo.model.set_battery(48)
    assert [type(e) for e in fxo.run(100)] == [BatteryChanged, LineAlarm]
    assert fxo.driver.battery_present


@pytest.mark.asyncio
async def test_lost_interrupts_do_not_hide_polarity(fxo):
    fxo.model.drop_interrupts()
    fxo.model.set_polarity(True)
    assert fxo.interrupt.read()
    assert [type(e) for e in fxo.run(100)] == [PolarityChanged]


@pytest.mark.asyncio
async def test_brown_out_is_detected_and_the_daa_brought_back(fxo):
    fxo.clock.advance(1.0)
    fxo.model.brown_out()
    with pytest.raises(ChipFault, match="was reset"):
        fxo.driver.poll()
    await fxo.driver.initialize()
    assert fxo.model.line_side_powered
    assert fxo.run(100) == []


@pytest.mark.asyncio
async def test_a_daa_that_goes_silent_is_named(fxo):
    fxo.clock.advance(1.0)
    fxo.model.go_silent()
    with pytest.raises(ChipNotFound, match=r"fxo1: .*stopped answering"):
        fxo.driver.poll()
