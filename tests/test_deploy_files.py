"""The container files keep what the red-team pass asked for: the CPU build of torch (not the
CUDA wheels), Graphviz for the CONSORT diagram, and an Orthanc that asks for credentials, which
the application receives from the same .env."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_installs_cpu_torch_and_graphviz() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    torch_line = next(line for line in dockerfile.splitlines() if "pip install" in line
                      and "torch==" in line)  # fmt: skip
    assert "--index-url https://download.pytorch.org/whl/cpu" in torch_line
    assert dockerfile.index(torch_line) < dockerfile.index("pip install .")
    apt_line = next(line for line in dockerfile.splitlines() if "apt-get install" in line)
    assert "graphviz" in apt_line


def test_orthanc_requires_credentials_that_the_application_gets() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    orthanc = compose["services"]["orthanc"]["environment"]
    assert orthanc["ORTHANC__AUTHENTICATION_ENABLED"] == "true"
    assert "ORTHANC_PASSWORD" in orthanc["ORTHANC__REGISTERED_USERS"]
    app = compose["x-app"]["environment"]
    assert "ORTHANC_PASSWORD" in app["ORTHANC_PASSWORD"]
    assert "ORTHANC_USERNAME" in app["ORTHANC_USERNAME"]
