"""Hardware abstraction: the protocols every board backend (Linux or emulated) implements."""

from board.hal.clock import Clock, TimerHandle
from board.hal.gpio import GpioInput, GpioOutput
from board.hal.io import BoardIo
from board.hal.pcm import PcmBus, PcmFormat
from board.hal.ports import FxoPort, FxsPort, LineFeed, RingSignal
from board.hal.serial import SerialPort
from board.hal.spi import SpiDevice

__all__ = [
    "BoardIo",
    "Clock",
    "FxoPort",
    "FxsPort",
    "GpioInput",
    "GpioOutput",
    "LineFeed",
    "PcmBus",
    "PcmFormat",
    "RingSignal",
    "SerialPort",
    "SpiDevice",
    "TimerHandle",
]
