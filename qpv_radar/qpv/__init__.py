"""QPV perimeters: read the published variants, normalise them, locate points.

Published QPV files differ in field names and layout. :func:`read_qpv` recognises them and
returns one schema, one row per QPV, stored in WGS84 (EPSG:4326):

========================  =====================================================================
column                    meaning
========================  =====================================================================
``code_qp``               QPV code (``QP034005`` for the 2015 generation, ``QN03405M`` for 2024)
``nom_qp``                QPV name
``commune_codes``         list of INSEE commune codes (empty list when the file has none)
``commune_names``         list of commune names
``generation``            2015 or 2024 (from the code prefix ``QP``/``QN``, or given)
``is_perimeter``          ``True`` for real perimeters; ``False`` for ANCT's commune-level lists
``geometry``              (Multi)Polygon perimeter, or the commune geometries for lists
========================  =====================================================================

Variants read:

* Occitanie 2015 re-export: ``code_qp, nom_qp, commune_qp, code_commune, nom_commune…``;
* official upper-case releases: ``CODE_QP, NOM_QP, COMMUNE_QP``;
* 2024 releases: ``code_qp, lib_qp, insee_com, lib_com``;
* ANCT commune-level 2024 layers (one feature per commune, comma-joined ``code_qp`` and
  ``lib_qp``): exploded to one row per QPV, ``is_perimeter=False``, geometry the union of the
  communes' points or outlines; they cannot be used with :func:`locate`. Their ``lib_com`` is
  the upstream multi-commune label (``"Omissy; Saint-Quentin"``) for QPVs spanning several
  communes: ``commune_names`` is then that label split on ``;``, not aligned with the codes.

Bad input (each gives a clear error naming the file, the row and the fix): missing or empty
file, no features, missing code or name column, no CRS (pass ``crs=``), coordinates outside
France or with latitude and longitude swapped (:class:`~qpv_radar.CrsError`), empty
geometries, non-polygonal perimeters, duplicate codes (pass ``dissolve_duplicates=True`` to
merge the parts), wrong encoding. Invalid polygons (self-intersections, often from truncated
coordinates: 32 of the 105 Occitanie polygons) are repaired with ``shapely.make_valid`` and
reported on the ``qpv_radar.qpv`` logger, not raised.
"""

from .load import join_indicators, load_qpv
from .lookup import locate
from .read import QPV_COLUMNS, read_qpv

__all__ = ["QPV_COLUMNS", "join_indicators", "load_qpv", "locate", "read_qpv"]
