"""Cases of the forms differential test: the forms to compare and, per form, the changed values.

A case is the form with its instance changed as a user's edit would change it (a value typed
into an input at or beyond its type's bounds, a select or tree choice, which also switches the
relevance of the controls that depend on it). Both implementations load the changed form, so
each judges the same instance: the engine through `forms validate`, the component by mounting.
"""

import hashlib
import pathlib
import re

from lxml import etree

FORM_CONTROLS = {"input", "secret", "textarea", "select", "selectref", "range", "tree"}
CONTAINERS = {"group"}
MAX_CASES_PER_FORM = 36

# Values typed into a text control, per type: in range, at the bounds and beyond them.
TYPED_VALUES = {
    "int": ["-2147483648", "2147483647", "2147483648", "1.5", "abc"],
    "short": ["-32768", "32767", "32768", "abc"],
    "long": ["-9223372036854775808", "9223372036854775807", "9223372036854775808", "abc"],
    "double": ["-0.5", "1.5e3", "INF", "abc"],
    "datetime": ["2020-02-29T12:00:00", "2021-02-30T00:00:00", "2020-01-01T00:00:00Z", "2020-01-01"],
    "boolean": ["true", "false"],
    "string": ["x", ""],
}


class Case:
    """One form to load in both implementations, with what was changed: the control (its
    element name, type family and whether it has a pattern) and the value written."""

    def __init__(self, form_name, label, xml, facts, control=None, value=None):
        self.form_name = form_name
        self.label = label
        self.xml = xml
        self.facts = facts
        self.control = control
        self.value = value

    @property
    def id(self):
        return "%s:%s" % (self.form_name, self.label)


def local(element):
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def derived_type(type_attribute):
    """The type family of a `type` attribute (prefix and case ignored)."""
    name = (type_attribute or "string").split(":")[-1].lower()
    for family in ("boolean", "datetime", "double", "long", "short", "int"):
        if family in name:
            return family
    return "string"


def namespaces(element):
    return {prefix: uri for prefix, uri in element.nsmap.items() if prefix}


def instance_root(form):
    for model in form:
        if local(model) == "model":
            for instance in model:
                if local(instance) == "instance":
                    roots = [e for e in instance if isinstance(e.tag, str)]
                    return roots[0] if roots else None
    return None


def ui_of(form):
    return next((e for e in form if local(e) == "ui"), None)


