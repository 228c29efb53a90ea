"""The personal radar of a resident of La Mosson (Montpellier), through the Python API.

Writes ``radar.html`` (interactive map), ``radar.pdf`` (A4 poster), ``card.pdf`` (two
recommendation cards) and ``radar.json`` into the folder given (default: the current one), then
shows how the agent changes the person's needs, hours and modes.

Run: ``QPV_RADAR_MIRROR=../shared/data python examples/radar_mosson.py [OUT_DIR]``.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from qpv_radar import (
    Networks,
    Person,
    compute_radar,
    radar_map,
    radar_poster,
    recommendation_card,
)
from qpv_radar.render import labels

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
out.mkdir(parents=True, exist_ok=True)

# A resident of La Mosson, free on Tuesday morning, who wants to create a business and find a
# job, on foot or by tram/bus, up to 45 minutes. Nothing leaves the machine.
person = Person(
    lon=3.8200,
    lat=43.6321,
    when=datetime(2024, 1, 16, 9, 0),
    until="12:00",
    modes=("walk", "transit"),
    needs=("creation", "emploi"),
)
# The territory's streets and timetables, loaded once and kept for every radar of this script.
networks = Networks("montpellier")
# Every structure gets its itinerary (the agent may pick any of them).
radar = compute_radar("montpellier", person, networks=networks)

print(f"QPV: {radar.home_qpv_name}")
for step in radar.path:
    entry = radar.entry(step.entry_id, step.role) if step.entry_id else None
    how = labels.how_to_get_there(entry) if entry else "—"
    print(f"  {labels.role_name(step.role)}: {entry.name if entry else '—'} ({how})")
for notice in radar.notices:
    print("  ⚠", labels.notice_text(notice))

# The agent prefers the second entry door (e.g. one the resident already knows).
doors = radar.entries["entry_door"]
if len(doors) > 1:
    radar = radar.choose("entry_door", doors[1].id)

radar_map(radar).save(str(out / "radar.html"))  # home blurred to ~100 m by default
radar_poster(radar, out / "radar.pdf", paper="a4")
recommendation_card(
    radar,
    out / "card.pdf",
    agent="Samia B.",
    note="Projet de traiteur à domicile",
)
radar.to_json(out / "radar.json")  # exact home inside: keep it private

# Other hours, needs and modes: a job search at 06:00 by public transport only.
dawn = Person(
    3.8200,
    43.6321,
    datetime(2024, 1, 16, 6, 0),
    "08:00",
    modes=("transit",),
    needs=("emploi",),
    max_minutes=30,
)
early = compute_radar("montpellier", dawn, networks=networks)
for notice in early.notices:
    print("  ⚠", labels.notice_text(notice))
print(f"written in {out.resolve()}")
