"""The `local` backend's eSpeak NG voices: stable per character, shaped by direction, fitted to time."""

from __future__ import annotations

import wave
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from filmc.backends.local import voice

LINE = "I told you already, we leave at dawn, and nobody comes back for the ones who fall behind."


def say(text: str = LINE, *, character: str = "ALIN", description: str = "young male, determined", direction: str | None = None,
        sung: bool = False, duration_s: float = 30.0, seed: int | None = 7) -> np.ndarray:
    samples, rate = voice.speak(text, character=character, voice=description, direction=direction, sung=sung,
                                duration_s=duration_s, seed=seed)
    assert rate == voice.SAMPLE_RATE == 22050
    assert samples.dtype == np.int16 and samples.ndim == 1
    return samples


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def f0(samples: np.ndarray, rate: int = voice.SAMPLE_RATE) -> float:
    """Median fundamental of the loud, periodic 40 ms frames, by autocorrelation (60-400 Hz)."""
    x = samples.astype(np.float64)
    frame, loud = int(0.04 * rate), 0.5 * rms(samples)
    estimates = []
    for start in range(0, len(x) - frame, frame // 2):
        w = x[start:start + frame] - x[start:start + frame].mean()
        if np.sqrt(np.mean(w**2)) < loud:
            continue
        ac = np.correlate(w, w, "full")[frame - 1:]
        low, high = rate // 400, rate // 60
        lag = low + int(np.argmax(ac[low:high]))
        if ac[lag] > 0.5 * ac[0]:
            estimates.append(rate / lag)
    assert estimates, "no voiced frames"
    return float(np.median(estimates))


def test_same_inputs_same_samples_even_after_other_lines():
    first, sung = say(), say(sung=True)
    say(character="MARA", description="low female, warm", direction="whispering")
    assert np.array_equal(first, say())
    assert np.array_equal(sung, say(sung=True))


def test_threads_get_the_samples_a_single_thread_gets():
    characters = ["ALIN", "MARA", "TOV", "NANA"]
    alone = [say(character=c, description="") for c in characters]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda c: say(character=c, description=""), characters))
    assert all(np.array_equal(a, b) for a, b in zip(alone, together))


def test_characters_described_alike_sound_different():
    description = "middle-aged man, calm"
    a, b = voice.cast("ALIN", description), voice.cast("TOV", description)
    assert a != b
    assert not np.array_equal(say(character="ALIN", description=description), say(character="TOV", description=description))


def test_a_character_keeps_its_voice_whatever_the_case_of_its_name():
    assert voice.cast("Alin", "") == voice.cast("ALIN", "")


@pytest.mark.parametrize("male, female", [
    ("young male, determined", "young female, determined"),
    ("man", "woman"),
    ("deep, echoing, slow", "high, bright"),
])
def test_male_and_female_descriptions_differ_in_pitch(male, female):
    assert f0(say(character="SAM", description=female)) > 1.4 * f0(say(character="SAM", description=male))


def test_description_words_choose_the_voice():
    assert voice.cast("NANA", "old woman, raspy").variant == "grandma"
    assert voice.cast("GHOST", "deep, echoing, slow").echo
    assert voice.cast("GHOST", "deep, echoing, slow").rate < voice.cast("GHOST", "").rate
    assert voice.cast("HAMISH", "scottish man").language == "en-gb-scotland"
    assert voice.cast("K9", "robotic").variant == "robosoft"
    assert voice.cast("SPY", "male, whisper").variant == "whisper"


def test_screaming_is_louder_and_higher_than_whispering():
    screaming, whispering, plain = (say(direction=d) for d in ("screaming", "whispering", None))
    assert rms(screaming) > 2 * rms(whispering)
    assert f0(screaming) > 1.2 * f0(plain)


@pytest.mark.parametrize("direction", [None, "beat", "V.O.", "O.S.", "CONT'D"])
def test_directions_that_say_nothing_of_the_voice_leave_it_alone(direction):
    assert voice.direct(voice.cast("ALIN", ""), direction) == voice.cast("ALIN", "")


def test_slowly_and_sung_lines_are_slower():
    plain, slowly, sung = (len(say(direction=d, sung=s)) for d, s in ((None, False), ("slowly", False), (None, True)))
    assert plain < slowly
    assert plain < sung


def test_a_long_line_with_little_time_is_spoken_faster():
    unfitted = say(duration_s=60)
    fitted = say(duration_s=3.0)
    assert len(fitted) < 0.6 * len(unfitted)
    assert len(fitted) / voice.SAMPLE_RATE < 3.0 + 0.5


def test_a_line_that_fits_is_not_touched():
    assert np.array_equal(say(duration_s=30), say(duration_s=12))


def test_speech_has_words_worth_of_length_and_level():
    samples = say()
    words = len(LINE.split())
    assert 1.8 < words / (len(samples) / voice.SAMPLE_RATE) < 4.0  # words a second
    assert rms(samples) > 1000  # about -30 dBFS


@pytest.mark.parametrize("text", ["...", "--", "!"])
def test_a_line_without_words_is_a_short_breath(text):
    samples = say(text)
    assert 0.2 < len(samples) / voice.SAMPLE_RATE < 0.5


def test_fountain_marks_and_notes_are_not_read_aloud():
    assert voice.clean("*Never* _again_, he \\*said\\* [[a note]] /* cut */\n~la la") == "Never again, he said la la"
    assert np.array_equal(say("*Never* _again_ [[softer]]"), say("Never again"))


def test_write_wav_round_trips(tmp_path):
    samples = say("Hello there.")
    path = tmp_path / "line.wav"
    voice.write_wav(path, samples, voice.SAMPLE_RATE)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, voice.SAMPLE_RATE)
        assert np.array_equal(np.frombuffer(wav.readframes(wav.getnframes()), "<i2"), samples)


def test_a_missing_library_is_a_voice_error(monkeypatch):
    import espeakng_loader

    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: "/nonexistent/libespeak-ng.so")
    with pytest.raises(voice.VoiceError, match="cannot load eSpeak NG"):
        say()