def bound(context, control, ns):
    ref = control.get("ref")
    if ref is None:
        return context
    try:
        found = context.xpath(ref, namespaces=ns)
    except etree.XPathError:
        return None
    found = [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []
    return found[0] if found else None


def controls_with_nodes(form):
    """(control element, position of its bound instance element) of each value control."""
    root = instance_root(form)
    ui = ui_of(form)
    if root is None or ui is None:
        return []
    found = []

    def walk(parent, context):
        for control in parent:
            name = local(control)
            if name is None:
                continue
            ns = dict(namespaces(root), **namespaces(control))
            node = bound(context, control, ns)
            if name in CONTAINERS:
                walk(control, node if node is not None else context)
            elif name in FORM_CONTROLS and node is not None and control.get("ref"):
                found.append((control, position(node)))

    walk(ui, root)
    return found


def position(element):
    """The child indexes leading from the document element to `element`."""
    indexes = []
    while element.getparent() is not None:
        indexes.append(element.getparent().index(element))
        element = element.getparent()
    return indexes[::-1]


def follow(document, indexes):
    element = document
    for index in indexes:
        element = element[index]
    return element


def items_of(control):
    return [i.get("value", "") for i in control if local(i) == "item"]


def tree_paths(control, separator, prefix=""):
    paths = []
    for item in control:
        if local(item) != "item":
            continue
        path = prefix + separator + item.get("value", "")
        children = tree_paths(item, separator, path)
        paths.extend(children if children else [path])
    return paths


def variations(control):
    """(label, values or text) pairs for one control: a list sets value elements."""
    name = local(control)
    type_family = derived_type(control.get("type"))
    if name in ("select", "selectref"):
        items = list(dict.fromkeys(items_of(control)))[:3]
        chosen = [("item %r" % v, [v]) for v in items]
        return chosen + [("not an item", ["NOT_AN_ITEM"]), ("nothing selected", [])]
    if name == "tree":
        separator = control.get("separator") or "/"
        leaves = tree_paths(control, separator)
        return [("leaf %s" % p, [p]) for p in leaves[:1] + leaves[-1:]] + [
            ("no such path", [separator + "no_such_item"])
        ]
    if name == "range":
        return range_values(control, type_family)
    return [("typed %r" % v, v) for v in TYPED_VALUES[type_family]]


def range_values(control, type_family):
    try:
        start = float(control.get("start"))
        end = float(control.get("end") or control.get("stop"))
        step = float(control.get("step") or 1)
    except (TypeError, ValueError):
        return [("typed %r" % v, v) for v in TYPED_VALUES[type_family]]

    def text(n):
        return str(int(n)) if type_family != "double" and n == int(n) else repr(n)

    values = [start, end, end + step, start - step]
    if step > 1:
        values.append(start + step / 2)
    return [("range %s" % text(v), text(v)) for v in values]


def set_value(node, control, value):
    """Writes `value` into the bound element as the component's model update does."""
    if isinstance(value, list):
        value_name = control.get("valueElementName") or ("value" if local(control) == "selectref" else None)
        for child in list(node):
            node.remove(child)
        node.text = None
        if value_name is None:
            node.text = value[0] if value else ""
            return
        qname = etree.QName(node).namespace
        for v in value:
            child = etree.SubElement(node, "{%s}%s" % (qname, value_name) if qname else value_name)
            child.text = v
        return
    for child in list(node):
        node.remove(child)
    node.text = value


class FormFacts:
    """What the difference recognisers need to know of a form: its controls by id and label,
    and the qualified names of the instance elements its trees are bound to."""

    def __init__(self, form, bound):
        self.controls = {}
        for control in form.iter("{*}*"):
            if local(control) in FORM_CONTROLS | {"output"}:
                for key in (control.get("id"), control.get("label")):
                    self.controls.setdefault(key, control)
        self.tree_tags = {follow(form, p).tag for c, p in bound if local(c) == "tree"}

    def control(self, error):
        found = self.controls.get(error.get("control_id"))
        return found if found is not None else self.controls.get(error.get("label"))


def has_pattern(control):
    return control is not None and any(local(e) == "pattern" for e in control.iter("{*}*"))


def cases_for(form_name, xml):
    """The initial instance and the changed values of `xml`'s controls, at most MAX_CASES_PER_FORM."""
    form = etree.fromstring(xml.encode("utf-8"))
    bound = controls_with_nodes(form)
    facts = FormFacts(form, bound)
    cases = [Case(form_name, "initial instance", xml, facts)]
    changes = []
    for control, node_position in bound:
        describe = control.get("id") or control.get("label") or control.get("ref")
        for label, value in variations(control):
            changed = etree.fromstring(xml.encode("utf-8"))
            set_value(follow(changed, node_position), control, value)
            text = etree.tostring(changed, encoding="unicode")
            changes.append(Case(form_name, "%s %s" % (describe, label), text, facts, control, value))
    return cases + spread(changes, MAX_CASES_PER_FORM - 1)


def spread(changes, limit):
    """At most `limit` of `changes`, taken evenly so every part of a big form is exercised."""
    if len(changes) <= limit:
        return changes
    stride = len(changes) / limit
    return [changes[int(i * stride)] for i in range(limit)]


def real_forms(traffic_dir):
    """The distinct forms of the recorded GetCatalogItemOptionDefinitions2 responses."""
    forms = {}
    for response in sorted(pathlib.Path(traffic_dir).glob("data_management_service/option_definitions/*/*.response.xml")):
        document = etree.parse(str(response))
        for item in document.iter("{*}Item"):
            name = item.findtext("{*}Name")
            form = item.findtext("{*}Form")
            if not form:
                continue
            digest = hashlib.sha256(form.encode("utf-8")).hexdigest()
            if digest not in forms:
                forms[digest] = ("traffic-%s-%s" % (response.parent.name, re.sub(r"\W+", "_", name or "form")), form)
    return list(forms.values())
