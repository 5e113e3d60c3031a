"""Linux backends, as far as they run without a Pi: gpiozero's mock pins, a pyserial
loop, a socket standing in for the TDM device, and a recording spidev handle."""

import asyncio
import os
import socket
import tty

import pytest
from gpiozero.pins.mock import MockFactory

from board import BoardError
from board.hal import PcmFormat
from board.linux.clock import LoopClock
from board.linux.gpio import GpiozeroInput, GpiozeroOutput
from board.linux.pcm import TdmPcmBus
from board.linux.serial import PyserialPort
from board.linux.spi import SpidevDevice


class RecordingSpidev:
    """The part of py-spidev's SpiDev the backend uses, recording each call."""

    def __init__(self, chip_select=None):
        self.calls = []
        self.chip_select = chip_select

    def xfer(self, data):
        self.calls.append(("xfer", list(data)))
        return [0xA0 + i for i in range(len(data))]

    def xfer2(self, data):
        level = self.chip_select.state if self.chip_select else None
        self.calls.append(("xfer2", list(data), level))
        return [0x55] * len(data)


@pytest.fixture
def pins():
    factory = MockFactory()
    yield factory
    factory.reset()


def test_a_gpio_chip_select_pulses_around_every_byte(pins):
    chip_select = GpiozeroOutput(pins, 16, initial_high=True)
    spidev = RecordingSpidev(pins.pin(16))
    device = SpidevDevice(spidev, chip_select)
    assert device.transfer(b"\x01\x82\x00") == b"\x55\x55\x55"
    assert spidev.calls == [("xfer2", [1], 0), ("xfer2", [0x82], 0), ("xfer2", [0], 0)]
    assert pins.pin(16).state == 1, "released after the last byte"


def test_without_a_gpio_chip_select_spidev_xfer_releases_between_bytes():
    spidev = RecordingSpidev()
    assert SpidevDevice(spidev, None).transfer(b"\x20\x02\x00") == b"\xa0\xa1\xa2"
    assert spidev.calls == [("xfer", [0x20, 0x02, 0x00])]


@pytest.mark.asyncio
async def test_gpio_edges_reach_the_loop(pins):
    line = GpiozeroInput(pins, 22, asyncio.get_running_loop())
    levels = []
    line.on_edge(levels.append)
    assert line.read(), "pulled up"
    pins.pin(22).drive_low()
    pins.pin(22).drive_high()
    await asyncio.sleep(0)
    assert levels == [False, True]
    line.on_edge(None)
    pins.pin(22).drive_low()
    await asyncio.sleep(0)
    assert levels == [False, True]


@pytest.mark.asyncio
async def test_serial_port_reads_on_the_loop():
    controller, device = os.openpty()
    port = PyserialPort(os.ttyname(device), 9600, asyncio.get_running_loop())
    tty.setraw(controller)
    received = asyncio.Queue()
    port.on_receive(received.put_nowait)
    os.write(controller, b"K1")
    assert await asyncio.wait_for(received.get(), 2) == b"K1"
    port.write(b"ready")
    assert os.read(controller, 16) == b"ready"
    port.close()
    os.close(controller)
    os.close(device)


@pytest.mark.asyncio
async def test_loop_clock_times_and_sleeps():
    loop = asyncio.get_running_loop()
    clock = LoopClock(loop)
    fired = loop.create_future()
    clock.call_later(0.01, lambda: fired.set_result(clock.monotonic()))
    started = clock.monotonic()
    await clock.sleep(0.02)
    assert await fired - started >= 0.01


def test_tdm_frames_are_split_per_slot_and_written_back_in_step():
    host, device = socket.socketpair()
    bus = TdmPcmBus(host.fileno(), PcmFormat.ULAW, frame_slots=4)
    bus.write(2, b"\x21\x22")
    device.sendall(bytes([0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x33]))
    assert bus.pump() == 3
    assert bus.read(1, 160) == b"\x11\x21\x31"
    assert bus.read(3, 2) == b"\x13\x23"
    sent = device.recv(64)
    assert sent == bytes([0xFF, 0xFF, 0x21, 0xFF, 0xFF, 0xFF, 0x22, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    host.close()
    device.close()


def test_the_tdm_backend_refuses_linear_samples():
    with pytest.raises(BoardError, match="companded"):
        TdmPcmBus(-1, PcmFormat.LINEAR16, frame_slots=8)
