# Sample courses as JSON Lines: each node's own, the vendors', and single-record publishes.
import json

_TOPICS = ["wound care", "BIM modelling", "cloud security", "CNC machining", "food safety",
           "heat pumps", "hospitality English", "warehouse robotics", "EV diagnostics",
           "sustainable textiles", "game design", "offshore safety"]
_MODES = ["online", "onsite", "blended"]


def course(record_id, region, sector, k, provider):
    topic = _TOPICS[k % len(_TOPICS)]
    return {
        "kind": "LearningResource",
        "id": record_id,
        "title": {"en": f"{topic.capitalize()} for {sector} ({region}, part {k})"},
        "description": {"en": f"A practical course on {topic} for people working in {sector} in "
                              f"{region}: short lectures, supervised practice and a final project "
                              f"assessed by the provider."},
        "url": f"https://{provider}.example.org/courses/{k}",
        "provider": provider,
        "languages": ["en"],
        "mode": _MODES[k % len(_MODES)],
        "eqfLevel": 3 + k % 4,
        "durationHours": 8 + 4 * (k % 10),
        "sectors": [sector],
        "region": region,
        "keywords": {"en": [topic, sector]},
    }


def lines(records):
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


def node_courses(node, count):
    prefix = node.name.lower()
    return lines(course(f"{prefix}/lr/{k}", node.region, node.sector, k, f"{prefix}-academy")
                 for k in range(count))


def vendor_courses(vendor, count):
    return lines(course(f"{vendor}/lr/{k}", "EU", "ict", k, vendor) for k in range(count))
