"""Make the games' tiny sounds in static/sound/: 8-bit mono WAV at 11,025 Hz. Run: python tools/make_sounds.py"""

import math
import wave
from pathlib import Path

RATE = 11025
OUT = Path(__file__).resolve().parent.parent / "static" / "sound"


def tone(freq: float, ms: float, volume: float = 0.5, decay: float = 6.0) -> list[float]:
    """A decaying sine of ``freq`` Hz lasting ``ms``."""
    n = int(RATE * ms / 1000)
    return [volume * math.exp(-decay * i / n) * math.sin(2 * math.pi * freq * i / RATE) for i in range(n)]


def write(name: str, samples: list[float]) -> None:
    """``samples`` (-1..1) as ``static/sound/<name>.wav``."""
    with wave.open(str(OUT / f"{name}.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(RATE)
        out.writeframes(bytes(int(128 + 127 * max(-1.0, min(1.0, s))) for s in samples))


if __name__ == "__main__":
    write("tick", tone(1760, 18, 0.6, 8))
    write("win", [s for f in (523, 659, 784) for s in tone(f, 110, 0.5, 2.5)] + tone(1047, 260, 0.5, 3))
    write("lose", tone(392, 150, 0.4, 2.5) + tone(330, 220, 0.4, 3))
