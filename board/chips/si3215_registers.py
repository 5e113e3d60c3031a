"""Si3215 ProSLIC register map: direct and indirect register numbers and their bits.

Shared by the driver and the emulator's model (both describe the same silicon).
Numbers follow hardware.md §2.2-2.4; the indirect numbers are the Si3215's own
("alt") column, not the Si3210's.
"""

from enum import IntEnum


class DR(IntEnum):
    """Direct registers."""

    SPI_MODE = 0  # b7 daisy chain, b5:4 part number, b3:0 revision
    PCM_MODE = 1
    PCM_TX_START_LO = 2
    PCM_TX_START_HI = 3
    PCM_RX_START_LO = 4
    PCM_RX_START_HI = 5
    LOOPBACK = 8
    AUDIO_GAIN = 9
    TWO_WIRE_IMPEDANCE = 10
    HYBRID = 11
    POWER_DOWN_1 = 14
    IRQ_STATUS_1 = 18
    IRQ_STATUS_2 = 19
    IRQ_STATUS_3 = 20
    IRQ_ENABLE_1 = 21
    IRQ_ENABLE_2 = 22
    IRQ_ENABLE_3 = 23
    INDIRECT_DATA_LO = 28
    INDIRECT_DATA_HI = 29
    INDIRECT_ADDRESS = 30
    INDIRECT_STATUS = 31
    RING_OSC_CONTROL = 34
    RING_ACTIVE_TIMER_LO = 48
    RING_ACTIVE_TIMER_HI = 49
    RING_INACTIVE_TIMER_LO = 50
    RING_INACTIVE_TIMER_HI = 51
    LINEFEED = 64
    BIAS_SQUELCH = 65
    BATTERY_FEED = 66
    AUTO_MANUAL = 67
    LOOP_STATUS = 68
    LOOP_DEBOUNCE = 69
    RING_TRIP_DEBOUNCE = 70
    LOOP_CURRENT_LIMIT = 71
    OPEN_CIRCUIT_VOLTAGE = 72
    COMMON_MODE_VOLTAGE = 73
    VBAT_HIGH = 74
    VBAT_LOW = 75
    LOOP_VOLTAGE_SENSE = 78
    LOOP_CURRENT_SENSE = 79
    VBAT_SENSE_HIGH = 82
    VBAT_SENSE_LOW = 83
    DCDC_PWM_PERIOD = 92
    DCDC_CONTROL = 93
    CALIBRATION_1 = 96
    CALIBRATION_2 = 97
    CAL_RESULT_FIRST = 98
    CAL_RESULT_LAST = 107
    ENHANCEMENT = 108


class IR(IntEnum):
    """Indirect registers (Si3215 numbering)."""

    OSC1_COEFF = 0
    OSC1_X = 1
    OSC1_Y = 2
    OSC2_COEFF = 3
    OSC2_X = 4
    OSC2_Y = 5
    RING_OFFSET = 6
    RING_FREQUENCY = 7  # RCO
    RING_AMPLITUDE = 8  # RNGX
    RING_PHASE = 9  # RNGY
    RX_GAIN = 13
    TX_GAIN = 14
    LOOP_CLOSURE_THRESHOLD = 15
    RING_TRIP_THRESHOLD = 16
    COMMON_MODE_MIN = 17
    COMMON_MODE_MAX = 18
    POWER_ALARM_Q1Q2 = 19
    POWER_ALARM_Q3Q4 = 20
    POWER_ALARM_Q5Q6 = 21
    LOOP_CLOSURE_FILTER = 22
    RING_TRIP_FILTER = 23
    THERMAL_POLE_Q1Q2 = 24
    THERMAL_POLE_Q3Q4 = 25
    THERMAL_POLE_Q5Q6 = 26
    RING_COMMON_MODE_BIAS = 27
    DCDC_MIN_VOLTAGE = 64
    LOOP_CLOSURE_THRESHOLD_LOW = 66


class Linefeed(IntEnum):
    """DR64 linefeed codes: LF (b2:0) commands, LFS (b6:4) reports. Bit 2 reverses."""

    OPEN = 0
    FORWARD_ACTIVE = 1
    FORWARD_OHT = 2
    TIP_OPEN = 3
    RINGING = 4
    REVERSE_ACTIVE = 5
    REVERSE_OHT = 6
    RING_OPEN = 7


# DR0
DAISY_CHAIN_ENABLE = 0x80
REVISION_MASK = 0x0F
# DR1: b7 reads 1 on an Si3215 (0 on an Si3210)
PCM_MODE_IS_SI3215 = 0x80
PCM_ENABLE = 0x20
PCM_FORMAT_SHIFT = 3
PCM_FORMAT_MASK = 0x18
PCM_FORMAT_CODES = {"alaw": 0, "ulaw": 1, "linear16": 3}
# DR14
POWER_DOWN_DCDC = 0x10
# DR19
IRQ2_RING_TRIP = 0x01
IRQ2_LOOP_CLOSURE = 0x02
IRQ2_POWER_ALARM_SHIFT = 2  # b7:2 are Q1..Q6
IRQ2_POWER_ALARMS = 0xFC
# DR20
IRQ3_CM_BALANCE_CAL = 0x04
# DR34: the chip toggles ringing and silence itself when both timers are enabled
RING_ACTIVE_TIMER_ENABLE = 0x08
RING_INACTIVE_TIMER_ENABLE = 0x10
# DR64
LINEFEED_MASK = 0x07
LINEFEED_STATE_SHIFT = 4
LINEFEED_REVERSE = 0x04
# DR68: b7:3 always read 0, so a set bit there means nobody answered
LOOP_STATUS_LOOP_CLOSED = 0x01
LOOP_STATUS_RING_TRIP = 0x02
LOOP_STATUS_RESERVED = 0xF8
# DR93
DCDC_ENGAGE = 0x19
DCDC_CALIBRATE = 0x80
# DR96/97: DR96 clears itself when calibration is done
CALIBRATION_2_ALL = 0x1F
CALIBRATION_1_START = 0x5F

# Reset values the driver's sanity check relies on.
RESET_PCM_MODE = 0x88
RESET_LOOPBACK = 0x02
RESET_HYBRID = 0x33
RESET_VBAT_HIGH = 0x32  # 75 V

# Scales (hardware.md §2.2-2.3).
VOLTS_PER_VOC_STEP = 1.5  # DR72, DR74, DR75
VBAT_SENSE_MV_PER_STEP = 376  # DR82, DR83
LOOP_VOLTAGE_MV_PER_STEP = 376  # DR78, signed by polarity [verify]
LOOP_CURRENT_UA_PER_STEP = 330  # DR79 [verify]
TIMER_TICK_US = 125  # DR48-51 count 8 kHz samples
RING_OSCILLATOR_RATE_HZ = 1000  # RCO = cos(2 pi f / 1000 Hz) * 2^15
RING_FULL_SCALE_V = 96.0
LOOP_CURRENT_BASE_MA = 20
LOOP_CURRENT_STEP_MA = 3
CAL_RESULT_VALID = range(0x02, 0x0E)  # DR107
CAL_RESULT_FALLBACK = 0x08
