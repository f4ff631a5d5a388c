"""Film score and sound effects for the `local` backend, synthesised with numpy.

`score` writes a cue from its mood words. The words choose a style (dark, sad, warm or heroic):
a mode, a few chord progressions of one chord a bar, and the layers that play them (a drone and
a pulse for tension, pads and a piano line for sadness, an arpeggio for warmth, brass and drums
for heroics); instrument words ("taiko", "strings", "piano", "choir", "flute") add or recolour
layers. A seeded generator picks the key, the progression and a melody, so a cue is the same
for the same arguments. Notes are read from single-cycle wavetables (additive timbres), which
costs the same whatever the number of partials, and each note is added into two stereo buffers
with its pan: a minute of score renders in well under a second.

`sound` makes a short effect from keywords of its description (thunder, waves, wind, a door,
footsteps, a bell, fire, glass, a gunshot, a crowd ...; anything else is a soft whoosh) out of
filtered noise, decaying sines and bell partials, with the same level and stereo conventions.
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 48000
PEAK = 0.5  # -6 dBFS: room for dialogue in the mix
FADE_IN_S, FADE_OUT_S = 0.5, 1.0
TEMPO_BPM = 90.0
BEATS_A_BAR = 4
TABLE_SIZE = 4096  # samples in one wavetable cycle; a power of two, so a phase wraps with `&`

# ---------------------------------------------------------------------------------------------
# Timbres: one cycle of a waveform, from the amplitudes of its harmonics.


def _table(amplitudes: Sequence[float]) -> np.ndarray:
    phase = np.arange(TABLE_SIZE) * (2 * np.pi / TABLE_SIZE)
    wave_ = sum(a * np.sin((h + 1) * phase) for h, a in enumerate(amplitudes))
    return (wave_ / np.abs(wave_).max()).astype(np.float32)


_TIMBRES = {
    "sine": _table([1]),
    "soft": _table([1 / h**2 for h in range(1, 9)]),  # a mellow pad
    "dark": _table([1, 0.3, 0.12, 0.05]),  # a muffled pad
    "strings": _table([1 / h for h in range(1, 17)]),  # sawtooth
    "brass": _table([1 / h**0.8 for h in range(1, 13)]),  # a brighter sawtooth
    "flute": _table([1, 0.35, 0.12, 0.05]),
    "piano": _table([1, 0.5, 0.3, 0.2, 0.12, 0.08, 0.05, 0.03]),
    "bass": _table([1, 0.45, 0.2, 0.1]),
    "reed": _table([1, 0, 0.45, 0, 0.25, 0, 0.12]),  # odd harmonics: the dark drone
}


def _choir_table(freq: float) -> np.ndarray:
    """An "ah": harmonics of `freq` weighted by the vowel's formants (700, 1150, 2600 Hz)."""
    harmonics = np.arange(1, int(4000 / freq) + 2) * freq
    formants = sum(g * np.exp(-(((harmonics - f) / w) ** 2)) for f, w, g in ((700, 130, 1.0), (1150, 150, 0.6), (2600, 250, 0.25)))
    return _table(formants + 0.05)


def _chord_table(timbre: str, freq: float) -> np.ndarray:
    """The wavetable of a chord instrument: a named timbre, or a choir's vowel for `freq`."""
    return _choir_table(freq) if timbre == "choir" else _TIMBRES[timbre]


def _midi_hz(pitch: float) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _tone(table: np.ndarray, freq: float, n: int, rate: int, vibrato: float = 0.0) -> np.ndarray:
    """`n` samples of `table` played at `freq`; `vibrato` is its depth as a ratio, at 5 Hz."""
    step = freq * TABLE_SIZE / rate
    if vibrato:
        phase = np.cumsum(step * (1 + vibrato * np.sin(np.arange(n) * (2 * np.pi * 5 / rate))))
    else:
        phase = np.arange(n) * step
    return table[phase.astype(np.int64) & (TABLE_SIZE - 1)]


