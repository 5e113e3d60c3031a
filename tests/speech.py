"""Speech for the DSP tests: espeak-ng in several languages, resampled to 8 kHz PCM.

Nothing is stored in the repository: the corpus is spoken into a temporary directory
when a test first asks for it (the `speech_corpus` fixture), a few minutes in all.
"""

import subprocess
import wave
from pathlib import Path

import numpy as np

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, to_pcm

TEXTS = {
    "en": (
        "Thank you for calling. All of our agents are busy helping other customers. "
        "Your call is important to us, please stay on the line. You are number three "
        "in the queue. For billing questions, press one. To speak to an operator, "
        "press zero. Our offices are open Monday to Friday from nine in the morning "
        "until half past five. Good morning, this is Sarah, how can I help you today? "
        "Could you read me the account number, and the date of your last payment, "
        "the twenty first of November? Seven four two, nine one eight, six six zero."
    ),
    "de": (
        "Vielen Dank für Ihren Anruf. Alle Mitarbeiter sind im Gespräch. Bitte bleiben "
        "Sie in der Leitung, Sie werden mit dem nächsten freien Platz verbunden. Guten "
        "Tag, mein Name ist Müller, was kann ich für Sie tun? Ihre Kundennummer lautet "
        "vier sieben drei, neun zwei acht. Die Rechnung vom zwölften Oktober über "
        "dreihundertzwanzig Euro ist noch offen. Schönes Wochenende und auf Wiederhören."
    ),
    "fr": (
        "Merci de votre appel. Tous nos conseillers sont actuellement en ligne. Nous "
        "allons donner suite à votre appel dans quelques instants. Bonjour, je m'appelle "
        "Claire, que puis-je faire pour vous? Pouvez-vous me donner votre numéro de "
        "client, s'il vous plaît? Quatre-vingt-dix-sept, trente-deux, quinze. La "
        "livraison est prévue pour jeudi matin entre huit heures et midi. Au revoir."
    ),
    "ar": (
        "شكرا لاتصالكم. جميع موظفينا مشغولون حاليا بخدمة عملاء آخرين. يرجى البقاء على "
        "الخط. ترتيبكم في قائمة الانتظار هو الثالث. صباح الخير، معك أحمد، كيف يمكنني "
        "مساعدتك اليوم؟ هل يمكنك أن تعطيني رقم الحساب من فضلك؟ سبعة، أربعة، اثنان، تسعة. "
        "سيصل المندوب يوم الخميس بين الساعة الثامنة والساعة الثانية عشرة. مع السلامة."
    ),
    "fa": (
        "از تماس شما سپاسگزاریم. همه همکاران ما در حال پاسخگویی به مشتریان دیگر هستند. "
        "لطفا پشت خط بمانید. سلام، من مریم هستم، چطور می توانم کمکتان کنم؟ لطفا شماره "
        "حساب خود را بگویید. هفت، چهار، دو، نه، یک. سفارش شما روز پنجشنبه ساعت هشت صبح "
        "ارسال می شود. از شکیبایی شما متشکریم. روز خوبی داشته باشید. خدا نگهدار."
    ),
}
VOICES = {"en": "en-us", "de": "de", "fr": "fr-fr", "ar": "ar", "fa": "fa"}
# (voice variant, pitch 0-99, words per minute): low to high voices, slow to fast.
TALKERS = (("m3", 25, 150), ("m1", 50, 175), ("f4", 60, 165), ("f2", 75, 190))
LEVEL_DBM0 = -15.0  # a loud talker: talk-off grows with level


def resample_to_8k(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """Band-limited resampling by FFT (the whole utterance at once)."""
    out_count = round(len(samples) * SAMPLE_RATE_HZ / rate_hz)
    spectrum = np.fft.rfft(samples)
    kept = out_count // 2 + 1
    resampled = np.fft.irfft(spectrum[:kept], out_count)
    return resampled * out_count / len(samples)


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return data.astype(np.float64), rate


def _at_level(samples: np.ndarray, level_dbm0: float) -> np.ndarray:
    """Scaled so the active speech (above -50 dBm0 in 20 ms blocks) has `level_dbm0`."""
    blocks = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    power = (blocks**2).mean(axis=1)
    active = power[power > power_of_dbm0(-50 + level_dbm0)]
    return samples * np.sqrt(power_of_dbm0(level_dbm0) / active.mean())


def speak(directory: Path, language: str, talker: tuple[str, int, int]) -> np.ndarray:
    """One talker reading the language's text, as int16 PCM at 8 kHz."""
    variant, pitch, speed = talker
    path = directory / f"{language}-{variant}.wav"
    voice = f"{VOICES[language]}+{variant}"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(path), "--stdin"],
        input=TEXTS[language].encode(),
        check=True,
        timeout=60,
    )
    samples, rate = _read_wav(path)
    return to_pcm(_at_level(resample_to_8k(samples, rate), LEVEL_DBM0))


def corpus(directory: Path) -> dict[str, np.ndarray]:
    """Every language read by every talker: name ("en-m3") to int16 PCM."""
    return {
        f"{language}-{talker[0]}": speak(directory, language, talker)
        for language in TEXTS
        for talker in TALKERS
    }
