"""The `local` backend's numpy score and sound effects: exact lengths, levels, fades, tempo, moods."""

from __future__ import annotations

import itertools
import wave

import numpy as np
import pytest

from filmc.backends.local import music

RATE = music.RATE


def spectrum(samples: np.ndarray, rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    power = np.abs(np.fft.rfft(samples.mean(axis=1))) ** 2
    return np.fft.rfftfreq(len(samples), 1 / rate), power


def centroid(samples: np.ndarray) -> float:
    freq, power = spectrum(samples)
    return float((freq * power).sum() / power.sum())


def flatness(samples: np.ndarray) -> float:
    """Geometric over arithmetic mean of the power spectrum from 200 Hz to 2 kHz: near 1 for noise, near 0 for notes."""
    freq, power = spectrum(samples)
    band = power[(freq > 200) & (freq < 2000)] + 1e-20
    return float(np.exp(np.log(band).mean()) / band.mean())


def onset_period(samples: np.ndarray, around_s: float, hop: int = 240) -> float:
    """The strongest period of the onsets (rises in 5 ms energy) within 40% of `around_s`."""
    mono = samples.mean(axis=1)
    frames = len(mono) // hop
    energy = (mono[:frames * hop].reshape(frames, hop) ** 2).mean(axis=1)
    flux = np.maximum(np.diff(energy), 0)
    flux -= flux.mean()
    ac = np.correlate(flux, flux, "full")[len(flux) - 1:]
    low, high = int(0.6 * around_s * RATE / hop), int(1.4 * around_s * RATE / hop) + 1
    return (low + int(np.argmax(ac[low:high]))) * hop / RATE


@pytest.mark.parametrize("duration_s, rate", [(0.0, RATE), (0.3, RATE), (1.23456, RATE), (7.0, RATE), (2.5, 44100)])
def test_a_cue_is_exactly_as_long_as_asked(duration_s, rate):
    cue = music.score(["warm"], 100, duration_s, 1, rate=rate)
    assert cue.shape == (round(duration_s * rate), 2)
    assert cue.dtype == np.float32


def test_same_arguments_same_cue_and_another_seed_another():
    a, b, c = music.score(["tense", "strings"], 96, 6, 3), music.score(["tense", "strings"], 96, 6, 3), music.score(["tense", "strings"], 96, 6, 4)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_moods_make_different_cues():
    moods = (["tense"], ["sad"], ["warm"], ["heroic"], ["warm", "choir"], ["sad", "flute"], ["tense", "taiko"])
    cues = [music.score(m, None, 6, 1) for m in moods]
    for a, b in itertools.combinations(cues, 2):
        assert not np.allclose(a, b)


def test_tense_is_darker_than_warm():
    for seed in (1, 2, 3):
        assert centroid(music.score(["tense", "ominous"], None, 10, seed)) < 0.8 * centroid(music.score(["warm", "hopeful"], None, 10, seed))


@pytest.mark.parametrize("moods", [["warm"], ["tense"], ["sad", "piano"], ["heroic", "taiko"], []])
def test_a_cue_is_notes_not_noise(moods):
    assert flatness(music.score(moods, None, 8, 1)) < 0.01
    assert flatness(music.sound("wind", 8, 1)) > 0.1  # the measure tells them apart


@pytest.mark.parametrize("moods", [["warm"], ["tense"], ["heroic", "taiko drums"], ["sad", "choir", "flute"]])
def test_a_cue_peaks_at_minus_6_dbfs_and_fades_at_both_ends(moods):
    cue = music.score(moods, None, 8, 1)
    assert np.abs(cue).max() == pytest.approx(music.PEAK, abs=1e-3)
    ten_ms = RATE // 100
    assert np.abs(cue[:ten_ms]).max() < 0.01
    assert np.abs(cue[-ten_ms:]).max() < 0.01
    assert np.abs(cue[RATE:2 * RATE]).max() > 0.1  # but not silent in between


def test_a_cue_has_a_slight_stereo_image():
    cue = music.score(["warm"], None, 6, 1)
    assert 0.5 < np.corrcoef(cue[:, 0], cue[:, 1])[0, 1] < 0.999


@pytest.mark.parametrize("moods, bpm", [(["heroic", "taiko"], 120), (["tense", "taiko drums"], 100), (["warm", "percussion"], 75),
                                        (["taiko"], None)])
def test_drums_beat_at_the_tempo(moods, bpm):
    beat_s = 60 / (bpm or music.TEMPO_BPM)
    for seed in (1, 2):
        assert onset_period(music.score(moods, bpm, 16, seed), beat_s) == pytest.approx(beat_s, rel=0.03)


EFFECTS = ["thunder", "waves crashing on the shore", "wind howling", "door slams", "knock at the door", "footsteps", "church bell",
           "wind chimes", "fire crackling", "glass shatters", "gunshot", "crowd murmur", "applause", "rain", "splash", "explosion",
           "a strange hum"]


@pytest.mark.parametrize("description", EFFECTS)
def test_an_effect_is_as_long_as_asked_peaks_at_minus_6_dbfs_and_fades_out(description):
    effect = music.sound(description, 2.0, 5)
    assert effect.shape == (2 * RATE, 2) and effect.dtype == np.float32
    assert np.abs(effect).max() == pytest.approx(music.PEAK, abs=1e-3)
    assert np.abs(effect[-RATE // 100:]).max() < 0.01
    assert np.array_equal(effect, music.sound(description, 2.0, 5))


def test_effects_differ_from_each_other():
    effects = [music.sound(d, 2.0, 1) for d in EFFECTS]
    for (a_name, a), (b_name, b) in itertools.combinations(zip(EFFECTS, effects), 2):
        assert not np.allclose(a, b), (a_name, b_name)


def test_effects_sound_like_their_names():
    assert centroid(music.sound("thunder", 3, 1)) < 0.25 * centroid(music.sound("glass shatters", 3, 1))
    assert flatness(music.sound("church bell", 3, 1)) < 0.1 * flatness(music.sound("rain", 3, 1))
    gunshot = np.abs(music.sound("gunshot", 3, 1)).max(axis=1)
    assert gunshot[:RATE // 20].max() > 4 * gunshot[RATE:].max()  # a bang, then quiet


def test_an_unknown_effect_is_a_whoosh():
    assert np.array_equal(music.sound("a strange hum", 2, 1), music.sound("the sound of space", 2, 1))


def test_write_wav_is_16_bit_stereo_and_clips(tmp_path):
    samples = np.array([[0.0, 0.5], [-0.5, 1.5], [-2.0, 0.25]], np.float32)
    path = tmp_path / "cue.wav"
    music.write_wav(path, samples, RATE)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, RATE)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)
    assert frames.tolist() == [[0, 16384], [-16384, 32767], [-32767, 8192]]
