"""Si3050 DAA register map (with the Si3019 line-side device): numbers and bits.

Shared by the driver and the emulator's model. Numbers follow hardware.md §2.5.
"""

from enum import IntEnum


class Reg(IntEnum):
    CONTROL_1 = 1
    CONTROL_2 = 2
    INTERRUPT_MASK = 3
    INTERRUPT_SOURCE = 4
    DAA_CONTROL_1 = 5
    DAA_CONTROL_2 = 6
    CHIP_REVISION = 11
    LINE_SIDE_STATUS = 12
    LINE_SIDE_REVISION = 13
    INTERNATIONAL_CONTROL_1 = 16
    INTERNATIONAL_CONTROL_2 = 17
    INTERNATIONAL_CONTROL_3 = 18
    RING_VALIDATION_1 = 22
    RING_VALIDATION_2 = 23
    RING_VALIDATION_3 = 24
    DC_TERMINATION = 26
    LOOP_CURRENT_STATUS = 28
    LINE_VOLTAGE_STATUS = 29
    AC_TERMINATION = 30
    DAA_CONTROL_3 = 31
    PCM_SPI_MODE = 33
    PCM_TX_START_LO = 34
    PCM_TX_START_HI = 35
    PCM_RX_START_LO = 36
    PCM_RX_START_HI = 37


# SPI control byte: [0x20 | CID, reg, data]; 0x40 reads; 0x80 broadcasts a write.
CONTROL_BYTE = 0x20
CONTROL_READ = 0x40
CONTROL_BROADCAST = 0x80
CHANNEL_ID_MASK = 0x0F


def channel_id(chain_index: int) -> int:
    """The control byte's channel ID: the chip's chain position, bit-reversed in four bits."""
    return int(f"{chain_index:04b}"[::-1], 2)


# Reg 1
SOFTWARE_RESET = 0x80
# Reg 2: reads 0x03 after reset
RESET_CONTROL_2 = 0x03
INTERRUPT_PIN_ENABLE = 0x80
# Reg 3/4
INTERRUPT_RING = 0x80  # RDTM / RDTI
INTERRUPT_POLARITY = 0x01  # POLM / POLI: every change of LVS bit 7
# Reg 5
OFF_HOOK = 0x01
RING_DETECTED = 0x04
ON_HOOK_MONITOR = 0x08
RING_POSITIVE = 0x20  # RDTP
RING_NEGATIVE = 0x40  # RDTN
# Reg 6: the line side is powered down until this bit is cleared
LINE_SIDE_POWER_DOWN = 0x10
RESET_DAA_CONTROL_2 = LINE_SIDE_POWER_DOWN
# Reg 11: b7:4 line-side device (non-zero once the isolation link is up), b3:0 revision
LINE_SIDE_ID_SHIFT = 4
# Reg 12
FRAME_DETECT = 0x40
LOOP_CURRENT_MASK = 0x1F
# Reg 16
ON_HOOK_SPEED = 0x40
RINGER_IMPEDANCE = 0x02
RING_THRESHOLD = 0x01
# Reg 18
RING_FULL_WAVE = 0x02
# Reg 26
DC_VOLTAGE_SHIFT = 6
MINIMUM_CURRENT_SHIFT = 4
CURRENT_LIMIT = 0x02
# Reg 31
FOH_SHIFT = 5
OFF_HOOK_COUNTER_CODES = {512: 0, 128: 1, 64: 2, 8: 3}  # FOH, in ms
ON_HOOK_SPEED_2 = 0x08
LINE_VOLTAGE_FORCE_DISABLE = 0x01  # LVFD: report LVS below 3 V too
# Reg 33
PCM_ENABLE = 0x20
PCM_FORMAT_SHIFT = 3
PCM_FORMAT_MASK = 0x18
PCM_FORMAT_CODES = {"alaw": 0, "ulaw": 1, "linear16": 3}

# Scales (hardware.md §2.5)
LINE_VOLTAGE_V_PER_STEP = 1.0  # reg 29, signed
LOOP_CURRENT_MA_PER_STEP = 3.3  # reg 12 LCS
LOOP_CURRENT_2_MA_PER_STEP = 1.1  # reg 28 LCS2 [verify]