def _swell(n: int, attack: int, release: int) -> np.ndarray:
    """An envelope rising over `attack` samples and falling over the last `release`."""
    attack, release = max(min(attack, n // 2), 1), max(min(release, n // 2), 1)
    return np.interp(np.arange(n), (0, attack, n - release, n - 1), (0.0, 1.0, 1.0, 0.0)).astype(np.float32)


def _decay(n: int, tau_s: float, rate: int, attack_s: float = 0.004) -> np.ndarray:
    """A struck envelope: a short attack, then an exponential fall with time constant `tau_s`."""
    t = np.arange(n, dtype=np.float32) / rate
    return np.minimum(t / attack_s, 1.0) * np.exp(-t / tau_s)


# ---------------------------------------------------------------------------------------------
# Score.

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
_PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)  # minor with a flat second: menace
_MIXOLYDIAN = (0, 2, 4, 5, 7, 9, 10)  # major with a flat seventh: the heroic bVII


@dataclass(frozen=True)
class _Style:
    """What a mood plays: a mode, progressions (scale degrees, one a bar) and layers."""

    words: frozenset[str]
    mode: tuple[int, ...]
    progressions: tuple[tuple[int, ...], ...]
    layers: tuple[str, ...]
    pad: str  # the pad's timbre
    lead: str  # the melody's timbre


_STYLES = (
    _Style(frozenset("tense dark ominous menace menacing suspense suspenseful fear dread horror danger eerie sinister threat "
                     "threatening creepy foreboding uneasy anxious".split()),
           _PHRYGIAN, ((0, 1, 0, 6), (0, 5, 1, 0), (0, 0, 1, 6)), ("drone", "pulse", "pad", "melody"), "dark", "piano"),
    _Style(frozenset("sad melancholy melancholic tender grief grieving lonely mournful somber sombre loss longing tragic "
                     "bittersweet wistful".split()),
           _MINOR, ((0, 5, 3, 4), (0, 3, 5, 4), (0, 5, 2, 6)), ("pad", "bass", "melody"), "strings", "piano"),
    _Style(frozenset("warm hopeful romantic gentle peaceful calm love happy joyful playful light tender serene nostalgic "
                     "dreamy wonder".split()),
           _MAJOR, ((0, 4, 5, 3), (0, 3, 4, 3), (0, 5, 3, 4)), ("pad", "bass", "arpeggio", "melody"), "soft", "flute"),
    _Style(frozenset("heroic triumphant epic victory victorious action battle adventure brave bold grand majestic "
                     "glorious rousing chase".split()),
           _MIXOLYDIAN, ((0, 6, 3, 0), (0, 3, 4, 3), (0, 5, 6, 0)), ("brass", "bass", "ostinato", "drums", "melody"), "brass", "brass"),
)
_DEFAULT_STYLE = _STYLES[2]
_DRUM_WORDS = frozenset("taiko drums drum percussion percussive timpani war".split())
_PAD_WORDS = {"strings": "strings", "violin": "strings", "violins": "strings", "cello": "strings", "orchestra": "strings",
              "choir": "choir", "choral": "choir", "voices": "choir", "chant": "choir", "chanting": "choir"}
_LEAD_WORDS = {"piano": "piano", "flute": "flute", "woodwind": "flute", "woodwinds": "flute", "whistle": "flute"}


@dataclass(frozen=True)
class _Cue:
    """Everything a layer needs: the grid, the harmony, the register and the generator."""

    n: int
    rate: int
    beat: int  # samples
    tonic: int  # midi pitch of the key's tonic, in the bass octave
    mode: tuple[int, ...]
    chords: tuple[tuple[int, ...], ...]  # one a bar: midi pitches of a root-position triad
    rng: np.random.Generator

    @property
    def bar(self) -> int:
        return self.beat * BEATS_A_BAR

    def chord_at(self, sample: int) -> tuple[int, ...]:
        return self.chords[min(sample // self.bar, len(self.chords) - 1)]


class _Mix:
    """A stereo buffer that notes are added into, each with its pan (-1 left to 1 right)."""

    def __init__(self, n: int):
        self.left = np.zeros(n, np.float32)
        self.right = np.zeros(n, np.float32)

    def add(self, sound: np.ndarray, start: int, pan: float = 0.0, gain: float = 1.0) -> None:
        end = min(start + len(sound), len(self.left))
        if end <= start:
            return
        angle = (pan + 1) * np.pi / 4  # constant power
        part = sound[:end - start]
        self.left[start:end] += part * np.float32(gain * np.cos(angle))
        self.right[start:end] += part * np.float32(gain * np.sin(angle))


def score(moods: Sequence[str], tempo_bpm: float | None, duration_s: float, seed: int | None, rate: int = RATE) -> np.ndarray:
    """A music cue: float32 stereo samples, shape (round(duration_s * rate), 2), peaking at PEAK.

    `moods` are free words ("tense", "taiko drums", "warm strings"); `tempo_bpm` sets the beat
    (TEMPO_BPM when None), with a chord a bar; the cue fades in over FADE_IN_S and out over
    FADE_OUT_S. The same arguments give the same samples.
    """
    n = max(round(duration_s * rate), 0)
    words = frozenset(w.strip(".,;:!?").lower() for mood in moods for w in mood.split())
    style = max(_STYLES, key=lambda s: len(words & s.words)) if any(words & s.words for s in _STYLES) else _DEFAULT_STYLE
    rng = _generator(seed)
    beat = round(rate * 60 / (tempo_bpm if tempo_bpm and tempo_bpm > 0 else TEMPO_BPM))
    tonic = 40 + int(rng.integers(0, 12))  # E2 to D#3
    progression = style.progressions[int(rng.integers(0, len(style.progressions)))]
    bars = -(-n // (beat * BEATS_A_BAR)) if n else 0
    chords = tuple(_triad(tonic, style.mode, progression[bar % len(progression)]) for bar in range(bars))
    cue = _Cue(n, rate, beat, tonic, style.mode, chords, rng)

    layers = list(style.layers) + (["drums"] if words & _DRUM_WORDS and "drums" not in style.layers else [])
    pad = next((_PAD_WORDS[w] for w in sorted(words) if w in _PAD_WORDS), style.pad)
    lead = next((_LEAD_WORDS[w] for w in sorted(words) if w in _LEAD_WORDS), style.lead)
    mix = _Mix(n)
    for layer in layers:
        _LAYERS[layer](cue, mix, pad if layer in ("pad", "brass") else lead)
    return _master(np.stack([mix.left, mix.right], axis=1), rate, FADE_IN_S, FADE_OUT_S)


def _generator(seed: int | None) -> np.random.Generator:
    return np.random.default_rng((seed or 0) % 2**64)


def _triad(tonic: int, mode: tuple[int, ...], degree: int) -> tuple[int, ...]:
    return tuple(tonic + 12 + mode[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4))


def _close(chord: Sequence[int], low: int) -> list[int]:
    """The chord's pitch classes inside the octave from `low`: successive chords then move by
    small steps (close voicing) instead of jumping with their roots."""
    return sorted(low + (p - low) % 12 for p in chord)


def _pad(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Sustained chords, a bar each, overlapping a little, spread across the stereo field."""
    tail = cue.rate // 3
    for bar, chord in enumerate(cue.chords):
        for pan, pitch in zip((-0.45, 0.0, 0.45), _close(chord, 55), strict=True):
            freq = _midi_hz(pitch)
            length = cue.bar + tail
            table = _chord_table(timbre, freq)
            note = _tone(table, freq, length, cue.rate) + _tone(table, freq * 1.004, length, cue.rate)  # chorus
            mix.add(note * _swell(length, cue.rate // 3, tail), bar * cue.bar, pan, 0.09)


def _brass(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Brass chords: a long swell on the downbeat and a short push on the fourth beat."""
    for bar, chord in enumerate(cue.chords):
        for pan, pitch in zip((-0.3, 0.0, 0.3), _close(chord, 52), strict=True):
            freq = _midi_hz(pitch)
            table = _chord_table(timbre, freq)
            for offset, beats, gain in ((0, 3, 0.12), (3, 1, 0.09)):
                length = cue.beat * beats
                note = _tone(table, freq, length, cue.rate) + _tone(table, freq * 0.997, length, cue.rate)
                mix.add(note * _swell(length, cue.rate // 12, cue.rate // 10), bar * cue.bar + offset * cue.beat, pan, gain)


def _bass(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """The chord's root, low, on the first and third beats."""
    for bar, chord in enumerate(cue.chords):
        freq = _midi_hz(_close(chord[:1], 33)[0])
        for half in (0, 1):
            length = 2 * cue.beat
            mix.add(_tone(_TIMBRES["bass"], freq, length, cue.rate) * _swell(length, cue.rate // 50, cue.rate // 8),
                    bar * cue.bar + half * length, 0.0, 0.22)


def _drone(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Tonic and fifth held under the whole cue, breathing slowly."""
    t = np.arange(cue.n, dtype=np.float32) / cue.rate
    for pitch, pan in ((cue.tonic - 12, -0.2), (cue.tonic - 5, 0.2)):
        breath = 0.7 + 0.3 * np.sin(2 * np.pi * 0.11 * t + cue.rng.uniform(0, 2 * np.pi))
        mix.add(_tone(_TIMBRES["reed"], _midi_hz(pitch), cue.n, cue.rate) * breath, 0, pan, 0.25)


def _pulse(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Muted low eighth notes on the chord's root, accented on the beat: a heartbeat of dread."""
    eighth = cue.beat // 2
    length = min(eighth, cue.rate // 5)
    envelope = _decay(length, 0.06, cue.rate)
    for start in range(0, cue.n, eighth):
        pitch = _close(cue.chord_at(start)[:1], 33)[0]
        gain = 0.3 if start % cue.beat == 0 else 0.17
        mix.add(_tone(_TIMBRES["bass"], _midi_hz(pitch), length, cue.rate) * envelope, start, 0.0, gain)


def _ostinato(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Driving string eighths alternating the chord's root and fifth."""
    eighth = cue.beat // 2
    envelope = _swell(eighth, cue.rate // 200, eighth // 3)
    for index, start in enumerate(range(0, cue.n, eighth)):
        root, _, fifth = _close(cue.chord_at(start), 45)
        pitch = root if index % 2 == 0 else fifth
        mix.add(_tone(_TIMBRES["strings"], _midi_hz(pitch), eighth, cue.rate) * envelope, start, -0.5 + (index % 2), 0.07)


def _arpeggio(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Plucked chord tones climbing in eighth notes over two octaves."""
    eighth = cue.beat // 2
    length = min(3 * eighth, cue.rate)
    envelope = _decay(length, 0.3, cue.rate)
    pattern = (0, 1, 2, 3, 4, 5, 4, 2)
    for index, start in enumerate(range(0, cue.n, eighth)):
        tones = _close(cue.chord_at(start), 60)
        step = pattern[index % len(pattern)]
        pitch = tones[step % 3] + 12 * (step // 3)
        mix.add(_tone(_TIMBRES["piano"], _midi_hz(pitch), length, cue.rate) * envelope, start, 0.6 * np.sin(index * 0.7), 0.08)


_RHYTHMS = ((4,), (2, 2), (3, 1), (1, 1, 2), (2, 1, 1), (1.5, 0.5, 2))  # note lengths in beats, one bar each


def _melody(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """A seeded line: each bar's first note a chord tone, then steps along the scale; some bars rest."""
    low = 60 if timbre == "piano" else 67 if timbre == "flute" else 62
    scale = [cue.tonic + 12 * octave + step for octave in range(6) for step in cue.mode]
    scale = [p for p in scale if low <= p <= low + 16]
    position = len(scale) // 2
    for bar, chord in enumerate(cue.chords):
        if cue.rng.random() < 0.3:
            continue
        tones = [i for i, p in enumerate(scale) if p % 12 in {c % 12 for c in chord}]
        position = min(tones, key=lambda i: abs(i - position))
        start = bar * cue.bar
        for beats in _RHYTHMS[int(cue.rng.integers(0, len(_RHYTHMS)))]:
            length = round(beats * cue.beat)
            mix.add(_lead_note(timbre, _midi_hz(scale[position]), length, cue.rate), start, 0.15, 0.16)
            start += length
            position = int(np.clip(position + cue.rng.choice((-2, -1, -1, 1, 1, 2)), 0, len(scale) - 1))


def _lead_note(timbre: str, freq: float, length: int, rate: int) -> np.ndarray:
    if timbre == "piano":
        struck = _decay(length + rate // 2, 0.5, rate)
        return _tone(_TIMBRES["piano"], freq, len(struck), rate) * struck
    note = _tone(_TIMBRES[timbre], freq, length, rate, vibrato=0.004 if timbre == "flute" else 0.002)
    return note * _swell(length, rate // 15, rate // 12)


def _drums(cue: _Cue, mix: _Mix, timbre: str) -> None:
    """Taiko-like hits on every beat, the downbeat loudest, with a pickup before every fourth bar."""
    hit = _drum_hit(cue.rate, cue.rng)
    for start in range(0, cue.n, cue.beat):
        beat_in_bar, bar = (start // cue.beat) % BEATS_A_BAR, start // cue.bar
        mix.add(hit, start, -0.1, 1.0 if beat_in_bar == 0 else 0.7)
        if bar % 4 == 3 and beat_in_bar == 3:
            mix.add(hit, start + cue.beat // 2, 0.1, 0.45)


def _drum_hit(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A drum: a sine falling from 110 to 55 Hz with a fast decay, and a burst of dull noise."""
    n = int(0.6 * rate)
    t = np.arange(n, dtype=np.float32) / rate
    freq = 55 + 55 * np.exp(-t / 0.04)
    body = np.sin(2 * np.pi * np.cumsum(freq) / rate) * _decay(n, 0.22, rate, attack_s=0.001)
    skin = _band_noise(n, rng, rate, 60, 900) * _decay(n, 0.03, rate, attack_s=0.001)
    return (body + 0.5 * skin).astype(np.float32)


_LAYERS: dict[str, Callable[[_Cue, _Mix, str], None]] = {
    "pad": _pad, "brass": _brass, "bass": _bass, "drone": _drone, "pulse": _pulse, "ostinato": _ostinato,
    "arpeggio": _arpeggio, "melody": _melody, "drums": _drums,
}


# ---------------------------------------------------------------------------------------------
# Sound effects.


def sound(description: str, duration_s: float, seed: int | None, rate: int = RATE) -> np.ndarray:
    """A sound effect from its description's keywords: float32 stereo, shape (round(duration_s * rate), 2).

    The effect starts at once and fades out over the last tenth of `duration_s` (at most 0.3 s);
    it peaks at PEAK. An effect with no known keyword is a soft whoosh.
    """
    n = max(round(duration_s * rate), 0)
    words = {w.strip(".,;:!?").lower() for w in description.split()}
    words |= {w[:-1] for w in words if w.endswith("s")}  # "waves", "knocks", "bells"
    effect = next((effect for keys, effect in _EFFECTS if words & keys), _whoosh)
    rng = _generator(seed)
    mono = effect(n, rate, rng) if n else np.zeros(0)
    return _master(_spread(mono, rate), rate, 0.002, min(0.1 * duration_s, 0.3))


def _band_noise(n: int, rng: np.random.Generator, rate: int, low: float, high: float) -> np.ndarray:
    """White noise band-passed between `low` and `high` Hz (smooth fourth-order skirts), peak 1."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freq = np.fft.rfftfreq(n, 1 / rate)
    with np.errstate(divide="ignore"):
        gain = 1 / (1 + (low / freq) ** 4) / (1 + (freq / high) ** 4)
    noise = np.fft.irfft(spectrum * gain, n)
    return noise / max(np.abs(noise).max(), 1e-12)


def _burst(n: int, at: int, sound: np.ndarray) -> np.ndarray:
    """`sound` placed at sample `at` of `n` samples of silence (cut at the end)."""
    out = np.zeros(n)
    if at < n:
        out[at:at + len(sound)] = sound[:n - at]
    return out


def _thunder(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A crack, then rolling low rumbles that die away."""
    t = np.arange(n) / rate
    rumble = _band_noise(n, rng, rate, 25, 220)
    rolls = sum(np.exp(-np.maximum(t - at, 0) / rng.uniform(0.6, 1.4)) * (t >= at) * rng.uniform(0.5, 1.0)
                for at in np.sort(rng.uniform(0, 0.3 * n / rate, 4)))
    crack = _band_noise(n, rng, rate, 200, 4000) * np.exp(-t / 0.08)
    return rumble * rolls + 0.4 * crack


def _explosion(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / rate
    return (_band_noise(n, rng, rate, 20, 150) * np.exp(-t / 1.0) + 0.6 * _band_noise(n, rng, rate, 100, 1500) * np.exp(-t / 0.25)
            + 0.5 * _band_noise(n, rng, rate, 1000, 12000) * np.exp(-t / 0.02))


def _sea(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Surf: swells of hissing noise every few seconds over a low wash."""
    t = np.arange(n) / rate
    period = rng.uniform(4, 6)
    swell = (0.5 - 0.5 * np.cos(2 * np.pi * (t / period + rng.uniform(0, 1)))) ** 2
    return _band_noise(n, rng, rate, 300, 5000) * (0.15 + swell) + 0.4 * _band_noise(n, rng, rate, 40, 300) * (0.5 + 0.5 * swell)


def _splash(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / rate
    return _band_noise(n, rng, rate, 400, 8000) * np.minimum(t / 0.01, 1) * np.exp(-t / 0.25) + _drops(n, rate, rng, 20, 0.8)


def _rain(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return 0.5 * _band_noise(n, rng, rate, 1500, 10000) + _drops(n, rate, rng, 40, n / rate)


def _drops(n: int, rate: int, rng: np.random.Generator, per_s: float, within_s: float) -> np.ndarray:
    """Water drops: short upward chirps at random times in the first `within_s` seconds."""
    out = np.zeros(n)
    length = int(0.03 * rate)
    t = np.arange(length) / rate
    for at in rng.uniform(0, within_s, int(per_s * within_s)):
        freq = rng.uniform(900, 2500) * (1 + 8 * t)
        out += _burst(n, int(at * rate), rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * np.cumsum(freq) / rate) * np.exp(-t / 0.008))
    return out


def _wind(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Two noise bands whose levels wander slowly and out of step: gusts."""
    t = np.arange(n) / rate
    low, high = (0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(0.07, 0.2) * t + rng.uniform(0, 2 * np.pi)) for _ in range(2))
    return _band_noise(n, rng, rate, 150, 700) * low + 0.5 * _band_noise(n, rng, rate, 600, 2500) * high**2


def _thud(rate: int, rng: np.random.Generator, freq: float, tau_s: float) -> np.ndarray:
    """A knock on wood or a footfall: a decaying low sine and a click of dull noise."""
    n = int(max(6 * tau_s, 0.05) * rate)
    t = np.arange(n) / rate
    return np.sin(2 * np.pi * freq * t) * np.exp(-t / tau_s) + 0.5 * _band_noise(n, rng, rate, 100, 2500) * np.exp(-t / (tau_s / 4))


def _knock(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return sum(_burst(n, int((0.05 + 0.22 * k) * rate), _thud(rate, rng, 190, 0.035)) for k in range(3))


def _slam(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    rattle = _band_noise(int(0.3 * rate), rng, rate, 800, 5000) * np.exp(-np.arange(int(0.3 * rate)) / (0.05 * rate))
    return _burst(n, int(0.02 * rate), _thud(rate, rng, 70, 0.12)) + 0.3 * _burst(n, int(0.05 * rate), rattle)


def _footsteps(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Steps every 0.55 s, a little uneven, every other one lighter."""
    starts = np.arange(0.05, n / rate, 0.55)
    starts += rng.uniform(-0.03, 0.03, len(starts))
    return sum((_burst(n, int(at * rate), _thud(rate, rng, 95, 0.03) * (0.8 if k % 2 else 1.0)) for k, at in enumerate(starts)),
               np.zeros(n))


_BELL_PARTIALS = ((0.56, 1.0), (0.92, 0.67), (1.19, 1.0), (1.71, 1.8), (2.0, 2.67), (2.74, 1.67), (3.0, 1.46), (3.76, 1.33),
                  (4.07, 1.33))  # Risset's bell: (frequency ratio, relative amplitude)


def _bell_note(rate: int, freq: float, ring_s: float, limit: int) -> np.ndarray:
    """A struck bell whose partials ring for about `ring_s` divided by their ratio (at most `limit` samples)."""
    t = np.arange(max(min(int(5 * ring_s * rate), limit), 0)) / rate
    return sum(amp * np.sin(2 * np.pi * freq * ratio * t) * np.exp(-t * ratio / ring_s) for ratio, amp in _BELL_PARTIALS)


def _bell(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return _burst(n, 0, _bell_note(rate, rng.uniform(300, 500), 1.6, n))


def _chime(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    notes = rng.choice((1.0, 9 / 8, 5 / 4, 3 / 2, 5 / 3, 2.0), 4, replace=False) * 900
    starts = [int(0.18 * k * rate) for k in range(len(notes))]
    return sum(_burst(n, at, _bell_note(rate, f, 0.8, n - at)) for at, f in zip(starts, notes, strict=True))


def _fire(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A low roar with sparse crackles: short bright clicks at random times."""
    click = _band_noise(int(0.004 * rate), rng, rate, 1500, 9000)
    return 0.35 * _band_noise(n, rng, rate, 40, 500) + np.convolve(_impulses(n, rate, rng, 12), click)[:n]


def _impulses(n: int, rate: int, rng: np.random.Generator, per_s: float) -> np.ndarray:
    """Clicks of random strength at random times, `per_s` a second on average."""
    out = np.zeros(n)
    count = int(per_s * n / rate) + 1
    out[rng.integers(0, n, count)] = rng.uniform(0.2, 1.0, count)
    return out


def _glass(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A crash of bright noise and a scatter of high, fast-ringing shards."""
    t = np.arange(n) / rate
    ring = t[:int(0.25 * rate)]
    shard = np.exp(-ring / 0.04)
    shards = sum(_burst(n, int(at * rate), rng.uniform(0.2, 0.6) * np.sin(2 * np.pi * rng.uniform(2500, 7000) * ring) * shard)
                 for at in np.sort(rng.uniform(0, 0.7, 25)))
    return _band_noise(n, rng, rate, 2000, 14000) * np.exp(-t / 0.12) + shards


def _gunshot(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A crack, a body of noise and a thump, then two dull echoes."""
    t = np.arange(n) / rate
    shot = (_band_noise(n, rng, rate, 1000, 12000) * np.exp(-t / 0.008) + 0.7 * _band_noise(n, rng, rate, 80, 1500) * np.exp(-t / 0.06)
            + 0.8 * np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.08))
    return shot + 0.3 * _burst(n, int(0.12 * rate), shot) + 0.12 * _burst(n, int(0.3 * rate), shot)


def _applause(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Many hands: claps (short bursts of mid noise) at random, 40 a second, rising over 0.4 s."""
    length = int(0.012 * rate)
    clap = _band_noise(length, rng, rate, 800, 4000) * np.exp(-np.arange(length) / (0.003 * rate))
    return np.convolve(_impulses(n, rate, rng, 40), clap)[:n] * np.minimum(np.arange(n) / (0.4 * rate), 1)


def _crowd(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A murmur: speech-band noise with a slow, uneven, syllable-like flutter."""
    flutter = np.abs(_band_noise(n, rng, rate, 1, 6))
    return _band_noise(n, rng, rate, 250, 2500) * (0.5 + flutter)


def _whoosh(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Air rushing past: noise swelling to a peak at 40% of the effect, darker as it fades."""
    t = np.arange(n) / rate
    peak = 0.4 * n / rate
    envelope = np.exp(-(((t - peak) / max(0.25 * n / rate, 1e-3)) ** 2))
    return envelope * (_band_noise(n, rng, rate, 300, 3000) * (t <= peak) + _band_noise(n, rng, rate, 150, 1200) * (t > peak))


_EFFECTS: tuple[tuple[frozenset[str], Callable[[int, int, np.random.Generator], np.ndarray]], ...] = tuple(
    (frozenset(keys.split()), effect) for keys, effect in (
        ("explosion explode blast boom bomb detonation", _explosion),
        ("thunder thunderclap rumble rumbling quake storm lightning", _thunder),
        ("gunshot gun shot pistol rifle gunfire bang", _gunshot),
        ("glass shatter shattering smash window", _glass),
        ("knock knocking", _knock),
        ("slam slams door", _slam),
        ("footstep footsteps step steps walking running", _footsteps),
        ("chime chimes wind-chime", _chime),
        ("bell bells ding toll gong", _bell),
        ("wave surf sea ocean shore tide", _sea),
        ("splash water drip pour plunge", _splash),
        ("rain drizzle downpour", _rain),
        ("wind breeze gust howling", _wind),
        ("fire crackle crackling flames fireplace campfire", _fire),
        ("applause clapping clap claps cheer cheering", _applause),
        ("crowd murmur chatter audience market", _crowd),
    )
)


# ---------------------------------------------------------------------------------------------
# Output.


def _spread(mono: np.ndarray, rate: int) -> np.ndarray:
    """A slight stereo image: complementary comb filters (a copy 11 ms late, added left and
    subtracted right), which leave the mono sum as it was."""
    delay = int(0.011 * rate)
    late = np.concatenate([np.zeros(delay), mono[:-delay]]) if len(mono) > delay else np.zeros(len(mono))
    return np.stack([mono + 0.25 * late, mono - 0.25 * late], axis=1)


def _master(samples: np.ndarray, rate: int, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """Fades at both ends, then scaled so the peak is PEAK; float32."""
    out = np.asarray(samples, np.float32).copy()
    n = len(out)
    head, tail = min(round(fade_in_s * rate), n), min(round(fade_out_s * rate), n)
    out[:head] *= _fade(head)[:, None]
    out[n - tail:] *= _fade(tail)[::-1, None]
    peak = np.abs(out).max(initial=0.0)
    if peak > 0:
        out *= np.float32(PEAK / peak)
    return out


def _fade(length: int) -> np.ndarray:
    """A smooth rise from silence over `length` samples (sine squared)."""
    return (np.sin(np.arange(length, dtype=np.float32) * np.float32(np.pi / 2 / max(length, 1))) ** 2)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write float stereo `samples` in [-1, 1] to a 16-bit stereo WAV file (clipping beyond)."""
    frames = np.clip(np.asarray(samples, np.float64), -1.0, 1.0) * 32767
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(frames).astype("<i2").tobytes())
