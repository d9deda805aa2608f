"""The known differences between the component and the engine: each recogniser stands for one
section of forms/DIFFERENCES.md (named by its heading) and accounts for a disagreement only
when every part of it is of that kind."""

import re

from .browser import canonical
from .cases import derived_type, has_pattern, local

UNCHECKED_ITEMS = "The component does not check that a value is one of the items"
SINGLE_SELECT = "The component accepts several values in a single select"
UNCHECKED_RANGES = "The component does not check range values"
DATETIME = "xs:dateTime: the component checks a pattern, not the calendar"
DOUBLE_LEXICAL = "xs:double: the component reads numbers as JavaScript does"
LONG_PRECISION = "xs:long: the component compares in double precision"
PATTERN_ON_EMPTY = "The component applies patterns to empty values"
TREE_OUTPUT = "Tree values: the component rewrites them, the engine prunes irrelevant ones"

COMPONENT_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def explain(case, theirs, ours):
    """The sections that account for every disagreement of `case`, or None if one is not."""
    sections = set()
    if theirs[0] != ours[0]:
        found = engine_only_errors(case, ours[2]) if theirs[0] else component_only_errors(case)
        if found is None:
            return None
        sections |= found
    if canonical(theirs[1]) != canonical(ours[1]):
        if without(canonical(theirs[1]), case.facts.tree_tags) != without(canonical(ours[1]), case.facts.tree_tags):
            return None
        sections.add(TREE_OUTPUT)
    return sections


def engine_only_errors(case, errors):
    """The component found the form valid: each engine error must be one it does not check."""
    sections = set()
    for error in errors:
        section = unchecked_by_component(case, error)
        if section is None:
            return None
        sections.add(section)
    return sections


def unchecked_by_component(case, error):
    control = case.facts.control(error)
    kind = local(control) if control is not None else None
    rule, message = error.get("rule"), error.get("message", "")
    value = re.match(r"'(.*)'", message)
    value = value.group(1) if value else ""
    if rule == "not-an-item":
        return UNCHECKED_ITEMS
    if rule == "multiple-values":
        return SINGLE_SELECT
    if rule == "range" or (rule == "type" and kind == "range"):
        return UNCHECKED_RANGES
    if rule == "type" and message.endswith("xs:dateTime") and COMPONENT_DATETIME.match(value):
        return DATETIME
    if rule == "type" and message.endswith("xs:long") and re.fullmatch(r"-?\d{19}", value):
        return LONG_PRECISION
    return None


def component_only_errors(case):
    """The engine found the form valid: the component refused the changed value."""
    if case.control is None:
        return None
    family = derived_type(case.control.get("type"))
    if case.value == "" and has_pattern(case.control):
        return {PATTERN_ON_EMPTY}
    if family == "double" and case.value in ("INF", "-INF", "NaN"):
        return {DOUBLE_LEXICAL}
    if family == "datetime" and isinstance(case.value, str) and re.search(r"(Z|[+-]\d{2}:\d{2})$", case.value):
        return {DATETIME}
    return None


def without(tree, tags):
    """A canonical tree without the elements named `tags`."""
    if tree is None:
        return None
    tag, attributes, text, children = tree
    return (tag, attributes, text, tuple(without(c, tags) for c in children if c[0] not in tags))
