"""The default column layouts of DynaMo and Manage My Pain exports (their real layouts are not
public; a site adds a profile for each export format it receives)."""

DEFAULT_PROFILES = [
    {
        "kind": "dynamo",
        "name": "STRONG-BACK DynaMo layout v1",
        "datetime_format": "%Y-%m-%d %H:%M",
        "columns": {
            "study_id": "Study ID",
            "visit": "Visit",
            "tested_at": "Date",
            "category": "Test Type",
            "movement": "Movement",
            "side": "Side",
            "peak_force_n": "Peak Force (N)",
            "lever_arm_m": "Lever Arm (m)",
            "body_mass_kg": "Body Mass (kg)",
            "rom_deg": "ROM (deg)",
        },
    },
    {
        "kind": "mmp",
        "name": "Manage My Pain research extract v1",
        "datetime_format": "%Y-%m-%d %H:%M",
        "columns": {
            "code": "Enrolment Code",
            "recorded_at": "Date",
            "severity": "Pain Severity",
        },
    },
]
