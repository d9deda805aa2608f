"""JSON Schemas of the EOSC Ordering API, restated from the notes' field lists
(shared/reference/EOSC-OMS-NOTES.md, "Schemas, field by field"), independent of the gateway's
own OpenAPI document. `check(name, value)` validates a body or fails the test."""

import jsonschema

STATUS_TYPES = ["created", "rejected", "waiting_for_response", "registered", "in_progress",
                "ready", "closed", "approved"]
FREE = {"type": "object"}


def obj(required, **properties):
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": properties}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}


def listing(key, item):
    return obj([key], **{key: {"type": "array", "items": item}})


ERROR = obj(["error"], error={"type": ["string", "object"]})
OMS = obj(["id", "name", "type", "default"], id=INT, name=STR,
          type={"enum": ["global", "provider_group", "resource_dedicated"]}, default=BOOL,
          custom_params=FREE,
          trigger=obj(["url", "method"], url=STR, method={"enum": ["get", "post", "put"]},
                      authorization=obj(["type", "user", "password"], type={"enum": ["basic"]},
                                        user=STR, password=STR)))
EVENT = obj(["timestamp", "type", "resource"], timestamp=STR,
            type={"enum": ["create", "update", "delete"]},
            resource={"enum": ["project", "project_item", "message"]},
            project_id=INT, project_item_id=INT, message_id=INT,
            changes={"type": "array", "items": obj(["field", "before", "after"],
                                                   field=STR, before=STR, after=STR)})
PROJECT = obj(["id", "owner", "project_items"], id=INT,
              owner=obj(["uid", "email", "name", "first_name", "last_name"], uid=STR, email=STR,
                        name=STR, first_name=STR, last_name=STR),
              project_items={"type": "array", "items": INT}, attributes=FREE)
PROJECT_ITEM = obj(["id", "project_id", "status"], id=INT, project_id=INT,
                   status=obj(["value", "type"], value=STR, type={"enum": STATUS_TYPES}),
                   attributes=FREE, user_secrets=FREE, oms_params=FREE)
AUTHOR = obj(["email", "name", "role"], uid=STR, email=STR, name=STR,
             role={"enum": ["user", "provider", "mediator"]})
MESSAGE = obj(["id", "author", "content", "scope", "created_at", "updated_at"], id=INT,
              author=AUTHOR, content=STR, scope={"enum": ["public", "internal", "user_direct"]},
              created_at=STR, updated_at=STR)
ITEM_UPDATE = dict(obj([], status=obj(["value", "type"], value=STR,
                                      type={"enum": [t for t in STATUS_TYPES if t != "created"]}),
                       user_secrets=FREE), minProperties=1)
MESSAGE_CREATE = obj(["project_id", "author", "content", "scope"], project_id=INT,
                     project_item_id=INT,
                     author=obj(["email", "name", "role"], uid=STR, email=STR, name=STR,
                                role={"enum": ["provider", "mediator"]}),
                     content=STR, scope={"enum": ["public", "internal", "user_direct"]})

SCHEMAS = {
    "Error": ERROR, "Oms": OMS, "OmsList": listing("omses", OMS), "Event": EVENT,
    "EventList": listing("events", EVENT), "Project": PROJECT,
    "ProjectList": listing("projects", PROJECT), "ProjectItem": PROJECT_ITEM,
    "ProjectItemList": listing("project_items", PROJECT_ITEM), "Message": MESSAGE,
    "MessageList": listing("messages", MESSAGE), "ProjectItemUpdate": ITEM_UPDATE,
    "MessageCreate": MESSAGE_CREATE, "MessageUpdate": obj(["content"], content=STR),
}


def check(name, value):
    jsonschema.validate(value, SCHEMAS[name])
    return value
