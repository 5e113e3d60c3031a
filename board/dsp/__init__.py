"""Telephony DSP on 8 kHz frames: DTMF, caller-ID modems and messages, call-progress tones.

Why it lives in `board`: the channels in `pbx/lines` run this DSP on their 20 ms frames,
and the emulator's far-end models in `board/emulator/` (an analog phone that dials DTMF
and shows caller ID, a phone-company line that sends caller ID and busy tone) need the
very same modems. `board` may import nothing above it, so the DSP sits here and both use
it. It imports nothing of ours but `board` itself, and no hardware.

Frames are 16-bit signed linear PCM at 8000 Hz (`pcm`); levels are in dBm0 as `level`
defines them. Every detector keeps its state across frames and takes chunks of any size.
"""
