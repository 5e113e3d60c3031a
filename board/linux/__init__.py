"""Linux backends of the HAL: spidev, gpiozero, pyserial and the TDM device.

The hardware libraries are imported here only, and only when a backend is opened,
so everything else (and the emulator) runs on a machine without them.
"""
