"""Differential test of the forms engine against NASA's own ECHO Forms implementation, the
@edsc/echoforms React component that Earthdata Search renders forms with.

Every form (the samples, the distinct real forms of the recorded traffic, the benchmark form
and forms written for the specification's corners in forms_diff/corners/) is judged as loaded
and with changed values per control (forms_diff/cases.py): the component, mounted in headless
Chromium from the committed bundle, and the engine, through `echo-gateway forms validate`,
must agree on validity and on the pruned output model. A disagreement must be one that
forms/DIFFERENCES.md lists (forms_diff/differences.py recognises each by its section).

Skipped only when Chromium or its driver is not installed (.ci/run installs both).
"""

import os
import pathlib

import pytest

from forms_diff.browser import REPO, Component, Engine, LocalServer, canonical, chromium_paths, engine_binary
from forms_diff.cases import cases_for, real_forms
from forms_diff.differences import explain

CORNERS = pathlib.Path(__file__).parent / "forms_diff" / "corners"
REFERENCE = pathlib.Path(os.environ.get("ECHO_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
TRAFFIC = REFERENCE / "echo-v10-traffic"


def all_forms():
    forms = [("sample-" + p.stem, p.read_text(encoding="utf-8")) for p in sorted((REPO / "forms" / "samples").glob("*.xml"))]
    forms += real_forms(TRAFFIC) if TRAFFIC.is_dir() else []
    forms += [("bench-" + p.stem, p.read_text(encoding="utf-8")) for p in sorted((REPO / "forms" / "bench").glob("*.xml"))]
    forms += [("corner-" + p.stem, p.read_text(encoding="utf-8")) for p in sorted(CORNERS.glob("*.xml"))]
    return forms


FORMS = all_forms()


@pytest.fixture(scope="module")
def judges():
    paths = chromium_paths()
    if paths is None:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    binary = engine_binary()
    assert binary.is_file(), "build the gateway first (cargo build): no %s" % binary
    server = LocalServer()
    component = Component(paths[0], paths[1], server.url)
    engine = Engine(binary)
    yield component, engine
    component.close()
    engine.close()
    server.close()


def test_the_recorded_traffic_and_samples_are_compared():
    names = [name for name, _ in FORMS]
    assert any(n.startswith("traffic-") for n in names) or not TRAFFIC.is_dir(), names
    assert sum(n.startswith("sample-") for n in names) >= 4, names


@pytest.mark.parametrize("form_name,xml", FORMS, ids=[name for name, _ in FORMS])
def test_component_and_engine_agree(judges, form_name, xml):
    component, engine = judges
    unexplained = []
    for case in cases_for(form_name, xml):
        theirs = component.judge(case.xml)
        ours = engine.judge(case.xml)
        assert theirs[0] is not None, "%s: component failed: %s" % (case.id, theirs[2])
        assert ours[0] is not None, "%s: engine failed: %s" % (case.id, ours[2])
        if theirs[0] == ours[0] and canonical(theirs[1]) == canonical(ours[1]):
            continue
        if explain(case, theirs, ours) is None:
            unexplained.append(
                "%s\n  component: valid=%s %s\n  engine:    valid=%s %s\n  component model: %s\n  engine model:    %s"
                % (case.id, theirs[0], theirs[2], ours[0], ours[2], theirs[1], ours[1])
            )
    assert not unexplained, "differences not listed in forms/DIFFERENCES.md:\n" + "\n".join(unexplained)
